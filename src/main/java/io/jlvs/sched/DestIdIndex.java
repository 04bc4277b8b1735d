package io.jlvs.sched;

import java.util.Arrays;

/**
 * From a server's {@link DestinationView#destId destId} to its index in one list snapshot, for states
 * that remember servers by identity across list changes (lblc/lblcr caches, mh's carried weights).
 * Open addressing with linear probing in primitive arrays, built once per snapshot; lookups allocate
 * nothing.
 */
final class DestIdIndex {
    private final int[] ids;
    private final int[] indices;
    private final int mask;
    private final int shift;

    DestIdIndex(DestinationView dests) {
        int n = dests.count();
        int size = 2;
        while (size < 2 * n) {
            size <<= 1;
        }
        ids = new int[size];
        indices = new int[size];
        Arrays.fill(indices, -1);
        mask = size - 1;
        shift = Integer.numberOfLeadingZeros(size) + 1;
        for (int i = 0; i < n; i++) {
            int id = dests.destId(i);
            int slot = slot(id);
            while (indices[slot] >= 0 && ids[slot] != id) {
                slot = (slot + 1) & mask;
            }
            ids[slot] = id;
            indices[slot] = i;
        }
    }

    /** Index of {@code destId} in the snapshot, or -1 when it is not (any more) in the list. */
    int indexOf(int destId) {
        int slot = slot(destId);
        while (indices[slot] >= 0) {
            if (ids[slot] == destId) {
                return indices[slot];
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    private int slot(int id) {
        return (id * KernelHash.GOLDEN_RATIO_32) >>> shift;
    }
}
