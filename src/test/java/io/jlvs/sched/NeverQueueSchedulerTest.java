package io.jlvs.sched;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class NeverQueueSchedulerTest {
    private static final int A = 0;
    private static final int B = 1;
    private static final int C = 2;

    private final Scheduler nq = new NeverQueueScheduler();

    private int pick(TestDestinations dests) {
        return nq.newState(dests, null).schedule(dests, TestDestinations.ANY_FLOW);
    }

    @Test
    void shouldBeNamedNq() {
        assertThat(nq.name()).isEqualTo("nq");
    }

    @Test
    void shouldFillIdleServersFirstThenFollowSedWhenEveryPickBindsAConnection() {
        // Weights A=1, B=2, C=3. 1-3: the first idle server in list order, whatever its weight: A, B, C.
        // 4. all busy, sed costs 2/1, 2/2, 2/3 → C.  5. 2, 1, 3/3=1: B beats A, C only ties B → B.
        TestDestinations dests = TestDestinations.withWeights(1, 2, 3);
        SchedulerState state = nq.newState(dests, null);

        assertThat(dests.bindingPicks(state, 5, TestDestinations.ANY_FLOW)).isEqualTo("ABCCB");
    }

    @Test
    void shouldTakeIdleServerEvenWhenItHasInactiveConnectionsAndLowWeight() {
        // A has no active connection (1000 inactive ones do not count) → A at once, though B's sed cost
        // (1 + 1)/100 is far lower than A's 1/1.
        TestDestinations dests = TestDestinations.withWeights(1, 100).conns(A, 0, 1000).conns(B, 1, 0);

        assertThat(pick(dests)).isEqualTo(A);
    }

    @Test
    void shouldTakeFirstIdleServerWhenItComesAfterBusyOnes() {
        // A and B busy, C idle → C, before any sed comparison matters.
        TestDestinations dests = TestDestinations.withWeights(50, 50, 1).conns(A, 1, 0).conns(B, 1, 0);

        assertThat(pick(dests)).isEqualTo(C);
    }

    @Test
    void shouldSkipIdleServerWhenItIsQuiescedOrOverloaded() {
        // A idle but weight 0, B idle but overloaded → sed between busy C (3/1) and D (2/1) → D.
        TestDestinations dests = TestDestinations.withWeights(0, 1, 1, 1).conns(C, 2, 0).conns(3, 1, 0)
                .overloaded(B, true);

        assertThat(pick(dests)).isEqualTo(3);
    }

    @Test
    void shouldReturnNoneWhenNoServerIsEligibleOrListIsEmpty() {
        assertThat(pick(TestDestinations.withWeights(0, 1).overloaded(B, true))).isEqualTo(-1);
        assertThat(pick(TestDestinations.withWeights())).isEqualTo(-1);
    }

    @Test
    void shouldFollowTheSameSequenceWhenIndexed() {
        TestDestinations dests = TestDestinations.withWeights(1, 2, 3).notifying(true);
        SchedulerState state = nq.newState(dests, null);
        dests.listen(state);

        assertThat(dests.bindingPicks(state, 5, TestDestinations.ANY_FLOW)).isEqualTo("ABCCB");
        // B's connections all close: B is idle again and taken before the sed winner.
        dests.conns(B, 0, 2);
        assertThat(state.schedule(dests, TestDestinations.ANY_FLOW)).isEqualTo(B);
    }

    @Property
    void shouldPickFirstIdleEligibleServerOrElseShortestExpectedDelay(
            @ForAll @Size(min = 1, max = 10) List<@IntRange(min = 0, max = 5) Integer> weights,
            @ForAll @Size(min = 10, max = 10) List<@IntRange(min = 0, max = 3) Integer> active,
            @ForAll @Size(min = 10, max = 10) List<Boolean> overloads) {
        int n = weights.size();
        TestDestinations dests = TestDestinations.withWeights(weights.stream().mapToInt(Integer::intValue).toArray());
        int firstIdle = -1;
        for (int i = 0; i < n; i++) {
            dests.conns(i, active.get(i), 0).overloaded(i, overloads.get(i));
            if (firstIdle < 0 && weights.get(i) > 0 && !overloads.get(i) && active.get(i) == 0) {
                firstIdle = i;
            }
        }

        int chosen = pick(dests);

        if (firstIdle >= 0) {
            assertThat(chosen).isEqualTo(firstIdle);
        } else {
            assertThat(chosen).isEqualTo(new ShortestExpectedDelayScheduler().newState(dests, null)
                    .schedule(dests, TestDestinations.ANY_FLOW));
        }
    }

    @Property
    void shouldChooseAsTheKernelScanWhenIndexed(
            @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 0, max = 4) Integer> weights,
            @ForAll @Size(max = 200) List<@IntRange(min = 0, max = 100_000) Integer> events) {
        ScanIndexAgreement.check(NeverQueueScheduler::new, weights.stream().mapToInt(Integer::intValue).toArray(),
                events);
    }
}
