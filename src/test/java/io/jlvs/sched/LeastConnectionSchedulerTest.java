package io.jlvs.sched;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class LeastConnectionSchedulerTest {
    private static final int A = 0;
    private static final int B = 1;
    private static final int C = 2;

    private final Scheduler lc = new LeastConnectionScheduler();

    private int pick(TestDestinations dests) {
        return lc.newState(dests, null).schedule(dests, TestDestinations.ANY_FLOW);
    }

    @Test
    void shouldBeNamedLc() {
        assertThat(lc.name()).isEqualTo("lc");
    }

    @Test
    void shouldRotateThroughServersRegardlessOfWeightWhenEachPickBindsAConnection() {
        // All overheads 0: the first in list order wins (A). A now has 256 and B, C 0, so B (the first
        // of the zeros), then C; then all are at 256 and A wins the tie again. Weights 1, 3, 2 do not
        // enter into lc at all.
        TestDestinations dests = TestDestinations.withWeights(1, 3, 2);
        SchedulerState state = lc.newState(dests, null);

        assertThat(dests.bindingPicks(state, 6, TestDestinations.ANY_FLOW)).isEqualTo("ABCABC");
    }

    @Test
    void shouldCountActiveConnectionAs256InactiveWhenComparing() {
        // A: 1 active = 256, B: 300 inactive = 300, C: 255 inactive = 255 → C.
        TestDestinations dests = TestDestinations.withWeights(1, 1, 1).conns(A, 1, 0).conns(B, 0, 300).conns(C, 0, 255);
        assertThat(pick(dests)).isEqualTo(C);

        // C at 257 now exceeds A's 256 → A.
        dests.conns(C, 0, 257);
        assertThat(pick(dests)).isEqualTo(A);
    }

    @Test
    void shouldIgnoreWeightWhenServersHaveDifferentCapacity() {
        // lc: A's 256 against B's 200 → B. (wlc would pick A: 256/100 < 200/1.)
        TestDestinations dests = TestDestinations.withWeights(100, 1).conns(A, 1, 0).conns(B, 0, 200);

        assertThat(pick(dests)).isEqualTo(B);
        assertThat(new WeightedLeastConnectionScheduler().newState(dests, null)
                .schedule(dests, TestDestinations.ANY_FLOW)).isEqualTo(A);
    }

    @Test
    void shouldKeepEarlierServerWhenOverheadsTie() {
        // B and C both at 10; the scan replaces only on a strictly smaller overhead → B.
        TestDestinations dests = TestDestinations.withWeights(1, 1, 1).conns(A, 1, 0).conns(B, 0, 10).conns(C, 0, 10);

        assertThat(pick(dests)).isEqualTo(B);
    }

    @Test
    void shouldCompareOverheadsUnsignedWhenTheyExceedIntRange() {
        // 8_388_608 active * 256 = 2^31: negative as the kernel's int, but compared unsigned, so it is
        // the largest overhead, not the smallest.
        TestDestinations first = TestDestinations.withWeights(1, 1).conns(A, 8_388_608, 0).conns(B, 0, 5);
        assertThat(pick(first)).isEqualTo(B);

        TestDestinations second = TestDestinations.withWeights(1, 1).conns(A, 0, 5).conns(B, 8_388_608, 0);
        assertThat(pick(second)).isEqualTo(A);
    }

    @Test
    void shouldSkipWeightZeroAndOverloadedServersWhenTheyAreLeastLoaded() {
        // A idle but quiesced, B idle but overloaded, C busy → C.
        TestDestinations dests = TestDestinations.withWeights(0, 1, 1).conns(C, 6, 0).overloaded(B, true);

        assertThat(pick(dests)).isEqualTo(C);
    }

    @Test
    void shouldReturnNoneWhenNoServerIsEligibleOrListIsEmpty() {
        assertThat(pick(TestDestinations.withWeights(0, 1, 0).overloaded(B, true))).isEqualTo(-1);
        assertThat(pick(TestDestinations.withWeights())).isEqualTo(-1);
    }

    @Test
    void shouldShareOneStatelessStateWhenViewDoesNotNotifyChanges() {
        SchedulerState first = lc.newState(TestDestinations.withWeights(1), null);

        assertThat(lc.newState(TestDestinations.withWeights(1, 2), first)).isSameAs(first);
    }

    @Test
    void shouldFollowReportedChangesWhenIndexed() {
        TestDestinations dests = TestDestinations.withWeights(1, 3, 2).notifying(true);
        SchedulerState state = lc.newState(dests, null);
        dests.listen(state);

        assertThat(state).isInstanceOf(LeastConnectionScheduler.Indexed.class);
        assertThat(dests.bindingPicks(state, 6, TestDestinations.ANY_FLOW)).isEqualTo("ABCABC");

        // A's two connections close (2 inactive = 2): now the least loaded by far.
        dests.conns(A, 0, 2);
        assertThat(state.schedule(dests, TestDestinations.ANY_FLOW)).isEqualTo(A);
        dests.overloaded(A, true);
        assertThat(state.schedule(dests, TestDestinations.ANY_FLOW)).isEqualTo(B);
    }

    @Property
    void shouldPickEligibleServerWithLeastOverheadAndEarliestOnTies(
            @ForAll @Size(min = 1, max = 10) List<@IntRange(min = 0, max = 3) Integer> weights,
            @ForAll @Size(min = 10, max = 10) List<@IntRange(min = 0, max = 4) Integer> active,
            @ForAll @Size(min = 10, max = 10) List<@IntRange(min = 0, max = 600) Integer> inactive,
            @ForAll @Size(min = 10, max = 10) List<Boolean> overloads) {
        int n = weights.size();
        TestDestinations dests = TestDestinations.withWeights(weights.stream().mapToInt(Integer::intValue).toArray());
        boolean anyEligible = false;
        for (int i = 0; i < n; i++) {
            dests.conns(i, active.get(i), inactive.get(i)).overloaded(i, overloads.get(i));
            anyEligible |= weights.get(i) > 0 && !overloads.get(i);
        }

        int chosen = pick(dests);

        if (!anyEligible) {
            assertThat(chosen).isEqualTo(-1);
            return;
        }
        assertThat(dests.weight(chosen)).isPositive();
        assertThat(dests.overloaded(chosen)).isFalse();
        int least = ConnOverhead.of(dests, chosen);
        for (int i = 0; i < n; i++) {
            if (dests.weight(i) > 0 && !dests.overloaded(i)) {
                if (i < chosen) {
                    assertThat(ConnOverhead.of(dests, i)).as("earlier server %d", i).isGreaterThan(least);
                } else {
                    assertThat(ConnOverhead.of(dests, i)).as("server %d", i).isGreaterThanOrEqualTo(least);
                }
            }
        }
    }

    @Property
    void shouldChooseAsTheKernelScanWhenIndexed(
            @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 0, max = 4) Integer> weights,
            @ForAll @Size(max = 200) List<@IntRange(min = 0, max = 100_000) Integer> events) {
        ScanIndexAgreement.check(LeastConnectionScheduler::new, weights.stream().mapToInt(Integer::intValue).toArray(),
                events);
    }
}
