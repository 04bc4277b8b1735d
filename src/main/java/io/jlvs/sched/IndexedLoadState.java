package io.jlvs.sched;

/**
 * Base of the indexed least-load states (lc, wlc, sed, nq, fo, ovf): a copy of the servers' loads and
 * one {@link WinnerTree} ranking them by the scheduler's {@link WinnerTree.Rule rule}. Used only when
 * the view {@link DestinationView#notifiesChanges notifies changes}; a decision then reads the root of
 * the tree, and each reported change costs one path of matches.
 */
abstract class IndexedLoadState implements SchedulerState, WinnerTree.Rule {
    final DestLoads loads;
    final WinnerTree tree;

    IndexedLoadState(DestinationView dests) {
        loads = new DestLoads(dests);
        tree = new WinnerTree(loads.count, this);
    }

    /** The scheduler's own list scan, used when handed a view of another length than it was built for. */
    abstract int scan(DestinationView dests);

    @Override
    public int schedule(DestinationView dests, FlowView flow) {
        if (dests.count() != loads.count) {
            return scan(dests);
        }
        return tree.winner();
    }

    @Override
    public void destChanged(DestinationView dests, int i) {
        if (i >= 0 && i < loads.count) {
            loads.refresh(dests, i);
            tree.update(i);
        }
    }
}
