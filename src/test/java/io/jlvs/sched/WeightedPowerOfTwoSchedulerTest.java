package io.jlvs.sched;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class WeightedPowerOfTwoSchedulerTest {
    private static final int A = 0;
    private static final int B = 1;
    private static final int C = 2;

    /** Hands out scripted raw 32-bit draws, as the kernel's random generator would have produced them. */
    private static final class Script implements WeightedPowerOfTwoScheduler.RandomSource {
        private final Deque<Integer> draws = new ArrayDeque<>();

        Script then(int... values) {
            for (int v : values) {
                draws.add(v);
            }
            return this;
        }

        /**
         * Raw draws that {@code get_random_u32_below(ceil)} turns into {@code rs}: the middle of each value's
         * slice of the 32-bit range, so none is redrawn.
         */
        Script below(int ceil, int... rs) {
            for (int r : rs) {
                draws.add((int) ((((long) r << 32) + (1L << 31)) / ceil));
            }
            return this;
        }

        int left() {
            return draws.size();
        }

        @Override
        public int nextU32() {
            return draws.remove();
        }
    }

    private final Script script = new Script();
    private final Scheduler twos = new WeightedPowerOfTwoScheduler(() -> script);

    private int pick(TestDestinations dests) {
        return twos.newState(dests, null).schedule(dests, TestDestinations.ANY_FLOW);
    }

    @Test
    void shouldBeNamedTwos() {
        assertThat(twos.name()).isEqualTo("twos");
    }

    @Test
    void shouldResolveDrawsAgainstRunningWeightSums() {
        // Weights A=2, B=3, C=1: T = 6, draws get_random_u32_below(7), into [0, 6].
        // r = 0 → A (0 - 2 <= 0); r = 2 → A (2 - 2 = 0); r = 3 → B (3 - 2 = 1, 1 - 3 < 0);
        // r = 5 → B (5 - 2 - 3 = 0); r = 6 → C (6 - 2 - 3 = 1, 1 - 1 = 0). All idle, so choice1 stays.
        TestDestinations dests = TestDestinations.withWeights(2, 3, 1);

        script.below(7, 0, 6);
        assertThat(pick(dests)).isEqualTo(A);
        script.below(7, 2, 0);
        assertThat(pick(dests)).isEqualTo(A);
        script.below(7, 3, 0);
        assertThat(pick(dests)).isEqualTo(B);
        script.below(7, 5, 0);
        assertThat(pick(dests)).isEqualTo(B);
        script.below(7, 6, 0);
        assertThat(pick(dests)).isEqualTo(C);
    }

    @Test
    void shouldMapRawDrawsByMultiplyShiftAsGetRandomU32Below() {
        // r = (7 × u) >> 32: 0x30000000 → 7 × 0x30000000 = 0x1_5000_0000 → 1; 0x80000000 → 3 (7 × 2^31 >> 32).
        assertThat(WeightedPowerOfTwoScheduler.below(new Script().then(0x30000000), 7)).isEqualTo(1);
        assertThat(WeightedPowerOfTwoScheduler.below(new Script().then(0x80000000), 7)).isEqualTo(3);
        // u = 0x24924925: 7 × u = 2^32 + 3, low half 3 < 2^32 mod 7 = 4 (a biased slice), so the kernel draws
        // again (here 0xFFFFFFFF → 6)
        Script redraw = new Script().then(0x24924925, 0xFFFFFFFF);
        assertThat(WeightedPowerOfTwoScheduler.below(redraw, 7)).isEqualTo(6);
        assertThat(redraw.left()).isZero();
    }

    @Test
    void shouldTakeDrawsAsUnsigned32BitValues() {
        // 0xFFFFFFFF = 4294967295: 7 × 4294967295 >> 32 = 6 → C. (Read as signed -1 it would give no value.)
        script.then(0xFFFFFFFF, 0xFFFFFFFF);

        assertThat(pick(TestDestinations.withWeights(2, 3, 1))).isEqualTo(C);
    }

    @Test
    void shouldPreferSecondChoiceOnlyWhenItCarriesStrictlyLessLoadPerWeight() {
        // choice1 = A (r1 = 0), choice2 = B (r2 = 5). Test w2 * o1 > w1 * o2 with w1 = 2, w2 = 3:
        // A 256, B 256: 768 > 512 → B.  A 256, B 512: 768 > 1024 no → A.  A 512, B 768: 1536 > 1536 no → A.
        TestDestinations dests = TestDestinations.withWeights(2, 3, 1).conns(A, 1, 0).conns(B, 1, 0);
        script.below(7, 0, 5);
        assertThat(pick(dests)).isEqualTo(B);

        dests.conns(B, 2, 0);
        script.below(7, 0, 5);
        assertThat(pick(dests)).isEqualTo(A);

        dests.conns(A, 2, 0).conns(B, 3, 0);
        script.below(7, 0, 5);
        assertThat(pick(dests)).isEqualTo(A);
    }

    @Test
    void shouldCompareIn32BitIntArithmeticAsTheKernel() {
        // w1 = 2 (A), w2 = 65535 (B); o1 = 33000 * 256 = 8_448_000, o2 = 0. r1 = 0 → A; r2 = 3 → B.
        // 65535 * 8_448_000 wraps in int to -411_101_184, so "B is less loaded" is false → A,
        // although B is idle. (64-bit arithmetic would choose B.)
        TestDestinations dests = TestDestinations.withWeights(2, 65_535).conns(A, 33_000, 0);
        script.below(65_538, 0, 3);

        assertThat(65_535 * 8_448_000).isEqualTo(-411_101_184);
        assertThat(pick(dests)).isEqualTo(A);
    }

    @Test
    void shouldLeaveOutWeightZeroAndOverloadedServersFromDraws() {
        // A overloaded and C quiesced: T = 3 (B) + 1 (D) = 4, below 5. r = 4 → B: 4 - 3 = 1, D: 1 - 1 = 0 → D.
        TestDestinations dests = TestDestinations.withWeights(2, 3, 0, 1).overloaded(A, true);
        script.below(5, 4, 0);

        assertThat(pick(dests)).isEqualTo(3);
    }

    @Test
    void shouldReturnNoneWithoutDrawingWhenNoServerIsEligible() {
        TestDestinations dests = TestDestinations.withWeights(0, 2).overloaded(B, true);

        assertThat(pick(dests)).isEqualTo(-1);
        assertThat(pick(TestDestinations.withWeights())).isEqualTo(-1);
        assertThat(script.left()).isZero();
    }

    @Test
    void shouldKeepItsRandomSourceWhenTheListChanges() {
        Scheduler seeded = new WeightedPowerOfTwoScheduler(7);
        TestDestinations dests = TestDestinations.withWeights(1, 1, 1, 1);
        SchedulerState first = seeded.newState(dests, null);
        SchedulerState next = seeded.newState(dests.withAdded(9, 1), first);

        assertThat(((WeightedPowerOfTwoScheduler.State) next).random)
                .isSameAs(((WeightedPowerOfTwoScheduler.State) first).random);
    }

    @Test
    void shouldRepeatItsChoicesWhenSeededAlike() {
        TestDestinations dests = TestDestinations.withWeights(5, 1, 3, 2, 4);
        SchedulerState one = new WeightedPowerOfTwoScheduler(42).newState(dests, null);
        String first = dests.bindingPicks(one, 50, TestDestinations.ANY_FLOW);

        TestDestinations again = TestDestinations.withWeights(5, 1, 3, 2, 4);
        SchedulerState two = new WeightedPowerOfTwoScheduler(42).newState(again, null);

        assertThat(again.bindingPicks(two, 50, TestDestinations.ANY_FLOW)).isEqualTo(first);
    }

    @Test
    void shouldDrawFirstChoicesWithKernelBiasTowardsFirstServer() {
        // All idle, so the answer is always choice1: A with probability (2 + 1)/7, B 3/7, C 1/7.
        TestDestinations dests = TestDestinations.withWeights(2, 3, 1);
        SchedulerState state = new WeightedPowerOfTwoScheduler(1234).newState(dests, null);
        int[] counts = new int[3];
        int draws = 70_000;
        for (int k = 0; k < draws; k++) {
            counts[state.schedule(dests, TestDestinations.ANY_FLOW)]++;
        }

        assertThat(counts[A] / (double) draws).isCloseTo(3 / 7.0, org.assertj.core.data.Offset.offset(0.01));
        assertThat(counts[B] / (double) draws).isCloseTo(3 / 7.0, org.assertj.core.data.Offset.offset(0.01));
        assertThat(counts[C] / (double) draws).isCloseTo(1 / 7.0, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void shouldResolveDrawsTheSameWayWhenIndexed() {
        TestDestinations dests = TestDestinations.withWeights(2, 3, 1).notifying(true);
        SchedulerState state = twos.newState(dests, null);
        dests.listen(state);

        script.below(7, 0, 6, 2, 0, 3, 0, 5, 0, 6, 0);
        assertThat(dests.picks(state, 5)).isEqualTo("AABBC");
        dests.overloaded(B, true);
        script.below(4, 3, 0);
        // T = 3 now (A 2, C 1): r = 3 → A: 1, C: 0 → C.
        assertThat(dests.picks(state, 1)).isEqualTo("C");
    }

    @Property
    void shouldNeverChooseWeightZeroOrOverloadedServer(
            @ForAll @Size(min = 1, max = 10) List<@IntRange(min = 0, max = 6) Integer> weights,
            @ForAll @Size(min = 10, max = 10) List<Boolean> overloads,
            @ForAll long seed) {
        int n = weights.size();
        TestDestinations dests = TestDestinations.withWeights(weights.stream().mapToInt(Integer::intValue).toArray());
        boolean anyEligible = false;
        for (int i = 0; i < n; i++) {
            dests.overloaded(i, overloads.get(i));
            anyEligible |= weights.get(i) > 0 && !overloads.get(i);
        }
        SchedulerState state = new WeightedPowerOfTwoScheduler(seed).newState(dests, null);

        for (int k = 0; k < 30; k++) {
            int i = state.schedule(dests, TestDestinations.ANY_FLOW);
            if (!anyEligible) {
                assertThat(i).isEqualTo(-1);
                continue;
            }
            assertThat(dests.weight(i)).isPositive();
            assertThat(dests.overloaded(i)).isFalse();
            dests.bind(i);
        }
    }

    @Property
    void shouldChooseAsTheKernelScanWhenIndexed(
            @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 0, max = 4) Integer> weights,
            @ForAll @Size(max = 200) List<@IntRange(min = 0, max = 100_000) Integer> events,
            @ForAll long seed) {
        ScanIndexAgreement.check(() -> new WeightedPowerOfTwoScheduler(seed),
                weights.stream().mapToInt(Integer::intValue).toArray(), events);
    }
}
