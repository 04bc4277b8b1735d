package io.jlvs.sched;

/** Per-worker, per-service scheduler state. Not thread-safe: owned by one worker. */
public interface SchedulerState {
    /** Index into {@code dests} of the chosen real server, or -1 when none is eligible. Must not allocate. */
    int schedule(DestinationView dests, FlowView flow);
}
