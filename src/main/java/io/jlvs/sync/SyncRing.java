package io.jlvs.sync;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Connection states a worker hands to the sync sender: a single-producer, single-consumer ring of
 * fixed entries off-heap, so the worker publishes without locks or allocation. When the ring is full
 * the entry is dropped and counted (the next sync of that connection carries the news).
 * <pre>
 * entry (80 bytes): +0 u8 protocol  +1 u8 ipv6 (0/1) +2 u16 state  +4 u32 flags   +8 u16 cport
 *                   +10 u16 vport   +12 u16 dport    +14 unused    +16 u32 fwmark +20 u32 timeoutS
 *                   +24 caddr hi/lo +40 vaddr hi/lo  +56 daddr hi/lo (u64 each)    +72 unused
 *                   (an IPv4 address: hi 0, the address in lo's low 32 bits)
 * </pre>
 */
public final class SyncRing implements AutoCloseable {
    public static final int ENTRY = 80;
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HEAD = l.findVarHandle(SyncRing.class, "head", long.class);
            TAIL = l.findVarHandle(SyncRing.class, "tail", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Arena arena = Arena.ofShared();
    private final MemorySegment slots;
    private final int mask;
    @SuppressWarnings("unused") private volatile long head; // next to read (consumer)
    @SuppressWarnings("unused") private volatile long tail; // next to write (producer)
    private long dropped;

    public SyncRing(int capacity) {
        int cap = Integer.highestOneBit(Math.max(2, capacity - 1)) << 1;
        slots = arena.allocate((long) cap * ENTRY, 64);
        mask = cap - 1;
    }

    /** Producer: appends one IPv4 connection's state; false (and counted) when full. */
    public boolean offer(int protocol, int flags, int state, int cport, int vport, int dport, int fwmark,
                         int timeoutS, int caddr, int vaddr, int daddr) {
        return offer(false, protocol, flags, state, cport, vport, dport, fwmark, timeoutS, 0L,
                Integer.toUnsignedLong(caddr), 0L, Integer.toUnsignedLong(vaddr), 0L, Integer.toUnsignedLong(daddr));
    }

    /** Producer: appends one IPv6 connection's state; false (and counted) when full. */
    public boolean offer6(int protocol, int flags, int state, int cport, int vport, int dport, int fwmark,
                          int timeoutS, long caddrHi, long caddrLo, long vaddrHi, long vaddrLo, long daddrHi,
                          long daddrLo) {
        return offer(true, protocol, flags, state, cport, vport, dport, fwmark, timeoutS, caddrHi, caddrLo, vaddrHi,
                vaddrLo, daddrHi, daddrLo);
    }

    private boolean offer(boolean ipv6, int protocol, int flags, int state, int cport, int vport, int dport,
                          int fwmark, int timeoutS, long caddrHi, long caddrLo, long vaddrHi, long vaddrLo,
                          long daddrHi, long daddrLo) {
        return offer(ipv6, protocol, flags, state, cport, vport, dport, fwmark, timeoutS, caddrHi, caddrLo, vaddrHi,
                vaddrLo, daddrHi, daddrLo, 0);
    }

    /** Producer: an entry with sequence data ({@link SyncEntry#outSeqDelta}); IPv4 addresses in the low halves. */
    public boolean offer(boolean ipv6, int protocol, int flags, int state, int cport, int vport, int dport,
                         int fwmark, int timeoutS, long caddrHi, long caddrLo, long vaddrHi, long vaddrLo,
                         long daddrHi, long daddrLo, int outSeqDelta) {
        long t = (long) TAIL.getOpaque(this);
        if (t - (long) HEAD.getAcquire(this) > mask) {
            dropped++;
            return false;
        }
        long o = (t & mask) * ENTRY;
        slots.set(JAVA_BYTE, o, (byte) protocol);
        slots.set(JAVA_BYTE, o + 1, (byte) (ipv6 ? 1 : 0));
        slots.set(JAVA_SHORT, o + 2, (short) state);
        slots.set(JAVA_INT, o + 4, flags);
        slots.set(JAVA_SHORT, o + 8, (short) cport);
        slots.set(JAVA_SHORT, o + 10, (short) vport);
        slots.set(JAVA_SHORT, o + 12, (short) dport);
        slots.set(JAVA_INT, o + 16, fwmark);
        slots.set(JAVA_INT, o + 20, timeoutS);
        slots.set(JAVA_LONG, o + 24, caddrHi);
        slots.set(JAVA_LONG, o + 32, caddrLo);
        slots.set(JAVA_LONG, o + 40, vaddrHi);
        slots.set(JAVA_LONG, o + 48, vaddrLo);
        slots.set(JAVA_LONG, o + 56, daddrHi);
        slots.set(JAVA_LONG, o + 64, daddrLo);
        slots.set(JAVA_INT, o + 72, outSeqDelta);
        TAIL.setRelease(this, t + 1);
        return true;
    }

    /** Consumer: hands every pending entry to {@code visitor}; returns how many. */
    public int drain(EntryVisitor visitor, int max) {
        long h = (long) HEAD.getOpaque(this);
        long t = (long) TAIL.getAcquire(this);
        int n = 0;
        while (h < t && n < max) {
            long o = (h & mask) * ENTRY;
            visitor.visit(new SyncEntry(slots.get(JAVA_BYTE, o + 1) != 0,
                    Byte.toUnsignedInt(slots.get(JAVA_BYTE, o)), slots.get(JAVA_INT, o + 4),
                    Short.toUnsignedInt(slots.get(JAVA_SHORT, o + 2)), Short.toUnsignedInt(slots.get(JAVA_SHORT, o + 8)),
                    Short.toUnsignedInt(slots.get(JAVA_SHORT, o + 10)), Short.toUnsignedInt(slots.get(JAVA_SHORT, o + 12)),
                    slots.get(JAVA_INT, o + 16), slots.get(JAVA_INT, o + 20), slots.get(JAVA_LONG, o + 24),
                    slots.get(JAVA_LONG, o + 32), slots.get(JAVA_LONG, o + 40), slots.get(JAVA_LONG, o + 48),
                    slots.get(JAVA_LONG, o + 56), slots.get(JAVA_LONG, o + 64), slots.get(JAVA_INT, o + 72)));
            h++;
            n++;
        }
        HEAD.setRelease(this, h);
        return n;
    }

    /** Entries dropped because the ring was full (producer's count). */
    public long dropped() {
        return dropped;
    }

    @Override
    public void close() {
        arena.close();
    }

    @FunctionalInterface
    public interface EntryVisitor {
        void visit(SyncEntry entry);
    }
}
