package io.jlvs.keepalived.check;

/**
 * Time for the checkers: the clock and delayed tasks. Production uses {@link RealScheduler}; tests use a
 * manual scheduler whose time moves only when the test says so, so retry logic is tested without sleeping.
 */
public interface Scheduler {
    /** A scheduled task that can be called off. */
    interface Task {
        void cancel();
    }

    /** Monotonic microseconds. */
    long nowUs();

    /** Runs {@code task} once, {@code delayUs} from now. */
    Task schedule(long delayUs, Runnable task);
}
