package io.jlvs.sched;

/**
 * A real server's connection load as the least-connection schedulers weigh it ({@code
 * ip_vs_dest_conn_overhead} in include/net/ip_vs.h): an active connection costs 256 times an
 * inactive one, because an inactive entry (FIN_WAIT, TIME_WAIT, UDP) holds little more than table
 * memory while an active one holds a server thread. The sum is a 32-bit int as in the kernel; callers
 * widen it to 64 bits before cross-multiplying with a weight.
 */
public final class ConnOverhead {
    /** Cost of one active connection in units of inactive ones ({@code << 8}). */
    public static final int ACTIVE_SHIFT = 8;

    private ConnOverhead() {}

    /** {@code activeConns(i) * 256 + inactiveConns(i)} of the i-th real server, in int arithmetic. */
    public static int of(DestinationView dests, int i) {
        return (dests.activeConns(i) << ACTIVE_SHIFT) + dests.inactiveConns(i);
    }
}
