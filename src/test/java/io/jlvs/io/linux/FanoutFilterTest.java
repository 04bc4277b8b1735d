package io.jlvs.io.linux;

import io.jlvs.packet.TcpView;
import io.jlvs.testkit.PacketBuilder;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;

import static io.jlvs.testkit.PacketBuilder.ip;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the generated fanout program with {@link SocketFilterTest}'s classic-BPF interpreter: every frame
 * of a flow, in both directions, must come out with the same worker index, and that index must be the
 * one {@link FanoutFilter#workerFor} computes (the sync daemon routes installs by it).
 */
class FanoutFilterTest {
    static final String CLIENT_MAC = "02:00:c6:12:00:02";
    static final String LB_MAC = "02:00:c6:12:00:01";
    static final String VIP = "198.18.0.100";
    static final String RIP = "198.19.0.11";
    static final String LADDR = "198.19.0.1";
    static final int PORT_LOW = 1024;

    final Arena arena = Arena.ofConfined();

    final List<SocketFilter.Match> services = List.of(
            new SocketFilter.Match(false, ip(VIP), 6, 80),
            new SocketFilter.Match(false, ip(VIP), 17, 53),
            new SocketFilter.Match(false, ip(VIP), -1, 1, 0, 65535));
    final List<SocketFilter.Match> reals = List.of(
            new SocketFilter.Match(true, ip(RIP), 6, 8080),
            new SocketFilter.Match(true, ip(RIP), 17, 53),
            new SocketFilter.Match(true, ip(RIP), -1, 1, 0, 65535));
    final List<SocketFilter.Match> locals = List.of(
            new SocketFilter.Match(false, ip(LADDR), -1, 6, 1024, 65535));

    MemorySegment program(FanoutFilter.Key key, int workers) {
        return FanoutFilter.build(services, reals, locals, key, PORT_LOW, (65536 - PORT_LOW) / workers, arena);
    }

    /** The member the kernel picks: the program's value modulo the group's size. */
    static int worker(MemorySegment prog, byte[] frame, int workers) {
        return Integer.remainderUnsigned(SocketFilterTest.run(prog, frame, SocketFilterTest.HOST), workers);
    }

    static byte[] tcp(String src, String dst, int sport, int dport) {
        return PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).ipv4(src, dst).tcp(sport, dport).flags(TcpView.ACK).build();
    }

    static byte[] udp(String src, String dst, int sport, int dport) {
        return PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).ipv4(src, dst).udp(sport, dport).payload("q").build();
    }

    /** An ICMP destination-unreachable from {@code src} to {@code dst} quoting {@code quoted} (an Ethernet frame). */
    static byte[] icmpError(String src, String dst, byte[] quoted) {
        return PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).ipv4(src, dst)
                .icmp(3, 4, 1400).payload(Arrays.copyOfRange(quoted, 14, Math.min(quoted.length, 14 + 28))).build();
    }

    @Test
    void shouldSendBothDirectionsOfANatFlowToTheWorkerTheJavaHashNames() {
        for (int workers : new int[] {2, 3, 4}) {
            MemorySegment prog = program(FanoutFilter.Key.ADDRESS_AND_TCP_PORT, workers);
            for (int i = 0; i < 300; i++) {
                String client = "198.18.0." + (2 + i % 200);
                int port = 20000 + i * 7;
                int in = worker(prog, tcp(client, VIP, port, 80), workers);
                int out = worker(prog, tcp(RIP, client, 8080, port), workers);
                assertThat(out).as("reply of %s:%d, %d workers", client, port, workers).isEqualTo(in);
                assertThat(in).isEqualTo(FanoutFilter.workerFor(FanoutFilter.Key.ADDRESS_AND_TCP_PORT, true,
                        ip(client), port, workers));
            }
        }
    }

    @Test
    void shouldSpreadOneClientsTcpConnectionsOverAllWorkersWhenPortsAreHashed() {
        MemorySegment prog = program(FanoutFilter.Key.ADDRESS_AND_TCP_PORT, 2);
        int[] perWorker = new int[2];
        for (int port = 30000; port < 32000; port++) {
            perWorker[worker(prog, tcp("198.18.0.2", VIP, port, 80), 2)]++;
        }
        assertThat(perWorker[0]).isBetween(800, 1200);
        assertThat(perWorker[1]).isBetween(800, 1200);
    }

    @Test
    void shouldKeepUdpAndEveryFragmentOfAClientOnTheWorkerOfItsAddress() {
        MemorySegment prog = program(FanoutFilter.Key.ADDRESS_AND_TCP_PORT, 4);
        for (int i = 0; i < 50; i++) {
            String client = "198.18.1." + (1 + i);
            int byAddress = FanoutFilter.workerFor(FanoutFilter.Key.ADDRESS_AND_TCP_PORT, false, ip(client), 0, 4);
            assertThat(worker(prog, udp(client, VIP, 4000 + i, 53), 4)).isEqualTo(byAddress);
            assertThat(worker(prog, udp(client, VIP, 9000 + i, 53), 4)).isEqualTo(byAddress);
            assertThat(worker(prog, udp(RIP, client, 53, 4000 + i), 4)).as("NAT reply").isEqualTo(byAddress);
            byte[] first = PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).ipv4(client, VIP).id(7).mf(true)
                    .udp(4000 + i, 53).payload("0123456789abcdef").build();
            byte[] later = PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).ipv4(client, VIP).id(7).fragmentOffset(3)
                    .protocol(17).payload("abcdefgh").build();
            byte[] laterTcp = PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).ipv4(client, VIP).id(8).fragmentOffset(3)
                    .protocol(6).payload("abcdefgh").build();
            byte[] firstTcp = PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).ipv4(client, VIP).id(8).mf(true)
                    .tcp(4000 + i, 80).build();
            assertThat(worker(prog, first, 4)).isEqualTo(byAddress);
            assertThat(worker(prog, later, 4)).isEqualTo(byAddress);
            assertThat(worker(prog, firstTcp, 4)).as("a fragmented TCP segment: by address").isEqualTo(byAddress);
            assertThat(worker(prog, laterTcp, 4)).isEqualTo(byAddress);
            byte[] laterReply = PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).ipv4(RIP, client).id(9).fragmentOffset(3)
                    .protocol(17).payload("abcdefgh").build();
            assertThat(worker(prog, laterReply, 4)).as("a later fragment of a NAT reply").isEqualTo(byAddress);
        }
    }

    @Test
    void shouldSteerFullNatRepliesByTheirLocalPortsRange() {
        int workers = 3;
        int per = (65536 - PORT_LOW) / workers;
        MemorySegment prog = program(FanoutFilter.Key.ADDRESS_AND_TCP_PORT, workers);
        for (int w = 0; w < workers; w++) {
            for (int port : new int[] {PORT_LOW + w * per, PORT_LOW + w * per + per / 2, PORT_LOW + (w + 1) * per - 1}) {
                assertThat(worker(prog, tcp(RIP, LADDR, 8080, port), workers)).as("lport %d", port).isEqualTo(w);
                assertThat(FanoutFilter.workerForLocalPort(port, PORT_LOW, per, workers)).isEqualTo(w);
            }
        }
    }

    @Test
    void shouldSteerIcmpErrorsToTheWorkerOfTheFlowTheyQuote() {
        MemorySegment prog = program(FanoutFilter.Key.ADDRESS_AND_TCP_PORT, 2);
        for (int i = 0; i < 100; i++) {
            String client = "198.18.2." + (1 + i);
            int port = 40000 + 13 * i;
            int owner = worker(prog, tcp(client, VIP, port, 80), 2);
            // a router near the client rejects the director's reply VIP:80 → client
            byte[] toVip = icmpError("198.18.0.254", VIP, tcp(VIP, client, 80, port));
            assertThat(worker(prog, toVip, 2)).as("ICMP to the VIP for %s:%d", client, port).isEqualTo(owner);
            // a NAT real server rejects client → RIP:8080
            byte[] fromReal = icmpError(RIP, client, tcp(client, RIP, port, 8080));
            assertThat(worker(prog, fromReal, 2)).as("ICMP from the real server").isEqualTo(owner);
        }
    }

    @Test
    void shouldKeepAPersistentClientNetworkOnOneWorkerWhenTheKeyIsItsNetmask() {
        FanoutFilter.Key key = new FanoutFilter.Key(ip("255.255.255.0"), false);
        MemorySegment prog = program(key, 4);
        int first = worker(prog, tcp("198.18.3.1", VIP, 1111, 80), 4);
        for (int host = 2; host < 255; host += 17) {
            assertThat(worker(prog, tcp("198.18.3." + host, VIP, 1000 + host, 80), 4)).isEqualTo(first);
            assertThat(worker(prog, tcp(RIP, "198.18.3." + host, 8080, 1000 + host), 4)).isEqualTo(first);
        }
        int[] perWorker = new int[4];
        for (int net = 0; net < 256; net++) {
            perWorker[worker(prog, tcp("198.18." + net + ".9", VIP, 5, 80), 4)]++;
        }
        assertThat(Arrays.stream(perWorker).min().getAsInt()).as("every worker gets some client networks").isGreaterThan(30);
    }

    @Test
    void shouldSendArpIpv6AndForeignTrafficToWorkerZero() {
        MemorySegment prog = program(FanoutFilter.Key.ADDRESS_AND_TCP_PORT, 2);
        assertThat(SocketFilterTest.run(prog, PacketBuilder.arpRequest(CLIENT_MAC, "198.18.0.2", VIP).build(),
                SocketFilterTest.HOST)).isZero();
        byte[] ipv6 = PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).etherType(0x86dd).payload("x").build();
        assertThat(SocketFilterTest.run(prog, ipv6, SocketFilterTest.HOST)).isZero();
        assertThat(SocketFilterTest.run(prog, tcp("198.18.0.2", "198.18.0.101", 1, 80), SocketFilterTest.HOST)).isZero();
    }

    @Test
    void shouldSendEveryIpv6FrameOfAFlowToTheWorkerSyncedIpv6ConnectionsAreInstalledOn() {
        for (int workers : new int[] {2, 3, 4}) {
            MemorySegment prog = program(FanoutFilter.Key.ADDRESS_AND_TCP_PORT, workers);
            for (int i = 0; i < 50; i++) {
                String client = "2001:db8:1::" + Integer.toHexString(2 + i * 37);
                int port = 20000 + i * 7;
                byte[] in = PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).ipv6(client, "2001:db8:1::100")
                        .tcp(port, 80).flags(TcpView.ACK).build();
                byte[] out = PacketBuilder.ethernet(CLIENT_MAC, LB_MAC).ipv6("2001:db8:2::11", client)
                        .tcp(80, port).flags(TcpView.ACK).build();
                assertThat(worker(prog, in, workers)).isEqualTo(FanoutFilter.workerForIpv6());
                assertThat(worker(prog, out, workers)).isEqualTo(FanoutFilter.workerForIpv6());
            }
        }
    }

    @Test
    void shouldKeepEveryJumpInRangeWhenMatchesAreManyAndWithinTheKernelLimit() {
        List<SocketFilter.Match> many = new java.util.ArrayList<>();
        for (int i = 0; i < 300; i++) {
            many.add(new SocketFilter.Match(false, ip("198.18.0.0") + i, 6, 80));
        }
        MemorySegment big = FanoutFilter.build(many, reals, locals, FanoutFilter.Key.ADDRESS_AND_TCP_PORT, PORT_LOW,
                (65536 - PORT_LOW) / 2, arena);
        assertThat(big.byteSize() / 8).isLessThanOrEqualTo(4096);
        int w = worker(big, tcp("198.18.0.7", "198.18.1.43", 5555, 80), 2); // the 300th service
        assertThat(w).isEqualTo(FanoutFilter.workerFor(FanoutFilter.Key.ADDRESS_AND_TCP_PORT, true,
                ip("198.18.0.7"), 5555, 2));
        assertThat(worker(big, tcp(RIP, "198.18.0.7", 8080, 5555), 2)).isEqualTo(w);
    }
}
