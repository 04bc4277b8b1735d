package io.jlvs.sched;

import java.util.Arrays;

/**
 * A {@link DestinationView} over plain arrays for scheduler tests. Index 0 is the list head (the most
 * recently added server). Setters mutate in place, as counters and overload flags change under a live
 * state; {@link #withAdded} and {@link #without} return a new list, as a published snapshot does.
 */
final class TestDestinations implements DestinationView {
    /** rr, wrr and wlc never read the packet. */
    static final FlowView ANY_FLOW = new FlowView() {
        @Override
        public int srcIpv4() {
            return 0x0a000001;
        }

        @Override
        public int dstIpv4() {
            return 0x0a000002;
        }

        @Override
        public int srcPort() {
            return 40000;
        }

        @Override
        public int dstPort() {
            return 80;
        }
    };

    private final int[] destIds;
    private final int[] weights;
    private final int[] active;
    private final int[] inactive;
    private final boolean[] overloaded;

    TestDestinations(int[] destIds, int[] weights) {
        if (destIds.length != weights.length) {
            throw new IllegalArgumentException("length mismatch: destIds=" + destIds.length + ", weights=" + weights.length);
        }
        this.destIds = destIds.clone();
        this.weights = weights.clone();
        this.active = new int[destIds.length];
        this.inactive = new int[destIds.length];
        this.overloaded = new boolean[destIds.length];
    }

    /** Servers with the given weights in list order, destIds 0..n-1. */
    static TestDestinations withWeights(int... weights) {
        int[] ids = new int[weights.length];
        Arrays.setAll(ids, i -> i);
        return new TestDestinations(ids, weights);
    }

    TestDestinations weight(int i, int weight) {
        weights[i] = weight;
        return this;
    }

    TestDestinations conns(int i, int activeConns, int inactiveConns) {
        active[i] = activeConns;
        inactive[i] = inactiveConns;
        return this;
    }

    TestDestinations overloaded(int i, boolean value) {
        overloaded[i] = value;
        return this;
    }

    /** A new list with {@code destId} prepended (the kernel adds at the head); counters are copied. */
    TestDestinations withAdded(int destId, int weight) {
        int n = destIds.length;
        TestDestinations copy = new TestDestinations(prepend(destId, destIds), prepend(weight, weights));
        System.arraycopy(active, 0, copy.active, 1, n);
        System.arraycopy(inactive, 0, copy.inactive, 1, n);
        System.arraycopy(overloaded, 0, copy.overloaded, 1, n);
        return copy;
    }

    /** A new list without {@code destId}; the others keep their order and counters. */
    TestDestinations without(int destId) {
        int gone = indexOf(destId);
        if (gone < 0) {
            throw new IllegalArgumentException("no such destination: destId=" + destId);
        }
        TestDestinations copy = new TestDestinations(remove(destIds, gone), remove(weights, gone));
        for (int i = 0, j = 0; i < destIds.length; i++) {
            if (i != gone) {
                copy.active[j] = active[i];
                copy.inactive[j] = inactive[i];
                copy.overloaded[j] = overloaded[i];
                j++;
            }
        }
        return copy;
    }

    /**
     * The next {@code count} choices of {@code state} as letters, destId 0 = 'A', 1 = 'B', …, and '-'
     * for "none", so a kernel sequence reads as in the spec ("AABABCABC").
     */
    String picks(SchedulerState state, int count) {
        StringBuilder out = new StringBuilder(count);
        for (int k = 0; k < count; k++) {
            int i = state.schedule(this, ANY_FLOW);
            out.append(i < 0 ? '-' : (char) ('A' + destIds[i]));
        }
        return out.toString();
    }

    /** Index of {@code destId}, or -1. */
    int indexOf(int destId) {
        for (int i = 0; i < destIds.length; i++) {
            if (destIds[i] == destId) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public int count() {
        return destIds.length;
    }

    @Override
    public int destId(int i) {
        return destIds[i];
    }

    @Override
    public int weight(int i) {
        return weights[i];
    }

    @Override
    public boolean overloaded(int i) {
        return overloaded[i];
    }

    @Override
    public int activeConns(int i) {
        return active[i];
    }

    @Override
    public int inactiveConns(int i) {
        return inactive[i];
    }

    private static int[] prepend(int first, int[] rest) {
        int[] out = new int[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }

    private static int[] remove(int[] a, int index) {
        int[] out = new int[a.length - 1];
        System.arraycopy(a, 0, out, 0, index);
        System.arraycopy(a, index + 1, out, index, a.length - index - 1);
        return out;
    }
}
