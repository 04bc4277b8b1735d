package io.jlvs.io.linux;

import io.jlvs.packet.TcpView;
import io.jlvs.testkit.PacketBuilder;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import static io.jlvs.testkit.PacketBuilder.ip;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the generated socket filter on frames with {@link ClassicBpf} (the interpreter the workers run
 * the fanout program with on AF_XDP), so what reaches user space is checked without a kernel.
 */
class SocketFilterTest {
    static final int HOST = 0;
    static final int OUTGOING = 4;

    /** Executes a cBPF program on a frame; returns the accepted byte count (0 = refused) or, for a fanout program, its value. */
    static int run(MemorySegment prog, byte[] frame, int pkttype) {
        return ClassicBpf.decode(prog).run(MemorySegment.ofArray(frame), 0, frame.length, pkttype, new int[16]);
    }

    static byte[] tcp(String src, String dst, int sport, int dport) {
        return PacketBuilder.ethernet("02:00:c6:12:00:02", "02:00:c6:12:00:01").ipv4(src, dst).tcp(sport, dport)
                .flags(TcpView.SYN).build();
    }

    final Arena arena = Arena.ofConfined();
    final MemorySegment prog = SocketFilter.build(List.of(
            new SocketFilter.Match(false, ip("198.18.0.100"), 6, 80),
            new SocketFilter.Match(true, ip("198.19.0.11"), 6, 8080),
            new SocketFilter.Match(false, ip("198.18.1.0"), ip("255.255.255.0"), 0, 1000, 2000)), arena);

    @Test
    void shouldPassServiceTrafficAndRefuseTheRest() {
        assertThat(run(prog, tcp("198.18.0.2", "198.18.0.100", 40000, 80), HOST)).isPositive();
        assertThat(run(prog, tcp("198.18.0.2", "198.18.0.100", 40000, 81), HOST)).isZero();
        assertThat(run(prog, tcp("198.18.0.2", "198.18.0.101", 40000, 80), HOST)).isZero();
        assertThat(run(prog, tcp("198.19.0.11", "198.18.0.2", 8080, 40000), HOST)).isPositive();
        assertThat(run(prog, tcp("198.19.0.12", "198.18.0.2", 8080, 40000), HOST)).isZero();
    }

    @Test
    void shouldMatchNetworksPortRangesAndAnyProtocolWhenMarking() {
        assertThat(run(prog, tcp("198.18.0.2", "198.18.1.77", 40000, 1500), HOST)).isPositive();
        assertThat(run(prog, tcp("198.18.0.2", "198.18.1.77", 40000, 999), HOST)).isZero();
        assertThat(run(prog, tcp("198.18.0.2", "198.18.1.77", 40000, 2001), HOST)).isZero();
        byte[] udp = PacketBuilder.ethernet("02:00:c6:12:00:02", "02:00:c6:12:00:01").ipv4("198.18.0.2", "198.18.1.5")
                .udp(5000, 2000).build();
        assertThat(run(prog, udp, HOST)).isPositive();
    }

    @Test
    void shouldPassArpAndLaterFragmentsAndRefuseOwnFrames() {
        assertThat(run(prog, PacketBuilder.arpRequest("02:00:c6:12:00:02", "198.18.0.2", "198.18.0.100").build(),
                HOST)).isPositive();
        byte[] later = PacketBuilder.ethernet("02:00:c6:12:00:02", "02:00:c6:12:00:01").ipv4("198.18.0.2",
                "198.18.0.100").id(9).fragmentOffset(3).protocol(17).payload("abcdefgh").build();
        assertThat(run(prog, later, HOST)).isPositive();
        assertThat(run(prog, tcp("198.18.0.2", "198.18.0.100", 40000, 80), OUTGOING)).isZero();
        byte[] ipv6 = PacketBuilder.ethernet("02:00:c6:12:00:02", "02:00:c6:12:00:01").etherType(0x86dd)
                .payload("x").build();
        assertThat(run(prog, ipv6, HOST)).isZero();
    }

    @Test
    void shouldKeepEveryJumpInRangeWhenManyServices() {
        List<SocketFilter.Match> many = new java.util.ArrayList<>();
        for (int i = 0; i < SocketFilter.MAX_MATCHES; i++) {
            many.add(new SocketFilter.Match(false, ip("198.18.0.0") + i, 6, 80));
        }
        MemorySegment big = SocketFilter.build(many, arena);
        assertThat(big.byteSize() / 8).isLessThanOrEqualTo(4096);
        assertThat(run(big, tcp("198.18.0.2", "198.18.1.143", 1, 80), HOST)).isPositive(); // the 400th
    }

    static byte[] tcp6(String src, String dst, int sport, int dport) {
        return PacketBuilder.ethernet("02:00:c6:12:00:02", "02:00:c6:12:00:01").ipv6(src, dst).tcp(sport, dport)
                .flags(TcpView.SYN).build();
    }

    static SocketFilter.Match6 match6(boolean source, String addr, int proto, int low, int high) {
        return new SocketFilter.Match6(source, PacketBuilder.ip6Hi(addr), PacketBuilder.ip6Lo(addr), proto, low, high);
    }

    final MemorySegment prog6 = SocketFilter.build(List.of(new SocketFilter.Match(false, ip("198.18.0.100"), 6, 80)),
            List.of(match6(false, "2001:db8:1::100", 6, 80, 80), match6(true, "2001:db8:2::11", 6, 8080, 8080),
                    match6(false, "2001:db8:2::100", 0, 1024, 65535)), arena);

    @Test
    void shouldPassIpv6ServiceTrafficAndNatRepliesAndRefuseTheRest() {
        assertThat(run(prog6, tcp6("2001:db8:1::2", "2001:db8:1::100", 40000, 80), HOST)).isPositive();
        assertThat(run(prog6, tcp6("2001:db8:1::2", "2001:db8:1::100", 40000, 81), HOST)).isZero();
        assertThat(run(prog6, tcp6("2001:db8:1::2", "2001:db8:1::101", 40000, 80), HOST)).isZero();
        assertThat(run(prog6, tcp6("2001:db8:1::2", "2001:db9:1::100", 40000, 80), HOST)).isZero();
        assertThat(run(prog6, tcp6("2001:db8:2::11", "2001:db8:1::2", 8080, 40000), HOST)).isPositive();
        assertThat(run(prog6, tcp6("2001:db8:2::12", "2001:db8:1::2", 8080, 40000), HOST)).isZero();
        assertThat(run(prog6, tcp6("2001:db8:1::2", "2001:db8:1::100", 40000, 80), OUTGOING)).isZero();
        byte[] udp = PacketBuilder.ethernet("02:00:c6:12:00:02", "02:00:c6:12:00:01").ipv6("2001:db8:2::12",
                "2001:db8:2::100").udp(53, 2000).build();
        assertThat(run(prog6, udp, HOST)).as("FULLNAT reply to a local port, any protocol").isPositive();
        assertThat(run(prog6, tcp("198.18.0.2", "198.18.0.100", 40000, 80), HOST)).as("IPv4 still").isPositive();
        assertThat(run(prog6, tcp("198.18.0.2", "198.18.0.100", 40000, 81), HOST)).isZero();
    }

    @Test
    void shouldPassNeighbourDiscoveryAndExtensionHeadersWhenIpv6IsServed() {
        byte[] ns = PacketBuilder.neighborSolicitation("02:00:c6:12:00:02", "2001:db8:1::2", "2001:db8:1::100").build();
        assertThat(run(prog6, ns, HOST)).isPositive();
        byte[] fragment = PacketBuilder.ethernet("02:00:c6:12:00:02", "02:00:c6:12:00:01")
                .ipv6("2001:db8:1::2", "2001:db8:1::100").fragmentHeader(3, false, 7).protocol(17).payload("abcdefgh")
                .build();
        assertThat(run(prog6, fragment, HOST)).isPositive();
        assertThat(run(prog, ns, HOST)).as("no IPv6 service: no IPv6 at all").isZero();
    }

    @Test
    void shouldReachIpv6MatchesBehindManyIpv4Blocks() {
        List<SocketFilter.Match> many = new java.util.ArrayList<>();
        for (int i = 0; i < 300; i++) {
            many.add(new SocketFilter.Match(false, ip("198.18.0.0") + i, 6, 80));
        }
        List<SocketFilter.Match6> many6 = new java.util.ArrayList<>();
        for (int i = 0; i < 60; i++) {
            many6.add(new SocketFilter.Match6(false, PacketBuilder.ip6Hi("2001:db8:1::"), i, 6, 80, 80));
        }
        MemorySegment big = SocketFilter.build(many, many6, arena);
        assertThat(big.byteSize() / 8).isLessThanOrEqualTo(SocketFilter.BPF_MAXINSNS);
        assertThat(run(big, tcp6("2001:db8:1::2", "2001:db8:1::3b", 40000, 80), HOST)).isPositive(); // the 60th
        assertThat(run(big, tcp6("2001:db8:1::2", "2001:db8:1::3c", 40000, 80), HOST)).isZero();
    }

    @Test
    void shouldRefuseWhenProgramWouldExceedTheKernelLimit() {
        List<SocketFilter.Match> many = new java.util.ArrayList<>();
        for (int i = 0; i < SocketFilter.MAX_MATCHES; i++) {
            many.add(new SocketFilter.Match(false, ip("198.18.0.0") + i, 0xffffff00, 0, 1, 2));
        }
        List<SocketFilter.Match6> many6 = new java.util.ArrayList<>();
        for (int i = 0; i < SocketFilter.MAX_MATCHES6; i++) {
            many6.add(new SocketFilter.Match6(false, 1L, i, 0, 1, 2));
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SocketFilter.build(many, many6, arena))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too many services");
    }
}
