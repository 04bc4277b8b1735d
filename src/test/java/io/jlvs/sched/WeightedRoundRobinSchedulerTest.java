package io.jlvs.sched;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.List;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class WeightedRoundRobinSchedulerTest {
    private static final int A = 0;
    private static final int B = 1;
    private static final int C = 2;

    private final Scheduler wrr = new WeightedRoundRobinScheduler();

    @Test
    void shouldBeNamedWrr() {
        assertThat(wrr.name()).isEqualTo("wrr");
    }

    @Test
    void shouldFollowKernelSequenceWhenWeightsAre4And3And2() {
        TestDestinations dests = TestDestinations.withWeights(4, 3, 2);
        SchedulerState state = wrr.newState(dests, null);

        assertThat(dests.picks(state, 18)).isEqualTo("AABABCABC" + "AABABCABC");
    }

    @Test
    void shouldFollowKernelSequenceWhenWeightsShareDivisor() {
        TestDestinations dests = TestDestinations.withWeights(4, 2);
        WeightedRoundRobinScheduler.State state = (WeightedRoundRobinScheduler.State) wrr.newState(dests, null);

        assertThat(state.di()).isEqualTo(2);
        assertThat(state.mw()).isEqualTo(3);
        assertThat(dests.picks(state, 6)).isEqualTo("AABAAB");
    }

    @Test
    void shouldReturnNoneWhenAllWeightsAreZero() {
        TestDestinations dests = TestDestinations.withWeights(0, 0);
        WeightedRoundRobinScheduler.State state = (WeightedRoundRobinScheduler.State) wrr.newState(dests, null);

        assertThat(state.di()).isEqualTo(1);
        assertThat(state.mw()).isZero();
        assertThat(dests.picks(state, 2)).isEqualTo("--");
    }

    @Test
    void shouldReturnNoneWhenListIsEmpty() {
        TestDestinations dests = TestDestinations.withWeights();

        assertThat(dests.picks(wrr.newState(dests, null), 1)).isEqualTo("-");
    }

    @Test
    void shouldSkipOverloadedServerWhenSweeping() {
        TestDestinations dests = TestDestinations.withWeights(4, 3, 2).overloaded(A, true);
        SchedulerState state = wrr.newState(dests, null);

        assertThat(dests.picks(state, 10)).isEqualTo("BBCBC" + "BBCBC");
    }

    @Test
    void shouldReturnNoneWhenAllServersAreOverloadedAndRecoverAfterwards() {
        TestDestinations dests = TestDestinations.withWeights(4, 3, 2);
        SchedulerState state = wrr.newState(dests, null);
        assertThat(dests.picks(state, 3)).isEqualTo("AAB");

        dests.overloaded(A, true).overloaded(B, true).overloaded(C, true);
        assertThat(dests.picks(state, 2)).isEqualTo("--");

        dests.overloaded(A, false).overloaded(B, false).overloaded(C, false);
        assertThat(dests.picks(state, 3)).isEqualTo("AAB");
    }

    @Test
    void shouldGiveUpWhenOnlyEligibleServerIsBeforeCursorButOverloaded() {
        TestDestinations dests = TestDestinations.withWeights(1, 1, 1);
        SchedulerState state = wrr.newState(dests, null);
        assertThat(dests.picks(state, 2)).isEqualTo("AB");

        dests.overloaded(A, true).overloaded(B, true).overloaded(C, true);

        assertThat(state.schedule(dests, TestDestinations.ANY_FLOW)).isEqualTo(-1);
    }

    @Test
    void shouldKeepCurrentWeightAndRestartAtHeadWhenWeightChanges() {
        TestDestinations dests = TestDestinations.withWeights(4, 3, 2);
        SchedulerState state = wrr.newState(dests, null);
        assertThat(dests.picks(state, 2)).isEqualTo("AA");

        dests.weight(C, 3);
        WeightedRoundRobinScheduler.State next = (WeightedRoundRobinScheduler.State) wrr.newState(dests, state);

        assertThat(next.cw()).isEqualTo(3);
        assertThat(next.cursor()).isEqualTo(WeightedRoundRobinScheduler.HEAD);
        assertThat(dests.picks(next, 10)).isEqualTo("ABC" + "ABC" + "ABC" + "A");
    }

    @Test
    void shouldClampCurrentWeightWhenMaximumWeightDrops() {
        TestDestinations dests = TestDestinations.withWeights(4, 3, 2);
        SchedulerState state = wrr.newState(dests, null);
        assertThat(dests.picks(state, 1)).isEqualTo("A");

        dests.weight(A, 1);
        WeightedRoundRobinScheduler.State next = (WeightedRoundRobinScheduler.State) wrr.newState(dests, state);

        assertThat(next.mw()).isEqualTo(3);
        assertThat(next.cw()).isEqualTo(3);
    }

    @Test
    void shouldMoveCurrentWeightOntoDivisorGridWhenDivisorGrows() {
        TestDestinations dests = TestDestinations.withWeights(4, 3);
        SchedulerState state = wrr.newState(dests, null);
        assertThat(dests.picks(state, 2)).isEqualTo("AA");

        dests.weight(A, 6).weight(B, 4);
        WeightedRoundRobinScheduler.State next = (WeightedRoundRobinScheduler.State) wrr.newState(dests, state);

        assertThat(next.di()).isEqualTo(2);
        assertThat(next.mw()).isEqualTo(5);
        assertThat(next.cw()).isEqualTo(3);
        assertThat(dests.picks(next, 7)).isEqualTo("ABAB" + "AAB");
    }

    @Test
    void shouldResetCurrentWeightToTopWhenItWasZero() {
        TestDestinations dests = TestDestinations.withWeights(0, 0);
        WeightedRoundRobinScheduler.State empty = (WeightedRoundRobinScheduler.State) wrr.newState(dests, null);
        assertThat(empty.cw()).isZero();

        dests.weight(A, 5).weight(B, 3);
        WeightedRoundRobinScheduler.State next = (WeightedRoundRobinScheduler.State) wrr.newState(dests, empty);

        assertThat(next.cw()).isEqualTo(5);
        assertThat(dests.picks(next, 3)).isEqualTo("AAA");
    }

    @Test
    void shouldRestartAtHeadWhenServerIsAdded() {
        TestDestinations before = TestDestinations.withWeights(1, 1, 1);
        SchedulerState state = wrr.newState(before, null);
        assertThat(before.picks(state, 2)).isEqualTo("AB");

        TestDestinations after = before.withAdded(3, 1);
        SchedulerState next = wrr.newState(after, state);

        assertThat(after.picks(next, 4)).isEqualTo("DABC");
    }

    @Test
    void shouldStartFreshWhenPreviousStateBelongsToAnotherScheduler() {
        TestDestinations dests = TestDestinations.withWeights(4, 3, 2);
        SchedulerState rrState = new RoundRobinScheduler().newState(dests, null);

        SchedulerState state = wrr.newState(dests, rrState);

        assertThat(dests.picks(state, 9)).isEqualTo("AABABCABC");
    }

    @Property
    void shouldPickEachServerInProportionToWeightWhenRunningOneFullCycle(
            @ForAll @Size(min = 1, max = 10) List<@IntRange(min = 0, max = 24) Integer> weights) {
        int[] w = weights.stream().mapToInt(Integer::intValue).toArray();
        int gcd = 0;
        int sum = 0;
        for (int x : w) {
            gcd = BigInteger.valueOf(gcd).gcd(BigInteger.valueOf(x)).intValue();
            sum += x;
        }
        Assume.that(sum > 0);
        TestDestinations dests = TestDestinations.withWeights(w);
        SchedulerState state = wrr.newState(dests, null);

        int cycle = sum / gcd;
        int[] counts = new int[w.length];
        StringBuilder first = new StringBuilder();
        for (int k = 0; k < cycle; k++) {
            int i = state.schedule(dests, TestDestinations.ANY_FLOW);
            counts[i]++;
            first.append((char) ('A' + i));
        }

        for (int i = 0; i < w.length; i++) {
            assertThat(counts[i]).as("picks of server %d (weight %d)", i, w[i]).isEqualTo(w[i] / gcd);
        }
        assertThat(dests.picks(state, cycle)).as("second cycle").isEqualTo(first.toString());
    }

    @Property
    void shouldNeverChooseWeightZeroOrOverloadedServer(
            @ForAll @Size(min = 1, max = 10) List<@IntRange(min = 0, max = 6) Integer> weights,
            @ForAll @Size(max = 10) List<Boolean> overloads,
            @ForAll @IntRange(min = 1, max = 60) int picks) {
        TestDestinations dests = TestDestinations.withWeights(weights.stream().mapToInt(Integer::intValue).toArray());
        boolean anyEligible = false;
        for (int i = 0; i < weights.size(); i++) {
            boolean overloaded = i < overloads.size() && overloads.get(i);
            dests.overloaded(i, overloaded);
            anyEligible |= weights.get(i) > 0 && !overloaded;
        }
        SchedulerState state = wrr.newState(dests, null);

        for (int k = 0; k < picks; k++) {
            int i = state.schedule(dests, TestDestinations.ANY_FLOW);
            if (anyEligible) {
                assertThat(i).isNotNegative();
                assertThat(dests.weight(i)).isPositive();
                assertThat(dests.overloaded(i)).isFalse();
            } else {
                assertThat(i).isEqualTo(-1);
            }
        }
    }
}
