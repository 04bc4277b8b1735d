package io.jlvs.sched;

/**
 * Least connection, ip_vs_lc.c (ipvsadm {@code -s lc}).
 *
 * <p>The server doing the least work gets the next connection, where work is the {@link ConnOverhead
 * overhead} {@code active * 256 + inactive}: an active connection ties up a server process, an
 * inactive one (FIN_WAIT, TIME_WAIT, UDP) only a table entry. Weights are not part of the measure; a
 * weight of 0 (quiesced) or the overload flag only take a server out of the race. So on servers of
 * different capacity lc evens out the number of connections, not the load per unit of capacity (that
 * is wlc).
 *
 * <p>The kernel walks the list once, keeping the first eligible server and replacing it only by one
 * with a strictly smaller overhead, compared as unsigned 32-bit numbers; ties therefore go to the
 * server earliest in the list (the most recently added). No state is kept between decisions.
 *
 * <p>When the view {@link DestinationView#notifiesChanges notifies changes} the same order is kept in
 * a tournament tree, so a decision costs a read instead of a walk over every server.
 */
public final class LeastConnectionScheduler implements Scheduler {
    public static final String NAME = "lc";

    private static final SchedulerState SCAN = (dests, flow) -> scan(dests);

    @Override
    public String name() {
        return NAME;
    }

    /** Stateless: one shared state, unless the view notifies changes (then an index per service). */
    @Override
    public SchedulerState newState(DestinationView dests, SchedulerState previous) {
        return dests.notifiesChanges() ? new Indexed(dests) : SCAN;
    }

    static int scan(DestinationView dests) {
        int n = dests.count();
        int least = -1;
        int leastOverhead = 0;
        for (int i = 0; i < n; i++) {
            if (dests.overloaded(i) || dests.weight(i) == 0) {
                continue;
            }
            int overhead = ConnOverhead.of(dests, i);
            if (least < 0 || Integer.compareUnsigned(overhead, leastOverhead) < 0) {
                least = i;
                leastOverhead = overhead;
            }
        }
        return least;
    }

    /** The scan's order in a tournament tree: eligible = weight not 0 and not overloaded; smaller overhead wins. */
    static final class Indexed extends IndexedLoadState {
        Indexed(DestinationView dests) {
            super(dests, WinnerTree.Order.LEAST_UNSIGNED);
        }

        @Override
        int scan(DestinationView dests) {
            return LeastConnectionScheduler.scan(dests);
        }

        @Override
        boolean eligible(DestinationView dests, int i) {
            return !dests.overloaded(i) && dests.weight(i) != 0;
        }

        @Override
        int keyA(DestinationView dests, int i) {
            return ConnOverhead.of(dests, i);
        }
    }
}
