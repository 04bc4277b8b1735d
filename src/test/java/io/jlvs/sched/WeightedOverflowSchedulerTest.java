package io.jlvs.sched;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class WeightedOverflowSchedulerTest {
    private static final int A = 0;
    private static final int B = 1;
    private static final int C = 2;

    private final Scheduler ovf = new WeightedOverflowScheduler();

    private int pick(TestDestinations dests) {
        return ovf.newState(dests, null).schedule(dests, TestDestinations.ANY_FLOW);
    }

    @Test
    void shouldBeNamedOvf() {
        assertThat(ovf.name()).isEqualTo("ovf");
    }

    @Test
    void shouldOverflowToNextHighestWeightWhenActiveExceedsWeight() {
        // Weights A=2, B=3. B (highest) qualifies while active <= 3: picks at 0, 1, 2 and 3 active, so
        // it ends with 4 = weight + 1. Then A at 0, 1, 2 → 3. Then both are over → none.
        TestDestinations dests = TestDestinations.withWeights(2, 3);
        SchedulerState state = ovf.newState(dests, null);

        assertThat(dests.bindingPicks(state, 8, TestDestinations.ANY_FLOW)).isEqualTo("BBBBAAA-");
        assertThat(dests.activeConns(B)).isEqualTo(4);
        assertThat(dests.activeConns(A)).isEqualTo(3);
    }

    @Test
    void shouldReturnToHigherServerWhenItsConnectionsClose() {
        TestDestinations dests = TestDestinations.withWeights(2, 3).conns(B, 4, 0);
        assertThat(pick(dests)).isEqualTo(A);

        dests.conns(B, 3, 1);
        assertThat(pick(dests)).isEqualTo(B);
    }

    @Test
    void shouldIgnoreInactiveConnectionsWhenCheckingTheLimit() {
        // 1000 inactive (UDP or closing) connections do not fill B up.
        TestDestinations dests = TestDestinations.withWeights(2, 3).conns(B, 0, 1000);

        assertThat(pick(dests)).isEqualTo(B);
    }

    @Test
    void shouldKeepEarlierServerWhenWeightsTie() {
        assertThat(pick(TestDestinations.withWeights(3, 3))).isEqualTo(A);
    }

    @Test
    void shouldSkipWeightZeroAndOverloadedServers() {
        // A quiesced, B overloaded, C takes it.
        TestDestinations dests = TestDestinations.withWeights(0, 9, 1).overloaded(B, true);

        assertThat(pick(dests)).isEqualTo(C);
    }

    @Test
    void shouldReturnNoneWhenListIsEmpty() {
        assertThat(pick(TestDestinations.withWeights())).isEqualTo(-1);
    }

    @Test
    void shouldOverflowTheSameWayWhenIndexed() {
        TestDestinations dests = TestDestinations.withWeights(2, 3).notifying(true);
        SchedulerState state = ovf.newState(dests, null);
        dests.listen(state);

        assertThat(dests.bindingPicks(state, 8, TestDestinations.ANY_FLOW)).isEqualTo("BBBBAAA-");
    }

    @Property
    void shouldNeverLetAServerPassWeightPlusOneActiveConnections(
            @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 0, max = 6) Integer> weights,
            @ForAll @Size(min = 8, max = 8) List<Boolean> overloads,
            @ForAll @IntRange(min = 1, max = 80) int picks) {
        int n = weights.size();
        int capacity = 0;
        TestDestinations dests = TestDestinations.withWeights(weights.stream().mapToInt(Integer::intValue).toArray());
        for (int i = 0; i < n; i++) {
            dests.overloaded(i, overloads.get(i));
            if (weights.get(i) > 0 && !overloads.get(i)) {
                capacity += weights.get(i) + 1;
            }
        }
        SchedulerState state = ovf.newState(dests, null);

        String seq = dests.bindingPicks(state, picks, TestDestinations.ANY_FLOW);

        for (int i = 0; i < n; i++) {
            int limit = weights.get(i) > 0 && !overloads.get(i) ? weights.get(i) + 1 : 0;
            assertThat(dests.activeConns(i)).as("server %d", i).isEqualTo(Math.min(limit, dests.activeConns(i)));
        }
        // Every pick succeeds until the eligible servers hold weight + 1 each, then none.
        int served = (int) seq.chars().filter(c -> c != '-').count();
        assertThat(served).isEqualTo(Math.min(picks, capacity));
    }

    @Property
    void shouldPickTheEarliestHighestWeightServerBelowItsLimit(
            @ForAll @Size(min = 1, max = 10) List<@IntRange(min = 0, max = 6) Integer> weights,
            @ForAll @Size(min = 10, max = 10) List<@IntRange(min = 0, max = 8) Integer> active,
            @ForAll @Size(min = 10, max = 10) List<Boolean> overloads) {
        int n = weights.size();
        TestDestinations dests = TestDestinations.withWeights(weights.stream().mapToInt(Integer::intValue).toArray());
        int expected = -1;
        for (int i = 0; i < n; i++) {
            dests.conns(i, active.get(i), 3).overloaded(i, overloads.get(i));
            boolean eligible = weights.get(i) > 0 && !overloads.get(i) && active.get(i) <= weights.get(i);
            if (eligible && (expected < 0 || weights.get(i) > weights.get(expected))) {
                expected = i;
            }
        }

        assertThat(pick(dests)).isEqualTo(expected);
    }

    @Property
    void shouldChooseAsTheKernelScanWhenIndexed(
            @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 0, max = 4) Integer> weights,
            @ForAll @Size(max = 200) List<@IntRange(min = 0, max = 100_000) Integer> events) {
        ScanIndexAgreement.check(WeightedOverflowScheduler::new, weights.stream().mapToInt(Integer::intValue).toArray(),
                events);
    }
}
