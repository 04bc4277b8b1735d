package io.jlvs.control;

/** The errno values the IPVS control interface answers with (what ipvsadm maps to its messages). */
public enum Errno {
    EPERM(1), ENOENT(2), ESRCH(3), ENOMEM(12), EEXIST(17), EINVAL(22), ERANGE(34),
    ENOPROTOOPT(92), EOPNOTSUPP(95), EAFNOSUPPORT(97), EMSGSIZE(90);

    private final int value;

    Errno(int value) {
        this.value = value;
    }

    public int value() {
        return value;
    }
}
