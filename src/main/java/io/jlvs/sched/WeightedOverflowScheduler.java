package io.jlvs.sched;

/**
 * Weighted overflow, ip_vs_ovf.c (ipvsadm {@code -s ovf}).
 *
 * <p>Fail-over by capacity: the weight is read as the number of active connections a server should
 * carry. Connections go to the highest-weight server until it is full, then overflow to the next
 * highest, and so on. "Full" is {@code active > weight}, so a server still qualifies at exactly {@code
 * weight} active connections and ends up holding {@code weight + 1} before traffic moves on. Servers
 * that are quiesced (weight 0) or overloaded are passed over; equal weights are ranked by list order
 * (strict {@code >}, the earlier server wins).
 *
 * <p>Only active connections count, so UDP (always inactive) never overflows: the kernel warns that
 * ovf does not suit UDP. No state between decisions; with a view that {@link
 * DestinationView#notifiesChanges notifies changes} the ranking lives in a tournament tree.
 */
public final class WeightedOverflowScheduler implements Scheduler {
    public static final String NAME = "ovf";

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
            if (dests.overloaded(i) || dests.activeConns(i) > weight || weight == 0) {
                continue;
            }
            if (highest < 0 || weight > highestWeight) {
                highest = i;
                highestWeight = weight;
            }
        }
        return highest;
    }

    /** Eligible = weight not 0, not overloaded, active not above weight; the higher weight wins. */
    static final class Indexed extends IndexedLoadState {
        Indexed(DestinationView dests) {
            super(dests, WinnerTree.Order.GREATEST);
        }

        @Override
        int scan(DestinationView dests) {
            return WeightedOverflowScheduler.scan(dests);
        }

        @Override
        boolean eligible(DestinationView dests, int i) {
            int weight = dests.weight(i);
            return !dests.overloaded(i) && dests.activeConns(i) <= weight && weight != 0;
        }

        @Override
        int keyA(DestinationView dests, int i) {
            return dests.weight(i);
        }
    }
}
