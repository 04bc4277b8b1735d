package io.jlvs.sched;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Active-active directors behind ECMP (docs/scale-out.md): a flow the routers move to another director
 * continues only if that director picks the same real server. Two directors configured alike build
 * their mh and sh tables independently, with their own dest ids; they must agree on every flow.
 */
class HashingAgreementTest {
    static final int[] WEIGHTS = {1, 1, 2, 1, 3};

    /** A director's view of the same five real servers, under its own dest ids. */
    static TestDestinations director(int... destIds) {
        TestDestinations d = new TestDestinations(destIds, WEIGHTS.clone());
        for (int i = 0; i < destIds.length; i++) {
            d.server(i, TestFlow.ip("198.19.0." + (11 + i)), 80);
        }
        return d;
    }

    void assertAgree(Scheduler scheduler) {
        TestDestinations a = director(0, 1, 2, 3, 4);
        TestDestinations b = director(17, 3, 40, 8, 2);
        SchedulerState onA = scheduler.newState(a, null);
        SchedulerState onB = scheduler.newState(b, null);
        Random random = new Random(42);
        int[] perServer = new int[WEIGHTS.length];
        for (int f = 0; f < 20_000; f++) {
            TestFlow flow = TestFlow.from("198.18.0.2").src(random.nextInt()).srcPort(1024 + random.nextInt(64000))
                    .dst("198.18.2.100").dstPort(80);
            int i = onA.schedule(a, flow);
            assertThat(onB.schedule(b, flow)).as("flow %d", f).isEqualTo(i);
            perServer[i]++;
        }
        assertThat(java.util.Arrays.stream(perServer).min().getAsInt()).as("every server gets flows").isPositive();
    }

    @Test
    void shouldPickSameRealServerOnEveryDirectorWhenMaglevHashing() {
        assertAgree(new MaglevHashingScheduler());
    }

    @Test
    void shouldPickSameRealServerOnEveryDirectorWhenSourceHashing() {
        assertAgree(new SourceHashingScheduler());
    }
}
