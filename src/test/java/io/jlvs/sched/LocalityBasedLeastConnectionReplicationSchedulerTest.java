package io.jlvs.sched;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class LocalityBasedLeastConnectionReplicationSchedulerTest {
    private static final int A = 0;
    private static final int B = 1;
    private static final int C = 2;
    private static final String X = "203.0.113.10";
    private static final String Y = "203.0.113.20";
    private static final long MINUTE_MS = 60_000;

    private final Scheduler lblcr = new LocalityBasedLeastConnectionReplicationScheduler(10 * MINUTE_MS, 256);

    private LocalityBasedLeastConnectionReplicationScheduler.State state(TestDestinations dests) {
        return (LocalityBasedLeastConnectionReplicationScheduler.State) lblcr.newState(dests, null);
    }

    /** The set of {@code daddr}'s entry as letters, in set order (most recently inserted first). */
    private static String members(LocalityCache cache, String daddr) {
        int e = cache.find(TestFlow.ip(daddr));
        List<Character> out = new ArrayList<>();
        for (int m = cache.firstMember(e); m >= 0; m = cache.nextMember(m)) {
            out.add((char) ('A' + cache.memberDest(m)));
        }
        StringBuilder s = new StringBuilder();
        out.forEach(s::append);
        return s.toString();
    }

    @Test
    void shouldBeNamedLblcr() {
        assertThat(new LocalityBasedLeastConnectionReplicationScheduler().name()).isEqualTo("lblcr");
    }

    @Test
    void shouldGrowTheSetWhileItsBestMemberIsBusyAndShrinkItOnceStable() {
        // Weights A=B=C=1, expiration 10 min, every pick binds an active connection.
        // 1. t=0  X misses → wlc → A; set {A}.
        // 2. t=0  min of {A} = A; 1 > 1? no → A (A: 2 active).
        // 3. t=0  A: 2 > 1 and B is light (0 < 1) → wlc (A 512, B 0, C 0) → B; set {B, A}.
        // 4. t=0  min of {B 256, A 512} = B; 1 > 1? no → B (B: 2).
        // 5. t=0  min {B 512, A 512}: tie → B (first in set); B busy, C light → wlc → C; set {C, B, A}.
        TestDestinations dests = TestDestinations.withWeights(1, 1, 1);
        LocalityBasedLeastConnectionReplicationScheduler.State state = state(dests);
        TestFlow x = TestFlow.to(X).nowMs(0);

        assertThat(dests.bindingPicks(state, 5, x)).isEqualTo("AABBC");
        assertThat(members(state.cache(), X)).isEqualTo("CBA");

        // 6. t=11 min: min of {C 256, B 512, A 512} = C. The set has 3 members and was last changed at
        //    t=0, 11 min > 0 + 10 min: drop the most loaded with positive weight: C 256, then B 512
        //    (256 * 1 < 512 * 1) → B; A only ties B → B goes; set {C, A}, lastmod 11 min. C: 1 > 1? no → C.
        assertThat(dests.bindingPicks(state, 1, x.nowMs(11 * MINUTE_MS))).isEqualTo("C");
        assertThat(members(state.cache(), X)).isEqualTo("CA");

        // 7. t=11 min + 1 s: min {C 512, A 512} tie → C; no shrink (lastmod 11 min); C has 2 > 1 but no
        //    server is light (2 * 2 < 1 fails for all) → C stays.
        assertThat(dests.bindingPicks(state, 1, x.nowMs(11 * MINUTE_MS + 1000))).isEqualTo("C");
        assertThat(members(state.cache(), X)).isEqualTo("CA");
    }

    @Test
    void shouldSkipOverloadedAndDeletedMembersWhenPickingFromTheSet() {
        // Weights A=B=1: X → A, A, then B (A busy, B light); set {B, A}. With B overloaded the set's
        // min skips it → A; A has 2 > 1 active but no server is light (B: 2 * 1 < 1 fails) → A.
        TestDestinations dests = TestDestinations.withWeights(1, 1);
        LocalityBasedLeastConnectionReplicationScheduler.State state = state(dests);
        TestFlow x = TestFlow.to(X);
        assertThat(dests.bindingPicks(state, 3, x)).isEqualTo("AAB");
        assertThat(members(state.cache(), X)).isEqualTo("BA");

        dests.overloaded(B, true);
        assertThat(dests.picks(state, 1, x)).isEqualTo("A");

        // A deleted: B (overloaded) is the only listed member, so the set has no usable member → wlc
        // over the service, which skips overloaded B → none.
        dests.overloaded(B, false);
        TestDestinations without = dests.without(A);
        SchedulerState next = lblcr.newState(without, state);
        assertThat(without.picks(next, 1, x)).isEqualTo("B");
        without.overloaded(0, true);
        assertThat(without.picks(next, 1, x)).isEqualTo("-");
    }

    @Test
    void shouldKeepTheChosenMemberEvenWhenTheShrinkRemovesIt() {
        // Set {B, A} with B the only member of positive weight after A is quiesced: min = B, and the
        // shrink (set of 2, unchanged for > 10 min) removes the most loaded member with positive
        // weight, B itself. The kernel still answers B.
        TestDestinations dests = TestDestinations.withWeights(1, 1);
        LocalityBasedLeastConnectionReplicationScheduler.State state = state(dests);
        assertThat(dests.bindingPicks(state, 3, TestFlow.to(X).nowMs(0))).isEqualTo("AAB");
        dests.weight(A, 0);
        SchedulerState next = lblcr.newState(dests, state);

        assertThat(dests.picks(next, 1, TestFlow.to(X).nowMs(11 * MINUTE_MS))).isEqualTo("B");
        assertThat(members(state.cache(), X)).isEqualTo("A");
    }

    @Test
    void shouldReturnNoneAndCreateNoEntryWhenNoServerIsEligible() {
        TestDestinations dests = TestDestinations.withWeights(0, 1).overloaded(B, true);
        LocalityBasedLeastConnectionReplicationScheduler.State state = state(dests);

        assertThat(dests.picks(state, 1, TestFlow.to(X))).isEqualTo("-");
        assertThat(state.cache().entries()).isZero();
    }

    @Test
    void shouldForgetUnusedEntryAtTheFullSweepAfterItsExpiration() {
        TestDestinations dests = TestDestinations.withWeights(1, 1);
        LocalityBasedLeastConnectionReplicationScheduler.State state = state(dests);
        dests.picks(state, 1, TestFlow.to(X).nowMs(0));
        dests.picks(state, 1, TestFlow.to(Y).nowMs(29 * MINUTE_MS));
        assertThat(state.cache().entries()).isEqualTo(2);

        dests.picks(state, 1, TestFlow.to(Y).nowMs(30 * MINUTE_MS));

        assertThat(state.cache().entries()).isEqualTo(1);
        assertThat(state.cache().find(TestFlow.ip(X))).isNegative();
    }

    @Test
    void shouldBehaveTheSameWhenIndexed() {
        TestDestinations dests = TestDestinations.withWeights(1, 1, 1).notifying(true);
        LocalityBasedLeastConnectionReplicationScheduler.State state = state(dests);
        dests.listen(state);

        assertThat(dests.bindingPicks(state, 5, TestFlow.to(X))).isEqualTo("AABBC");
        assertThat(members(state.cache(), X)).isEqualTo("CBA");
    }

    @Property
    void shouldNeverChooseWeightZeroOrOverloadedServer(
            @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 0, max = 3) Integer> weights,
            @ForAll @Size(min = 8, max = 8) List<Boolean> overloads,
            @ForAll @Size(min = 1, max = 40) List<@IntRange(min = 0, max = 5) Integer> addresses) {
        TestDestinations dests = TestDestinations.withWeights(weights.stream().mapToInt(Integer::intValue).toArray());
        boolean anyEligible = false;
        for (int i = 0; i < weights.size(); i++) {
            dests.overloaded(i, overloads.get(i));
            anyEligible |= weights.get(i) > 0 && !overloads.get(i);
        }
        SchedulerState state = lblcr.newState(dests, null);

        for (int a : addresses) {
            int i = state.schedule(dests, new TestFlow().dst(0x0a000000 + a));
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
            @ForAll @Size(max = 200) List<@IntRange(min = 0, max = 100_000) Integer> events) {
        ScanIndexAgreement.check(() -> new LocalityBasedLeastConnectionReplicationScheduler(10 * MINUTE_MS, 64),
                weights.stream().mapToInt(Integer::intValue).toArray(), events);
    }
}
