package io.jlvs.forward;

/**
 * FULLNAT's local ports, per local address: a bitmap of the ports in use in this worker's range and a
 * rotating cursor, so allocation is O(1) amortised and never allocates. With several workers each gets
 * its own range, so no two workers ever hand out the same (laddr, lport).
 */
public final class LocalPortPool {
    private final int lowPort;
    private final int highPort;
    private final int[] laddrs;
    private final long[][] inUse;
    private final int[] cursors;
    private final int[] free;

    /** @param laddrs the local addresses (IPv4 ints) this pool serves */
    public LocalPortPool(int[] laddrs, int lowPort, int highPort) {
        this.lowPort = lowPort;
        this.highPort = highPort;
        this.laddrs = laddrs.clone();
        this.inUse = new long[laddrs.length][(65536 + 63) / 64];
        this.cursors = new int[laddrs.length];
        this.free = new int[laddrs.length];
        for (int i = 0; i < laddrs.length; i++) {
            cursors[i] = lowPort;
            free[i] = highPort - lowPort + 1;
        }
    }

    private int indexOf(int laddr) {
        for (int i = 0; i < laddrs.length; i++) {
            if (laddrs[i] == laddr) {
                return i;
            }
        }
        return -1;
    }

    /** A free port of {@code laddr}, now in use, or -1 when it has none (or is not in the pool). */
    public int allocate(int laddr) {
        int i = indexOf(laddr);
        if (i < 0 || free[i] == 0) {
            return -1;
        }
        long[] bits = inUse[i];
        int p = cursors[i];
        for (int n = highPort - lowPort + 1; n > 0; n--) {
            if ((bits[p >>> 6] & (1L << p)) == 0) {
                bits[p >>> 6] |= 1L << p;
                free[i]--;
                cursors[i] = p == highPort ? lowPort : p + 1;
                return p;
            }
            p = p == highPort ? lowPort : p + 1;
        }
        return -1;
    }

    public void release(int laddr, int port) {
        int i = indexOf(laddr);
        if (i < 0 || port < lowPort || port > highPort) {
            return;
        }
        long mask = 1L << port;
        if ((inUse[i][port >>> 6] & mask) != 0) {
            inUse[i][port >>> 6] &= ~mask;
            free[i]++;
        }
    }

    public int freePorts(int laddr) {
        int i = indexOf(laddr);
        return i < 0 ? 0 : free[i];
    }

    public int[] laddrs() {
        return laddrs.clone();
    }
}
