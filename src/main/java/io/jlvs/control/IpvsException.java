package io.jlvs.control;

/** A control operation the director refused, with the errno the kernel's IPVS would give. */
public final class IpvsException extends Exception {
    private final Errno errno;

    public IpvsException(Errno errno, String detail) {
        super(errno + ": " + detail);
        this.errno = errno;
    }

    public Errno errno() {
        return errno;
    }
}
