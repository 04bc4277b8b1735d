package io.jlvs.neigh;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NeighbourTable6Test {
    private static final long DOC = 0x2001_0db8_0000_0000L;
    private static final long LL = 0xfe80_0000_0000_0000L;
    private static final long MAC = 0x0200_0000_0002L;

    @Test
    void shouldResolveWhenWantedAddressIsLearnt() {
        NeighbourTable6 t = new NeighbourTable6(16);

        assertThat(t.want(3, DOC, 2)).isTrue();
        assertThat(t.lookup(3, DOC, 2)).isEqualTo(NeighbourTable6.UNRESOLVED);
        t.learn(3, DOC, 2, MAC, 1_000);

        assertThat(t.lookup(3, DOC, 2)).isEqualTo(MAC);
        assertThat(t.size()).isEqualTo(1);
    }

    @Test
    void shouldIgnoreAdvertisementWhenAddressIsNotWanted() {
        NeighbourTable6 t = new NeighbourTable6(16);
        t.want(3, DOC, 2);

        t.learn(3, DOC, 3, MAC, 0);
        t.learn(4, DOC, 2, MAC, 0);

        assertThat(t.lookup(3, DOC, 3)).isEqualTo(NeighbourTable6.UNRESOLVED);
        assertThat(t.lookup(4, DOC, 2)).isEqualTo(NeighbourTable6.UNRESOLVED);
        assertThat(t.lookup(3, DOC, 2)).isEqualTo(NeighbourTable6.UNRESOLVED);
        assertThat(t.size()).isEqualTo(1);
    }

    @Test
    void shouldKeepEntriesApartWhenOnlyOneHalfOrInterfaceDiffers() {
        NeighbourTable6 t = new NeighbourTable6(16);
        t.want(1, DOC, 1);
        t.want(1, DOC | 1, 1);
        t.want(1, LL, 1);
        t.want(2, DOC, 1);
        t.want(1, 1, DOC); // the halves swapped

        t.learn(1, DOC, 1, 0xa, 0);
        t.learn(1, DOC | 1, 1, 0xb, 0);
        t.learn(1, LL, 1, 0xc, 0);
        t.learn(2, DOC, 1, 0xd, 0);
        t.learn(1, 1, DOC, 0xe, 0);

        assertThat(t.lookup(1, DOC, 1)).isEqualTo(0xa);
        assertThat(t.lookup(1, DOC | 1, 1)).isEqualTo(0xb);
        assertThat(t.lookup(1, LL, 1)).isEqualTo(0xc);
        assertThat(t.lookup(2, DOC, 1)).isEqualTo(0xd);
        assertThat(t.lookup(1, 1, DOC)).isEqualTo(0xe);
        assertThat(t.size()).isEqualTo(5);
    }

    @Test
    void shouldCountOnceWhenSameAddressIsWantedTwice() {
        NeighbourTable6 t = new NeighbourTable6(16);
        t.want(1, LL, 2);
        t.learn(1, LL, 2, MAC, 5);

        assertThat(t.want(1, LL, 2)).isTrue();
        assertThat(t.size()).isEqualTo(1);
        assertThat(t.lookup(1, LL, 2)).isEqualTo(MAC); // wanting again keeps what was learnt
    }

    @Test
    void shouldSolicitAtMostOncePerRetryIntervalWhenUnresolved() {
        NeighbourTable6 t = new NeighbourTable6(16);
        t.want(1, LL, 2);

        assertThat(t.shouldSolicit(1, LL, 2, 10_000)).isTrue();
        assertThat(t.shouldSolicit(1, LL, 2, 10_999)).isFalse();
        assertThat(t.shouldSolicit(1, LL, 2, 11_000)).isTrue();
        assertThat(t.shouldSolicit(1, LL, 3, 20_000)).isFalse(); // not wanted
    }

    @Test
    void shouldSolicitAgainWhenEntryGrowsStale() {
        NeighbourTable6 t = new NeighbourTable6(16);
        t.want(1, DOC, 2);
        t.learn(1, DOC, 2, MAC, 100_000);

        assertThat(t.shouldSolicit(1, DOC, 2, 100_000 + NeighbourTable6.REFRESH_MS - 1)).isFalse();
        assertThat(t.shouldSolicit(1, DOC, 2, 100_000 + NeighbourTable6.REFRESH_MS)).isTrue();
        // The MAC stays usable while the new solicitation is out.
        assertThat(t.lookup(1, DOC, 2)).isEqualTo(MAC);
        assertThat(t.shouldSolicit(1, DOC, 2, 100_000 + NeighbourTable6.REFRESH_MS + 500)).isFalse();
        t.learn(1, DOC, 2, MAC + 1, 131_000);
        assertThat(t.shouldSolicit(1, DOC, 2, 132_000)).isFalse();
        assertThat(t.lookup(1, DOC, 2)).isEqualTo(MAC + 1);
    }

    @Test
    void shouldRefuseWhenFull() {
        NeighbourTable6 t = new NeighbourTable6(8);
        int accepted = 0;
        while (t.want(1, DOC, accepted)) {
            accepted++;
        }

        assertThat(accepted).isGreaterThanOrEqualTo(8); // the capacity asked for, at least
        assertThat(t.size()).isEqualTo(accepted);
        assertThat(t.want(1, DOC, 1_000)).isFalse();
        assertThat(t.want(1, DOC, 0)).isTrue(); // already there
        for (int i = 0; i < accepted; i++) {
            t.learn(1, DOC, i, i + 1, 0);
            assertThat(t.lookup(1, DOC, i)).isEqualTo(i + 1);
        }
        assertThat(t.lookup(1, DOC, 1_000)).isEqualTo(NeighbourTable6.UNRESOLVED);
    }

    @Test
    void shouldNotAllocateWhenLookingUpAndLearning() {
        NeighbourTable6 t = new NeighbourTable6(1024);
        for (int i = 0; i < 500; i++) {
            t.want(i & 3, DOC | i, i);
        }
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long[] sink = new long[1];
        Runnable round = () -> {
            for (int i = 0; i < 10_000; i++) {
                int k = i % 600;
                t.learn(k & 3, DOC | k, k, k, i);
                sink[0] += t.lookup(k & 3, DOC | k, k) + (t.shouldSolicit(k & 3, DOC | k, k, i) ? 1 : 0);
            }
        };
        for (int warm = 0; warm < 20; warm++) {
            round.run();
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        round.run();

        // thousands of operations: one allocation each would be tens of KiB; the JIT may still allocate a few
        // hundred bytes once (a deoptimisation, an OSR compile) in the measured round
        assertThat(threads.getCurrentThreadAllocatedBytes() - before).isLessThan(1024);
        assertThat(sink[0]).isNotZero();
    }
}
