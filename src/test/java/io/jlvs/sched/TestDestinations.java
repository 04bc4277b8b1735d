package io.jlvs.sched;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link DestinationView} over plain arrays for scheduler tests. Index 0 is the list head (the most
 * recently added server). Setters mutate in place, as counters and overload flags change under a live
 * state; {@link #withAdded} and {@link #without} return a new list, as a published snapshot does.
 * Server addresses default to 10.0.1.(destId + 1) port 80. With {@link #notifying} set, states built
 * afterwards index the loads, and the states {@link #listen registered} hear of every counter or
 * overload change, as the forwarder would report them.
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
    private final int[] addrs;
    private final int[] ports;
    private final int[] lastWeights;
    private int flags;
    private boolean notifying;
    private final List<SchedulerState> listeners = new ArrayList<>();

    TestDestinations(int[] destIds, int[] weights) {
        if (destIds.length != weights.length) {
            throw new IllegalArgumentException("length mismatch: destIds=" + destIds.length + ", weights=" + weights.length);
        }
        this.destIds = destIds.clone();
        this.weights = weights.clone();
        this.active = new int[destIds.length];
        this.inactive = new int[destIds.length];
        this.overloaded = new boolean[destIds.length];
        this.addrs = new int[destIds.length];
        this.ports = new int[destIds.length];
        this.lastWeights = new int[destIds.length];
        for (int i = 0; i < destIds.length; i++) {
            addrs[i] = defaultAddr(destIds[i]);
            ports[i] = 80;
            lastWeights[i] = LAST_WEIGHT_UNKNOWN;
        }
    }

    /** 10.0.1.(destId + 1), wrapping into 10.0.2.x and beyond for larger ids. */
    static int defaultAddr(int destId) {
        return 0x0a000100 + destId + 1;
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
        changed(i);
        return this;
    }

    TestDestinations overloaded(int i, boolean value) {
        overloaded[i] = value;
        changed(i);
        return this;
    }

    /** One more active connection on the i-th server (what binding a new TCP connection does). */
    TestDestinations bind(int i) {
        return conns(i, active[i] + 1, inactive[i]);
    }

    TestDestinations server(int i, int ipv4, int port) {
        addrs[i] = ipv4;
        ports[i] = port;
        return this;
    }

    TestDestinations lastWeight(int i, int value) {
        lastWeights[i] = value;
        return this;
    }

    TestDestinations flags(int value) {
        flags = value;
        return this;
    }

    /** Whether the view promises change reports (read by {@code newState}). */
    TestDestinations notifying(boolean value) {
        notifying = value;
        return this;
    }

    /** Reports every later counter or overload change of this list to {@code state}. */
    TestDestinations listen(SchedulerState state) {
        listeners.add(state);
        return this;
    }

    /** Stops all change reports (before listening with the state that replaces an old one). */
    TestDestinations clearListeners() {
        listeners.clear();
        return this;
    }

    private void changed(int i) {
        for (SchedulerState s : listeners) {
            s.destChanged(this, i);
        }
    }

    /** A new list with {@code destId} prepended (the kernel adds at the head); counters are copied. */
    TestDestinations withAdded(int destId, int weight) {
        int n = destIds.length;
        TestDestinations copy = new TestDestinations(prepend(destId, destIds), prepend(weight, weights));
        System.arraycopy(active, 0, copy.active, 1, n);
        System.arraycopy(inactive, 0, copy.inactive, 1, n);
        System.arraycopy(overloaded, 0, copy.overloaded, 1, n);
        System.arraycopy(addrs, 0, copy.addrs, 1, n);
        System.arraycopy(ports, 0, copy.ports, 1, n);
        System.arraycopy(lastWeights, 0, copy.lastWeights, 1, n);
        copy.flags = flags;
        copy.notifying = notifying;
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
                copy.addrs[j] = addrs[i];
                copy.ports[j] = ports[i];
                copy.lastWeights[j] = lastWeights[i];
                j++;
            }
        }
        copy.flags = flags;
        copy.notifying = notifying;
        return copy;
    }

    /**
     * The next {@code count} choices of {@code state} as letters, destId 0 = 'A', 1 = 'B', …, and '-'
     * for "none", so a kernel sequence reads as in the spec ("AABABCABC").
     */
    String picks(SchedulerState state, int count) {
        return picks(state, count, ANY_FLOW);
    }

    /** As {@link #picks(SchedulerState, int)} for a given flow. */
    String picks(SchedulerState state, int count, FlowView flow) {
        StringBuilder out = new StringBuilder(count);
        for (int k = 0; k < count; k++) {
            out.append(letter(state.schedule(this, flow)));
        }
        return out.toString();
    }

    /**
     * The next {@code count} choices, each followed by binding one more active connection on the chosen
     * server (as a new TCP connection does), as letters.
     */
    String bindingPicks(SchedulerState state, int count, FlowView flow) {
        StringBuilder out = new StringBuilder(count);
        for (int k = 0; k < count; k++) {
            int i = state.schedule(this, flow);
            if (i >= 0) {
                bind(i);
            }
            out.append(letter(i));
        }
        return out.toString();
    }

    /** The letter of list index {@code i} (destId 0 = 'A'), '-' for none. */
    char letter(int i) {
        return i < 0 ? '-' : (char) ('A' + destIds[i]);
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

    @Override
    public int serviceFlags() {
        return flags;
    }

    @Override
    public int serverIpv4(int i) {
        return addrs[i];
    }

    @Override
    public int serverPort(int i) {
        return ports[i];
    }

    @Override
    public int lastWeight(int i) {
        return lastWeights[i];
    }

    @Override
    public boolean notifiesChanges() {
        return notifying;
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
