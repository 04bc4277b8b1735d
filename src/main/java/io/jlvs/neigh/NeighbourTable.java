package io.jlvs.neigh;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * jlvs's own ARP cache: (interface, IPv4) → MAC, so no static neighbour entries are needed and the
 * kernel's cache is never consulted on the packet path. Entries are created when jlvs wants an
 * address resolved ({@link #want}); ARP from that address fills them ({@link #learn}). Only wanted
 * addresses are learnt, so ARP from the rest of the segment cannot fill the table.
 *
 * <p>One table is shared by all workers: ARP reaches only one worker (the fanout sends it to worker
 * 0), but every worker forwards to the real servers. Writers ({@link #want}, {@link #learn},
 * {@link #shouldSolicit}: configuration changes, ARP frames, housekeeping) take the table's lock;
 * {@link #lookup}, the per-packet read, takes none: a slot, once used, keeps its key forever (no
 * removal), its key is written before its used flag is released, and MACs are single 64-bit words
 * published with release and read with acquire. Lookups allocate nothing.
 */
public final class NeighbourTable {
    /** An entry not refreshed for this long is solicited again (the MAC stays usable meanwhile). */
    public static final long REFRESH_MS = 30_000;
    /** Minimum gap between two solicitations of one address. */
    public static final long RESOLVE_RETRY_MS = 1_000;
    public static final long UNRESOLVED = -1L;

    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle FLAGS = MethodHandles.arrayElementVarHandle(boolean[].class);

    private final long[] keys;
    private final long[] macs;
    private final long[] updatedMs;
    private final long[] solicitedMs;
    private final boolean[] wanted;
    private final int mask;
    private int size;

    public NeighbourTable(int capacity) {
        int cap = Integer.highestOneBit(Math.max(16, capacity * 2 - 1)) << 1;
        keys = new long[cap];
        macs = new long[cap];
        updatedMs = new long[cap];
        solicitedMs = new long[cap];
        wanted = new boolean[cap];
        mask = cap - 1;
    }

    private static long key(int ifindex, int ipv4) {
        return ((long) ifindex << 32) | (ipv4 & 0xffffffffL);
    }

    /** The slot holding {@code key}, or the free slot where it would go (lock-free: slots are never freed). */
    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        int i = (int) (h ^ (h >>> 32)) & mask;
        while ((boolean) FLAGS.getAcquire(wanted, i) && keys[i] != key) {
            i = (i + 1) & mask;
        }
        return i;
    }

    /** Marks an address as one to resolve; returns false when the table is full. */
    public synchronized boolean want(int ifindex, int ipv4) {
        long k = key(ifindex, ipv4);
        int i = slot(k);
        if (wanted[i]) {
            return true;
        }
        if ((size + 1) * 2 > keys.length) {
            return false;
        }
        keys[i] = k;
        LONGS.setRelease(macs, i, UNRESOLVED);
        updatedMs[i] = 0;
        solicitedMs[i] = Long.MIN_VALUE / 2;
        FLAGS.setRelease(wanted, i, true); // readers see the key before the slot counts as used
        size++;
        return true;
    }

    /** The MAC of a wanted address, or {@link #UNRESOLVED}. Any thread, no lock. */
    public long lookup(int ifindex, int ipv4) {
        int i = slot(key(ifindex, ipv4));
        return (boolean) FLAGS.getAcquire(wanted, i) ? (long) LONGS.getAcquire(macs, i) : UNRESOLVED;
    }

    /** Takes what an ARP packet says of its sender, if that address is wanted (the lock only then). */
    public void learn(int ifindex, int ipv4, long mac, long nowMs) {
        int i = slot(key(ifindex, ipv4));
        if (!(boolean) FLAGS.getAcquire(wanted, i)) {
            return;
        }
        synchronized (this) {
            LONGS.setRelease(macs, i, mac);
            updatedMs[i] = nowMs;
        }
    }

    /**
     * Whether to send an ARP request for this wanted address now: it is unresolved or stale, and was not
     * solicited within {@link #RESOLVE_RETRY_MS}. Records the solicitation when it says yes, so of
     * several workers asking at once only one sends.
     */
    public synchronized boolean shouldSolicit(int ifindex, int ipv4, long nowMs) {
        int i = slot(key(ifindex, ipv4));
        if (!wanted[i]) {
            return false;
        }
        boolean stale = macs[i] == UNRESOLVED || nowMs - updatedMs[i] >= REFRESH_MS;
        if (stale && nowMs - solicitedMs[i] >= RESOLVE_RETRY_MS) {
            solicitedMs[i] = nowMs;
            return true;
        }
        return false;
    }

    public synchronized int size() {
        return size;
    }
}
