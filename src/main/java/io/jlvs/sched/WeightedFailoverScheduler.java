package io.jlvs.sched;

/**
 * Weighted fail-over, ip_vs_fo.c (ipvsadm {@code -s fo}).
 *
 * <p>Not load sharing but a preference list: every new connection goes to the available server with
 * the highest weight, and only when that one is quiesced (weight 0) or overloaded does traffic move to
 * the next highest. Connection counts play no part. An operator ranks primary, secondary, … servers by
 * giving them decreasing weights; equal weights are ranked by list order (the kernel's strict {@code >}
 * keeps the earlier server, i.e. the more recently added one).
 *
 * <p>No state between decisions. With a view that {@link DestinationView#notifiesChanges notifies
 * changes} the ranking lives in a tournament tree, so only overload changes cost anything.
 */
public final class WeightedFailoverScheduler implements Scheduler {
    public static final String NAME = "fo";

    private static final SchedulerState SCAN = (dests, flow) -> scan(dests);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SchedulerState newState(DestinationView dests, SchedulerState previous) {
        return dests.notifiesChanges() ? new Indexed(dests) : SCAN;
    }

    static int scan(DestinationView dests) {
        int n = dests.count();
        int highest = -1;
        int highestWeight = 0;
        for (int i = 0; i < n; i++) {
            int weight = dests.weight(i);
            if (!dests.overloaded(i) && weight > highestWeight) {
                highest = i;
                highestWeight = weight;
            }
        }
        return highest;
    }

    /** Eligible = positive weight, not overloaded; the higher weight wins. */
    static final class Indexed extends IndexedLoadState {
        Indexed(DestinationView dests) {
            super(dests, WinnerTree.Order.GREATEST);
        }

        @Override
        int scan(DestinationView dests) {
            return WeightedFailoverScheduler.scan(dests);
        }

        @Override
        boolean eligible(DestinationView dests, int i) {
            return !dests.overloaded(i) && dests.weight(i) > 0;
        }

        @Override
        int keyA(DestinationView dests, int i) {
            return dests.weight(i);
        }
    }
}
