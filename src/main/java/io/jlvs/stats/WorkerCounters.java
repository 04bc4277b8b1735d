package io.jlvs.stats;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One worker's counters, off-heap, written only by that worker and read (racily, as the kernel's
 * per-CPU counters are) by the control plane. Per real server and per service, indexed by their
 * stable ids:
 * <pre>
 *  +0 activeConns  +8 inactiveConns  +16 persistConns  +24 conns
 *  +32 inPkts      +40 outPkts       +48 inBytes       +56 outBytes
 * </pre>
 * plus one counter per {@link DropReason} and frame totals.
 */
public final class WorkerCounters implements AutoCloseable {
    public static final int ACTIVE = 0;
    public static final int INACTIVE = 8;
    public static final int PERSIST = 16;
    public static final int CONNS = 24;
    public static final int IN_PKTS = 32;
    public static final int OUT_PKTS = 40;
    public static final int IN_BYTES = 48;
    public static final int OUT_BYTES = 56;
    public static final int RECORD = 64;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment dests;
    private final MemorySegment services;
    private final MemorySegment drops;
    private final MemorySegment totals;
    public static final int RX_FRAMES = 0;
    public static final int TX_FRAMES = 8;
    public static final int IGNORED_FRAMES = 16;
    /** SYNs forwarded without a connection entry under SYN flood pressure (SynFloodGuard). */
    public static final int SYN_STATELESS = 24;
    /** Connections created from their first non-SYN segment after a stateless SYN. */
    public static final int ACK_ADOPTED = 32;
    /** Gauge: half-open connection entries now. */
    public static final int HALF_OPEN = 40;
    /** SYN-ACKs with a cookie the SYN proxy sent (SynProxy). */
    public static final int SYN_PROXY_COOKIES = 48;
    /** Connections the SYN proxy opened from a client's ACK with a valid cookie. */
    public static final int SYN_PROXY_OPENED = 56;
    /** Gauge: half-open connection entries of the IPv6 pipeline now. */
    public static final int HALF_OPEN_IPV6 = 64;

    public WorkerCounters(int maxIds) {
        dests = arena.allocate((long) RECORD * maxIds, 64);
        services = arena.allocate((long) RECORD * maxIds, 64);
        drops = arena.allocate(8L * DropReason.ALL.length, 64);
        totals = arena.allocate(128, 64);
    }

    public void addDest(int destId, int field, long delta) {
        long o = (long) destId * RECORD + field;
        dests.set(JAVA_LONG, o, dests.get(JAVA_LONG, o) + delta);
    }

    public long dest(int destId, int field) {
        return dests.get(JAVA_LONG, (long) destId * RECORD + field);
    }

    public void addService(int serviceId, int field, long delta) {
        long o = (long) serviceId * RECORD + field;
        services.set(JAVA_LONG, o, services.get(JAVA_LONG, o) + delta);
    }

    public long service(int serviceId, int field) {
        return services.get(JAVA_LONG, (long) serviceId * RECORD + field);
    }

    /** Clears a real server's stats (not its connection counts): {@code ipvsadm -Z}, id reuse. */
    public void clearDestStats(int destId) {
        dests.asSlice((long) destId * RECORD + CONNS, RECORD - CONNS).fill((byte) 0);
    }

    public void clearServiceStats(int serviceId) {
        services.asSlice((long) serviceId * RECORD + CONNS, RECORD - CONNS).fill((byte) 0);
    }

    public void drop(DropReason reason) {
        long o = 8L * reason.ordinal();
        drops.set(JAVA_LONG, o, drops.get(JAVA_LONG, o) + 1);
    }

    public long drops(DropReason reason) {
        return drops.get(JAVA_LONG, 8L * reason.ordinal());
    }

    public void addTotal(int field, long delta) {
        totals.set(JAVA_LONG, field, totals.get(JAVA_LONG, field) + delta);
    }

    /** Sets a gauge among the totals. */
    public void setTotal(int field, long value) {
        totals.set(JAVA_LONG, field, value);
    }

    public long total(int field) {
        return totals.get(JAVA_LONG, field);
    }

    @Override
    public void close() {
        arena.close();
    }
}
