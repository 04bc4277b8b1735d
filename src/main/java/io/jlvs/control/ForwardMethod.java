package io.jlvs.control;

/**
 * How a connection reaches its real server, with the kernel's {@code IP_VS_CONN_F_FWD_MASK} codes
 * and the words {@code ipvsadm -L} prints.
 */
public enum ForwardMethod {
    MASQ(0, "Masq", 'M'),
    LOCALNODE(1, "Local", 'L'),
    TUNNEL(2, "Tunnel", 'T'),
    DROUTE(3, "Route", 'R'),
    BYPASS(4, "Bypass", 'B'),
    /** DPVS's FULLNAT (not in the kernel): client address and port replaced by a local address of the director. */
    FULLNAT(5, "FullNat", 'F');

    private final int code;
    private final String listName;
    private final char connLetter;

    ForwardMethod(int code, String listName, char connLetter) {
        this.code = code;
        this.listName = listName;
        this.connLetter = connLetter;
    }

    public int code() {
        return code;
    }

    public String listName() {
        return listName;
    }

    /** The letter {@code ipvsadm -Lc} shows. */
    public char connLetter() {
        return connLetter;
    }

    public static ForwardMethod ofCode(int code) {
        for (ForwardMethod m : values()) {
            if (m.code == code) {
                return m;
            }
        }
        throw new IllegalArgumentException("forward method code " + code);
    }
}
