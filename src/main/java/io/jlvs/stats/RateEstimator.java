package io.jlvs.stats;

/**
 * The IPVS rate estimator ({@code ip_vs_est.c}), one slot per id: every 2 s the counters are sampled
 * and an exponentially weighted average is updated in the kernel's fixed point.
 * <pre>
 *   conns, inpkts, outpkts: rate = (x - last) &lt;&lt; 9   (per second, scaled by 2^10: the period is 2 s)
 *   inbytes, outbytes:      rate = (x - last) &lt;&lt; 4   (per second, scaled by 2^5)
 *   avg += (rate - avg) &gt;&gt; 2                          (weight 1/4, about 8 s of memory)
 *   reported: cps = (avg + 0x1FF) &gt;&gt; 10 ; bps = (avg + 0xF) &gt;&gt; 5
 * </pre>
 * Driven by the caller's clock (the director samples every 2 s; tests call {@link #sample} directly).
 * Not thread-safe: one sampling thread; readers see racy but whole longs.
 */
public final class RateEstimator {
    public static final long PERIOD_MS = 2000;
    private static final int FIELDS = 5;

    private final long[] last;
    private final long[] avg;
    private final boolean[] primed;

    public RateEstimator(int maxIds) {
        last = new long[maxIds * FIELDS];
        avg = new long[maxIds * FIELDS];
        primed = new boolean[maxIds];
    }

    /** One 2-second sample of an id's counters (conns, inPkts, outPkts, inBytes, outBytes). */
    public void sample(int id, long conns, long inPkts, long outPkts, long inBytes, long outBytes) {
        int b = id * FIELDS;
        if (!primed[id]) {
            // first sight of this id: start from its current counters, as a new estimator does
            reset(id, conns, inPkts, outPkts, inBytes, outBytes);
            return;
        }
        update(b, conns, 9);
        update(b + 1, inPkts, 9);
        update(b + 2, outPkts, 9);
        update(b + 3, inBytes, 4);
        update(b + 4, outBytes, 4);
    }

    private void update(int i, long x, int shift) {
        long rate = (x - last[i]) << shift;
        last[i] = x;
        avg[i] += (rate - avg[i]) >> 2;
    }

    /** Averages to 0 and the next sample measures from these counters ({@code ipvsadm -Z}, a new id). */
    public void reset(int id, long conns, long inPkts, long outPkts, long inBytes, long outBytes) {
        int b = id * FIELDS;
        last[b] = conns;
        last[b + 1] = inPkts;
        last[b + 2] = outPkts;
        last[b + 3] = inBytes;
        last[b + 4] = outBytes;
        for (int i = 0; i < FIELDS; i++) {
            avg[b + i] = 0;
        }
        primed[id] = true;
    }

    /** Forgets an id (deleted service or real server); its next sample starts afresh. */
    public void forget(int id) {
        primed[id] = false;
    }

    public long cps(int id) {
        return (avg[id * FIELDS] + 0x1FF) >> 10;
    }

    public long inPps(int id) {
        return (avg[id * FIELDS + 1] + 0x1FF) >> 10;
    }

    public long outPps(int id) {
        return (avg[id * FIELDS + 2] + 0x1FF) >> 10;
    }

    public long inBps(int id) {
        return (avg[id * FIELDS + 3] + 0xF) >> 5;
    }

    public long outBps(int id) {
        return (avg[id * FIELDS + 4] + 0xF) >> 5;
    }
}
