package io.jlvs.sched;

/** Per-worker, per-service scheduler state. Not thread-safe: owned by one worker. */
public interface SchedulerState {
    /** Index into {@code dests} of the chosen real server, or -1 when none is eligible. Must not allocate. */
    int schedule(DestinationView dests, FlowView flow);

    /**
     * The i-th server's active count, inactive count or overload flag has changed (a connection was
     * bound, changed state or expired). Called only by owners whose view {@link
     * DestinationView#notifiesChanges notifies changes}, with the same view the state was built from;
     * weight and list changes come through {@link Scheduler#newState} instead. States that scan the
     * list on every decision ignore it. Must not allocate.
     */
    default void destChanged(DestinationView dests, int i) {}
}
