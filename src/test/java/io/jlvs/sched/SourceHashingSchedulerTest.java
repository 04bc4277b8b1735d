package io.jlvs.sched;

import static org.assertj.core.api.Assertions.assertThat;

import io.jlvs.control.ServiceConfig;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class SourceHashingSchedulerTest {
    private static final int A = 0;
    private static final int B = 1;
    private static final int C = 2;
    private static final int D = 3;

    private static final int FALLBACK = SourceHashingScheduler.FLAG_FALLBACK;
    private static final int PORT = SourceHashingScheduler.FLAG_PORT;

    private final Scheduler sh = new SourceHashingScheduler();

    private SourceHashingScheduler.State state(TestDestinations dests) {
        return (SourceHashingScheduler.State) sh.newState(dests, null);
    }

    @Test
    void shouldBeNamedSh() {
        assertThat(sh.name()).isEqualTo("sh");
    }

    @Test
    void shouldUseTheServiceFlagBitsOfSchedFlag1And2() {
        assertThat(SourceHashingScheduler.FLAG_FALLBACK).isEqualTo(ServiceConfig.F_SCHED1);
        assertThat(SourceHashingScheduler.FLAG_PORT).isEqualTo(ServiceConfig.F_SCHED2);
    }

    @Test
    void shouldGiveEachServerAsManyConsecutiveBucketsAsItsWeight() {
        // Weights A=2, B=1, C=3: A A B C C C, repeated; 256 = 42 * 6 + 4, so the last four are A A B C.
        SourceHashingScheduler.State state = state(TestDestinations.withWeights(2, 1, 3));
        int[] cycle = {A, A, B, C, C, C};

        for (int b = 0; b < SourceHashingScheduler.TAB_SIZE; b++) {
            assertThat(state.bucketOwner(b)).as("bucket %d", b).isEqualTo(cycle[b % 6]);
        }
    }

    @Test
    void shouldGiveWeightZeroServerOneBucketItCannotServe() {
        // Weights 0, 2: the kernel moves on once its count reaches the weight, after at least one bucket.
        SourceHashingScheduler.State state = state(TestDestinations.withWeights(0, 2));

        assertThat(state.bucketOwner(0)).isEqualTo(A);
        assertThat(state.bucketOwner(1)).isEqualTo(B);
        assertThat(state.bucketOwner(2)).isEqualTo(B);
        assertThat(state.bucketOwner(3)).isEqualTo(A);
    }

    @Test
    void shouldLeaveLateServersWithoutBucketsWhenWeightsExceedTableSize() {
        // A takes 0..199, B 200..255 (56 of its 100), C none.
        SourceHashingScheduler.State state = state(TestDestinations.withWeights(200, 100, 5));

        assertThat(state.bucketOwner(199)).isEqualTo(A);
        assertThat(state.bucketOwner(200)).isEqualTo(B);
        assertThat(state.bucketOwner(255)).isEqualTo(B);
    }

    @Test
    void shouldHashClientAddressAndPortOnlyWithShPort() {
        // Weights 2, 1, 3 (cycle of 6). Client 0.0.0.1 port 1:
        //   without sh-port: hash_32(1, 8) = 97, 97 mod 6 = 1 → A
        //   with sh-port:    hash_32(1 + 1, 8) = 195, 195 mod 6 = 3 → C
        TestDestinations dests = TestDestinations.withWeights(2, 1, 3);
        SchedulerState state = state(dests);
        TestFlow client = TestFlow.from("0.0.0.1").srcPort(1);

        assertThat(state.schedule(dests, client)).isEqualTo(A);
        dests.flags(PORT);
        assertThat(state.schedule(dests, client)).isEqualTo(C);
    }

    @Test
    void shouldReturnNoneWithoutShFallbackWhenBucketServerIsUnusable() {
        // 0.0.0.2 → bucket 195; with four servers of weight 1, 195 mod 4 = 3 → D.
        TestDestinations dests = TestDestinations.withWeights(1, 1, 1, 1);
        SchedulerState state = state(dests);
        TestFlow client = TestFlow.from("0.0.0.2");
        assertThat(state.schedule(dests, client)).isEqualTo(D);

        dests.overloaded(D, true);
        assertThat(state.schedule(dests, client)).isEqualTo(-1);

        dests.overloaded(D, false).weight(D, 0);
        assertThat(state.schedule(dests, client)).isEqualTo(-1);
    }

    @Test
    void shouldProbeFromTwiceTheHashWithShFallback() {
        // 0.0.0.2 → h = 195 → D, quiesced. The kernel re-hashes with offsets 195 + k, probing buckets
        // (2 * 195 + k) mod 256 = 134, 135, …: bucket 134 → 134 mod 4 = 2 → C. (The bucket after 195,
        // 196, would have given A.) With C overloaded too the next probe, 135 → D, is unusable, then
        // 136 → A.
        TestDestinations dests = TestDestinations.withWeights(1, 1, 1, 0).flags(FALLBACK);
        SchedulerState state = state(dests);
        TestFlow client = TestFlow.from("0.0.0.2");
        assertThat(state.schedule(dests, client)).isEqualTo(C);

        dests.overloaded(C, true);
        assertThat(state.schedule(dests, client)).isEqualTo(A);
    }

    @Test
    void shouldReturnNoneWithShFallbackWhenNoServerIsUsable() {
        TestDestinations dests = TestDestinations.withWeights(0, 1).overloaded(B, true).flags(FALLBACK | PORT);

        assertThat(state(dests).schedule(dests, TestFlow.from("10.0.0.1"))).isEqualTo(-1);
        TestDestinations empty = TestDestinations.withWeights().flags(FALLBACK);
        assertThat(state(empty).schedule(empty, TestFlow.from("10.0.0.1"))).isEqualTo(-1);
    }

    @Test
    void shouldMoveClientsWhenAWeightIsEdited() {
        // 0.0.0.1 → bucket 97. Weights 1, 1, 1: 97 mod 3 = 1 → B. After B's weight goes to 2 the
        // cycle is A B B C (length 4): 97 mod 4 = 1 → B still; 0.0.0.2 → 195: before 195 mod 3 = 0 → A,
        // after 195 mod 4 = 3 → C.
        TestDestinations dests = TestDestinations.withWeights(1, 1, 1);
        SchedulerState before = state(dests);
        assertThat(before.schedule(dests, TestFlow.from("0.0.0.2"))).isEqualTo(A);

        dests.weight(B, 2);
        SchedulerState after = sh.newState(dests, before);
        assertThat(after.schedule(dests, TestFlow.from("0.0.0.1"))).isEqualTo(B);
        assertThat(after.schedule(dests, TestFlow.from("0.0.0.2"))).isEqualTo(C);
    }

    @Property
    void shouldMapEveryClientToTheSameServerWhenBuiltTwice(
            @ForAll @Size(min = 1, max = 20) List<@IntRange(min = 0, max = 30) Integer> weights,
            @ForAll int saddr,
            @ForAll @IntRange(max = 65535) int sport,
            @ForAll @IntRange(max = 3) int flagBits) {
        TestDestinations dests = TestDestinations.withWeights(weights.stream().mapToInt(Integer::intValue).toArray())
                .flags(flagBits << 3);
        TestFlow flow = new TestFlow().src(saddr).srcPort(sport);

        int chosen = sh.newState(dests, null).schedule(dests, flow);

        assertThat(sh.newState(dests, null).schedule(dests, flow)).isEqualTo(chosen);
    }

    @Property
    void shouldNeverChooseWeightZeroOrOverloadedServerAndFallBackOnlyWhenAsked(
            @ForAll @Size(min = 1, max = 20) List<@IntRange(min = 0, max = 4) Integer> weights,
            @ForAll @Size(min = 20, max = 20) List<Boolean> overloads,
            @ForAll int saddr,
            @ForAll boolean fallback) {
        TestDestinations dests = TestDestinations.withWeights(weights.stream().mapToInt(Integer::intValue).toArray())
                .flags(fallback ? FALLBACK : 0);
        for (int i = 0; i < weights.size(); i++) {
            dests.overloaded(i, overloads.get(i));
        }
        SourceHashingScheduler.State state = state(dests);
        TestFlow flow = new TestFlow().src(saddr);

        int chosen = state.schedule(dests, flow);

        int owner = state.bucketOwner(SourceHashingScheduler.hash(saddr, 0));
        boolean ownerUsable = dests.weight(owner) > 0 && !dests.overloaded(owner);
        if (ownerUsable || !fallback) {
            assertThat(chosen).isEqualTo(ownerUsable ? owner : -1);
        } else if (chosen >= 0) {
            assertThat(dests.weight(chosen)).isPositive();
            assertThat(dests.overloaded(chosen)).isFalse();
        }
    }
}
