package io.jlvs.sched;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class RoundRobinSchedulerTest {
    private static final int A = 0;
    private static final int B = 1;
    private static final int C = 2;
    private static final int D = 3;

    private final Scheduler rr = new RoundRobinScheduler();

    @Test
    void shouldBeNamedRr() {
        assertThat(rr.name()).isEqualTo("rr");
    }

    @Test
    void shouldRotateInListOrderWhenAllEligible() {
        TestDestinations dests = TestDestinations.withWeights(1, 5, 1);
        SchedulerState state = rr.newState(dests, null);

        assertThat(dests.picks(state, 7)).isEqualTo("ABCABCA");
    }

    @Test
    void shouldSkipServerWhenWeightZeroOrOverloaded() {
        TestDestinations dests = TestDestinations.withWeights(1, 0, 1, 1).overloaded(C, true);
        SchedulerState state = rr.newState(dests, null);

        assertThat(dests.picks(state, 4)).isEqualTo("ADAD");
    }

    @Test
    void shouldRepeatServerWhenItIsTheOnlyEligibleOne() {
        TestDestinations dests = TestDestinations.withWeights(0, 2, 0);
        SchedulerState state = rr.newState(dests, null);

        assertThat(dests.picks(state, 3)).isEqualTo("BBB");
    }

    @Test
    void shouldReturnNoneAndKeepCursorWhenNoServerIsEligible() {
        TestDestinations dests = TestDestinations.withWeights(1, 1, 1);
        SchedulerState state = rr.newState(dests, null);
        assertThat(dests.picks(state, 2)).isEqualTo("AB");

        dests.overloaded(A, true).overloaded(B, true).weight(C, 0);
        assertThat(dests.picks(state, 2)).isEqualTo("--");

        dests.overloaded(A, false).overloaded(B, false).weight(C, 1);
        assertThat(dests.picks(state, 3)).isEqualTo("CAB");
    }

    @Test
    void shouldReturnNoneWhenListIsEmpty() {
        TestDestinations dests = TestDestinations.withWeights();
        SchedulerState state = rr.newState(dests, null);

        assertThat(state.schedule(dests, TestDestinations.ANY_FLOW)).isEqualTo(-1);
    }

    @Test
    void shouldKeepCursorOnSurvivingServerWhenAnotherIsDeleted() {
        TestDestinations before = TestDestinations.withWeights(1, 1, 1, 1);
        SchedulerState state = rr.newState(before, null);
        assertThat(before.picks(state, 2)).isEqualTo("AB");

        TestDestinations after = before.without(A);
        SchedulerState next = rr.newState(after, state);

        assertThat(after.picks(next, 4)).isEqualTo("CDBC");
    }

    @Test
    void shouldContinueWithSuccessorWhenCursorServerIsDeleted() {
        TestDestinations before = TestDestinations.withWeights(1, 1, 1, 1);
        SchedulerState state = rr.newState(before, null);
        assertThat(before.picks(state, 2)).isEqualTo("AB");

        TestDestinations after = before.without(B);
        SchedulerState next = rr.newState(after, state);

        assertThat(((RoundRobinScheduler.State) next).cursorDestId()).isEqualTo(A);
        assertThat(after.picks(next, 4)).isEqualTo("CDAC");
    }

    @Test
    void shouldRestartAtHeadWhenDeletedCursorServerWasFirst() {
        TestDestinations before = TestDestinations.withWeights(1, 1, 1);
        SchedulerState state = rr.newState(before, null);
        assertThat(before.picks(state, 1)).isEqualTo("A");

        TestDestinations after = before.without(A);
        SchedulerState next = rr.newState(after, state);

        assertThat(((RoundRobinScheduler.State) next).cursor()).isEqualTo(RoundRobinScheduler.HEAD);
        assertThat(after.picks(next, 3)).isEqualTo("BCB");
    }

    @Test
    void shouldMoveToNearestSurvivingPredecessorWhenSeveralServersAreDeleted() {
        TestDestinations before = TestDestinations.withWeights(1, 1, 1, 1, 1);
        SchedulerState state = rr.newState(before, null);
        assertThat(before.picks(state, 3)).isEqualTo("ABC");

        TestDestinations after = before.without(B).without(C);
        SchedulerState next = rr.newState(after, state);

        assertThat(after.picks(next, 4)).isEqualTo("DEAD");
    }

    @Test
    void shouldReachAddedServerOnWrapAroundWhenServerIsAdded() {
        TestDestinations before = TestDestinations.withWeights(1, 1, 1);
        SchedulerState state = rr.newState(before, null);
        assertThat(before.picks(state, 2)).isEqualTo("AB");

        TestDestinations after = before.withAdded(D, 1);
        SchedulerState next = rr.newState(after, state);

        assertThat(after.picks(next, 5)).isEqualTo("CDABC");
    }

    @Test
    void shouldKeepCursorWhenOnlyWeightChanges() {
        TestDestinations dests = TestDestinations.withWeights(1, 1, 1);
        SchedulerState state = rr.newState(dests, null);
        assertThat(dests.picks(state, 1)).isEqualTo("A");

        dests.weight(B, 0);
        SchedulerState next = rr.newState(dests, state);

        assertThat(dests.picks(next, 3)).isEqualTo("CAC");
    }

    @Test
    void shouldStartAtHeadWhenPreviousStateBelongsToAnotherScheduler() {
        TestDestinations dests = TestDestinations.withWeights(1, 1, 1);
        SchedulerState wrrState = new WeightedRoundRobinScheduler().newState(dests, null);
        wrrState.schedule(dests, TestDestinations.ANY_FLOW);

        SchedulerState state = rr.newState(dests, wrrState);

        assertThat(dests.picks(state, 2)).isEqualTo("AB");
    }

    @Property
    void shouldVisitEveryEligibleServerOnceWhenPickingAsManyTimesAsThereAreEligibleServers(
            @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 0, max = 3) Integer> weights,
            @ForAll @Size(max = 12) List<Boolean> overloads,
            @ForAll @IntRange(max = 30) int warmUpPicks) {
        TestDestinations dests = TestDestinations.withWeights(weights.stream().mapToInt(Integer::intValue).toArray());
        Set<Integer> eligible = new HashSet<>();
        for (int i = 0; i < weights.size(); i++) {
            boolean overloaded = i < overloads.size() && overloads.get(i);
            dests.overloaded(i, overloaded);
            if (weights.get(i) > 0 && !overloaded) {
                eligible.add(i);
            }
        }
        SchedulerState state = rr.newState(dests, null);
        for (int k = 0; k < warmUpPicks; k++) {
            state.schedule(dests, TestDestinations.ANY_FLOW);
        }

        List<Integer> picks = new ArrayList<>();
        for (int k = 0; k < Math.max(1, eligible.size()); k++) {
            picks.add(state.schedule(dests, TestDestinations.ANY_FLOW));
        }

        if (eligible.isEmpty()) {
            assertThat(picks).containsExactly(-1);
        } else {
            assertThat(picks).containsExactlyInAnyOrderElementsOf(eligible);
        }
    }

    @Property
    void shouldNeverChooseIneligibleServerWhenListChangesBetweenPicks(
            @ForAll @Size(min = 2, max = 10) List<@IntRange(min = 0, max = 3) Integer> weights,
            @ForAll @IntRange(max = 9) int deletedIndex,
            @ForAll @IntRange(max = 10) int warmUpPicks) {
        Assume.that(deletedIndex < weights.size());
        TestDestinations before = TestDestinations.withWeights(weights.stream().mapToInt(Integer::intValue).toArray());
        SchedulerState state = rr.newState(before, null);
        for (int k = 0; k < warmUpPicks; k++) {
            state.schedule(before, TestDestinations.ANY_FLOW);
        }
        TestDestinations after = before.without(deletedIndex).withAdded(100, 1).overloaded(0, true);
        SchedulerState next = rr.newState(after, state);

        for (int k = 0; k < 2 * after.count(); k++) {
            int i = next.schedule(after, TestDestinations.ANY_FLOW);
            if (i >= 0) {
                assertThat(after.weight(i)).isPositive();
                assertThat(after.overloaded(i)).isFalse();
            }
        }
    }
}
