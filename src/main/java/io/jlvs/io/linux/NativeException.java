package io.jlvs.io.linux;

/** A failed system call on the slow path (setup, configuration), with its errno. */
public final class NativeException extends RuntimeException {
    private final int errno;

    public NativeException(String what, int errno) {
        super(what + ": " + Libc.strerror(errno) + " (errno=" + errno + ")");
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
