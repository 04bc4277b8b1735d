package io.jlvs.ipvsadm;

import io.jlvs.control.Errno;

/**
 * What ipvsadm prints when the director refuses a call: libipvs's table keyed by (operation, errno),
 * then rows that hold for every operation, then the C library's {@code strerror} text.
 */
final class ErrorMessages {
    /** The libipvs entry point a call corresponds to; the table is keyed by it. */
    enum Op {
        INIT, ADD_SERVICE, EDIT_SERVICE, DEL_SERVICE, ZERO, FLUSH, ADD_DEST, EDIT_DEST, DEL_DEST,
        START_DAEMON, STOP_DAEMON, SET_TIMEOUT, GET_SERVICES, GET_DESTS, GET_SERVICE
    }

    private ErrorMessages() {}

    static String message(Op op, Errno errno) {
        switch (errno) {
            case EEXIST -> {
                if (op == Op.ADD_SERVICE) {
                    return "Service already exists";
                }
                if (op == Op.ADD_DEST) {
                    return "Destination already exists";
                }
                if (op == Op.START_DAEMON) {
                    return "Daemon has already run";
                }
            }
            case ENOENT -> {
                if (op == Op.ADD_SERVICE || op == Op.EDIT_SERVICE) {
                    return "Scheduler or persistence engine not found";
                }
                if (op == Op.EDIT_DEST || op == Op.DEL_DEST) {
                    return "No such destination";
                }
            }
            case ESRCH -> {
                switch (op) {
                    case EDIT_SERVICE, DEL_SERVICE, ZERO, GET_SERVICES, GET_DESTS, GET_SERVICE -> {
                        return "No such service";
                    }
                    case ADD_DEST, EDIT_DEST, DEL_DEST -> {
                        return "Service not defined";
                    }
                    case STOP_DAEMON -> {
                        return "No daemon is running";
                    }
                    default -> { }
                }
            }
            case EPERM -> {
                return "Permission denied (you must be root)";
            }
            case EINVAL -> {
                return "Invalid operation.  Possibly wrong module version, address not unicast, ...";
            }
            case ENOPROTOOPT -> {
                return "Protocol not available";
            }
            case ENOMEM -> {
                return "Memory allocation problem";
            }
            case EOPNOTSUPP -> {
                return "Operation not supported with IPv6";
            }
            case EAFNOSUPPORT -> {
                return "Operation not supported with specified address family";
            }
            case EMSGSIZE -> {
                return "Module is wrong version";
            }
            default -> { }
        }
        return strerror(errno);
    }

    /** glibc's {@code strerror} texts for the errno values the director uses. */
    static String strerror(Errno errno) {
        return switch (errno) {
            case EPERM -> "Operation not permitted";
            case ENOENT -> "No such file or directory";
            case ESRCH -> "No such process";
            case ENOMEM -> "Cannot allocate memory";
            case EEXIST -> "File exists";
            case EINVAL -> "Invalid argument";
            case ERANGE -> "Numerical result out of range";
            case ENOPROTOOPT -> "Protocol not available";
            case EOPNOTSUPP -> "Operation not supported";
            case EAFNOSUPPORT -> "Address family not supported by protocol";
            case EMSGSIZE -> "Message too long";
        };
    }
}
