package io.jlvs.system;

import io.jlvs.app.Testbed;
import io.jlvs.io.linux.Libc;
import io.jlvs.io.linux.SocketFilter;
import io.jlvs.io.xdp.Bpf;
import io.jlvs.io.xdp.XdpProbe;
import io.jlvs.io.xdp.XdpProgram;
import io.jlvs.io.xdp.XdpTransport;
import io.jlvs.packet.TcpView;
import io.jlvs.testkit.PacketBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The steering program as the kernel runs it: loaded through the verifier, then fed golden frames with
 * {@code BPF_PROG_TEST_RUN} (no interface needed). The program is built with XDP_DROP as the action for
 * "steered but no socket on the queue", so a steered frame answers DROP and a frame left to the kernel
 * answers PASS.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class XdpProgramSystemTest {
    private static final String VIP = "198.18.0.100";
    private static final String CLIENT = "198.18.0.2";
    private static final String RIP = "198.19.0.11";
    private static final String DIRECTOR = "198.19.0.1";
    private static final String FWD_NET_HOST = "198.18.9.9";
    private static final int STEERED = XdpProgram.XDP_DROP;
    private static final int PASSED = XdpProgram.XDP_PASS;

    private int steerMap = -1;
    private int xsksMap = -1;
    private int prog = -1;

    @BeforeAll
    void load() throws Exception {
        assumeTrue(Testbed.isRoot(), "BPF_PROG_LOAD and BPF_PROG_TEST_RUN need root");
        assumeTrue(XdpProbe.isAvailable(), "AF_XDP " + XdpProbe.describe());
        steerMap = Bpf.createMap(Bpf.MAP_TYPE_HASH, XdpProgram.KEY_BYTES, XdpProgram.VALUE_BYTES, 64, "jlvs_test");
        xsksMap = Bpf.createMap(Bpf.MAP_TYPE_XSKMAP, 4, 4, 4, "jlvs_test");
        prog = Bpf.loadProgram(Bpf.PROG_TYPE_XDP, XdpProgram.build(steerMap, xsksMap, XdpProgram.XDP_DROP),
                XdpProgram.LICENSE, "jlvs_test");
        // the director's socket-filter matches for TCP VIP:80 (NAT to RIP:80), UDP VIP any port, ICMP to the
        // VIP, converted by the transport's own code, so its key encoding is checked against the program's
        List<SocketFilter.Match> matches = List.of(
                new SocketFilter.Match(false, ip(VIP), 6, 80),
                new SocketFilter.Match(false, ip(VIP), -1, 17, 1, 65535),
                new SocketFilter.Match(false, ip(VIP), -1, 1, 0, 65535),
                new SocketFilter.Match(true, ip(RIP), 6, 80),
                new SocketFilter.Match(false, ip("198.18.7.0"), 0xffffff00, 6, 80, 80));
        List<SocketFilter.Match> unsteered = new java.util.ArrayList<>();
        for (long key : XdpTransport.keys(matches, java.util.Set.of(ip(DIRECTOR)), unsteered)) {
            put(key);
        }
        assertThat(unsteered).as("a network is left to AF_PACKET").containsExactly(matches.get(4));
    }

    @AfterAll
    void close() {
        for (int fd : new int[] {prog, xsksMap, steerMap}) {
            if (fd >= 0) {
                Libc.close(fd);
            }
        }
    }

    private void put(long key) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocate(8);
            XdpTransport.writeKey(k, key);
            Libc.check("update", Bpf.updateElem(steerMap, k, arena.allocateFrom(JAVA_INT, 1)));
        }
    }

    private static int ip(String dotted) throws Exception {
        byte[] b = java.net.InetAddress.getByName(dotted).getAddress();
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    private int run(PacketBuilder frame) {
        return Bpf.testRun(prog, frame.padTo(64).build());
    }

    private static PacketBuilder eth() {
        return PacketBuilder.ethernet("02:00:c6:12:00:02", "02:00:c6:12:00:01");
    }

    @Test
    void shouldSteerWhenTcpGoesToServicePort() {
        assertThat(run(eth().ipv4(CLIENT, VIP).tcp(40000, 80).flags(TcpView.SYN))).isEqualTo(STEERED);
    }

    @Test
    void shouldPassWhenTcpGoesToOtherPortOfVip() {
        assertThat(run(eth().ipv4(CLIENT, VIP).tcp(40000, 22).flags(TcpView.SYN))).isEqualTo(PASSED);
    }

    @Test
    void shouldSteerWhenUdpGoesToAnyPortOfWildcardEntry() {
        assertThat(run(eth().ipv4(CLIENT, VIP).udp(5000, 5353).payload("x"))).isEqualTo(STEERED);
    }

    @Test
    void shouldSteerWhenIcmpGoesToVip() {
        assertThat(run(eth().ipv4(CLIENT, VIP).icmpEcho(1, 1))).isEqualTo(STEERED);
    }

    @Test
    void shouldSteerWhenNatRealServerReplies() {
        assertThat(run(eth().ipv4(RIP, CLIENT).tcp(80, 40000).flags(TcpView.SYN | TcpView.ACK))).isEqualTo(STEERED);
    }

    @Test
    void shouldPassWhenRealServerAnswersDirectorItself() {
        // a health check's reply: from RIP:80, but to the director's own address
        assertThat(run(eth().ipv4(RIP, DIRECTOR).tcp(80, 40000).flags(TcpView.SYN | TcpView.ACK))).isEqualTo(PASSED);
    }

    @Test
    void shouldPassWhenFrameIsArp() {
        assertThat(run(PacketBuilder.arpRequest("02:00:c6:12:00:02", CLIENT, VIP))).isEqualTo(PASSED);
    }

    @Test
    void shouldPassWhenFrameIsIpv6() {
        assertThat(run(eth().ipv6("2001:db8::2", "2001:db8::100").tcp(40000, 80))).isEqualTo(PASSED);
    }

    @Test
    void shouldPassWhenFragmentIsNotTheFirst() {
        assertThat(run(eth().ipv4(CLIENT, VIP).fragmentOffset(185).protocol(6).payload(new byte[40])))
                .isEqualTo(PASSED);
        assertThat(run(eth().ipv4(CLIENT, VIP).mf(true).tcp(40000, 80).flags(TcpView.SYN))).isEqualTo(STEERED);
    }

    @Test
    void shouldPassWhenIpv4HeaderIsTruncated() {
        assertThat(Bpf.testRun(prog, java.util.Arrays.copyOf(eth().ipv4(CLIENT, VIP).tcp(40000, 80).build(), 30)))
                .isEqualTo(PASSED);
    }

    @Test
    void shouldSteerByAddressOnlyWhenTcpHeaderIsCut() {
        // the ports cannot be read: the (VIP, TCP, any port) key is looked up, and there is none for TCP
        byte[] cut = java.util.Arrays.copyOf(eth().ipv4(CLIENT, VIP).tcp(40000, 80).build(), 34 + 2);
        assertThat(Bpf.testRun(prog, cut)).isEqualTo(PASSED);
    }

    @Test
    void shouldPassWhenDestinationIsUnrelated() {
        assertThat(run(eth().ipv4(CLIENT, FWD_NET_HOST).tcp(40000, 80))).isEqualTo(PASSED);
    }

    @Test
    void shouldPassWhenDestinationIsInNetworkLeftToAfPacket() {
        assertThat(run(eth().ipv4(CLIENT, "198.18.7.5").tcp(40000, 80).flags(TcpView.SYN))).isEqualTo(PASSED);
    }
}
