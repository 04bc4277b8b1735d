package io.jlvs.bench;

import io.jlvs.conn.ConnectionFlags;
import io.jlvs.conn.ConnectionTable;

/**
 * Fills a connection table with N distinct IPv4 flows and reports its off-heap size per flow and the
 * time per insert and lookup (a footprint measurement, not a test): {@code bench/footprint.sh [N]}.
 */
public final class ConnectionTableFootprint {
    private ConnectionTableFootprint() {}

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000_000;
        long heapBefore = usedHeap();
        try (ConnectionTable t = new ConnectionTable(n)) {
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                int client = 0xC6120000 | (i >>> 16);           // 198.18.x.y clients
                int port = 1024 + (i & 0xffff) % 64000;
                int slot = t.create(6, client + (i & 0xffff) / 64000 * 256, port, 0xC6120064, 80, 0xC613000B, 80,
                        ConnectionFlags.FWD_DROUTE, 2, 0x0200C6120002L, 1, 1, 0);
                if (slot < 0) {
                    throw new IllegalStateException("table full at " + i);
                }
            }
            long insertNs = System.nanoTime() - start;
            start = System.nanoTime();
            int found = 0;
            for (int i = 0; i < n; i++) {
                int client = 0xC6120000 | (i >>> 16);
                int port = 1024 + (i & 0xffff) % 64000;
                if (t.lookupIn(6, client + (i & 0xffff) / 64000 * 256, port, 0xC6120064, 80) >= 0) {
                    found++;
                }
            }
            long lookupNs = System.nanoTime() - start;
            System.out.printf("flows=%d found=%d offheap=%.1f MiB (%.1f bytes/flow) heap_delta=%.1f MiB "
                            + "insert=%.0f ns/flow lookup=%.0f ns/flow%n",
                    t.size(), found, t.memoryBytes() / 1048576.0, t.memoryBytes() / (double) n,
                    (usedHeap() - heapBefore) / 1048576.0, insertNs / (double) n, lookupNs / (double) n);
        }
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }
}
