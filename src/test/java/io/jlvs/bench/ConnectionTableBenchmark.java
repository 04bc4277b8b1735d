package io.jlvs.bench;

import io.jlvs.conn.ConnectionFlags;
import io.jlvs.conn.ConnectionTable;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The connection table at the sizes a busy director holds (1 and 10 million IPv4 flows): an inbound
 * lookup that hits (a random live flow, so the records are mostly out of cache as on a real director),
 * one that misses (a new flow's first packet), and an insert followed by its removal (a connection's
 * birth and death, the table staying full). Run with {@code -prof gc}: none of them allocates.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
public class ConnectionTableBenchmark {
    private static final int VIP = 0xC6120064;      // 198.18.0.100
    private static final int RS = 0xC613000B;       // 198.19.0.11
    private static final int PROBES = 1 << 20;

    @Param({"1000000", "10000000"})
    public int flows;

    private ConnectionTable table;
    private int[] probeClient;
    private int[] probePort;
    private int next;
    private int freshPort = 1024;

    @Setup(Level.Trial)
    public void fill() {
        table = new ConnectionTable(flows + 1);
        for (int i = 0; i < flows; i++) {
            if (table.create(6, client(i), port(i), VIP, 80, RS, 80, ConnectionFlags.FWD_DROUTE, 2, 0x0200C6120002L,
                    1, 1, 0) < 0) {
                throw new IllegalStateException("table full at " + i);
            }
        }
        SplittableRandom random = new SplittableRandom(42);
        probeClient = new int[PROBES];
        probePort = new int[PROBES];
        for (int k = 0; k < PROBES; k++) {
            int i = random.nextInt(flows);
            probeClient[k] = client(i);
            probePort[k] = port(i);
        }
    }

    /** Flow i: clients 198.18.0.0/15 upwards, 64,000 source ports each. */
    private static int client(int i) {
        return 0xC6120000 + i / 64_000;
    }

    private static int port(int i) {
        return 1024 + i % 64_000;
    }

    @Benchmark
    public int lookupHit() {
        int k = next++ & (PROBES - 1);
        return table.lookupIn(6, probeClient[k], probePort[k], VIP, 80);
    }

    @Benchmark
    public int lookupMiss() {
        int k = next++ & (PROBES - 1);
        return table.lookupIn(6, probeClient[k], probePort[k], VIP, 81); // same client, another service port
    }

    @Benchmark
    public int insertThenRemove() {
        int k = next++ & (PROBES - 1);
        int port = freshPort = freshPort == 65535 ? 1024 : freshPort + 1;
        int slot = table.create(17, probeClient[k], port, VIP, 53, RS, 53, ConnectionFlags.FWD_DROUTE, 2,
                0x0200C6120002L, 1, 1, 0);
        table.remove(slot);
        return slot;
    }

    @TearDown(Level.Trial)
    public void close() {
        table.close();
    }
}
