package io.jlvs.sched;

/**
 * Never queue, ip_vs_nq.c (ipvsadm {@code -s nq}).
 *
 * <p>A two-speed refinement of {@link ShortestExpectedDelayScheduler sed}: a connection should never
 * wait behind another when some server has nothing to do. So the first eligible server (weight not 0,
 * not overloaded) in list order with no active connection is taken at once, however small its weight;
 * inactive connections do not count as work here. Only when every eligible server is busy does the
 * choice fall back to the smallest expected delay {@code (active + 1) / weight}, with sed's 64-bit
 * cross-multiplication and "earlier server keeps a tie" rule.
 *
 * <p>No state between decisions. With a view that {@link DestinationView#notifiesChanges notifies
 * changes} two tournament trees are kept: the earliest idle eligible server, and the sed winner.
 */
public final class NeverQueueScheduler implements Scheduler {
    public static final String NAME = "nq";

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
        int least = -1;
        long leastCost = 0;
        long leastWeight = 0;
        for (int i = 0; i < n; i++) {
            int weight = dests.weight(i);
            if (dests.overloaded(i) || weight == 0) {
                continue;
            }
            int active = dests.activeConns(i);
            if (active == 0) {
                return i;
            }
            long cost = active + 1;
            if (least < 0 || leastCost * weight > cost * leastWeight) {
                least = i;
                leastCost = cost;
                leastWeight = weight;
            }
        }
        return least;
    }

    /** An "earliest idle server" tree in front of a sed tree. */
    static final class Indexed extends IndexedLoadState {
        private final WinnerTree idle;

        Indexed(DestinationView dests) {
            super(dests, WinnerTree.Order.LEAST_RATIO);
            idle = new WinnerTree(count, WinnerTree.Order.EARLIEST);
            for (int i = 0; i < count; i++) {
                idle.init(i, idle(dests, i), 0, 0);
            }
            idle.rebuild();
        }

        private boolean idle(DestinationView dests, int i) {
            return eligible(dests, i) && dests.activeConns(i) == 0;
        }

        @Override
        int scan(DestinationView dests) {
            return NeverQueueScheduler.scan(dests);
        }

        @Override
        boolean eligible(DestinationView dests, int i) {
            return !dests.overloaded(i) && dests.weight(i) != 0;
        }

        @Override
        int keyA(DestinationView dests, int i) {
            return dests.activeConns(i) + 1;
        }

        @Override
        int keyB(DestinationView dests, int i) {
            return dests.weight(i);
        }

        @Override
        public int schedule(DestinationView dests, FlowView flow) {
            if (dests.count() != count) {
                return scan(dests);
            }
            int first = idle.winner();
            return first >= 0 ? first : tree.winner();
        }

        @Override
        public void destChanged(DestinationView dests, int i) {
            if (i >= 0 && i < count) {
                super.destChanged(dests, i);
                idle.update(i, idle(dests, i), 0, 0);
            }
        }
    }
}
