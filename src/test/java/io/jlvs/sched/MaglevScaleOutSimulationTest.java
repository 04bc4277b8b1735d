package io.jlvs.sched;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 11's simulation, no network: 100 directors and 1,000 real servers under mh (the kernel's table of
 * {@value MaglevHashingScheduler#TAB_SIZE} slots, {@code -b mh-port}). How many of 100,000 flows change
 * real server when a director or a real server comes or goes? Printed for BENCHMARKS.md.
 */
class MaglevScaleOutSimulationTest {
    static final int DIRECTORS = 100;
    static final int SERVERS = 1000;
    static final int FLOWS = 100_000;

    /** One director's view: the same servers (same addresses, same order) under its own dest ids. */
    static TestDestinations director(int seed) {
        int[] ids = new int[SERVERS];
        Arrays.setAll(ids, i -> i);
        if (seed != 0) {
            Random r = new Random(seed);
            for (int i = SERVERS - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = ids[i];
                ids[i] = ids[j];
                ids[j] = t;
            }
        }
        int[] weights = new int[SERVERS];
        Arrays.fill(weights, 1);
        TestDestinations d = new TestDestinations(ids, weights).flags(MaglevHashingScheduler.FLAG_PORT);
        for (int i = 0; i < SERVERS; i++) {
            d.server(i, 0xC6130000 + i, 80); // 198.19.0.0/16
        }
        return d;
    }

    static TestFlow[] flows() {
        Random r = new Random(11);
        TestFlow[] f = new TestFlow[FLOWS];
        for (int i = 0; i < FLOWS; i++) {
            f[i] = TestFlow.from("198.18.0.2").src(0xC6120000 | r.nextInt(1 << 16)).srcPort(1024 + r.nextInt(64000))
                    .dst("198.18.22.100").dstPort(80);
        }
        return f;
    }

    /** The server address each flow goes to. */
    static int[] choices(TestDestinations d, TestFlow[] flows) {
        SchedulerState s = new MaglevHashingScheduler().newState(d, null);
        int[] out = new int[flows.length];
        for (int i = 0; i < flows.length; i++) {
            int idx = s.schedule(d, flows[i]);
            out[i] = idx < 0 ? -1 : d.serverIpv4(idx);
        }
        return out;
    }

    static double changed(int[] a, int[] b) {
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            n += a[i] != b[i] ? 1 : 0;
        }
        return (double) n / a.length;
    }

    @Test
    void shouldMoveNoFlowWhenDirectorsComeOrGoAndAboutOneInNWhenARealServerDoes() {
        TestFlow[] flows = flows();
        int[] base = choices(director(0), flows);

        // another director (any of 100) decides as this one: a flow ECMP moves keeps its real server
        double worstDirector = 0;
        for (int d = 1; d < DIRECTORS; d++) {
            worstDirector = Math.max(worstDirector, changed(base, choices(director(d), flows)));
        }

        // a real server removed: its own flows must move; Maglev moves a few others too
        TestDestinations all = director(0);
        int removedAddr = all.serverIpv4(500);
        int[] afterRemove = choices(all.without(all.destId(500)), flows);
        int own = 0;
        int others = 0;
        for (int i = 0; i < FLOWS; i++) {
            if (base[i] == removedAddr) {
                own++;
            } else if (base[i] != afterRemove[i]) {
                others++;
            }
        }
        double removed = changed(base, afterRemove);

        // a real server added
        TestDestinations more = director(0).withAdded(SERVERS, 1).server(0, 0xC613FFFE, 80);
        double added = changed(base, choices(more, flows));

        System.out.printf("mh simulation (%d directors, %d real servers, table %d, %d flows): director change "
                        + "%.4f%% flows moved; real server removed %.3f%% (its own %.3f%%, others %.3f%%); "
                        + "real server added %.3f%% (ideal 1/N = %.3f%%)%n", DIRECTORS, SERVERS,
                MaglevHashingScheduler.TAB_SIZE, FLOWS, 100 * worstDirector, 100 * removed,
                100.0 * own / FLOWS, 100.0 * others / FLOWS, 100 * added, 100.0 / SERVERS);
        assertThat(worstDirector).isZero();
        assertThat(own).isPositive();
        assertThat(removed).isLessThan(0.05);
        assertThat(added).isLessThan(0.05);
    }
}
