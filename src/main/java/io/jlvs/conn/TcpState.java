package io.jlvs.conn;

/**
 * The eleven IPVS TCP connection states ({@code IP_VS_TCP_S_*}), as int constants with the kernel's index numbers
 * so the per-packet path and the transition table stay primitive, and the names {@code ipvsadm -lc} prints.
 */
public final class TcpState {
    public static final int NONE = 0;
    public static final int ESTABLISHED = 1;
    public static final int SYN_SENT = 2;
    public static final int SYN_RECV = 3;
    public static final int FIN_WAIT = 4;
    public static final int TIME_WAIT = 5;
    public static final int CLOSE = 6;
    public static final int CLOSE_WAIT = 7;
    public static final int LAST_ACK = 8;
    public static final int LISTEN = 9;
    public static final int SYNACK = 10;
    /** Number of states; valid states are {@code 0 .. COUNT - 1}. */
    public static final int COUNT = 11;

    private static final String[] NAMES = {
        "NONE", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT", "TIME_WAIT",
        "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "SYNACK",
    };

    private TcpState() {
    }

    /**
     * Whether a connection in this state counts in activeconns (mainline since v4.8): ESTABLISHED, SYN_SENT,
     * SYN_RECV and SYNACK. Every other state counts in inactconns.
     */
    public static boolean isActive(int state) {
        return state == ESTABLISHED || state == SYN_SENT || state == SYN_RECV || state == SYNACK;
    }

    /** The name ipvsadm prints ("ESTABLISHED"); "ERR!" for an index out of range, as the kernel prints. */
    public static String name(int state) {
        return state >= 0 && state < COUNT ? NAMES[state] : "ERR!";
    }

    /** The index of a state name as ipvsadm prints it, or -1 if it names no TCP state. */
    public static int indexOf(String name) {
        for (int i = 0; i < COUNT; i++) {
            if (NAMES[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }
}
