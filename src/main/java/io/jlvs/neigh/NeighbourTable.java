package io.jlvs.neigh;

/**
 * jlvs's own ARP cache, one per worker: (interface, IPv4) → MAC, so no static neighbour entries are
 * needed and the kernel's cache is never consulted on the packet path. Entries are created when jlvs
 * wants an address resolved ({@link #want}); ARP from that address fills them ({@link #learn}). Only
 * wanted addresses are learnt, so ARP from the rest of the segment cannot fill the table.
 *
 * <p>Open addressing over primitive arrays; lookups allocate nothing.
 */
public final class NeighbourTable {
    /** An entry not refreshed for this long is solicited again (the MAC stays usable meanwhile). */
    public static final long REFRESH_MS = 30_000;
    /** Minimum gap between two solicitations of one address. */
    public static final long RESOLVE_RETRY_MS = 1_000;
    public static final long UNRESOLVED = -1L;

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

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        int i = (int) (h ^ (h >>> 32)) & mask;
        while (wanted[i] && keys[i] != key) {
            i = (i + 1) & mask;
        }
        return i;
    }

    /** Marks an address as one to resolve; returns false when the table is full. */
    public boolean want(int ifindex, int ipv4) {
        long k = key(ifindex, ipv4);
        int i = slot(k);
        if (wanted[i]) {
            return true;
        }
        if ((size + 1) * 2 > keys.length) {
            return false;
        }
        wanted[i] = true;
        keys[i] = k;
        macs[i] = UNRESOLVED;
        updatedMs[i] = 0;
        solicitedMs[i] = Long.MIN_VALUE / 2;
        size++;
        return true;
    }

    /** The MAC of a wanted address, or {@link #UNRESOLVED}. */
    public long lookup(int ifindex, int ipv4) {
        int i = slot(key(ifindex, ipv4));
        return wanted[i] ? macs[i] : UNRESOLVED;
    }

    /** Takes what an ARP packet says of its sender, if that address is wanted. */
    public void learn(int ifindex, int ipv4, long mac, long nowMs) {
        int i = slot(key(ifindex, ipv4));
        if (wanted[i]) {
            macs[i] = mac;
            updatedMs[i] = nowMs;
        }
    }

    /**
     * Whether to send an ARP request for this wanted address now: it is unresolved or stale, and was not
     * solicited within {@link #RESOLVE_RETRY_MS}. Records the solicitation when it says yes.
     */
    public boolean shouldSolicit(int ifindex, int ipv4, long nowMs) {
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

    public int size() {
        return size;
    }
}
