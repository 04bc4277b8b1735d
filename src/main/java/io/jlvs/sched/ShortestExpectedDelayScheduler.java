package io.jlvs.sched;

/**
 * Shortest expected delay, ip_vs_sed.c (ipvsadm {@code -s sed}).
 *
 * <p>A new connection sent to server i joins the {@code active(i)} connections already there, so it
 * can expect to finish after about {@code (active(i) + 1) / weight(i)} time units when the weight is
 * the server's service rate. sed sends it where that expected delay is smallest. Unlike wlc it counts
 * the newcomer (the {@code + 1}), which makes an idle heavy server preferable to an idle light one, and
 * it ignores inactive connections.
 *
 * <p>Arithmetic as the kernel: the first server in list order with a positive weight and no overload
 * flag is the candidate; a later server that is not overloaded replaces it only when {@code
 * (active(cand) + 1) * weight(d) > (active(d) + 1) * weight(cand)} in 64 bits, strictly, so ties stay
 * with the earlier server and a weight-0 server can never win. No state between decisions; with a view
 * that {@link DestinationView#notifiesChanges notifies changes} the same order lives in a tournament
 * tree.
 */
public final class ShortestExpectedDelayScheduler implements Scheduler {
    public static final String NAME = "sed";

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
        int least = 0;
        while (least < n && (dests.overloaded(least) || dests.weight(least) <= 0)) {
            least++;
        }
        if (least == n) {
            return -1;
        }
        long leastCost = dests.activeConns(least) + 1;
        long leastWeight = dests.weight(least);
        for (int i = least + 1; i < n; i++) {
            if (dests.overloaded(i)) {
                continue;
            }
            long cost = dests.activeConns(i) + 1;
            long weight = dests.weight(i);
            if (leastCost * weight > cost * leastWeight) {
                least = i;
                leastCost = cost;
                leastWeight = weight;
            }
        }
        return least;
    }

    /** The scan's order: eligible = positive weight, not overloaded; smaller {@code (active + 1) / weight} wins. */
    static final class Indexed extends IndexedLoadState {
        Indexed(DestinationView dests) {
            super(dests, WinnerTree.Order.LEAST_RATIO);
        }

        @Override
        int scan(DestinationView dests) {
            return ShortestExpectedDelayScheduler.scan(dests);
        }

        @Override
        boolean eligible(DestinationView dests, int i) {
            return !dests.overloaded(i) && dests.weight(i) > 0;
        }

        @Override
        int keyA(DestinationView dests, int i) {
            return dests.activeConns(i) + 1;
        }

        @Override
        int keyB(DestinationView dests, int i) {
            return dests.weight(i);
        }
    }
}
