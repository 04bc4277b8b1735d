package io.jlvs.ipvsadm;

import io.jlvs.control.Errno;
import io.jlvs.ipvsadm.ErrorMessages.Op;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ErrorMessagesTest {

    @Test
    void shouldUseTheOperationsOwnTextWhenThereIsOne() {
        assertThat(ErrorMessages.message(Op.ADD_SERVICE, Errno.EEXIST)).isEqualTo("Service already exists");
        assertThat(ErrorMessages.message(Op.ADD_DEST, Errno.EEXIST)).isEqualTo("Destination already exists");
        assertThat(ErrorMessages.message(Op.START_DAEMON, Errno.EEXIST)).isEqualTo("Daemon has already run");
        assertThat(ErrorMessages.message(Op.STOP_DAEMON, Errno.ESRCH)).isEqualTo("No daemon is running");
        assertThat(ErrorMessages.message(Op.GET_SERVICE, Errno.ESRCH)).isEqualTo("No such service");
        assertThat(ErrorMessages.message(Op.DEL_DEST, Errno.ESRCH)).isEqualTo("Service not defined");
    }

    @Test
    void shouldFallBackToStrerrorWhenTheOperationHasNoText() {
        assertThat(ErrorMessages.message(Op.FLUSH, Errno.ESRCH)).isEqualTo("No such process");
        assertThat(ErrorMessages.message(Op.ADD_DEST, Errno.ENOENT)).isEqualTo("No such file or directory");
        assertThat(ErrorMessages.message(Op.EDIT_SERVICE, Errno.EEXIST)).isEqualTo("File exists");
        assertThat(ErrorMessages.message(Op.ADD_DEST, Errno.ERANGE)).isEqualTo("Numerical result out of range");
    }

    @Test
    void shouldUseTheCommonTextWhenErrnoIsGeneric() {
        assertThat(ErrorMessages.message(Op.FLUSH, Errno.EPERM)).isEqualTo("Permission denied (you must be root)");
        assertThat(ErrorMessages.message(Op.ADD_SERVICE, Errno.EINVAL))
                .isEqualTo("Invalid operation.  Possibly wrong module version, address not unicast, ...");
        assertThat(ErrorMessages.message(Op.ADD_DEST, Errno.EAFNOSUPPORT))
                .isEqualTo("Operation not supported with specified address family");
        assertThat(ErrorMessages.message(Op.INIT, Errno.EMSGSIZE)).isEqualTo("Module is wrong version");
    }
}
