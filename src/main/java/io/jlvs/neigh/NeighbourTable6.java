package io.jlvs.neigh;

/**
 * jlvs's own IPv6 neighbour cache, one per worker: (interface, IPv6) → MAC, the counterpart of {@link NeighbourTable}
 * with neighbor discovery (RFC 4861) in place of ARP. Entries are created when jlvs wants an address resolved
 * ({@link #want}); a neighbor advertisement for that target, or a solicitation from that source carrying its MAC,
 * fills them ({@link #learn}). Only wanted addresses are learnt, so ND from the rest of the link cannot fill the
 * table. Timing is {@link NeighbourTable}'s: {@link NeighbourTable#REFRESH_MS} and {@link
 * NeighbourTable#RESOLVE_RETRY_MS}. (RFC 4861's REACHABLE/STALE/PROBE states are folded into "refresh when old": the
 * MAC stays usable while a new solicitation is out, as for IPv4.)
 *
 * <p>Addresses are two {@code long}s, high half first, as {@code Ipv6View} returns them. Open addressing over
 * primitive arrays; lookups allocate nothing.
 */
public final class NeighbourTable6 {
    public static final long REFRESH_MS = NeighbourTable.REFRESH_MS;
    public static final long RESOLVE_RETRY_MS = NeighbourTable.RESOLVE_RETRY_MS;
    public static final long UNRESOLVED = NeighbourTable.UNRESOLVED;

    private final int[] ifindexes;
    private final long[] his;
    private final long[] los;
    private final long[] macs;
    private final long[] updatedMs;
    private final long[] solicitedMs;
    private final boolean[] wanted;
    private final int mask;
    private int size;

    /** Room for {@code capacity} wanted addresses (the arrays are at least twice as long). */
    public NeighbourTable6(int capacity) {
        int cap = Integer.highestOneBit(Math.max(16, capacity * 2 - 1)) << 1;
        ifindexes = new int[cap];
        his = new long[cap];
        los = new long[cap];
        macs = new long[cap];
        updatedMs = new long[cap];
        solicitedMs = new long[cap];
        wanted = new boolean[cap];
        mask = cap - 1;
    }

    private int slot(int ifindex, long hi, long lo) {
        long h = (hi * 0x9E37_79B9_7F4A_7C15L) ^ (lo * 0xC2B2_AE3D_27D4_EB4FL) ^ ifindex;
        h ^= h >>> 29;
        h *= 0xBF58_476D_1CE4_E5B9L;
        int i = (int) (h ^ (h >>> 32)) & mask;
        while (wanted[i] && (los[i] != lo || his[i] != hi || ifindexes[i] != ifindex)) {
            i = (i + 1) & mask;
        }
        return i;
    }

    /** Marks an address as one to resolve; returns false when the table is full. */
    public boolean want(int ifindex, long hi, long lo) {
        int i = slot(ifindex, hi, lo);
        if (wanted[i]) {
            return true;
        }
        if ((size + 1) * 2 > wanted.length) {
            return false;
        }
        wanted[i] = true;
        ifindexes[i] = ifindex;
        his[i] = hi;
        los[i] = lo;
        macs[i] = UNRESOLVED;
        updatedMs[i] = 0;
        solicitedMs[i] = Long.MIN_VALUE / 2;
        size++;
        return true;
    }

    /** The MAC of a wanted address, or {@link #UNRESOLVED}. */
    public long lookup(int ifindex, long hi, long lo) {
        int i = slot(ifindex, hi, lo);
        return wanted[i] ? macs[i] : UNRESOLVED;
    }

    /**
     * Takes what ND says of an address, if that address is wanted: the target and target link-layer address of an
     * advertisement, or the source and source link-layer address of a solicitation.
     */
    public void learn(int ifindex, long hi, long lo, long mac, long nowMs) {
        int i = slot(ifindex, hi, lo);
        if (wanted[i]) {
            macs[i] = mac;
            updatedMs[i] = nowMs;
        }
    }

    /**
     * Whether to send a neighbor solicitation for this wanted address now: it is unresolved or stale, and was not
     * solicited within {@link #RESOLVE_RETRY_MS}. Records the solicitation when it says yes.
     */
    public boolean shouldSolicit(int ifindex, long hi, long lo, long nowMs) {
        int i = slot(ifindex, hi, lo);
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
