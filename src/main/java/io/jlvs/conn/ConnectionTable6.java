package io.jlvs.conn;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.security.SecureRandom;

/**
 * One worker's IPVS connection table for IPv6 ({@code ip_vs_conn.c} with {@code af = AF_INET6}): the same design,
 * API shape and expiry semantics as {@link ConnectionTable}, with 128-bit addresses passed as two {@code long}s each,
 * high half first (the address read as a big-endian number, as {@code Ipv6View} returns it). One owner thread, no
 * locks, everything in one {@link MemorySegment} of one {@link Arena}, freed by {@link #close()}. The slab, free list
 * and timer wheel are {@link ConnectionSlab}'s.
 *
 * <p>A connection is a fixed 128-byte record: two cache lines, with everything the two lookups compare and both
 * chain links in the first. Multi-byte fields are in native byte order.
 * <pre>
 *  byte 0                               8                              16
 *       +-------------------------------+-------------------------------+
 *     0 |           clientHi            |           clientLo            |
 *       +-------------------------------+-------------------------------+
 *    16 |             vipHi             |             vipLo             |
 *       +-------------------------------+-------------------------------+
 *    32 |            realHi             |            realLo             |
 *       +-------+-------+-------+---+---+---------------+---------------+
 *    48 | cport | vport | rport |pro|sta|    nextIn     |    nextOut    |
 *       +-------+-------+-------+---+---+---------------+---------------+
 *    64 | flags |ifindex|    destId     | clientMac (48) + inPkts (16)  |
 *       +-------+-------+---------------+-------------------------------+
 *    80 |   serviceId   |   nextTimer   |   prevTimer   |   (unused)    |
 *       +---------------+---------------+---------------+---------------+
 *    96 |          expiresAtMs          |           (unused)            |
 *       +-------------------------------+-------------------------------+
 *   112 |                           (unused)                            |
 *       +---------------------------------------------------------------+
 *  pro = IP protocol (u8), sta = state (u8), flags = IPVS conn flags (u16, see {@link ConnectionFlags}),
 *  ifindex = interface the client's frames arrive on (u16), clientMac = L2 source of the client's first frame,
 *  inPkts = client packets seen (wraps at 2^16).
 * </pre>
 *
 * <p><b>Lookups.</b> Inbound on {@code (protocol, client, clientPort, vip, vport)}, outbound on {@code (protocol,
 * real, realPort, client, clientPort)}, in two chained hash indexes keyed with a random seed, as in {@link
 * ConnectionTable}. <b>Expiry</b> is {@link ConnectionTable}'s word for word: never early, at most one tick late,
 * lazy re-arming, and a listener may keep a connection by re-arming it.
 */
public final class ConnectionTable6 implements AutoCloseable, ConnectionRecords {
    /** Bytes per connection record. */
    public static final int RECORD_BYTES = 128;
    /** Smaller than {@link ConnectionTable#DEFAULT_CAPACITY}: records are twice as large (2^18 of them: 32 MiB). */
    public static final int DEFAULT_CAPACITY = 1 << 18;
    public static final long DEFAULT_TICK_MS = ConnectionTable.DEFAULT_TICK_MS;
    public static final int DEFAULT_WHEEL_SLOTS = ConnectionTable.DEFAULT_WHEEL_SLOTS;
    /** Largest capacity (and bucket count): 8 GiB of records. */
    public static final int MAX_CAPACITY = 1 << 26;
    /** See {@link ConnectionTable#REFILES_PER_BUDGET}. */
    public static final int REFILES_PER_BUDGET = ConnectionTable.REFILES_PER_BUDGET;

    static final long OFF_CLIENT_HI = 0;
    static final long OFF_CLIENT_LO = 8;
    static final long OFF_VIP_HI = 16;
    static final long OFF_VIP_LO = 24;
    static final long OFF_REAL_HI = 32;
    static final long OFF_REAL_LO = 40;
    static final long OFF_CLIENT_PORT = 48;
    static final long OFF_VPORT = 50;
    static final long OFF_REAL_PORT = 52;
    static final long OFF_PROTOCOL = 54;
    static final long OFF_STATE = 55;
    static final long OFF_NEXT_IN = 56;
    static final long OFF_NEXT_OUT = 60;
    static final long OFF_FLAGS = 64;
    static final long OFF_IN_IFINDEX = 66;
    static final long OFF_DEST_ID = 68;
    static final long OFF_CLIENT_MAC = 72;
    static final long OFF_SERVICE_ID = 80;
    static final long OFF_NEXT_TIMER = 84;
    static final long OFF_PREV_TIMER = 88;
    static final long OFF_EXPIRES_AT_MS = 96;

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT;
    private static final ValueLayout.OfByte BYTE = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final long MAC_MASK = 0xFFFF_FFFF_FFFFL;
    private static final int NIL = ConnectionSlab.NIL;

    private final Arena arena;
    private final MemorySegment mem;
    private final ConnectionSlab slab;
    private final int bucketMask;
    private final long inBucketsBase;
    private final long outBucketsBase;
    private final long seedA;
    private final long seedB;
    private boolean closed;

    /** A table of {@link #DEFAULT_CAPACITY} connections with default buckets, wheel and a random seed. */
    public ConnectionTable6() {
        this(DEFAULT_CAPACITY);
    }

    /** A table of exactly {@code capacity} connections (any size), a power-of-two bucket array at least as large. */
    public ConnectionTable6(int capacity) {
        this(capacity, Integer.highestOneBit(Math.max(1, capacity - 1)) << 1, DEFAULT_TICK_MS, DEFAULT_WHEEL_SLOTS,
            new SecureRandom().nextLong());
    }

    /**
     * A table with every parameter chosen; tests pass a fixed {@code seed}, production a random one.
     *
     * @param capacity    connections, 1 to {@link #MAX_CAPACITY}
     * @param bucketCount buckets of each hash index, a power of two up to {@link #MAX_CAPACITY}
     * @param tickMs      timer wheel resolution, &gt; 0
     * @param wheelSlots  timer wheel lists, a power of two up to 2^24
     * @param seed        key of the bucket hash
     */
    public ConnectionTable6(int capacity, int bucketCount, long tickMs, int wheelSlots, long seed) {
        if (capacity <= 0 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("invalid connection table: capacity=" + capacity
                + ", expected 1.." + MAX_CAPACITY);
        }
        requirePowerOfTwo("bucketCount", bucketCount, MAX_CAPACITY);
        requirePowerOfTwo("wheelSlots", wheelSlots, 1 << 24);
        if (tickMs <= 0) {
            throw new IllegalArgumentException("invalid connection table: tickMs=" + tickMs + ", expected > 0");
        }
        this.bucketMask = bucketCount - 1;
        this.seedA = mix(seed ^ 0x6A09_E667_F3BC_C908L);
        this.seedB = mix(seedA + 0x9E37_79B9_7F4A_7C15L);

        long slabBytes = (long) capacity * RECORD_BYTES;
        this.inBucketsBase = slabBytes;
        this.outBucketsBase = inBucketsBase + 4L * bucketCount;
        long wheelBase = outBucketsBase + 4L * bucketCount;
        long totalBytes = wheelBase + 4L * (wheelSlots + 1);

        this.arena = Arena.ofShared();
        this.mem = arena.allocate(totalBytes, 64);
        mem.asSlice(inBucketsBase, wheelBase - inBucketsBase).fill((byte) 0xFF); // every bucket starts NIL
        this.slab = new ConnectionSlab(mem, capacity, RECORD_BYTES, OFF_NEXT_IN, OFF_NEXT_TIMER, OFF_PREV_TIMER,
                OFF_EXPIRES_AT_MS, wheelBase, wheelSlots, tickMs, REFILES_PER_BUDGET, this::unhash);
    }

    private static void requirePowerOfTwo(String name, int value, int max) {
        if (value <= 0 || value > max || Integer.bitCount(value) != 1) {
            throw new IllegalArgumentException(
                "invalid connection table: " + name + "=" + value + ", expected a power of two up to " + max);
        }
    }

    // ---------------------------------------------------------------------------------------------- lookups

    /** The slot of the connection a client packet {@code [client]:clientPort → [vip]:vport} belongs to, or -1. */
    public int lookupIn(int protocol, long clientHi, long clientLo, int clientPort, long vipHi, long vipLo, int vport) {
        int p = protocol & 0xFF;
        int cport = clientPort & 0xFFFF;
        int vp = vport & 0xFFFF;
        int s = mem.get(INT, inBucketsBase + 4L * bucket(p, clientHi, clientLo, cport, vipHi, vipLo, vp));
        while (s != NIL) {
            long r = rec(s);
            if (mem.get(LONG, r + OFF_CLIENT_LO) == clientLo
                && mem.get(LONG, r + OFF_VIP_LO) == vipLo
                && mem.get(LONG, r + OFF_CLIENT_HI) == clientHi
                && mem.get(LONG, r + OFF_VIP_HI) == vipHi
                && u16(r + OFF_CLIENT_PORT) == cport
                && u16(r + OFF_VPORT) == vp
                && u8(r + OFF_PROTOCOL) == p) {
                return s;
            }
            s = mem.get(INT, r + OFF_NEXT_IN);
        }
        return NIL;
    }

    /** The slot of the connection a NAT reply {@code [real]:realPort → [client]:clientPort} belongs to, or -1. */
    public int lookupOut(int protocol, long realHi, long realLo, int realPort, long clientHi, long clientLo,
                         int clientPort) {
        int p = protocol & 0xFF;
        int rport = realPort & 0xFFFF;
        int cport = clientPort & 0xFFFF;
        int s = mem.get(INT, outBucketsBase + 4L * bucket(p, realHi, realLo, rport, clientHi, clientLo, cport));
        while (s != NIL) {
            long r = rec(s);
            if (mem.get(LONG, r + OFF_REAL_LO) == realLo
                && mem.get(LONG, r + OFF_CLIENT_LO) == clientLo
                && mem.get(LONG, r + OFF_REAL_HI) == realHi
                && mem.get(LONG, r + OFF_CLIENT_HI) == clientHi
                && u16(r + OFF_REAL_PORT) == rport
                && u16(r + OFF_CLIENT_PORT) == cport
                && u8(r + OFF_PROTOCOL) == p) {
                return s;
            }
            s = mem.get(INT, r + OFF_NEXT_OUT);
        }
        return NIL;
    }

    // ---------------------------------------------------------------------------------------------- create/remove

    /**
     * Adds a connection in state NONE with {@link ConnectionFlags#INACTIVE} added to {@code flags}, expiring at
     * {@code nowMs + }{@link ConnectionTimeouts#INITIAL_TIMEOUT_MS} until its first transition re-arms it. The caller
     * has looked it up first; the table does not check for duplicates.
     *
     * @return the new slot, or -1 when the table is full (counted in {@link #fullDrops()})
     */
    public int create(int protocol, long clientHi, long clientLo, int clientPort, long vipHi, long vipLo, int vport,
                      long realHi, long realLo, int realPort, int flags, int inIfindex, long clientMac, int destId,
                      int serviceId, long nowMs) {
        int s = slab.allocate(nowMs);
        if (s == NIL) {
            return NIL;
        }
        long r = rec(s);
        mem.set(LONG, r + OFF_CLIENT_HI, clientHi);
        mem.set(LONG, r + OFF_CLIENT_LO, clientLo);
        mem.set(LONG, r + OFF_VIP_HI, vipHi);
        mem.set(LONG, r + OFF_VIP_LO, vipLo);
        mem.set(LONG, r + OFF_REAL_HI, realHi);
        mem.set(LONG, r + OFF_REAL_LO, realLo);
        mem.set(SHORT, r + OFF_CLIENT_PORT, (short) clientPort);
        mem.set(SHORT, r + OFF_VPORT, (short) vport);
        mem.set(SHORT, r + OFF_REAL_PORT, (short) realPort);
        mem.set(BYTE, r + OFF_PROTOCOL, (byte) protocol);
        mem.set(BYTE, r + OFF_STATE, (byte) TcpState.NONE);
        mem.set(SHORT, r + OFF_FLAGS, (short) (flags | ConnectionFlags.INACTIVE));
        mem.set(SHORT, r + OFF_IN_IFINDEX, (short) inIfindex);
        mem.set(LONG, r + OFF_CLIENT_MAC, clientMac & MAC_MASK);
        mem.set(INT, r + OFF_DEST_ID, destId);
        mem.set(INT, r + OFF_SERVICE_ID, serviceId);

        long inHead = inBucketsBase + 4L * bucket(protocol & 0xFF, clientHi, clientLo, clientPort & 0xFFFF,
            vipHi, vipLo, vport & 0xFFFF);
        mem.set(INT, r + OFF_NEXT_IN, mem.get(INT, inHead));
        mem.set(INT, inHead, s);
        long outHead = outBucketsBase + 4L * bucket(protocol & 0xFF, realHi, realLo, realPort & 0xFFFF,
            clientHi, clientLo, clientPort & 0xFFFF);
        mem.set(INT, r + OFF_NEXT_OUT, mem.get(INT, outHead));
        mem.set(INT, outHead, s);

        slab.arm(s, nowMs + ConnectionTimeouts.INITIAL_TIMEOUT_MS);
        return s;
    }

    /**
     * Removes a live connection: unlinks it from both hash chains and the wheel and frees its slot for reuse.
     * A free slot or one out of range is ignored.
     */
    public void remove(int slot) {
        slab.remove(slot);
    }

    /** Whether {@code slot} holds a live connection. */
    public boolean isLive(int slot) {
        return slab.isLive(slot);
    }

    /** Takes a live slot out of both hash chains; the slab then frees it. */
    private void unhash(int s) {
        long r = rec(s);
        unlink(inBucketsBase + 4L * bucket(u8(r + OFF_PROTOCOL), mem.get(LONG, r + OFF_CLIENT_HI),
            mem.get(LONG, r + OFF_CLIENT_LO), u16(r + OFF_CLIENT_PORT), mem.get(LONG, r + OFF_VIP_HI),
            mem.get(LONG, r + OFF_VIP_LO), u16(r + OFF_VPORT)), s, OFF_NEXT_IN);
        unlink(outBucketsBase + 4L * bucket(u8(r + OFF_PROTOCOL), mem.get(LONG, r + OFF_REAL_HI),
            mem.get(LONG, r + OFF_REAL_LO), u16(r + OFF_REAL_PORT), mem.get(LONG, r + OFF_CLIENT_HI),
            mem.get(LONG, r + OFF_CLIENT_LO), u16(r + OFF_CLIENT_PORT)), s, OFF_NEXT_OUT);
        mem.set(INT, r + OFF_NEXT_OUT, NIL);
    }

    /** Unlinks {@code s} from the chain starting at bucket address {@code head}, linked through {@code offNext}. */
    private void unlink(long head, int s, long offNext) {
        int next = mem.get(INT, rec(s) + offNext);
        int cur = mem.get(INT, head);
        if (cur == s) {
            mem.set(INT, head, next);
            return;
        }
        while (cur != NIL) {
            long cr = rec(cur);
            int after = mem.get(INT, cr + offNext);
            if (after == s) {
                mem.set(INT, cr + offNext, next);
                return;
            }
            cur = after;
        }
    }

    // ---------------------------------------------------------------------------------------------- expiry

    /**
     * Re-arms a connection to expire at {@code nowMs + timeoutMs}. Moving the expiry later only writes the field
     * (the wheel re-files lazily); moving it earlier re-files now, so the shorter timeout is honoured.
     */
    public void touch(int slot, long nowMs, long timeoutMs) {
        slab.touch(slot, nowMs, timeoutMs);
    }

    /**
     * Advances the wheel to {@code nowMs} and removes the connections whose {@code expiresAtMs <= nowMs}, telling
     * {@code listener} about each one first (it may keep one by re-arming it with {@link #touch} to after now).
     * Stops after {@code budget} expirations (or {@code budget * }{@link #REFILES_PER_BUDGET} re-filed connections);
     * the next call resumes where this one stopped.
     *
     * @return the number of connections expired
     */
    public int expire(long nowMs, ExpiryListener listener, int budget) {
        return slab.expire(nowMs, listener, budget);
    }

    // ---------------------------------------------------------------------------------------------- listing

    /** Calls {@code visitor} for every live slot, in slot order. Slow path (listing, flush). */
    public void forEach(SlotVisitor visitor) {
        slab.forEach(visitor);
    }

    /** Live connections. */
    public int size() {
        return slab.size();
    }

    /** Off-heap bytes the table holds: records, both bucket arrays and the timer wheel. */
    public long memoryBytes() {
        return mem.byteSize();
    }

    /** Most connections the table holds. */
    public int capacity() {
        return slab.capacity();
    }

    /** Creations refused because the table was full. */
    public long fullDrops() {
        return slab.fullDrops();
    }

    /** Wheel resolution: the most a connection can outlive its expiry before {@link #expire} removes it. */
    public long tickMs() {
        return slab.tickMs();
    }

    /** Length of the longest inbound hash chain; a diagnostic of hash quality (slow: walks every bucket). */
    int longestInboundChain() {
        int longest = 0;
        for (int b = 0; b <= bucketMask; b++) {
            int length = 0;
            for (int s = mem.get(INT, inBucketsBase + 4L * b); s != NIL; s = mem.get(INT, rec(s) + OFF_NEXT_IN)) {
                length++;
            }
            longest = Math.max(longest, length);
        }
        return longest;
    }

    // ---------------------------------------------------------------------------------------------- fields

    public int protocol(int slot) {
        return u8(rec(slot) + OFF_PROTOCOL);
    }

    public long clientHi(int slot) {
        return mem.get(LONG, rec(slot) + OFF_CLIENT_HI);
    }

    public long clientLo(int slot) {
        return mem.get(LONG, rec(slot) + OFF_CLIENT_LO);
    }

    public int clientPort(int slot) {
        return u16(rec(slot) + OFF_CLIENT_PORT);
    }

    public long vipHi(int slot) {
        return mem.get(LONG, rec(slot) + OFF_VIP_HI);
    }

    public long vipLo(int slot) {
        return mem.get(LONG, rec(slot) + OFF_VIP_LO);
    }

    public int vport(int slot) {
        return u16(rec(slot) + OFF_VPORT);
    }

    public long realHi(int slot) {
        return mem.get(LONG, rec(slot) + OFF_REAL_HI);
    }

    public long realLo(int slot) {
        return mem.get(LONG, rec(slot) + OFF_REAL_LO);
    }

    public int realPort(int slot) {
        return u16(rec(slot) + OFF_REAL_PORT);
    }

    /** Protocol state; a {@link TcpState} index for TCP, NONE for UDP. */
    public int state(int slot) {
        return u8(rec(slot) + OFF_STATE);
    }

    public void state(int slot, int state) {
        mem.set(BYTE, rec(slot) + OFF_STATE, (byte) state);
    }

    /** IPVS connection flags (low 16 bits), see {@link ConnectionFlags}. */
    public int flags(int slot) {
        return u16(rec(slot) + OFF_FLAGS);
    }

    public void flags(int slot, int flags) {
        mem.set(SHORT, rec(slot) + OFF_FLAGS, (short) flags);
    }

    /** Interface index the client's frames arrive on (16 bits). */
    public int inIfindex(int slot) {
        return u16(rec(slot) + OFF_IN_IFINDEX);
    }

    public void inIfindex(int slot, int ifindex) {
        mem.set(SHORT, rec(slot) + OFF_IN_IFINDEX, (short) ifindex);
    }

    /** The client's link-layer address (48 bits), where NAT replies are sent. */
    public long clientMac(int slot) {
        return mem.get(LONG, rec(slot) + OFF_CLIENT_MAC) & MAC_MASK;
    }

    public void clientMac(int slot, long mac) {
        long r = rec(slot) + OFF_CLIENT_MAC;
        mem.set(LONG, r, (mem.get(LONG, r) & ~MAC_MASK) | (mac & MAC_MASK));
    }

    /** Packets seen from the client (IPVS {@code in_pkts}, wrapping at 2^16), above the client MAC. */
    public int inPkts(int slot) {
        return (int) (mem.get(LONG, rec(slot) + OFF_CLIENT_MAC) >>> 48);
    }

    /** Counts one more client packet; returns the new count. */
    public int incrementInPkts(int slot) {
        long r = rec(slot) + OFF_CLIENT_MAC;
        long v = mem.get(LONG, r);
        int pkts = (int) ((v >>> 48) + 1) & 0xffff;
        mem.set(LONG, r, (v & MAC_MASK) | ((long) pkts << 48));
        return pkts;
    }

    public void inPkts(int slot, int pkts) {
        long r = rec(slot) + OFF_CLIENT_MAC;
        mem.set(LONG, r, (mem.get(LONG, r) & MAC_MASK) | ((long) (pkts & 0xffff) << 48));
    }

    public int destId(int slot) {
        return mem.get(INT, rec(slot) + OFF_DEST_ID);
    }

    public void destId(int slot, int destId) {
        mem.set(INT, rec(slot) + OFF_DEST_ID, destId);
    }

    public int serviceId(int slot) {
        return mem.get(INT, rec(slot) + OFF_SERVICE_ID);
    }

    public void serviceId(int slot, int serviceId) {
        mem.set(INT, rec(slot) + OFF_SERVICE_ID, serviceId);
    }

    /** When the connection expires unless touched again. */
    public long expiresAtMs(int slot) {
        return slab.expiresAtMs(slot);
    }

    // ---------------------------------------------------------------------------------------------- internals

    private static long rec(int slot) {
        return (long) slot * RECORD_BYTES;
    }

    private int u16(long offset) {
        return mem.get(SHORT, offset) & 0xFFFF;
    }

    private int u8(long offset) {
        return mem.get(BYTE, offset) & 0xFF;
    }

    /** Keyed bucket of a 5-tuple with 128-bit addresses; ports already masked to 16 bits, protocol to 8. */
    private int bucket(int protocol, long aHi, long aLo, int portA, long bHi, long bLo, int portB) {
        long h = mix(aHi ^ seedA);
        h = mix(h ^ aLo);
        h = mix(h ^ bHi);
        h = mix(h ^ bLo);
        h = mix(h ^ (((long) protocol << 32) | ((long) portA << 16) | portB) ^ seedB);
        return (int) (h ^ (h >>> 32)) & bucketMask;
    }

    /** A 64-bit finalizer (xor-shift-multiply, SplitMix64 constants): every input bit reaches every output bit. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }

    /** Frees the off-heap memory; the table must not be used afterwards. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }
}
