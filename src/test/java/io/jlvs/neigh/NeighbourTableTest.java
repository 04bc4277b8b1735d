package io.jlvs.neigh;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** One table shared by several workers: one learns from ARP, the others read without a lock. */
class NeighbourTableTest {
    static final int RIP = 0xC613000B; // 198.19.0.11

    @Test
    void shouldLearnOnlyWantedAddresses() {
        NeighbourTable t = new NeighbourTable(16);
        t.learn(3, RIP, 0x02_00_c6_13_00_0bL, 10);
        assertThat(t.lookup(3, RIP)).isEqualTo(NeighbourTable.UNRESOLVED);
        t.want(3, RIP);
        t.learn(3, RIP, 0x02_00_c6_13_00_0bL, 10);
        assertThat(t.lookup(3, RIP)).isEqualTo(0x02_00_c6_13_00_0bL);
        assertThat(t.lookup(4, RIP)).isEqualTo(NeighbourTable.UNRESOLVED);
    }

    @Test
    void shouldLetOnlyOneOfSeveralWorkersSolicitAnAddressAtATime() {
        NeighbourTable t = new NeighbourTable(16);
        t.want(3, RIP);
        assertThat(t.shouldSolicit(3, RIP, 1_000)).as("worker 0").isTrue();
        assertThat(t.shouldSolicit(3, RIP, 1_001)).as("worker 1, a millisecond later").isFalse();
        assertThat(t.shouldSolicit(3, RIP, 1_000 + NeighbourTable.RESOLVE_RETRY_MS)).isTrue();
    }

    @Test
    void shouldShowAnotherWorkersLearntMacsAndNeverATornOrForeignValueWhenReadConcurrently() throws Exception {
        NeighbourTable t = new NeighbourTable(1024);
        int addresses = 400;
        CountDownLatch go = new CountDownLatch(1);
        AtomicReference<String> wrong = new AtomicReference<>();
        AtomicLong resolvedSeen = new AtomicLong();
        AtomicLong lastRound = new AtomicLong();
        // the "control thread": wants addresses while the readers probe (slots are inserted under them)
        Thread control = Thread.ofPlatform().start(() -> {
            await(go);
            for (int i = 0; i < addresses; i++) {
                t.want(1, RIP + i);
            }
        });
        // "worker 0": ARP replies; every MAC is the address's own pattern, so a torn or misplaced read shows
        Thread learner = Thread.ofPlatform().start(() -> {
            await(go);
            int extra = 50; // rounds after every address is wanted
            for (int round = 0; extra > 0; round++) {
                if (!control.isAlive()) {
                    extra--;
                }
                for (int i = 0; i < addresses; i++) {
                    t.learn(1, RIP + i, mac(i, round), round);
                }
                lastRound.set(round);
            }
        });
        // "worker 1": the per-packet read
        Thread reader = Thread.ofPlatform().start(() -> {
            await(go);
            for (int round = 0; round < 400; round++) {
                for (int i = 0; i < addresses; i++) {
                    long m = t.lookup(1, RIP + i);
                    if (m == NeighbourTable.UNRESOLVED) {
                        continue;
                    }
                    resolvedSeen.incrementAndGet();
                    if ((m >>> 16) != (0x0200_0000L | i)) {
                        wrong.compareAndSet(null, "address " + i + " read MAC " + Long.toHexString(m));
                    }
                }
            }
        });
        go.countDown();
        control.join();
        learner.join();
        reader.join();
        assertThat(wrong.get()).isNull();
        for (int i = 0; i < addresses; i++) {
            assertThat(t.lookup(1, RIP + i)).isEqualTo(mac(i, (int) lastRound.get()));
        }
        assertThat(t.size()).isEqualTo(addresses);
        System.out.println("[NeighbourTableTest] resolved lookups seen by the reader: " + resolvedSeen.get());
    }

    /** 02:00:ii:ii:rr:rr — the upper four bytes name the address, the lower two the round. */
    static long mac(int i, int round) {
        return (0x0200_0000L | i) << 16 | (round & 0xffff);
    }

    static void await(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
