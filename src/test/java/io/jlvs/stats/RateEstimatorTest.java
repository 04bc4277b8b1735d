package io.jlvs.stats;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RateEstimatorTest {
    @Test
    void shouldFollowKernelFixedPointWhenCountersGrowSteadily() {
        RateEstimator e = new RateEstimator(4);
        e.sample(1, 0, 0, 0, 0, 0); // first sight: the baseline
        // 100 connections and 1000 bytes per 2 s period: 50 cps, 500 B/s
        e.sample(1, 100, 200, 0, 1000, 0);
        // rate = 100 << 9 = 51200; avg = 0 + (51200 - 0) >> 2 = 12800; cps = (12800 + 0x1FF) >> 10 = 12
        assertThat(e.cps(1)).isEqualTo(12);
        // bytes: rate = 1000 << 4 = 16000; avg = 4000; bps = (4000 + 0xF) >> 5 = 125
        assertThat(e.inBps(1)).isEqualTo(125);
        e.sample(1, 200, 400, 0, 2000, 0);
        // avg = 12800 + (51200 - 12800) >> 2 = 22400; cps = (22400 + 511) >> 10 = 22
        assertThat(e.cps(1)).isEqualTo(22);
        // in-packets 200 per period: avg 25600 then 44800; pps = (44800 + 511) >> 10 = 44
        assertThat(e.inPps(1)).isEqualTo(44);
    }

    @Test
    void shouldConvergeToTheRateWhenSteady() {
        RateEstimator e = new RateEstimator(4);
        e.sample(2, 0, 0, 0, 0, 0);
        for (int i = 1; i <= 60; i++) {
            e.sample(2, 100L * i, 0, 0, 1000L * i, 0);
        }
        assertThat(e.cps(2)).isEqualTo(50);
        assertThat(e.inBps(2)).isEqualTo(500);
    }

    @Test
    void shouldRestartFromZeroWhenReset() {
        RateEstimator e = new RateEstimator(4);
        e.sample(3, 0, 0, 0, 0, 0);
        e.sample(3, 100, 0, 0, 0, 0);
        e.reset(3, 0, 0, 0, 0, 0);
        assertThat(e.cps(3)).isZero();
        e.sample(3, 0, 0, 0, 0, 0);
        assertThat(e.cps(3)).isZero();
    }
}
