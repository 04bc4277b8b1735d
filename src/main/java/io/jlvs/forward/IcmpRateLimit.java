package io.jlvs.forward;

/**
 * A token bucket for the ICMP errors the director itself sends (port unreachable, time exceeded,
 * fragmentation needed), as the kernel's global {@code net.ipv4.icmp_msgs_per_sec} (1000) and
 * {@code icmp_msgs_burst} (50): a flood of packets that each deserve an error is not turned into a
 * flood of errors. One per worker; time passed in.
 */
final class IcmpRateLimit {
    static final int DEFAULT_PER_SECOND = 1000;
    static final int DEFAULT_BURST = 50;

    private final int perSecond;
    private final int burst;
    private long tokensMilli;
    private long lastMs = Long.MIN_VALUE;

    IcmpRateLimit(int perSecond, int burst) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.tokensMilli = burst * 1000L;
    }

    /** True when an error may be sent at {@code nowMs} (and takes one token). */
    boolean take(long nowMs) {
        if (lastMs != Long.MIN_VALUE && nowMs > lastMs) {
            tokensMilli = Math.min(burst * 1000L, tokensMilli + (nowMs - lastMs) * perSecond);
        }
        lastMs = Math.max(lastMs, nowMs);
        if (tokensMilli < 1000) {
            return false;
        }
        tokensMilli -= 1000;
        return true;
    }
}
