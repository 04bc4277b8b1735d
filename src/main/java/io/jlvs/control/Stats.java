package io.jlvs.control;

/**
 * Counters and estimated rates of a service or real server, as {@code ip_vs_stats_user} carries them.
 * Rates are per second (CPS, PPS, BPS), already scaled down from the estimator's fixed point.
 */
public record Stats(long conns, long inPkts, long outPkts, long inBytes, long outBytes,
                    long cps, long inPps, long outPps, long inBps, long outBps) {
    public static final Stats ZERO = new Stats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
