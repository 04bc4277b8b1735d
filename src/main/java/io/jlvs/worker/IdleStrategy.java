package io.jlvs.worker;

/**
 * What a worker does when a duty cycle found no frame (Agrona's idle strategies): {@link #BACKOFF}
 * spins briefly, then yields, then blocks in {@code poll(2)} until a frame arrives (an idle director
 * costs no CPU, a busy one never sleeps); {@link #BUSY_POLL} never blocks, for the lowest latency at
 * the price of a whole core.
 */
public enum IdleStrategy {
    BACKOFF, BUSY_POLL;

    static final int SPINS = 64;
    static final int YIELDS = 8;

    /** Backoff state of one worker: counts consecutive idle cycles. */
    static final class Backoff {
        private int idleCycles;

        /** @return true when the caller should block in poll(2) now */
        boolean idle(IdleStrategy strategy, int workCount) {
            if (workCount > 0) {
                idleCycles = 0;
                return false;
            }
            if (strategy == BUSY_POLL) {
                Thread.onSpinWait();
                return false;
            }
            idleCycles++;
            if (idleCycles <= SPINS) {
                Thread.onSpinWait();
                return false;
            }
            if (idleCycles <= SPINS + YIELDS) {
                Thread.yield();
                return false;
            }
            return true;
        }
    }
}
