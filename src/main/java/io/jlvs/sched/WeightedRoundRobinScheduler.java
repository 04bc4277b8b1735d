package io.jlvs.sched;

/**
 * Weighted round robin, ip_vs_wrr.c (ipvsadm {@code -s wrr}).
 *
 * <p>Picture the servers as columns of height {@code weight} and sweep a horizontal line from the top
 * down: at each height {@code cw} the list is walked once and every server at least that tall is
 * chosen in turn. A server of weight {@code w} is therefore chosen once per level it reaches, so over
 * one sweep the shares are exactly proportional to the weights, and the tallest servers lead.
 *
 * <p>Levels below a common divisor add nothing, so the line drops by {@code di}, the gcd of the
 * positive weights, and one sweep has {@code max/di} levels (cycle length {@code sum(w)/di}). The
 * top level is {@code mw = max - (di - 1)} rather than {@code max}, which puts the last level at 1;
 * that way a server whose weight was edited below {@code di} is still reached. When the line falls to
 * 0 it goes back to {@code mw}. Overloaded servers are passed over; the search gives up only after
 * every server has been looked at on a level of 1 (all weight 0 or overloaded).
 *
 * <p>{@code di} and {@code mw} are recomputed whenever the list or a weight changes; {@code cw} is kept
 * (clamped to the new top, or moved onto the new level grid when {@code di > 1}) and the walk
 * restarts at the list head, as the kernel does.
 */
public final class WeightedRoundRobinScheduler implements Scheduler {
    public static final String NAME = "wrr";

    /** Cursor value meaning "before the first entry" (the kernel's list head). */
    static final int HEAD = -1;

    private static final int NO_STOP = -2;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SchedulerState newState(DestinationView dests, SchedulerState previous) {
        int n = dests.count();
        int gcd = 0;
        int max = 0;
        for (int i = 0; i < n; i++) {
            int w = dests.weight(i);
            if (w > 0) {
                gcd = gcd == 0 ? w : gcd(w, gcd);
            }
            max = Math.max(max, w);
        }
        int di = gcd == 0 ? 1 : gcd;
        int mw = max - (di - 1);
        int cw;
        if (!(previous instanceof State old)) {
            cw = mw; // service creation or a switch from another scheduler
        } else if (old.cw > mw || old.cw == 0) {
            cw = mw;
        } else if (di > 1) {
            cw = (old.cw / di) * di + 1;
        } else {
            cw = old.cw;
        }
        return new State(di, mw, cw);
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int r = a % b;
            a = b;
            b = r;
        }
        return a;
    }

    /** The sweep: step {@code di}, top level {@code mw}, current level {@code cw}, cursor {@code cl}. */
    static final class State implements SchedulerState {
        private final int di;
        private final int mw;
        private int cw;
        private int cl = HEAD;

        State(int di, int mw, int cw) {
            this.di = di;
            this.mw = mw;
            this.cw = cw;
        }

        int di() {
            return di;
        }

        int mw() {
            return mw;
        }

        int cw() {
            return cw;
        }

        /** Index of the server chosen last, or {@link #HEAD}. */
        int cursor() {
            return cl;
        }

        @Override
        public int schedule(DestinationView dests, FlowView flow) {
            int n = dests.count();
            if (mw == 0 || n == 0) {
                return -1;
            }
            if (cl >= n) {
                cl = HEAD; // a view shorter than the list this state was built for
            }
            int start = cl;
            int stop = NO_STOP;
            boolean lastPass = false;
            boolean restarted = false;
            int i = cl;
            while (true) {
                for (i++; i < n; i++) {
                    if (!dests.overloaded(i) && dests.weight(i) >= cw) {
                        cl = i;
                        return i;
                    }
                    if (i == stop) {
                        cl = i;
                        return -1;
                    }
                }
                cw -= di;
                if (cw <= 0) {
                    cw = mw;
                    // Give up once a whole-list pass at level 1 found nothing: the pass just ended
                    // was such a pass (lastPass), or the walk began at the head so every level was.
                    if (lastPass || start == HEAD) {
                        cl = HEAD;
                        return -1;
                    }
                    restarted = true;
                }
                lastPass = cw <= di;
                if (lastPass && restarted && start != HEAD) {
                    stop = start; // a level-1 pass covered the entries after start; finish up to it
                }
                i = HEAD;
            }
        }
    }
}
