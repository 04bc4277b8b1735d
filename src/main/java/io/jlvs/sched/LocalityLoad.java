package io.jlvs.sched;

/**
 * The two service-wide questions lblc and lblcr ask on a cache miss or a busy cached server: which
 * server would wlc choose, and is a server "overloaded" in their sense. The kernel's rule for the
 * latter ({@code is_overloaded} in ip_vs_lblc.c/ip_vs_lblcr.c): more active connections than its weight
 * <em>and</em> some server of the service with fewer than half its weight in active connections ({@code
 * 2 * active < weight}, every server counted, quiesced or overloaded ones too), i.e. a busy server is
 * only abandoned when there is somewhere clearly better to go.
 *
 * <p>Answered by scanning the list, or, when the view {@link DestinationView#notifiesChanges notifies
 * changes}, from a wlc tournament tree and a count of lightly loaded servers kept up to date.
 */
final class LocalityLoad implements WinnerTree.Rule {
    private final DestLoads loads;
    private final WinnerTree tree;
    private int light;

    LocalityLoad(DestinationView dests) {
        if (dests.notifiesChanges()) {
            loads = new DestLoads(dests);
            tree = new WinnerTree(loads.count, this);
            for (int i = 0; i < loads.count; i++) {
                if (isLight(i)) {
                    light++;
                }
            }
        } else {
            loads = null;
            tree = null;
        }
    }

    private boolean indexed(DestinationView dests) {
        return tree != null && dests.count() == loads.count;
    }

    /** The wlc choice over the whole service, or -1. */
    int leastLoaded(DestinationView dests) {
        return indexed(dests) ? tree.winner() : WeightedLeastConnectionScheduler.scan(dests);
    }

    /** lblc's overload test for the i-th server. */
    boolean overloaded(DestinationView dests, int i) {
        if (dests.activeConns(i) <= dests.weight(i)) {
            return false;
        }
        if (indexed(dests)) {
            return light > 0;
        }
        int n = dests.count();
        for (int m = 0; m < n; m++) {
            if (dests.activeConns(m) * 2 < dests.weight(m)) {
                return true;
            }
        }
        return false;
    }

    void changed(DestinationView dests, int i) {
        if (tree == null || i < 0 || i >= loads.count) {
            return;
        }
        boolean wasLight = isLight(i);
        loads.refresh(dests, i);
        boolean nowLight = isLight(i);
        if (wasLight != nowLight) {
            light += nowLight ? 1 : -1;
        }
        tree.update(i);
    }

    private boolean isLight(int i) {
        return loads.active[i] * 2 < loads.weight[i];
    }

    @Override
    public boolean eligible(int i) {
        return !loads.overloaded[i] && loads.weight[i] > 0;
    }

    @Override
    public boolean better(int later, int earlier) {
        return WeightedLeastConnectionScheduler.wlcBetter(loads, later, earlier);
    }
}
