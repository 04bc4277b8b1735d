package io.jlvs.sched;

/**
 * Weighted least connection, ip_vs_wlc.c (ipvsadm {@code -s wlc}, the default).
 *
 * <p>The goal is the server with the smallest load per unit of capacity, {@code overhead / weight},
 * where {@link ConnOverhead overhead} counts an active connection as 256 inactive ones. Division is
 * avoided: {@code a/wa > b/wb} is the same as {@code a*wb > b*wa} for positive weights, done in 64 bits
 * so large counts times large weights cannot overflow.
 *
 * <p>The scan takes the first server in list order that is eligible (weight above 0, not overloaded) as
 * the candidate, then lets every later non-overloaded server replace it only when strictly cheaper, so
 * ties keep the earlier (more recently added) server. Later servers are not tested for weight 0: with
 * weight 0 the candidate's side of the comparison is 0 and can never be strictly greater, which is how
 * the kernel skips them. Nothing is remembered between calls, so one shared state serves every service.
 *
 * <p>With a view that {@link DestinationView#notifiesChanges notifies changes} each service gets a
 * tournament tree ranked by the same comparison instead, so a decision reads the winner rather than
 * walking every server (lblc and lblcr use it too for their misses).
 */
public final class WeightedLeastConnectionScheduler implements Scheduler {
    public static final String NAME = "wlc";

    private static final SchedulerState STATE = (dests, flow) -> scan(dests);

    @Override
    public String name() {
        return NAME;
    }

    /** The one shared, stateless state ({@code previous} is irrelevant), or an index when the view notifies changes. */
    @Override
    public SchedulerState newState(DestinationView dests, SchedulerState previous) {
        return dests.notifiesChanges() ? new Indexed(dests) : STATE;
    }

    /** The kernel's walk over the list. */
    static int scan(DestinationView dests) {
        int n = dests.count();
        int least = 0;
        while (least < n && (dests.overloaded(least) || dests.weight(least) <= 0)) {
            least++;
        }
        if (least == n) {
            return -1;
        }
        long leastOverhead = ConnOverhead.of(dests, least);
        long leastWeight = dests.weight(least);
        for (int i = least + 1; i < n; i++) {
            if (dests.overloaded(i)) {
                continue;
            }
            long overhead = ConnOverhead.of(dests, i);
            long weight = dests.weight(i);
            if (leastOverhead * weight > overhead * leastWeight) {
                least = i;
                leastOverhead = overhead;
                leastWeight = weight;
            }
        }
        return least;
    }

    /** Eligible = positive weight, not overloaded; the smaller {@code overhead / weight} wins. */
    static final class Indexed extends IndexedLoadState {
        Indexed(DestinationView dests) {
            super(dests, WinnerTree.Order.LEAST_RATIO);
        }

        @Override
        int scan(DestinationView dests) {
            return WeightedLeastConnectionScheduler.scan(dests);
        }

        @Override
        boolean eligible(DestinationView dests, int i) {
            return !dests.overloaded(i) && dests.weight(i) > 0;
        }

        @Override
        int keyA(DestinationView dests, int i) {
            return ConnOverhead.of(dests, i);
        }

        @Override
        int keyB(DestinationView dests, int i) {
            return dests.weight(i);
        }
    }
}
