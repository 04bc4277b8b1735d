package io.jlvs.conn;

/**
 * Idle timeouts per protocol state, in milliseconds. Every packet that matches a connection re-arms it to
 * {@code now + timeoutMs(protocol, state)}, so these are idle timeouts, not lifetimes.
 *
 * <p>Immutable: a worker reads one instance; when {@code ipvsadm --set tcp tcpfin udp} changes the three
 * configurable values, the control plane builds a new instance with {@link #withSet(int, int, int)} and hands it
 * over. The change reaches a connection at its next packet, as in the kernel.
 */
public final class ConnectionTimeouts {
    /** Timeout of a brand-new connection, before its first state transition runs. */
    public static final long INITIAL_TIMEOUT_MS = 3_000;
    /**
     * Largest value {@code ipvsadm --set} accepts, in seconds. The kernel limit is {@code INT_MAX / HZ}; this assumes
     * HZ = 1000, the most restrictive common setting, so a value accepted here is accepted by every kernel.
     */
    public static final int MAX_TIMEOUT_SEC = Integer.MAX_VALUE / 1000;

    private static final int IPPROTO_TCP = 6;
    private static final long SEC = 1_000;

    private static final ConnectionTimeouts DEFAULTS = new ConnectionTimeouts(new long[] {
        2 * SEC,      // NONE
        900 * SEC,    // ESTABLISHED
        120 * SEC,    // SYN_SENT
        60 * SEC,     // SYN_RECV
        120 * SEC,    // FIN_WAIT
        120 * SEC,    // TIME_WAIT
        10 * SEC,     // CLOSE
        60 * SEC,     // CLOSE_WAIT
        30 * SEC,     // LAST_ACK
        120 * SEC,    // LISTEN
        120 * SEC,    // SYNACK
    }, 300 * SEC);

    private final long[] tcpMs;
    private final long udpMs;

    private ConnectionTimeouts(long[] tcpMs, long udpMs) {
        this.tcpMs = tcpMs;
        this.udpMs = udpMs;
    }

    /** The kernel defaults: ESTABLISHED 900 s, FIN_WAIT 120 s, UDP 300 s, and the fixed values of the others. */
    public static ConnectionTimeouts defaults() {
        return DEFAULTS;
    }

    /**
     * A copy with the values {@code ipvsadm --set tcp tcpfin udp} sets, in seconds; 0 leaves a value unchanged.
     *
     * @throws IllegalArgumentException if a value is negative or above {@link #MAX_TIMEOUT_SEC}
     */
    public ConnectionTimeouts withSet(int tcpSec, int tcpfinSec, int udpSec) {
        check("tcp", tcpSec);
        check("tcpfin", tcpfinSec);
        check("udp", udpSec);
        long[] tcp = tcpMs.clone();
        if (tcpSec != 0) {
            tcp[TcpState.ESTABLISHED] = tcpSec * SEC;
        }
        if (tcpfinSec != 0) {
            tcp[TcpState.FIN_WAIT] = tcpfinSec * SEC;
        }
        return new ConnectionTimeouts(tcp, udpSec != 0 ? udpSec * SEC : udpMs);
    }

    private static void check(String name, int sec) {
        if (sec < 0 || sec > MAX_TIMEOUT_SEC) {
            throw new IllegalArgumentException(
                "invalid timeout: " + name + "=" + sec + ", expected 0.." + MAX_TIMEOUT_SEC + " s");
        }
    }

    /** The ESTABLISHED timeout in seconds, as {@code ipvsadm -L --timeout} prints it first. */
    public int tcpSec() {
        return (int) (tcpMs[TcpState.ESTABLISHED] / SEC);
    }

    /** The FIN_WAIT timeout in seconds, printed second. */
    public int tcpfinSec() {
        return (int) (tcpMs[TcpState.FIN_WAIT] / SEC);
    }

    /** The UDP timeout in seconds, printed third. */
    public int udpSec() {
        return (int) (udpMs / SEC);
    }

    /** The timeout of a TCP connection in {@code state}; a state out of range gets the CLOSE timeout. */
    public long tcpTimeoutMs(int state) {
        return state >= 0 && state < TcpState.COUNT ? tcpMs[state] : tcpMs[TcpState.CLOSE];
    }

    /** The timeout of a UDP connection (its only state). */
    public long udpTimeoutMs() {
        return udpMs;
    }

    /**
     * The timeout for a connection of IP {@code protocol} in {@code state}. TCP reads the state table; UDP, and for
     * now every other protocol (no SCTP state machine yet), get the UDP timeout.
     */
    public long timeoutMs(int protocol, int state) {
        return protocol == IPPROTO_TCP ? tcpTimeoutMs(state) : udpMs;
    }

    @Override
    public String toString() {
        return "ConnectionTimeouts[tcp=" + tcpSec() + ", tcpfin=" + tcpfinSec() + ", udp=" + udpSec() + "]";
    }
}
