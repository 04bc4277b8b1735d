package io.jlvs.sched;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class DestinationHashingSchedulerTest {
    private static final int A = 0;
    private static final int B = 1;
    private static final int C = 2;

    private final Scheduler dh = new DestinationHashingScheduler();

    @Test
    void shouldBeNamedDh() {
        assertThat(dh.name()).isEqualTo("dh");
    }

    @Test
    void shouldDealBucketsRoundTheListIgnoringWeights() {
        // Bucket b belongs to the (b mod n)-th server; weights 5, 1, 2 make no difference.
        TestDestinations dests = TestDestinations.withWeights(5, 1, 2);
        DestinationHashingScheduler.State state = (DestinationHashingScheduler.State) dh.newState(dests, null);

        for (int b = 0; b < DestinationHashingScheduler.TAB_SIZE; b++) {
            assertThat(state.bucketOwner(b)).as("bucket %d", b).isEqualTo(b % 3);
        }
    }

    @Test
    void shouldHashDestinationAddressWithTopBitsOfGoldenRatioProduct() {
        // hash_32(v, 8) = (v * 0x61C88647 mod 2^32) >>> 24:
        //   0.0.0.1       → 0x61C88647 >>> 24 = 97;  97 mod 3 = 1 → B
        //   0.0.0.2       → 0xC3910C8E >>> 24 = 195; 195 mod 3 = 0 → A
        //   192.168.0.100 → 144;                     144 mod 3 = 0 → A
        //   10.0.0.1      → 39;                      39 mod 3 = 0 → A, 39 mod 2 = 1 → B with two servers
        TestDestinations three = TestDestinations.withWeights(1, 1, 1);
        SchedulerState state = dh.newState(three, null);

        assertThat(state.schedule(three, TestFlow.to("0.0.0.1"))).isEqualTo(B);
        assertThat(state.schedule(three, TestFlow.to("0.0.0.2"))).isEqualTo(A);
        assertThat(state.schedule(three, TestFlow.to("192.168.0.100"))).isEqualTo(A);
        assertThat(state.schedule(three, TestFlow.to("10.0.0.1"))).isEqualTo(A);

        TestDestinations two = TestDestinations.withWeights(1, 1);
        assertThat(dh.newState(two, null).schedule(two, TestFlow.to("10.0.0.1"))).isEqualTo(B);
    }

    @Test
    void shouldIgnoreSourceAddressAndPorts() {
        TestDestinations dests = TestDestinations.withWeights(1, 1, 1);
        SchedulerState state = dh.newState(dests, null);

        assertThat(state.schedule(dests, TestFlow.to("0.0.0.1").src("10.9.9.9").srcPort(1))).isEqualTo(B);
        assertThat(state.schedule(dests, TestFlow.to("0.0.0.1").src("172.16.0.1").srcPort(65000))).isEqualTo(B);
    }

    @Test
    void shouldReturnNoneInsteadOfAnotherServerWhenBucketOwnerIsQuiescedOrOverloaded() {
        // 0.0.0.1 → bucket 97 → B. dh has no fallback: B unusable means none, although A and C are fine.
        TestDestinations dests = TestDestinations.withWeights(1, 0, 1);
        SchedulerState state = dh.newState(dests, null);
        assertThat(state.schedule(dests, TestFlow.to("0.0.0.1"))).isEqualTo(-1);

        dests.weight(B, 1).overloaded(B, true);
        assertThat(state.schedule(dests, TestFlow.to("0.0.0.1"))).isEqualTo(-1);

        dests.overloaded(B, false);
        assertThat(state.schedule(dests, TestFlow.to("0.0.0.1"))).isEqualTo(B);
    }

    @Test
    void shouldRedealBucketsWhenServerIsAdded() {
        // D is added at the head: list D, A, B, C; bucket 97 → 97 mod 4 = 1 → A.
        TestDestinations before = TestDestinations.withWeights(1, 1, 1);
        TestDestinations after = before.withAdded(3, 1);
        SchedulerState state = dh.newState(after, dh.newState(before, null));

        assertThat(after.letter(state.schedule(after, TestFlow.to("0.0.0.1")))).isEqualTo('A');
    }

    @Test
    void shouldReturnNoneWhenListIsEmpty() {
        TestDestinations dests = TestDestinations.withWeights();

        assertThat(dh.newState(dests, null).schedule(dests, TestFlow.to("0.0.0.1"))).isEqualTo(-1);
    }

    @Property
    void shouldMapEveryDestinationToTheSameServerWhenBuiltTwice(
            @ForAll @Size(min = 1, max = 20) List<@IntRange(min = 0, max = 5) Integer> weights,
            @ForAll int daddr) {
        TestDestinations dests = TestDestinations.withWeights(weights.stream().mapToInt(Integer::intValue).toArray());
        SchedulerState one = dh.newState(dests, null);
        SchedulerState two = dh.newState(dests, null);
        TestFlow flow = new TestFlow().dst(daddr);

        int chosen = one.schedule(dests, flow);

        assertThat(two.schedule(dests, flow)).isEqualTo(chosen);
        assertThat(one.schedule(dests, flow)).isEqualTo(chosen);
        int owner = DestinationHashingScheduler.bucket(daddr) % weights.size();
        assertThat(chosen).isEqualTo(weights.get(owner) > 0 ? owner : -1);
    }

    @Property
    void shouldNeverChooseWeightZeroOrOverloadedServer(
            @ForAll @Size(min = 1, max = 20) List<@IntRange(min = 0, max = 3) Integer> weights,
            @ForAll @Size(min = 20, max = 20) List<Boolean> overloads,
            @ForAll int daddr) {
        TestDestinations dests = TestDestinations.withWeights(weights.stream().mapToInt(Integer::intValue).toArray());
        for (int i = 0; i < weights.size(); i++) {
            dests.overloaded(i, overloads.get(i));
        }

        int chosen = dh.newState(dests, null).schedule(dests, new TestFlow().dst(daddr));

        if (chosen >= 0) {
            assertThat(dests.weight(chosen)).isPositive();
            assertThat(dests.overloaded(chosen)).isFalse();
        }
    }
}
