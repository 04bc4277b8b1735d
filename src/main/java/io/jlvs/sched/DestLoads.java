package io.jlvs.sched;

/**
 * A copy of the figures the least-load schedulers compare (weight, counters, overload flag), kept by
 * an indexed state so its tournament tree compares plain array entries. Refreshed for one server on
 * {@link SchedulerState#destChanged}; weights only change with a new state.
 */
final class DestLoads {
    final int count;
    final int[] weight;
    final int[] active;
    final int[] inactive;
    final boolean[] overloaded;

    DestLoads(DestinationView dests) {
        count = dests.count();
        weight = new int[count];
        active = new int[count];
        inactive = new int[count];
        overloaded = new boolean[count];
        for (int i = 0; i < count; i++) {
            weight[i] = dests.weight(i);
            refresh(dests, i);
        }
    }

    /** Re-reads the i-th server's counters and overload flag. */
    void refresh(DestinationView dests, int i) {
        active[i] = dests.activeConns(i);
        inactive[i] = dests.inactiveConns(i);
        overloaded[i] = dests.overloaded(i);
    }

    /** {@link ConnOverhead} of the i-th server from the copy. */
    int overhead(int i) {
        return (active[i] << ConnOverhead.ACTIVE_SHIFT) + inactive[i];
    }
}
