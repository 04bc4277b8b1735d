package io.jlvs.forward;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Where the fragments of a datagram go: IPv4 fragments after the first carry no ports, so jlvs
 * remembers, per (source, destination, protocol, IP ID), the connection its first fragment used and
 * sends every later fragment the same way — the Maglev/Katran-style alternative to reassembly (the
 * kernel reassembles; DPVS and Katran drop). Fragments that arrive before their first are held (copied,
 * a few dozen at most, {@link #HOLD_MS} at most) and sent when it comes; what cannot be placed is
 * dropped and counted by the caller.
 *
 * <p>One per worker; open addressing over primitive arrays; entries live {@link #TTL_MS} (the kernel's
 * reassembly timeout). Allocation-free.
 */
public final class FragmentTable implements AutoCloseable {
    public static final long TTL_MS = 30_000;
    public static final long HOLD_MS = 1_000;
    /** Bytes in front of a held frame (virtio_net_hdr and room for an outer tunnel header). */
    static final int HELD_HEADROOM = 64;
    static final int HELD_SLOT = 2048;

    private final long[] keyAddrs;
    private final int[] keyIds;
    private final int[] slots;
    private final boolean[] outbound;
    private final long[] expiresMs;
    private final int mask;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment held;
    private final long[] heldAddrs;
    private final int[] heldIds;
    private final int[] heldLength;
    private final int[] heldIfindex;
    private final long[] heldUntilMs;
    private final boolean[] heldInUse;
    private final boolean[] heldReleased;
    /** Hold slots in use: {@link #afterFlush} (once per flush, per worker) skips its scan when none is. */
    private int heldCount;

    public FragmentTable(int capacity, int heldFrames) {
        int cap = Integer.highestOneBit(Math.max(16, capacity * 2 - 1)) << 1;
        keyAddrs = new long[cap];
        keyIds = new int[cap];
        slots = new int[cap];
        outbound = new boolean[cap];
        expiresMs = new long[cap];
        mask = cap - 1;
        held = arena.allocate((long) HELD_SLOT * heldFrames, 64);
        heldAddrs = new long[heldFrames];
        heldIds = new int[heldFrames];
        heldLength = new int[heldFrames];
        heldIfindex = new int[heldFrames];
        heldUntilMs = new long[heldFrames];
        heldInUse = new boolean[heldFrames];
        heldReleased = new boolean[heldFrames];
    }

    private static long addrs(int src, int dst) {
        return ((long) src << 32) | (dst & 0xffffffffL);
    }

    private static int ids(int protocol, int ipId) {
        return (protocol << 16) | (ipId & 0xffff);
    }

    private int index(long a, int i) {
        long h = (a ^ ((long) i * 0x9E3779B97F4A7C15L)) * 0xBF58476D1CE4E5B9L;
        return (int) (h ^ (h >>> 31)) & mask;
    }

    /** Remembers where the datagram whose first fragment this was went. */
    public void put(int src, int dst, int protocol, int ipId, int connSlot, boolean reply, long nowMs) {
        long a = addrs(src, dst);
        int id = ids(protocol, ipId);
        int i = index(a, id);
        for (int n = 0; n <= mask; n++, i = (i + 1) & mask) {
            boolean free = expiresMs[i] <= nowMs;
            if (free || (keyAddrs[i] == a && keyIds[i] == id)) {
                keyAddrs[i] = a;
                keyIds[i] = id;
                slots[i] = connSlot;
                outbound[i] = reply;
                expiresMs[i] = nowMs + TTL_MS;
                return;
            }
        }
        // full of live entries: the oldest datagrams' later fragments will be counted as unplaced
    }

    /** The connection slot of the datagram, or -1; {@link #lastReply()} tells its direction. */
    public int lookup(int src, int dst, int protocol, int ipId, long nowMs) {
        long a = addrs(src, dst);
        int id = ids(protocol, ipId);
        int i = index(a, id);
        for (int n = 0; n <= mask; n++, i = (i + 1) & mask) {
            if (expiresMs[i] == 0) {
                return -1; // never used: end of the probe run
            }
            if (keyAddrs[i] == a && keyIds[i] == id && expiresMs[i] > nowMs) {
                lastReply = outbound[i];
                return slots[i];
            }
        }
        return -1;
    }

    private boolean lastReply;

    public boolean lastReply() {
        return lastReply;
    }

    /**
     * Copies a fragment whose first has not been seen; returns false (drop it) when the hold area is full
     * or the frame too large.
     */
    public boolean hold(MemorySegment seg, long vnetOffset, int lengthWithVnet, int src, int dst, int protocol,
                        int ipId, int ifindex, long nowMs) {
        if (lengthWithVnet > HELD_SLOT - HELD_HEADROOM) {
            return false;
        }
        for (int h = 0; h < heldInUse.length; h++) {
            if (!heldInUse[h] || (heldUntilMs[h] <= nowMs && !heldReleased[h])) {
                MemorySegment.copy(seg, vnetOffset, held, (long) h * HELD_SLOT + HELD_HEADROOM, lengthWithVnet);
                if (!heldInUse[h]) {
                    heldCount++;
                }
                heldInUse[h] = true;
                heldReleased[h] = false;
                heldAddrs[h] = addrs(src, dst);
                heldIds[h] = ids(protocol, ipId);
                heldLength[h] = lengthWithVnet;
                heldIfindex[h] = ifindex;
                heldUntilMs[h] = nowMs + HOLD_MS;
                return true;
            }
        }
        return false;
    }

    /** Hands every held fragment of this datagram to {@code visitor} (after its first fragment was placed). */
    public int release(int src, int dst, int protocol, int ipId, long nowMs, HeldVisitor visitor) {
        long a = addrs(src, dst);
        int id = ids(protocol, ipId);
        int n = 0;
        for (int h = 0; h < heldInUse.length; h++) {
            if (heldInUse[h] && !heldReleased[h] && heldAddrs[h] == a && heldIds[h] == id && heldUntilMs[h] > nowMs) {
                heldReleased[h] = true; // its memory stays valid until the next flush
                visitor.visit(held, (long) h * HELD_SLOT + HELD_HEADROOM + io.jlvs.packet.VnetHeaderView.LENGTH,
                        heldLength[h] - io.jlvs.packet.VnetHeaderView.LENGTH, heldIfindex[h]);
                n++;
            }
        }
        return n;
    }

    /** After the worker flushed: released slots are free again. Returns held fragments that timed out. */
    public int afterFlush(long nowMs) {
        if (heldCount == 0) {
            return 0;
        }
        int expired = 0;
        for (int h = 0; h < heldInUse.length; h++) {
            if (heldInUse[h] && (heldReleased[h] || heldUntilMs[h] <= nowMs)) {
                if (!heldReleased[h]) {
                    expired++;
                }
                heldInUse[h] = false;
                heldReleased[h] = false;
                heldCount--;
            }
        }
        return expired;
    }

    @Override
    public void close() {
        arena.close();
    }

    /** Receives a held frame: {@code mac} is where its Ethernet header starts in {@code seg}. */
    @FunctionalInterface
    public interface HeldVisitor {
        void visit(MemorySegment seg, long mac, int snapLength, int ifindex);
    }
}
