package io.jlvs.keepalived.check;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** {@link Scheduler} on the system's monotonic clock: one timer thread, tasks short (they hand probes off). */
public final class RealScheduler implements Scheduler, AutoCloseable {
    private final ScheduledExecutorService timer;

    public RealScheduler() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "keepalived-timer");
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true);
        this.timer = t;
    }

    @Override
    public long nowUs() {
        return System.nanoTime() / 1000L;
    }

    @Override
    public Task schedule(long delayUs, Runnable task) {
        ScheduledFuture<?> f = timer.schedule(task, Math.max(0, delayUs), TimeUnit.MICROSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
