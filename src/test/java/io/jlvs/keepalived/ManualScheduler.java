package io.jlvs.keepalived;

import io.jlvs.keepalived.check.Scheduler;

import java.util.PriorityQueue;

/** A {@link Scheduler} whose time moves only in {@link #advanceUs}: due tasks run there, in time order. */
public final class ManualScheduler implements Scheduler {
    private record Entry(long atUs, long seq, Runnable task, boolean[] cancelled) {}

    private final PriorityQueue<Entry> queue = new PriorityQueue<>((a, b) -> a.atUs != b.atUs
            ? Long.compare(a.atUs, b.atUs) : Long.compare(a.seq, b.seq));
    private long nowUs;
    private long seq;

    @Override
    public synchronized long nowUs() {
        return nowUs;
    }

    @Override
    public synchronized Task schedule(long delayUs, Runnable task) {
        boolean[] cancelled = {false};
        queue.add(new Entry(nowUs + Math.max(0, delayUs), seq++, task, cancelled));
        return () -> cancelled[0] = true;
    }

    /** Moves time forward by {@code us}, running every task that falls due, each at its own time. */
    public void advanceUs(long us) {
        long until;
        synchronized (this) {
            until = nowUs + us;
        }
        while (true) {
            Entry e;
            synchronized (this) {
                e = queue.peek();
                if (e == null || e.atUs > until) {
                    nowUs = until;
                    return;
                }
                queue.poll();
                nowUs = e.atUs;
            }
            if (!e.cancelled[0]) {
                e.task.run();
            }
        }
    }

    public void advanceSeconds(double s) {
        advanceUs((long) (s * 1_000_000));
    }

    public synchronized int pending() {
        return (int) queue.stream().filter(e -> !e.cancelled[0]).count();
    }
}
