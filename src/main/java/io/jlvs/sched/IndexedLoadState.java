package io.jlvs.sched;

/**
 * Base of the indexed least-load states (lc, wlc, sed, nq, fo, ovf): one {@link WinnerTree} ranking the
 * servers by the scheduler's key. Used only when the view {@link DestinationView#notifiesChanges
 * notifies changes}; a decision then reads the root of the tree, and each reported change costs one
 * path of matches. Subclasses say which servers take part and what their key is, read from the view.
 */
abstract class IndexedLoadState implements SchedulerState {
    final int count;
    final WinnerTree tree;

    IndexedLoadState(DestinationView dests, WinnerTree.Order order) {
        count = dests.count();
        tree = new WinnerTree(count, order);
        for (int i = 0; i < count; i++) {
            tree.init(i, eligible(dests, i), keyA(dests, i), keyB(dests, i));
        }
        tree.rebuild();
    }

    /** Whether the i-th server may be chosen. */
    abstract boolean eligible(DestinationView dests, int i);

    /** First part of the i-th server's key (see {@link WinnerTree.Order}). */
    abstract int keyA(DestinationView dests, int i);

    /** Second part of the key (the weight for ratio orders; 0 when unused). */
    int keyB(DestinationView dests, int i) {
        return 0;
    }

    /** The scheduler's own list scan, used when handed a view of another length than it was built for. */
    abstract int scan(DestinationView dests);

    @Override
    public int schedule(DestinationView dests, FlowView flow) {
        if (dests.count() != count) {
            return scan(dests);
        }
        return tree.winner();
    }

    @Override
    public void destChanged(DestinationView dests, int i) {
        if (i >= 0 && i < count) {
            tree.update(i, eligible(dests, i), keyA(dests, i), keyB(dests, i));
        }
    }
}
