package io.jlvs.ipvsadm;

/**
 * Ends the whole ipvsadm run with a status, as the C tool's {@code exit()} calls do from deep inside
 * parsing, listing and restore. Whatever had to be printed has been printed before it is thrown.
 */
final class ExitException extends RuntimeException {
    private final int status;

    ExitException(int status) {
        super(null, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }
}
