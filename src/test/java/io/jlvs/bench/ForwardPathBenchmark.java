package io.jlvs.bench;

import io.jlvs.conn.ConnectionFlags;
import io.jlvs.conn.ConnectionTable;
import io.jlvs.forward.DataplaneConfig;
import io.jlvs.forward.DestRuntime;
import io.jlvs.forward.Forwarder;
import io.jlvs.forward.ServedInterface;
import io.jlvs.forward.ServiceRuntime;
import io.jlvs.packet.TcpView;
import io.jlvs.sched.SchedulerRegistry;
import io.jlvs.stats.WorkerCounters;
import io.jlvs.testkit.PacketBuilder;
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

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

import static io.jlvs.testkit.PacketBuilder.ip;
import static io.jlvs.testkit.PacketBuilder.mac;

/**
 * The per-packet forward path of one worker, without I/O: classify, connection lookup, state
 * machine, counters, rewrite, hand-off to the transmit queue. Run with {@code -prof gc} to show that
 * steady-state forwarding allocates nothing ({@code gc.alloc.rate.norm} ≈ 0 B/op).
 *
 * <p>Each operation first restores the frame from its template (a 74-byte copy), since forwarding
 * rewrites it in place (TTL, MACs, NAT addresses).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ForwardPathBenchmark {
    @Param({"dr", "nat-in", "nat-reply"})
    public String path;

    private Arena arena;
    private ConnectionTable conns;
    private WorkerCounters counters;
    private Forwarder forwarder;
    private MemorySegment template;
    private MemorySegment frame;
    private int frameLength;
    private int inIfindex;
    private long sentBytes;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        conns = new ConnectionTable(1 << 16);
        counters = new WorkerCounters(1024);
        forwarder = new Forwarder(conns, counters, (ifindex, seg, offset, length) -> sentBytes += length, 1024);
        int method = path.equals("dr") ? ConnectionFlags.FWD_DROUTE : ConnectionFlags.FWD_MASQ;
        DestRuntime rs = new DestRuntime(1, ip("198.19.0.11"), 80, method, 1, 0, 0, 3, ip("198.19.0.11"));
        ServiceRuntime svc = new ServiceRuntime(1, 6, ip("198.18.0.100"), 80, 0, SchedulerRegistry.byName("wlc"),
                new DestRuntime[] {rs});
        forwarder.apply(new DataplaneConfig(1, new ServiceRuntime[] {svc}, new DestRuntime[] {null, rs},
                new int[] {ip("198.18.0.100")}, new ServedInterface[] {
                    new ServedInterface(2, "eth0", mac("02:00:c6:12:00:01"), ip("198.18.0.1"), 1500),
                    new ServedInterface(3, "eth1", mac("02:00:c6:13:00:01"), ip("198.19.0.1"), 1500)}));
        long now = 1000;
        run(PacketBuilder.arpReply("02:00:c6:13:00:0b", "198.19.0.11", "02:00:c6:13:00:01", "198.19.0.1")
                .vnetHeader().build(), 3, now);
        // open the connection: client SYN
        run(PacketBuilder.ethernet("02:00:c6:12:00:02", "02:00:c6:12:00:01").vnetHeader()
                .ipv4("198.18.0.2", "198.18.0.100").tcp(40000, 80).flags(TcpView.SYN).build(), 2, now);
        byte[] steady;
        if (path.equals("nat-reply")) {
            steady = PacketBuilder.ethernet("02:00:c6:13:00:0b", "02:00:c6:13:00:01").vnetHeader()
                    .ipv4("198.19.0.11", "198.18.0.2").tcp(80, 40000).flags(TcpView.ACK).payload("HTTP/1.1 200 OK\r\n")
                    .build();
            inIfindex = 3;
        } else {
            steady = PacketBuilder.ethernet("02:00:c6:12:00:02", "02:00:c6:12:00:01").vnetHeader()
                    .ipv4("198.18.0.2", "198.18.0.100").tcp(40000, 80).flags(TcpView.ACK)
                    .payload("GET / HTTP/1.1\r\n").build();
            inIfindex = 2;
        }
        frameLength = steady.length;
        template = arena.allocate(frameLength);
        template.copyFrom(MemorySegment.ofArray(steady));
        frame = arena.allocate(frameLength + 64, 64);
    }

    private void run(byte[] bytes, int ifindex, long nowMs) {
        MemorySegment seg = arena.allocate(bytes.length);
        seg.copyFrom(MemorySegment.ofArray(bytes));
        forwarder.process(seg, 10, bytes.length - 10, bytes.length - 10, ifindex, nowMs);
        forwarder.afterFlush();
    }

    @Benchmark
    public int forward() {
        MemorySegment.copy(template, 0, frame, 0, frameLength);
        return forwarder.process(frame, 10, frameLength - 10, frameLength - 10, inIfindex, 2000);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        forwarder.close();
        conns.close();
        counters.close();
        arena.close();
    }
}
