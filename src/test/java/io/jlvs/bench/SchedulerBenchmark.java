package io.jlvs.bench;

import io.jlvs.sched.DestinationView;
import io.jlvs.sched.FlowView;
import io.jlvs.sched.SchedulerRegistry;
import io.jlvs.sched.SchedulerState;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One scheduling decision of every scheduler, at 10, 100 and 1000 real servers; run with {@code
 * bench/jmh.sh SchedulerBenchmark} ({@code -prof gc} shows {@code gc.alloc.rate.norm} ≈ 0 B/op).
 *
 * <p>{@link #decide}: a decision for a new connection plus the counter changes that follow it in the
 * data plane: the chosen server gains an active connection, and elsewhere (round the list) one active
 * connection closes into an inactive one and one inactive entry expires, so loads keep moving as in a
 * running service. With {@code name:indexed} the view {@link DestinationView#notifiesChanges notifies
 * changes}, so the least-load schedulers keep their tournament tree and each of those changes is
 * reported to the state (its cost is part of the operation); plain names scan the list as the kernel
 * does. {@link #decideOnly}: the decision alone, counters left as they are. Clients vary per operation (1024 source addresses and ports, 64 destination addresses, so
 * lblc/lblcr mostly hit their table); the clock advances 1 ms per operation. Weights are 1..100,
 * counters start random, one server in 50 is overloaded; the view is a flat array, so the figures are
 * the schedulers' own cost, not the forwarder's view.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SchedulerBenchmark {
    @Param({"rr", "wrr", "lc", "lc:indexed", "wlc", "wlc:indexed", "lblc", "lblc:indexed", "lblcr",
        "lblcr:indexed", "dh", "sh", "sed", "sed:indexed", "nq", "nq:indexed", "fo", "fo:indexed", "ovf",
        "ovf:indexed", "mh", "twos", "twos:indexed"})
    public String name;

    @Param({"10", "100", "1000"})
    public int servers;

    private static final int CLIENTS = 1024;
    private static final int DESTINATIONS = 64;

    private Dests dests;
    private final Flow flow = new Flow();
    private SchedulerState state;
    private final int[] clientAddrs = new int[CLIENTS];
    private final int[] clientPorts = new int[CLIENTS];
    private final int[] destAddrs = new int[DESTINATIONS];
    private int next;
    private int closer;

    @Setup(Level.Trial)
    public void setUp() {
        int colon = name.indexOf(':');
        String scheduler = colon < 0 ? name : name.substring(0, colon);
        SplittableRandom random = new SplittableRandom(20260401);
        dests = new Dests(servers, colon >= 0, random);
        for (int k = 0; k < CLIENTS; k++) {
            clientAddrs[k] = random.nextInt();
            clientPorts[k] = 1024 + random.nextInt(64512);
        }
        for (int k = 0; k < DESTINATIONS; k++) {
            destAddrs[k] = 0xcb007100 + k;
        }
        state = SchedulerRegistry.byName(scheduler).newState(dests, null);
        if (dests.notifying) {
            dests.state = state;
        }
    }

    @Benchmark
    public int decide() {
        int k = next++;
        flow.src = clientAddrs[k & (CLIENTS - 1)];
        flow.srcPort = clientPorts[k & (CLIENTS - 1)];
        flow.dst = destAddrs[k & (DESTINATIONS - 1)];
        flow.nowMs++;
        int chosen = state.schedule(dests, flow);
        if (chosen >= 0) {
            dests.active[chosen]++;
            dests.changed(chosen);
        }
        int c = closer;
        closer = c + 1 == servers ? 0 : c + 1;
        if (dests.active[c] > 0) {
            dests.active[c]--;
            dests.inactive[c]++;
        }
        if (dests.inactive[c] > 0) {
            dests.inactive[c]--;
        }
        dests.changed(c);
        return chosen;
    }

    @Benchmark
    public int decideOnly() {
        int k = next++;
        flow.src = clientAddrs[k & (CLIENTS - 1)];
        flow.srcPort = clientPorts[k & (CLIENTS - 1)];
        flow.dst = destAddrs[k & (DESTINATIONS - 1)];
        flow.nowMs++;
        return state.schedule(dests, flow);
    }

    /** Real servers in flat arrays, as a worker's published snapshot plus its counters. */
    static final class Dests implements DestinationView {
        final int count;
        final boolean notifying;
        final int[] weight;
        final int[] active;
        final int[] inactive;
        final boolean[] overloaded;
        final int[] addr;
        SchedulerState state;

        Dests(int count, boolean notifying, SplittableRandom random) {
            this.count = count;
            this.notifying = notifying;
            weight = new int[count];
            active = new int[count];
            inactive = new int[count];
            overloaded = new boolean[count];
            addr = new int[count];
            for (int i = 0; i < count; i++) {
                weight[i] = 1 + random.nextInt(100);
                active[i] = random.nextInt(50);
                inactive[i] = random.nextInt(500);
                overloaded[i] = random.nextInt(50) == 0;
                addr[i] = 0xc6130000 + i + 1;
            }
        }

        void changed(int i) {
            if (state != null) {
                state.destChanged(this, i);
            }
        }

        @Override
        public int count() {
            return count;
        }

        @Override
        public int destId(int i) {
            return i;
        }

        @Override
        public int weight(int i) {
            return weight[i];
        }

        @Override
        public boolean overloaded(int i) {
            return overloaded[i];
        }

        @Override
        public int activeConns(int i) {
            return active[i];
        }

        @Override
        public int inactiveConns(int i) {
            return inactive[i];
        }

        @Override
        public int serverIpv4(int i) {
            return addr[i];
        }

        @Override
        public int serverPort(int i) {
            return 80;
        }

        @Override
        public boolean notifiesChanges() {
            return notifying;
        }
    }

    /** The flow being scheduled. */
    static final class Flow implements FlowView {
        int src;
        int dst;
        int srcPort;
        long nowMs;

        @Override
        public int srcIpv4() {
            return src;
        }

        @Override
        public int dstIpv4() {
            return dst;
        }

        @Override
        public int srcPort() {
            return srcPort;
        }

        @Override
        public int dstPort() {
            return 80;
        }

        @Override
        public long nowMs() {
            return nowMs;
        }
    }
}
