package io.jlvs.sched;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class WeightedLeastConnectionSchedulerTest {
    private static final int A = 0;
    private static final int B = 1;
    private static final int C = 2;

    private final Scheduler wlc = new WeightedLeastConnectionScheduler();

    private int pick(TestDestinations dests) {
        return wlc.newState(dests, null).schedule(dests, TestDestinations.ANY_FLOW);
    }

    @Test
    void shouldBeNamedWlc() {
        assertThat(wlc.name()).isEqualTo("wlc");
    }

    @Test
    void shouldPickLeastOverheadPerWeightWhenWeightsDiffer() {
        // A: 256/1 = 256, B: 512/3 ≈ 171, C: 300/1 = 300
        TestDestinations dests = TestDestinations.withWeights(1, 3, 1).conns(A, 1, 0).conns(B, 2, 0).conns(C, 1, 44);

        assertThat(pick(dests)).isEqualTo(B);
    }

    @Test
    void shouldCountActiveConnectionAs256InactiveWhenComparing() {
        TestDestinations dests = TestDestinations.withWeights(1, 1).conns(A, 1, 0).conns(B, 0, 255);
        assertThat(pick(dests)).isEqualTo(B);

        dests.conns(B, 0, 256);
        assertThat(pick(dests)).isEqualTo(A);
    }

    @Test
    void shouldKeepEarlierServerWhenLoadsTie() {
        TestDestinations dests = TestDestinations.withWeights(2, 1, 2).conns(A, 2, 0).conns(B, 1, 0).conns(C, 0, 0);
        assertThat(pick(dests)).isEqualTo(C);

        dests.conns(C, 2, 0);
        assertThat(pick(dests)).isEqualTo(A);
    }

    @Test
    void shouldPickFirstServerWhenNoneHasConnections() {
        assertThat(pick(TestDestinations.withWeights(1, 5, 9))).isEqualTo(A);
    }

    @Test
    void shouldNeverPickWeightZeroServerWhenItIsIdle() {
        TestDestinations first = TestDestinations.withWeights(0, 1).conns(B, 10, 10);
        assertThat(pick(first)).isEqualTo(B);

        TestDestinations later = TestDestinations.withWeights(1, 0).conns(A, 10, 10);
        assertThat(pick(later)).isEqualTo(A);
    }

    @Test
    void shouldSkipOverloadedServerWhenItIsLeastLoaded() {
        TestDestinations dests = TestDestinations.withWeights(1, 1, 1).conns(A, 5, 0).conns(B, 0, 0).conns(C, 3, 0)
                .overloaded(B, true);

        assertThat(pick(dests)).isEqualTo(C);
    }

    @Test
    void shouldReturnNoneWhenNoServerIsEligible() {
        TestDestinations dests = TestDestinations.withWeights(0, 1, 0).overloaded(B, true);

        assertThat(pick(dests)).isEqualTo(-1);
        assertThat(pick(TestDestinations.withWeights())).isEqualTo(-1);
    }

    @Test
    void shouldCompareIn64BitsWhenProductsExceed32Bits() {
        // 7_000_000*256 / 50_000 = 35_840 against 8_000_000*256 / 65_535 ≈ 31_250
        TestDestinations dests = TestDestinations.withWeights(50_000, 65_535)
                .conns(A, 7_000_000, 0).conns(B, 8_000_000, 0);

        assertThat(pick(dests)).isEqualTo(B);
    }

    @Test
    void shouldShareOneStatelessStateWhenCreatedForDifferentServices() {
        TestDestinations one = TestDestinations.withWeights(1);
        TestDestinations two = TestDestinations.withWeights(1, 2);
        SchedulerState first = wlc.newState(one, null);

        assertThat(wlc.newState(two, first)).isSameAs(first);
    }

    @Property
    void shouldPickEligibleServerWithLeastWeightedOverheadAndEarliestOnTies(
            @ForAll @Size(min = 1, max = 10) List<@IntRange(min = 0, max = 5) Integer> weights,
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
        double chosenLoad = load(dests, chosen);
        for (int i = 0; i < n; i++) {
            if (dests.weight(i) > 0 && !dests.overloaded(i)) {
                if (i < chosen) {
                    assertThat(load(dests, i)).as("earlier server %d", i).isGreaterThan(chosenLoad);
                } else {
                    assertThat(load(dests, i)).as("server %d", i).isGreaterThanOrEqualTo(chosenLoad);
                }
            }
        }
    }

    private static double load(TestDestinations dests, int i) {
        return (dests.activeConns(i) * 256.0 + dests.inactiveConns(i)) / dests.weight(i);
    }

    @Property
    void shouldShareConnectionsInProportionToWeightsWhenEveryPickBindsAConnection(
            @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 1, max = 20) Integer> weights,
            @ForAll @IntRange(min = 1, max = 400) int picks) {
        // Each pick took a server whose active/weight was no larger than anyone's, so after N picks
        // (a_i - 1)/w_i <= min_j a_j/w_j for every i. With m that minimum and W the weight sum this
        // bounds every share: w_i * (N - n) / W <= w_i * m <= a_i <= w_i * N / W + 1.
        int[] w = weights.stream().mapToInt(Integer::intValue).toArray();
        int n = w.length;
        int total = 0;
        for (int x : w) {
            total += x;
        }
        TestDestinations dests = TestDestinations.withWeights(w);
        SchedulerState state = wlc.newState(dests, null);

        dests.bindingPicks(state, picks, TestDestinations.ANY_FLOW);

        for (int i = 0; i < n; i++) {
            double share = (double) picks * w[i] / total;
            assertThat((double) dests.activeConns(i)).as("connections of server %d (weight %d)", i, w[i])
                    .isBetween((double) w[i] * (picks - n) / total, share + 1);
        }
    }

    @Test
    void shouldKeepAnIndexPerServiceWhenViewNotifiesChanges() {
        TestDestinations dests = TestDestinations.withWeights(1, 3, 1).notifying(true);
        SchedulerState state = wlc.newState(dests, null);
        dests.listen(state);

        assertThat(state).isInstanceOf(WeightedLeastConnectionScheduler.Indexed.class);
        // A 0/1, B 0/3, C 0/1 tie → A; then B 0 → B; then C 0 → C; then A 256/1, B 256/3, C 256/1 → B …
        assertThat(dests.bindingPicks(state, 6, TestDestinations.ANY_FLOW)).isEqualTo("ABCBBA");
    }

    @Property
    void shouldChooseAsTheKernelScanWhenIndexed(
            @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 0, max = 4) Integer> weights,
            @ForAll @Size(max = 200) List<@IntRange(min = 0, max = 100_000) Integer> events) {
        ScanIndexAgreement.check(WeightedLeastConnectionScheduler::new,
                weights.stream().mapToInt(Integer::intValue).toArray(), events);
    }
}
