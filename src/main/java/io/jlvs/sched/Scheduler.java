package io.jlvs.sched;

/**
 * A scheduling algorithm, one per file as the kernel's {@code ip_vs_*.c}, registered by its ipvsadm
 * name in {@link SchedulerRegistry}.
 *
 * <p>The control plane never calls {@link SchedulerState#schedule}; each worker builds its own
 * {@link SchedulerState} when a service's real-server list changes ({@link #newState}), so per-packet
 * scheduling touches only worker-owned state and allocates nothing.
 */
public interface Scheduler {
    /** The name ipvsadm uses ({@code -s rr}). */
    String name();

    /**
     * State for a service whose real-server list is {@code dests}. {@code previous} is the state this
     * worker used for the service before the change (null at creation), so schedulers that keep a
     * cursor (rr, wrr) move it as the kernel does on add/delete/edit.
     */
    SchedulerState newState(DestinationView dests, SchedulerState previous);
}
