package io.jlvs.sched;

/**
 * What lblc and lblcr share: the expiration setting, the table carried from state to state (dropped
 * when the service changes scheduler), and a state that holds the table, the list's destId index and
 * the least-load helper. Each scheduler says only how a decision reads and updates its table.
 */
abstract class LocalityScheduler implements Scheduler {
    private final long expirationMs;
    private final int capacity;
    private final boolean replicated;
    private final java.util.function.BiFunction<LocalityCache, DestinationView, State> states;

    LocalityScheduler(long expirationMs, int capacity, boolean replicated,
                      java.util.function.BiFunction<LocalityCache, DestinationView, State> states) {
        this.expirationMs = expirationMs;
        this.capacity = capacity;
        this.replicated = replicated;
        this.states = states;
    }

    @Override
    public final SchedulerState newState(DestinationView dests, SchedulerState previous) {
        LocalityCache cache = previous instanceof State old && old.cache.replicated() == replicated
                ? old.cache
                : new LocalityCache(capacity, replicated, expirationMs);
        return states.apply(cache, dests);
    }

    /** The table, the current list's destId index and load helper; the decision is the subclass's. */
    abstract static class State implements SchedulerState {
        final LocalityCache cache;
        final DestIdIndex index;
        final LocalityLoad load;

        State(LocalityCache cache, DestinationView dests) {
            this.cache = cache;
            this.index = new DestIdIndex(dests);
            this.load = new LocalityLoad(dests);
        }

        LocalityCache cache() {
            return cache;
        }

        @Override
        public final void destChanged(DestinationView dests, int i) {
            load.changed(dests, i);
        }
    }
}
