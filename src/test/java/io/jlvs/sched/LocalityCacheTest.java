package io.jlvs.sched;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LocalityCacheTest {
    private static final long MINUTE_MS = 60_000;

    @Test
    void shouldUseTheKernelsTableSizeAndLimits() {
        assertThat(LocalityCache.TAB_SIZE).isEqualTo(1024);
        assertThat(LocalityCache.MAX_SIZE).isEqualTo(16 * 1024);
        assertThat(LocalityCache.DEFAULT_EXPIRATION_MS).isEqualTo(24 * 60 * MINUTE_MS);
    }

    @Test
    void shouldPutAddressesInBucketsByHash32Of10Bits() {
        // 10.0.0.1 = 0x0A000001: (0x0A000001 * 0x61C88647 mod 2^32) >>> 22 = 159.
        assertThat(LocalityCache.bucket(TestFlow.ip("10.0.0.1"))).isEqualTo(159);
    }

    @Test
    void shouldTrimWholeBucketsFromTheRoverWhenAboveMaxSize() {
        // 100 entries over max_size, all last used at t = 0. Runs at 1..5 min delete nothing (entries
        // must be unused for 6 min) and do not count (the table is over its size). The run at 6 min
        // has goal (100 * 4 / 3) = 133 and deletes whole buckets 1, 2, 3, … until 133 are gone.
        LocalityCache cache = new LocalityCache(LocalityCache.DEFAULT_CAPACITY, false, 24 * 60 * MINUTE_MS);
        int total = LocalityCache.MAX_SIZE + 100;
        int[] perBucket = new int[LocalityCache.TAB_SIZE];
        for (int k = 0; k < total; k++) {
            int daddr = 0x0a000000 + k;
            assertThat(cache.insert(daddr, 0)).isNotNegative();
            perBucket[LocalityCache.bucket(daddr)]++;
        }
        cache.tick(0);
        cache.tick(5 * MINUTE_MS);
        assertThat(cache.entries()).isEqualTo(total);

        cache.tick(6 * MINUTE_MS);

        int deleted = 0;
        int bucket = 0;
        while (deleted < 133) {
            bucket++;
            deleted += perBucket[bucket];
        }
        assertThat(cache.entries()).isEqualTo(total - deleted);
        // Entries of the next bucket are untouched.
        for (int k = 0; k < total; k++) {
            int daddr = 0x0a000000 + k;
            int b = LocalityCache.bucket(daddr);
            assertThat(cache.find(daddr) >= 0).as("address %d in bucket %d", k, b).isEqualTo(b == 0 || b > bucket);
        }
    }

    @Test
    void shouldRunCaughtUpTimerRunsAtTheirOwnDueTimes() {
        // Expiration 10 min; entry used at t = 0; the first decision after 45 min replays runs 1..45:
        // the full sweep is the 30th run, at t = 30 min, when the entry has been unused 30 min → gone.
        LocalityCache cache = new LocalityCache(16, false, 10 * MINUTE_MS);
        cache.tick(0);
        cache.insert(1, 0);

        cache.tick(45 * MINUTE_MS);

        assertThat(cache.entries()).isZero();
    }

    @Test
    void shouldSkipOldRunsAfterAVeryLongQuietGap() {
        // Expiration 24 h; an entry last used at t = 0 and a quiet gap of 10 days. Only the last 60 due
        // runs are replayed, their full sweeps (at multiples of the counter) find the entry unused for
        // far longer than 24 h → gone, as it would have been after the skipped runs.
        LocalityCache cache = new LocalityCache(16, false, 24 * 60 * MINUTE_MS);
        cache.tick(0);
        cache.insert(7, 0);

        cache.tick(10 * 24 * 60 * MINUTE_MS);

        assertThat(cache.entries()).isZero();
    }

    @Test
    void shouldReuseFreedEntriesAndMembers() {
        LocalityCache cache = new LocalityCache(2, true, 10 * MINUTE_MS);
        cache.tick(0);
        int e = cache.insert(1, 0);
        cache.setInsert(e, 5, false, 0);
        cache.setInsert(e, 6, true, 0);
        cache.setInsert(e, 5, true, 0);
        assertThat(cache.setSize(e)).isEqualTo(2);
        cache.setErase(e, 5, MINUTE_MS);
        assertThat(cache.setSize(e)).isEqualTo(1);
        assertThat(cache.setLastModMs(e)).isEqualTo(MINUTE_MS);
        assertThat(cache.insert(2, 0)).isNotNegative();
        assertThat(cache.insert(3, 0)).isNegative();

        cache.tick(30 * MINUTE_MS);

        assertThat(cache.entries()).isZero();
        assertThat(cache.insert(3, 30 * MINUTE_MS)).isNotNegative();
        int again = cache.insert(4, 30 * MINUTE_MS);
        for (int m = 0; m < 4; m++) {
            cache.setInsert(again, 10 + m, true, 30 * MINUTE_MS);
        }
        assertThat(cache.setSize(again)).isEqualTo(4);
    }
}
