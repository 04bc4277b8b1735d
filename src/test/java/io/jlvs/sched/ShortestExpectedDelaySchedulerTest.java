package io.jlvs.sched;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class ShortestExpectedDelaySchedulerTest {
    private static final int A = 0;
    private static final int B = 1;
    private static final int C = 2;

    private final Scheduler sed = new ShortestExpectedDelayScheduler();

    private int pick(TestDestinations dests) {
        return sed.newState(dests, null).schedule(dests, TestDestinations.ANY_FLOW);
    }

    @Test
    void shouldBeNamedSed() {
        assertThat(sed.name()).isEqualTo("sed");
    }

    @Test
    void shouldFollowKernelSequenceWhenEveryPickBindsAConnection() {
        // Weights A=1, B=2, C=3; cost (active + 1) / weight, strict replacement, earlier keeps ties.
        //  1. 1/1, 1/2, 1/3        → C      6. 2, 3/2, 3/3=1     → C
        //  2. 1, 1/2, 2/3          → B      7. 2, 3/2, 4/3       → C
        //  3. 1, 2/2, 2/3          → C      8. 2, 3/2, 5/3       → B
        //  4. 1, 1, 3/3: all tie   → A      9. 2, 4/2, 5/3       → C
        //  5. 2/1, 2/2=1, 3/3=1    → B (B beats A; C only ties B)   10. 2, 2, 6/3: tie → A
        TestDestinations dests = TestDestinations.withWeights(1, 2, 3);
        SchedulerState state = sed.newState(dests, null);

        assertThat(dests.bindingPicks(state, 10, TestDestinations.ANY_FLOW)).isEqualTo("CBCABCCBCA");
    }

    @Test
    void shouldIgnoreInactiveConnectionsWhenComparing() {
        // A: (0 + 1)/1 with 1000 inactive, B: (1 + 1)/1 → A (wlc would see 1000 against 256).
        TestDestinations dests = TestDestinations.withWeights(1, 1).conns(A, 0, 1000).conns(B, 1, 0);

        assertThat(pick(dests)).isEqualTo(A);
    }

    @Test
    void shouldPreferHeavierIdleServerWhenAllAreIdle() {
        // The + 1 makes an idle server's cost 1/weight: the heaviest idle server wins (wlc: the first).
        assertThat(pick(TestDestinations.withWeights(1, 5, 2))).isEqualTo(B);
    }

    @Test
    void shouldCompareIn64BitsWhenProductsExceed32Bits() {
        // (2_000_000 + 1) * 60_000 = 120_000_060_000 > (3_000_000 + 1) * 40_000 = 120_000_040_000 → B.
        TestDestinations dests = TestDestinations.withWeights(40_000, 60_000).conns(A, 2_000_000, 0)
                .conns(B, 3_000_000, 0);

        assertThat(pick(dests)).isEqualTo(B);
    }

    @Test
    void shouldSkipWeightZeroAndOverloadedServers() {
        // A quiesced, B overloaded, both idle; C busy → C.
        TestDestinations dests = TestDestinations.withWeights(0, 9, 1).conns(C, 7, 0).overloaded(B, true);

        assertThat(pick(dests)).isEqualTo(C);
    }

    @Test
    void shouldReturnNoneWhenNoServerIsEligibleOrListIsEmpty() {
        assertThat(pick(TestDestinations.withWeights(0, 1).overloaded(B, true))).isEqualTo(-1);
        assertThat(pick(TestDestinations.withWeights())).isEqualTo(-1);
    }

    @Test
    void shouldFollowKernelSequenceWhenIndexed() {
        TestDestinations dests = TestDestinations.withWeights(1, 2, 3).notifying(true);
        SchedulerState state = sed.newState(dests, null);
        dests.listen(state);

        assertThat(dests.bindingPicks(state, 10, TestDestinations.ANY_FLOW)).isEqualTo("CBCABCCBCA");
    }

    @Property
    void shouldPickEligibleServerWithShortestExpectedDelayAndEarliestOnTies(
            @ForAll @Size(min = 1, max = 10) List<@IntRange(min = 0, max = 5) Integer> weights,
            @ForAll @Size(min = 10, max = 10) List<@IntRange(min = 0, max = 9) Integer> active,
            @ForAll @Size(min = 10, max = 10) List<Boolean> overloads) {
        int n = weights.size();
        TestDestinations dests = TestDestinations.withWeights(weights.stream().mapToInt(Integer::intValue).toArray());
        boolean anyEligible = false;
        for (int i = 0; i < n; i++) {
            dests.conns(i, active.get(i), 0).overloaded(i, overloads.get(i));
            anyEligible |= weights.get(i) > 0 && !overloads.get(i);
        }

        int chosen = pick(dests);

        if (!anyEligible) {
            assertThat(chosen).isEqualTo(-1);
            return;
        }
        assertThat(dests.weight(chosen)).isPositive();
        assertThat(dests.overloaded(chosen)).isFalse();
        double delay = (dests.activeConns(chosen) + 1.0) / dests.weight(chosen);
        for (int i = 0; i < n; i++) {
            if (dests.weight(i) > 0 && !dests.overloaded(i)) {
                double other = (dests.activeConns(i) + 1.0) / dests.weight(i);
                if (i < chosen) {
                    assertThat(other).as("earlier server %d", i).isGreaterThan(delay);
                } else {
                    assertThat(other).as("server %d", i).isGreaterThanOrEqualTo(delay);
                }
            }
        }
    }

    @Property
    void shouldChooseAsTheKernelScanWhenIndexed(
            @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 0, max = 4) Integer> weights,
            @ForAll @Size(max = 200) List<@IntRange(min = 0, max = 100_000) Integer> events) {
        ScanIndexAgreement.check(ShortestExpectedDelayScheduler::new,
                weights.stream().mapToInt(Integer::intValue).toArray(), events);
    }
}
