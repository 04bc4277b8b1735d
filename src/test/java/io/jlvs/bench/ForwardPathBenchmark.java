package io.jlvs.bench;

import io.jlvs.conn.ConnectionFlags;
import io.jlvs.conn.ConnectionTable;
import io.jlvs.forward.DataplaneConfig;
import io.jlvs.forward.DestRuntime;
import io.jlvs.forward.Forwarder;
import io.jlvs.forward.ServedInterface;
import io.jlvs.forward.ServiceRuntime;
import io.jlvs.forward.TunnelXmit;
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
 * steady-state forwarding allocates nothing ({@code gc.alloc.rate.norm} ≈ 0 B/op) on every path:
 * DR, NAT both ways, TUN (IPIP, header written into the headroom), FULLNAT both ways, an ICMP error
 * from a NAT real server translated back to the client, and a whole connection's life on DR
 * ({@code dr-new-conn}: a SYN scheduled into a new entry, then a RST; the next SYN reuses the closed
 * entry as IPVS does, so each operation is two frames and one scheduling decision). With the SYN proxy:
 * {@code nat-in-synproxy} and {@code nat-reply-synproxy} on a connection the proxy opened (sequence
 * numbers shifted both ways), and {@code synproxy-syn}: a SYN answered with a cookie SYN-ACK (a flood's
 * cost per SYN).
 *
 * <p>Each operation first restores the frame from its template (a copy of under 100 bytes), since
 * forwarding rewrites it in place (TTL, MACs, addresses), at 64 bytes of headroom as the rings give.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ForwardPathBenchmark {
    private static final java.lang.foreign.ValueLayout.OfShort U16 =
            java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);
    private static final int HEADROOM = 64;
    private static final int VNET = 10;
    private static final String CL_MAC = "02:00:c6:12:00:02";
    private static final java.lang.foreign.ValueLayout.OfInt U32 =
            java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);
    private static final String LB_CMAC = "02:00:c6:12:00:01";
    private static final String LB_SMAC = "02:00:c6:13:00:01";
    private static final String RS_MAC = "02:00:c6:13:00:0b";
    private static final String CL = "198.18.0.2";
    private static final String VIP = "198.18.0.100";
    private static final String RS = "198.19.0.11";
    private static final String LADDR = "198.19.0.100";

    @Param({"dr", "nat-in", "nat-reply", "tun-ipip", "fullnat-in", "fullnat-reply", "icmp-nat-reply", "dr-new-conn",
            "nat-in-synproxy", "nat-reply-synproxy", "synproxy-syn"})
    public String path;

    private Arena arena;
    private ConnectionTable conns;
    private WorkerCounters counters;
    private Forwarder forwarder;
    private MemorySegment template;
    private MemorySegment secondTemplate;
    private MemorySegment frame;
    private int frameLength;
    private int secondLength;
    private int inIfindex;
    private long sentBytes;
    private int lastSentSrcPort;
    private int lastSentSeq;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        conns = new ConnectionTable(1 << 16);
        counters = new WorkerCounters(1024);
        forwarder = new Forwarder(conns, counters, (ifindex, seg, offset, length) -> {
            sentBytes += length;
            lastSentSrcPort = Short.toUnsignedInt(seg.get(U16, offset + VNET + 14 + 20));
            lastSentSeq = seg.get(U32, offset + VNET + 14 + 20 + 4);
        }, 1024);
        boolean proxied = path.contains("synproxy");
        if (proxied) {
            forwarder.synProxy().mode(io.jlvs.forward.SynProxy.Mode.ALWAYS);
        }
        int method = switch (path) {
            case "dr", "dr-new-conn" -> ConnectionFlags.FWD_DROUTE;
            case "tun-ipip" -> ConnectionFlags.FWD_TUNNEL;
            case "fullnat-in", "fullnat-reply" -> ConnectionFlags.FWD_FULLNAT;
            default -> ConnectionFlags.FWD_MASQ;
        };
        DestRuntime rs = method == ConnectionFlags.FWD_TUNNEL
                ? new DestRuntime(1, ip(RS), 80, method, 1, 0, 0, 3, ip(RS), TunnelXmit.TYPE_IPIP, 0, 0)
                : new DestRuntime(1, ip(RS), 80, method, 1, 0, 0, 3, ip(RS));
        ServiceRuntime svc = method == ConnectionFlags.FWD_FULLNAT
                ? new ServiceRuntime(1, 6, ip(VIP), 80, 0, 0, 0, -1, SchedulerRegistry.byName("wlc"),
                        new DestRuntime[] {rs}, new int[] {ip(LADDR)})
                : new ServiceRuntime(1, 6, ip(VIP), 80, 0, SchedulerRegistry.byName("wlc"), new DestRuntime[] {rs});
        forwarder.apply(new DataplaneConfig(1, new ServiceRuntime[] {svc}, new DestRuntime[] {null, rs},
                new int[] {ip(VIP)}, new ServedInterface[] {
                    new ServedInterface(2, "eth0", mac(LB_CMAC), ip("198.18.0.1"), 1500),
                    new ServedInterface(3, "eth1", mac(LB_SMAC), ip("198.19.0.1"), 1500)}));
        long now = 1000;
        run(PacketBuilder.arpReply(RS_MAC, RS, LB_SMAC, "198.19.0.1").vnetHeader().build(), 3, now);
        // open the connection: client SYN (FULLNAT: the real server's SYN-ACK and the client's ACK too)
        run(clientToVip(TcpView.SYN).seq(999).build(), 2, now);
        int lport = lastSentSrcPort;
        int shift = 0;
        if (proxied) {
            // the SYN proxy answered with a cookie: the client's ACK opens the real server's side, which answers
            int cookie = lastSentSeq;
            run(clientToVip(TcpView.ACK).seq(1000).ack(cookie + 1).build(), 2, now);
            run(PacketBuilder.ethernet(RS_MAC, LB_SMAC).vnetHeader().ipv4(RS, CL).tcp(80, 40000)
                    .flags(TcpView.SYN | TcpView.ACK).seq(777_000_000).ack(1000).build(), 3, now);
            shift = 777_000_000 - cookie;
        }
        if (method == ConnectionFlags.FWD_FULLNAT) {
            run(PacketBuilder.ethernet(RS_MAC, LB_SMAC).vnetHeader().ipv4(RS, LADDR).tcp(80, lport)
                    .flags(TcpView.SYN | TcpView.ACK).build(), 3, now);
            run(clientToVip(TcpView.ACK).build(), 2, now);
        }
        byte[] steady;
        byte[] second = null;
        inIfindex = 2;
        switch (path) {
            case "nat-reply" -> {
                steady = PacketBuilder.ethernet(RS_MAC, LB_SMAC).vnetHeader().ipv4(RS, CL).tcp(80, 40000)
                        .flags(TcpView.ACK).payload("HTTP/1.1 200 OK\r\n").build();
                inIfindex = 3;
            }
            case "fullnat-reply" -> {
                steady = PacketBuilder.ethernet(RS_MAC, LB_SMAC).vnetHeader().ipv4(RS, LADDR).tcp(80, lport)
                        .flags(TcpView.ACK).payload("HTTP/1.1 200 OK\r\n").build();
                inIfindex = 3;
            }
            case "icmp-nat-reply" -> {
                // the real server's "port unreachable" quoting the segment as it received it (client → RS)
                byte[] quoted = PacketBuilder.ethernet(CL_MAC, LB_CMAC).ipv4(CL, RS).ttl(63).tcp(40000, 80)
                        .flags(TcpView.ACK).build();
                steady = PacketBuilder.ethernet(RS_MAC, LB_SMAC).vnetHeader().ipv4(RS, CL).ttl(64)
                        .icmp(3, 3, 0).payload(java.util.Arrays.copyOfRange(quoted, 14, 14 + 28)).build();
                inIfindex = 3;
            }
            case "nat-in-synproxy" -> steady = clientToVip(TcpView.ACK).seq(1000).ack(777_000_001 - shift)
                    .payload("GET / HTTP/1.1\r\n").build();
            case "nat-reply-synproxy" -> {
                steady = PacketBuilder.ethernet(RS_MAC, LB_SMAC).vnetHeader().ipv4(RS, CL).tcp(80, 40000)
                        .flags(TcpView.ACK).seq(777_000_001).ack(1017).payload("HTTP/1.1 200 OK\r\n").build();
                inIfindex = 3;
            }
            case "synproxy-syn" -> steady = clientToVip(TcpView.SYN, 40002).seq(5)
                    .tcpOptions(new byte[] {2, 4, 5, (byte) 0xb4, 1, 1, 4, 2, 1, 3, 3, 7}).build();
            case "dr-new-conn" -> {
                steady = clientToVip(TcpView.SYN, 40001).build();
                second = clientToVip(TcpView.RST, 40001).build();
            }
            default -> steady = clientToVip(TcpView.ACK).payload("GET / HTTP/1.1\r\n").build();
        }
        frameLength = steady.length;
        template = copy(steady);
        if (second != null) {
            secondLength = second.length;
            secondTemplate = copy(second);
        }
        frame = arena.allocate(HEADROOM + Math.max(frameLength, secondLength) + 64, 64);
        int expected = path.equals("synproxy-syn") ? Forwarder.ANSWERED
                : secondTemplate == null ? Forwarder.FORWARDED : 2 * Forwarder.FORWARDED;
        long before = sentBytes;
        if (forward() != expected || sentBytes == before) {
            throw new IllegalStateException("forward path " + path + " does not forward: fix the benchmark's frames");
        }
    }

    private static PacketBuilder clientToVip(int tcpFlags) {
        return clientToVip(tcpFlags, 40000);
    }

    private static PacketBuilder clientToVip(int tcpFlags, int clientPort) {
        return PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4(CL, VIP).tcp(clientPort, 80).flags(tcpFlags);
    }

    private MemorySegment copy(byte[] bytes) {
        MemorySegment seg = arena.allocate(bytes.length);
        seg.copyFrom(MemorySegment.ofArray(bytes));
        return seg;
    }

    private void run(byte[] bytes, int ifindex, long nowMs) {
        MemorySegment seg = arena.allocate(HEADROOM + bytes.length);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, seg, HEADROOM, bytes.length);
        forwarder.process(seg, HEADROOM + VNET, bytes.length - VNET, bytes.length - VNET, ifindex, nowMs);
        forwarder.afterFlush();
    }

    @Benchmark
    public int forward() {
        MemorySegment.copy(template, 0, frame, HEADROOM, frameLength);
        int verdict = forwarder.process(frame, HEADROOM + VNET, frameLength - VNET, frameLength - VNET, inIfindex, 2000);
        if (secondTemplate != null) {
            MemorySegment.copy(secondTemplate, 0, frame, HEADROOM, secondLength);
            verdict += forwarder.process(frame, HEADROOM + VNET, secondLength - VNET, secondLength - VNET, inIfindex,
                    2000);
        }
        forwarder.afterFlush();
        return verdict;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        forwarder.close();
        conns.close();
        counters.close();
        arena.close();
    }
}
