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
 */
public final class WeightedLeastConnectionScheduler implements Scheduler {
    public static final String NAME = "wlc";

    private static final SchedulerState STATE = WeightedLeastConnectionScheduler::pick;

    @Override
    public String name() {
        return NAME;
    }

    /** The one shared, stateless state; {@code previous} is irrelevant. */
    @Override
    public SchedulerState newState(DestinationView dests, SchedulerState previous) {
        return STATE;
    }

    private static int pick(DestinationView dests, FlowView flow) {
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
}
