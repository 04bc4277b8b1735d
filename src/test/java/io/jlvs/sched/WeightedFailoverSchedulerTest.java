package io.jlvs.sched;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class WeightedFailoverSchedulerTest {
    private static final int A = 0;
    private static final int B = 1;
    private static final int C = 2;
    private static final int D = 3;

    private final Scheduler fo = new WeightedFailoverScheduler();

    @Test
    void shouldBeNamedFo() {
        assertThat(fo.name()).isEqualTo("fo");
    }

    @Test
    void shouldFailOverDownTheWeightsWhenServersDropOut() {
        // Weights A=2, B=5, C=5, D=1. Highest weight 5: B and C tie, the strict > keeps B (earlier).
        // B overloaded → C; C quiesced too → A (2); A overloaded → D (1); D quiesced → none.
        TestDestinations dests = TestDestinations.withWeights(2, 5, 5, 1);
        SchedulerState state = fo.newState(dests, null);
        assertThat(dests.picks(state, 2)).isEqualTo("BB");

        dests.overloaded(B, true);
        assertThat(dests.picks(state, 1)).isEqualTo("C");

        dests.weight(C, 0);
        state = fo.newState(dests, state);
        assertThat(dests.picks(state, 1)).isEqualTo("A");

        dests.overloaded(A, true);
        assertThat(dests.picks(state, 1)).isEqualTo("D");

        dests.weight(D, 0);
        state = fo.newState(dests, state);
        assertThat(dests.picks(state, 1)).isEqualTo("-");

        // B's overload clears: back to the top of the list.
        dests.overloaded(B, false);
        assertThat(dests.picks(state, 1)).isEqualTo("B");
    }

    @Test
    void shouldIgnoreConnectionCountsWhenChoosing() {
        TestDestinations dests = TestDestinations.withWeights(1, 3).conns(B, 100_000, 5_000);
        SchedulerState state = fo.newState(dests, null);

        assertThat(dests.bindingPicks(state, 3, TestDestinations.ANY_FLOW)).isEqualTo("BBB");
    }

    @Test
    void shouldReturnNoneWhenListIsEmpty() {
        TestDestinations dests = TestDestinations.withWeights();

        assertThat(dests.picks(fo.newState(dests, null), 1)).isEqualTo("-");
    }

    @Test
    void shouldFailOverTheSameWayWhenIndexed() {
        TestDestinations dests = TestDestinations.withWeights(2, 5, 5, 1).notifying(true);
        SchedulerState state = fo.newState(dests, null);
        dests.listen(state);

        assertThat(dests.picks(state, 1)).isEqualTo("B");
        dests.overloaded(B, true);
        assertThat(dests.picks(state, 1)).isEqualTo("C");
        dests.overloaded(C, true).overloaded(A, true);
        assertThat(dests.picks(state, 1)).isEqualTo("D");
        dests.overloaded(D, true);
        assertThat(dests.picks(state, 1)).isEqualTo("-");
    }

    @Property
    void shouldAlwaysPickTheEarliestHighestWeightAvailableServer(
            @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 0, max = 6) Integer> weights,
            @ForAll @Size(min = 12, max = 12) List<Boolean> overloads,
            @ForAll @Size(min = 12, max = 12) List<@IntRange(min = 0, max = 50) Integer> active) {
        int n = weights.size();
        TestDestinations dests = TestDestinations.withWeights(weights.stream().mapToInt(Integer::intValue).toArray());
        int expected = -1;
        for (int i = 0; i < n; i++) {
            dests.overloaded(i, overloads.get(i)).conns(i, active.get(i), 0);
            boolean available = weights.get(i) > 0 && !overloads.get(i);
            if (available && (expected < 0 || weights.get(i) > weights.get(expected))) {
                expected = i;
            }
        }

        assertThat(fo.newState(dests, null).schedule(dests, TestDestinations.ANY_FLOW)).isEqualTo(expected);
    }

    @Property
    void shouldChooseAsTheKernelScanWhenIndexed(
            @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 0, max = 4) Integer> weights,
            @ForAll @Size(max = 200) List<@IntRange(min = 0, max = 100_000) Integer> events) {
        ScanIndexAgreement.check(WeightedFailoverScheduler::new, weights.stream().mapToInt(Integer::intValue).toArray(),
                events);
    }
}
