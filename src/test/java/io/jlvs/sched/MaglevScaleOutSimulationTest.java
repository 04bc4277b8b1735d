package io.jlvs.sched;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scale-out without a network (issue 11): 100 directors behind ECMP, 1,000 real servers, {@code mh}. Every
 * director builds its table from the same real-server list, so a flow that ECMP moves to another director
 * meets the same choice; this simulation measures what changes when a director or a real server comes or
 * goes, against what Maglev (Eisenbud et al., NSDI 2016) reports: a removed backend's flows move and few
 * others do. The figures printed here are recorded in BENCHMARKS.md.
 */
class MaglevScaleOutSimulationTest {
    private static final int DIRECTORS = 100;
    private static final int SERVERS = 1000;
    private static final int FLOWS = 200_000;

    private final Scheduler mh = new MaglevHashingScheduler();

    @Test
    void shouldMoveOnlyAboutOneNthOfFlowsWhenDirectorsOrRealServersComeAndGo() {
        int[] weights = new int[SERVERS];
        Arrays.fill(weights, 1);
        TestDestinations servers = TestDestinations.withWeights(weights);
        int[] clients = new int[FLOWS];
        SplittableRandom random = new SplittableRandom(11);
        for (int f = 0; f < FLOWS; f++) {
            clients[f] = 0xC6120000 + random.nextInt(1 << 17); // 198.18.0.0/15
        }

        // every director builds its own state from the same list: one mapping for all of them
        int[] reference = map(mh.newState(servers, null), servers, clients);
        int differing = 0;
        for (int d = 1; d < DIRECTORS; d++) {
            int[] other = map(mh.newState(servers, null), servers, clients);
            differing += changed(reference, other);
        }
        System.out.printf("mh simulation: %d directors, %d real servers, %d flows: flows mapped differently by "
                + "another director: %d%n", DIRECTORS, SERVERS, FLOWS, differing);
        assertThat(differing).as("a director joining or leaving ECMP moves no flow to another real server").isZero();

        // one real server removed: its flows must move; how many others move is mh's disruption
        SchedulerState before = mh.newState(servers, null);
        int gone = 500;
        TestDestinations fewer = servers.without(gone);
        int[] after = map(mh.newState(fewer, before), fewer, clients);
        int onGone = 0;
        int othersMoved = 0;
        for (int f = 0; f < FLOWS; f++) {
            if (reference[f] == gone) {
                onGone++;
            } else if (after[f] != reference[f]) {
                othersMoved++;
            }
        }
        double removedShare = 100.0 * (onGone + othersMoved) / FLOWS;
        System.out.printf("mh simulation: one of %d real servers removed: %.3f%% of flows change server "
                + "(ideal %.3f%%: the removed server's %d flows; %d others moved)%n", SERVERS, removedShare,
                100.0 / SERVERS, onGone, othersMoved);
        for (int f = 0; f < FLOWS; f++) {
            assertThat(after[f]).isNotEqualTo(gone);
        }

        // one real server added
        TestDestinations more = servers.withAdded(SERVERS, 1);
        int[] added = map(mh.newState(more, before), more, clients);
        int toNew = 0;
        int otherwise = 0;
        for (int f = 0; f < FLOWS; f++) {
            if (added[f] == SERVERS) {
                toNew++;
            } else if (added[f] != reference[f]) {
                otherwise++;
            }
        }
        double addedShare = 100.0 * (toNew + otherwise) / FLOWS;
        System.out.printf("mh simulation: one real server added to %d: %.3f%% of flows change server (ideal "
                + "%.3f%%: %d to the new one, %d between old ones)%n", SERVERS, addedShare, 100.0 / (SERVERS + 1),
                toNew, otherwise);

        // with a 4,093-slot table (the kernel's default) each of 1,000 servers holds about 4 slots: the
        // disruption is a few times the ideal 0.1 %, as Maglev reports for small tables
        assertThat(removedShare).isLessThan(2.0);
        assertThat(addedShare).isLessThan(2.0);
    }

    /** Real-server destId chosen for each client (source-address hashing). */
    private static int[] map(SchedulerState state, TestDestinations dests, int[] clients) {
        int[] out = new int[clients.length];
        TestFlow flow = new TestFlow();
        for (int f = 0; f < clients.length; f++) {
            int i = state.schedule(dests, flow.src(clients[f]));
            out[f] = i < 0 ? -1 : dests.destId(i);
        }
        return out;
    }

    private static int changed(int[] a, int[] b) {
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                n++;
            }
        }
        return n;
    }
}
