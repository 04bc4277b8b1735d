package io.jlvs.sched;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.Supplier;

/**
 * Runs a scanning state and an indexed state (built from a view that notifies changes) of the same
 * scheduler through one history of decisions, connection changes, overload flips, weight edits and
 * clock steps, and checks they choose alike at every decision. The scan is the direct transcription
 * of the kernel's loop, so this shows the tournament trees keep the kernel's order and tie-breaks.
 */
final class ScanIndexAgreement {
    private ScanIndexAgreement() {}

    /**
     * @param schedulers makes a fresh scheduler for each side (twos: same seed for both)
     * @param weights    the list's initial weights
     * @param events     codes: low 3 bits the kind, the rest picks server, address or amount
     */
    static void check(Supplier<Scheduler> schedulers, int[] weights, List<Integer> events) {
        TestDestinations dests = TestDestinations.withWeights(weights);
        int n = weights.length;
        Scheduler scanning = schedulers.get();
        Scheduler indexing = schedulers.get();
        SchedulerState scan = scanning.newState(dests, null);
        dests.notifying(true);
        SchedulerState indexed = indexing.newState(dests, null);
        dests.listen(indexed);
        TestFlow flow = new TestFlow();
        long nowMs = 1_000;
        int step = 0;
        for (int code : events) {
            int i = (code >>> 3) % n;
            switch (code & 7) {
                case 0, 1, 2 -> {
                    flow.dst(0x0a000000 + (code >>> 3) % 5).src(0x0b000000 + (code >>> 3) % 7).nowMs(nowMs);
                    dests.notifying(false);
                    int a = scan.schedule(dests, flow);
                    dests.notifying(true);
                    int b = indexed.schedule(dests, flow);
                    assertThat(b).as("decision at step %d", step).isEqualTo(a);
                    if (a >= 0) {
                        dests.bind(a);
                    }
                }
                case 3 -> {
                    if (dests.activeConns(i) > 0) {
                        dests.conns(i, dests.activeConns(i) - 1, dests.inactiveConns(i) + 1);
                    }
                }
                case 4 -> {
                    if (dests.inactiveConns(i) > 0) {
                        dests.conns(i, dests.activeConns(i), dests.inactiveConns(i) - 1);
                    }
                }
                case 5 -> dests.overloaded(i, !dests.overloaded(i));
                case 6 -> {
                    dests.weight(i, (code >>> 6) % 5);
                    dests.notifying(false);
                    scan = scanning.newState(dests, scan);
                    dests.notifying(true);
                    indexed = indexing.newState(dests, indexed);
                    dests.clearListeners().listen(indexed);
                }
                default -> nowMs += (code >>> 3) % 2 == 0 ? 1_000 : 3_700_000;
            }
            step++;
        }
    }
}
