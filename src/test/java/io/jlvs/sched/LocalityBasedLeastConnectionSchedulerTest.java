package io.jlvs.sched;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class LocalityBasedLeastConnectionSchedulerTest {
    private static final int A = 0;
    private static final int B = 1;
    private static final int C = 2;
    private static final String X = "203.0.113.10";
    private static final String Y = "203.0.113.20";
    private static final String Z = "203.0.113.30";
    private static final long MINUTE_MS = 60_000;

    private final Scheduler lblc = new LocalityBasedLeastConnectionScheduler(10 * MINUTE_MS, 256);

    @Test
    void shouldBeNamedLblc() {
        assertThat(new LocalityBasedLeastConnectionScheduler().name()).isEqualTo("lblc");
    }

    @Test
    void shouldStickToCachedServerUntilItIsBusyAndAnotherIsLightlyLoaded() {
        // Weights A=1, B=1.
        // 1. X misses → wlc over A 0, B 0 → A (first on ties); X → A.
        // 2. X hits A: A's active 1 > weight 1? no → A.
        // 3. X hits A: active 2 > 1, and B has 2 * 0 < 1 → lblc-overloaded → wlc: A 512, B 0 → B; X → B.
        // 4. X hits B: 1 > 1? no → B.
        // 5. Y misses → wlc: A 512/1, B 512/1 → A (tie); Y → A.
        TestDestinations dests = TestDestinations.withWeights(1, 1);
        LocalityBasedLeastConnectionScheduler.State state =
                (LocalityBasedLeastConnectionScheduler.State) lblc.newState(dests, null);
        TestFlow x = TestFlow.to(X);

        assertThat(dests.bindingPicks(state, 4, x)).isEqualTo("AABB");
        assertThat(dests.bindingPicks(state, 1, TestFlow.to(Y))).isEqualTo("A");
        assertThat(state.cache().entries()).isEqualTo(2);
    }

    @Test
    void shouldKeepBusyCachedServerWhenNoServerIsLightlyLoaded() {
        // A (weight 1) has 5 active, more than its weight, but no server has 2 * active < weight
        // (B: 2 * 3 = 6, not < 2), so A is not "overloaded" for lblc and X stays on A, although
        // wlc would now pick B (3/2 < 5/1).
        TestDestinations dests = TestDestinations.withWeights(1, 2);
        SchedulerState state = lblc.newState(dests, null);
        TestFlow x = TestFlow.to(X);
        assertThat(dests.picks(state, 1, x)).isEqualTo("A");

        dests.conns(A, 5, 0).conns(B, 3, 0);

        assertThat(dests.picks(state, 1, x)).isEqualTo("A");
    }

    @Test
    void shouldIgnoreOverloadFlagOfCachedServer() {
        // The kernel checks only availability, weight and its own overload rule for the cached server;
        // the upper-threshold OVERLOAD flag is not consulted, so X stays on A. A miss (Y) skips A.
        TestDestinations dests = TestDestinations.withWeights(1, 1);
        SchedulerState state = lblc.newState(dests, null);
        assertThat(dests.picks(state, 1, TestFlow.to(X))).isEqualTo("A");

        dests.overloaded(A, true);

        assertThat(dests.picks(state, 1, TestFlow.to(X))).isEqualTo("A");
        assertThat(dests.picks(state, 1, TestFlow.to(Y))).isEqualTo("B");
    }

    @Test
    void shouldRescheduleWhenCachedServerIsQuiesced() {
        TestDestinations dests = TestDestinations.withWeights(1, 1);
        SchedulerState state = lblc.newState(dests, null);
        assertThat(dests.picks(state, 1, TestFlow.to(X))).isEqualTo("A");

        dests.weight(A, 0);
        SchedulerState next = lblc.newState(dests, state);

        assertThat(dests.picks(next, 2, TestFlow.to(X))).isEqualTo("BB");
    }

    @Test
    void shouldRescheduleWhenCachedServerIsDeletedAndKeepTableAcrossListChanges() {
        // X → A, Y → B (A busy after X). Deleting A: X is rescheduled (to B, the only one); Y still B.
        // Re-adding a server C does not disturb Y's entry.
        TestDestinations dests = TestDestinations.withWeights(1, 1);
        SchedulerState state = lblc.newState(dests, null);
        assertThat(dests.bindingPicks(state, 1, TestFlow.to(X))).isEqualTo("A");
        assertThat(dests.bindingPicks(state, 1, TestFlow.to(Y))).isEqualTo("B");

        TestDestinations without = dests.without(A);
        SchedulerState next = lblc.newState(without, state);
        assertThat(without.picks(next, 1, TestFlow.to(X))).isEqualTo("B");

        TestDestinations withC = without.withAdded(C, 1);
        SchedulerState last = lblc.newState(withC, next);
        assertThat(withC.picks(last, 1, TestFlow.to(Y))).isEqualTo("B");
        assertThat(withC.picks(last, 1, TestFlow.to(Z))).isEqualTo("C");
    }

    @Test
    void shouldForgetUnusedEntryAtTheFullSweepAfterItsExpiration() {
        // Expiration 10 min. The first decision (t = 0) starts the collector timer: runs at 1, 2, …
        // min; the counter reaches 30 at the 29th run, so the 30th run (t = 30 min) sweeps everything
        // unused for >= 10 min. X → A at t = 0 and A then carries 3 connections.
        TestDestinations dests = TestDestinations.withWeights(10, 10);
        LocalityBasedLeastConnectionScheduler.State state =
                (LocalityBasedLeastConnectionScheduler.State) lblc.newState(dests, null);
        assertThat(dests.picks(state, 1, TestFlow.to(X).nowMs(0))).isEqualTo("A");
        dests.conns(A, 3, 0);

        // t = 29 min: Y misses → wlc → B. X is still cached (no sweep yet).
        assertThat(dests.picks(state, 1, TestFlow.to(Y).nowMs(29 * MINUTE_MS))).isEqualTo("B");
        assertThat(state.cache().find(TestFlow.ip(X))).isNotNegative();

        // t = 30 min: the 30th run sweeps X (unused 30 min) but keeps Y (unused 1 min). X now misses
        // and wlc (A 768/10, B 0) sends it to B.
        assertThat(dests.picks(state, 1, TestFlow.to(X).nowMs(30 * MINUTE_MS))).isEqualTo("B");
        assertThat(state.cache().entries()).isEqualTo(2);
        assertThat(state.cache().lastUseMs(state.cache().find(TestFlow.ip(Y)))).isEqualTo(29 * MINUTE_MS);
    }

    @Test
    void shouldKeepEntryThatIsUsedBeforeEachSweep() {
        // X used every 5 minutes is never unused for 10 minutes, so sweeps at 30 and 60 min keep it.
        TestDestinations dests = TestDestinations.withWeights(1, 1);
        SchedulerState state = lblc.newState(dests, null);
        for (long t = 0; t <= 65 * MINUTE_MS; t += 5 * MINUTE_MS) {
            assertThat(dests.picks(state, 1, TestFlow.to(X).nowMs(t))).as("t=%d", t).isEqualTo("A");
        }
    }

    @Test
    void shouldReturnNoneAndCreateNoEntryWhenNoServerIsEligible() {
        TestDestinations dests = TestDestinations.withWeights(0, 1).overloaded(B, true);
        LocalityBasedLeastConnectionScheduler.State state =
                (LocalityBasedLeastConnectionScheduler.State) lblc.newState(dests, null);

        assertThat(dests.picks(state, 1, TestFlow.to(X))).isEqualTo("-");
        assertThat(state.cache().entries()).isZero();
        TestDestinations empty = TestDestinations.withWeights();
        assertThat(empty.picks(lblc.newState(empty, null), 1, TestFlow.to(X))).isEqualTo("-");
    }

    @Test
    void shouldStillAnswerWhenTheTableIsFull() {
        // A pool of 2 entries: the third address cannot be cached, as when the kernel's allocation
        // fails, but still gets the wlc choice.
        Scheduler tiny = new LocalityBasedLeastConnectionScheduler(10 * MINUTE_MS, 2);
        TestDestinations dests = TestDestinations.withWeights(1, 1, 1);
        LocalityBasedLeastConnectionScheduler.State state =
                (LocalityBasedLeastConnectionScheduler.State) tiny.newState(dests, null);

        assertThat(dests.bindingPicks(state, 1, TestFlow.to(X))).isEqualTo("A");
        assertThat(dests.bindingPicks(state, 1, TestFlow.to(Y))).isEqualTo("B");
        assertThat(dests.bindingPicks(state, 1, TestFlow.to(Z))).isEqualTo("C");
        assertThat(state.cache().entries()).isEqualTo(2);
        assertThat(state.cache().find(TestFlow.ip(Z))).isNegative();
    }

    @Test
    void shouldBehaveTheSameWhenIndexed() {
        TestDestinations dests = TestDestinations.withWeights(1, 1).notifying(true);
        SchedulerState state = lblc.newState(dests, null);
        dests.listen(state);

        assertThat(dests.bindingPicks(state, 4, TestFlow.to(X))).isEqualTo("AABB");
        assertThat(dests.bindingPicks(state, 1, TestFlow.to(Y))).isEqualTo("A");
    }

    @Property
    void shouldNeverChooseWeightZeroServerNorOverloadedServerOnAMiss(
            @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 0, max = 3) Integer> weights,
            @ForAll @Size(min = 8, max = 8) List<Boolean> overloads,
            @ForAll @Size(min = 1, max = 40) List<@IntRange(min = 0, max = 5) Integer> addresses) {
        TestDestinations dests = TestDestinations.withWeights(weights.stream().mapToInt(Integer::intValue).toArray());
        for (int i = 0; i < weights.size(); i++) {
            dests.overloaded(i, overloads.get(i));
        }
        LocalityBasedLeastConnectionScheduler.State state =
                (LocalityBasedLeastConnectionScheduler.State) lblc.newState(dests, null);

        for (int a : addresses) {
            int daddr = 0x0a000000 + a;
            boolean cached = state.cache().find(daddr) >= 0;
            int i = state.schedule(dests, new TestFlow().dst(daddr));
            if (i >= 0) {
                assertThat(dests.weight(i)).isPositive();
                if (!cached) {
                    // Only the cached server may carry the OVERLOAD flag (the kernel does not check it).
                    assertThat(dests.overloaded(i)).isFalse();
                }
                dests.bind(i);
            }
        }
    }

    @Property
    void shouldChooseAsTheKernelScanWhenIndexed(
            @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 0, max = 4) Integer> weights,
            @ForAll @Size(max = 200) List<@IntRange(min = 0, max = 100_000) Integer> events) {
        ScanIndexAgreement.check(() -> new LocalityBasedLeastConnectionScheduler(10 * MINUTE_MS, 64),
                weights.stream().mapToInt(Integer::intValue).toArray(), events);
    }
}
