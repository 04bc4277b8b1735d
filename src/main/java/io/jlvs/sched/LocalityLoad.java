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
final class LocalityLoad {
    private final int count;
    private final WinnerTree tree;
    private final boolean[] light;
    private int lightCount;

    LocalityLoad(DestinationView dests) {
        count = dests.count();
        if (dests.notifiesChanges()) {
            tree = new WinnerTree(count, WinnerTree.Order.LEAST_RATIO);
            light = new boolean[count];
            for (int i = 0; i < count; i++) {
                tree.init(i, wlcEligible(dests, i), ConnOverhead.of(dests, i), dests.weight(i));
                light[i] = isLight(dests, i);
                if (light[i]) {
                    lightCount++;
                }
            }
            tree.rebuild();
        } else {
            tree = null;
            light = null;
        }
    }

    private boolean indexed(DestinationView dests) {
        return tree != null && dests.count() == count;
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
            return lightCount > 0;
        }
        int n = dests.count();
        for (int m = 0; m < n; m++) {
            if (isLight(dests, m)) {
                return true;
            }
        }
        return false;
    }

    void changed(DestinationView dests, int i) {
        if (tree == null || i < 0 || i >= count) {
            return;
        }
        boolean nowLight = isLight(dests, i);
        if (light[i] != nowLight) {
            light[i] = nowLight;
            lightCount += nowLight ? 1 : -1;
        }
        tree.update(i, wlcEligible(dests, i), ConnOverhead.of(dests, i), dests.weight(i));
    }

    private static boolean isLight(DestinationView dests, int i) {
        return dests.activeConns(i) * 2 < dests.weight(i);
    }

    private static boolean wlcEligible(DestinationView dests, int i) {
        return !dests.overloaded(i) && dests.weight(i) > 0;
    }
}
