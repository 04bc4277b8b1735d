package io.jlvs.forward;

import io.jlvs.conn.ConnectionFlags;
import io.jlvs.conn.ConnectionTable;
import io.jlvs.conn.ConnectionTable6;
import io.jlvs.conn.TcpState;
import io.jlvs.control.ServiceConfig;
import io.jlvs.packet.TcpView;
import io.jlvs.sched.SchedulerRegistry;
import io.jlvs.stats.DropReason;
import io.jlvs.stats.WorkerCounters;
import io.jlvs.testkit.PacketBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.jlvs.testkit.PacketBuilder.ip;
import static io.jlvs.testkit.PacketBuilder.ip6Hi;
import static io.jlvs.testkit.PacketBuilder.ip6Lo;
import static io.jlvs.testkit.PacketBuilder.mac;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden packet fixtures for the IPv6 pipeline ({@link Forwarder6}, reached through {@link Forwarder#process} by
 * ethertype): an input frame built with {@link PacketBuilder}, the exact frame jlvs must emit (virtio_net_hdr
 * included) and the verdict, for every method over TCP and UDP, both directions where the director sees both,
 * Neighbour Discovery, ICMPv6 errors, the IPv6 TOA option and malformed frames.
 *
 * <p>Bed: client 2001:db8:1::2 on eth0 (ifindex 2), director 2001:db8:1::1 on eth0 and 2001:db8:2::1 on eth1
 * (ifindex 3), real servers 2001:db8:2::11 and 2001:db8:2::12 on eth1, VIP 2001:db8:1::100, FULLNAT local address
 * 2001:db8:2::100.
 */
class Forwarder6Test {
    static final int ETH0 = 2;
    static final int ETH1 = 3;
    static final String CL_MAC = "02:00:c6:12:00:02";
    static final String LB_CMAC = "02:00:c6:12:00:01";
    static final String LB_SMAC = "02:00:c6:13:00:01";
    static final String RS1_MAC = "02:00:c6:13:00:0b";
    static final String RS2_MAC = "02:00:c6:13:00:0c";
    static final String CL = "2001:db8:1::2";
    static final String LB_C = "2001:db8:1::1";
    static final String LB_S = "2001:db8:2::1";
    static final String VIP = "2001:db8:1::100";
    static final String RS1 = "2001:db8:2::11";
    static final String RS2 = "2001:db8:2::12";
    static final String LADDR = "2001:db8:2::100";
    static final long NOW_MS = 1_000_000;

    record Sent(int ifindex, byte[] bytes) {}

    final List<Sent> sent = new ArrayList<>();
    final Arena arena = Arena.ofConfined();
    ConnectionTable conns;
    WorkerCounters counters;
    Forwarder forwarder;

    @BeforeEach
    void setUp() {
        conns = new ConnectionTable(1 << 12, 1 << 10, 1000, 1024, 42);
        counters = new WorkerCounters(1024);
        forwarder = new Forwarder(conns, counters, (ifindex, seg, offset, length) ->
                sent.add(new Sent(ifindex, seg.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE))), 1024);
    }

    @AfterEach
    void tearDown() {
        forwarder.close();
        conns.close();
        counters.close();
        arena.close();
    }

    static Dest6Runtime dest(int id, String rip, int port, int method) {
        return new Dest6Runtime(id, ip6Hi(rip), ip6Lo(rip), port, method, 1, 0, 0, ETH1, ip6Hi(rip), ip6Lo(rip));
    }

    static long[] pair(String a) {
        return new long[] {ip6Hi(a), ip6Lo(a)};
    }

    /** TCP VIP:vport with rs1 then rs2 added (list order rs2 first), UDP VIP:53 on rs1; both resolved by ND. */
    void configure(int method, int vport, int rport, int flags, int persistS, int prefix) {
        Dest6Runtime rs1 = dest(1, RS1, rport, method);
        Dest6Runtime rs2 = dest(2, RS2, rport, method);
        Dest6Runtime u1 = dest(3, RS1, 53, method);
        long[] laddrs = method == ConnectionFlags.FWD_FULLNAT ? pair(LADDR) : new long[0];
        Service6Runtime svc = new Service6Runtime(1, 6, ip6Hi(VIP), ip6Lo(VIP), vport, flags, persistS, prefix,
                SchedulerRegistry.byName("rr"), new Dest6Runtime[] {rs2, rs1}, laddrs);
        Service6Runtime udp = new Service6Runtime(2, 17, ip6Hi(VIP), ip6Lo(VIP), 53, 0, 0, 128,
                SchedulerRegistry.byName("rr"), new Dest6Runtime[] {u1}, laddrs);
        apply(new Ipv6Config(new Service6Runtime[] {svc, udp}, new Dest6Runtime[] {null, rs1, rs2, u1}, pair(VIP),
                interfaces6()));
        // the real servers answer jlvs's solicitations
        process(PacketBuilder.neighborAdvertisement(RS1_MAC, RS1, LB_SMAC, LB_S).vnetHeader(), ETH1);
        process(PacketBuilder.neighborAdvertisement(RS2_MAC, RS2, LB_SMAC, LB_S).vnetHeader(), ETH1);
        sent.clear();
    }

    void configure(int method, int vport, int rport) {
        configure(method, vport, rport, 0, 0, 128);
    }

    static Ipv6Config.Interface6[] interfaces6() {
        return new Ipv6Config.Interface6[] {
            new Ipv6Config.Interface6(ETH0, ip6Hi(LB_C), ip6Lo(LB_C)),
            new Ipv6Config.Interface6(ETH1, ip6Hi(LB_S), ip6Lo(LB_S))};
    }

    void apply(Ipv6Config v6) {
        forwarder.apply(new DataplaneConfig(1, new ServiceRuntime[0], new DestRuntime[0], new int[0],
                new ServedInterface[] {
                    new ServedInterface(ETH0, "eth0", mac(LB_CMAC), ip("198.18.0.1"), 1500),
                    new ServedInterface(ETH1, "eth1", mac(LB_SMAC), ip("198.19.0.1"), 1500)},
                new MarkRuleRuntime[0], v6));
    }

    int process(PacketBuilder frame, int ifindex) {
        return process(frame, ifindex, NOW_MS);
    }

    int process(PacketBuilder frame, int ifindex, long nowMs) {
        byte[] bytes = frame.build();
        MemorySegment seg = arena.allocate(bytes.length + 128);
        seg.asSlice(64, bytes.length).copyFrom(MemorySegment.ofArray(bytes));
        int vnet = 10;
        return forwarder.process(seg, 64 + vnet, bytes.length - vnet, bytes.length - vnet, ifindex, nowMs);
    }

    static PacketBuilder clientSyn() {
        return PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv6(CL, VIP).hopLimit(64).flowLabel(0x12345)
                .tcp(40000, 80).flags(TcpView.SYN).seq(1000).window(64240);
    }

    void assertSent(int ifindex, PacketBuilder expected) {
        assertThat(sent).hasSize(1);
        byte[] want = expected.build();
        assertThat(sent.getFirst().ifindex()).isEqualTo(ifindex);
        assertThat(sent.getFirst().bytes()).as(() -> PacketBuilder.diff(want, sent.getFirst().bytes())).isEqualTo(want);
    }

    static byte[] ipPacket(PacketBuilder p) {
        byte[] f = p.build();
        return Arrays.copyOfRange(f, 14, f.length);
    }

    static byte[] mssOption(int mss) {
        return new byte[] {2, 4, (byte) (mss >> 8), (byte) mss};
    }

    // ---------------------------------------------------------------- DR

    @Test
    void shouldRewriteOnlyMacsAndHopLimitWhenDirectRouting() {
        configure(ConnectionFlags.FWD_DROUTE, 80, 80);

        int verdict = process(clientSyn(), ETH0);

        assertThat(verdict).isEqualTo(Forwarder.FORWARDED);
        assertSent(ETH1, PacketBuilder.ethernet(LB_SMAC, RS2_MAC).vnetHeader().ipv6(CL, VIP).hopLimit(63)
                .flowLabel(0x12345).tcp(40000, 80).flags(TcpView.SYN).seq(1000).window(64240));
        ConnectionTable6 c6 = forwarder.ipv6().connections();
        int slot = c6.lookupIn(6, ip6Hi(CL), ip6Lo(CL), 40000, ip6Hi(VIP), ip6Lo(VIP), 80);
        assertThat(c6.state(slot)).isEqualTo(TcpState.SYN_RECV);
        assertThat(c6.flags(slot) & ConnectionFlags.NOOUTPUT).isNotZero();
        assertThat(counters.dest(2, WorkerCounters.ACTIVE)).isEqualTo(1);
        assertThat(counters.service(1, WorkerCounters.CONNS)).isEqualTo(1);
    }

    @Test
    void shouldAlternateRealServersWhenRoundRobin() {
        configure(ConnectionFlags.FWD_DROUTE, 80, 80);

        process(clientSyn(), ETH0);
        long first = sentToMac();
        process(clientSyn().tcp(40001, 80).flags(TcpView.SYN), ETH0);
        long second = sentToMac();

        assertThat(first).isEqualTo(mac(RS2_MAC));
        assertThat(second).isEqualTo(mac(RS1_MAC));
    }

    @Test
    void shouldForwardUdpUnchangedButMacsWhenDirectRouting() {
        configure(ConnectionFlags.FWD_DROUTE, 80, 80);

        process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv6(CL, VIP).udp(5353, 53).payload("q"), ETH0);

        assertSent(ETH1, PacketBuilder.ethernet(LB_SMAC, RS1_MAC).vnetHeader().ipv6(CL, VIP).hopLimit(63)
                .udp(5353, 53).payload("q"));
    }

    long sentToMac() {
        byte[] b = sent.getLast().bytes();
        return MemorySegment.ofArray(b).get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 10) >>> 16;
    }

    // ---------------------------------------------------------------- NAT

    @Test
    void shouldTranslateDestinationWhenNatInbound() {
        configure(ConnectionFlags.FWD_MASQ, 80, 8080);

        int verdict = process(clientSyn(), ETH0);

        assertThat(verdict).isEqualTo(Forwarder.FORWARDED);
        assertSent(ETH1, PacketBuilder.ethernet(LB_SMAC, RS2_MAC).vnetHeader().ipv6(CL, RS2).hopLimit(63)
                .flowLabel(0x12345).tcp(40000, 8080).flags(TcpView.SYN).seq(1000).window(64240));
    }

    @Test
    void shouldTranslateSourceBackWhenNatReply() {
        configure(ConnectionFlags.FWD_MASQ, 80, 8080);
        process(clientSyn(), ETH0);
        sent.clear();

        int verdict = process(PacketBuilder.ethernet(RS2_MAC, LB_SMAC).vnetHeader().ipv6(RS2, CL).hopLimit(64)
                .tcp(8080, 40000).flags(TcpView.SYN | TcpView.ACK).seq(5000).ack(1001).window(65160), ETH1);

        assertThat(verdict).isEqualTo(Forwarder.FORWARDED);
        assertSent(ETH0, PacketBuilder.ethernet(LB_CMAC, CL_MAC).vnetHeader().ipv6(VIP, CL).hopLimit(63)
                .tcp(80, 40000).flags(TcpView.SYN | TcpView.ACK).seq(5000).ack(1001).window(65160));
        ConnectionTable6 c6 = forwarder.ipv6().connections();
        int slot = c6.lookupIn(6, ip6Hi(CL), ip6Lo(CL), 40000, ip6Hi(VIP), ip6Lo(VIP), 80);
        assertThat(c6.state(slot)).isEqualTo(TcpState.SYN_RECV);
        assertThat(c6.flags(slot) & ConnectionFlags.NOOUTPUT).isZero();
    }

    @Test
    void shouldAdjustOnlyPseudoHeaderWhenChecksumIsPartial() {
        configure(ConnectionFlags.FWD_MASQ, 80, 8080);

        process(clientSyn().partialChecksum().payload("GET / HTTP/1.1\r\n\r\n"), ETH0);

        assertSent(ETH1, PacketBuilder.ethernet(LB_SMAC, RS2_MAC).ipv6(CL, RS2).hopLimit(63).flowLabel(0x12345)
                .tcp(40000, 8080).flags(TcpView.SYN).seq(1000).window(64240).partialChecksum()
                .payload("GET / HTTP/1.1\r\n\r\n"));
    }

    @Test
    void shouldTranslateUdpBothWaysWhenNat() {
        configure(ConnectionFlags.FWD_MASQ, 80, 8080);

        process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv6(CL, VIP).udp(5353, 53).payload("q"), ETH0);
        assertSent(ETH1, PacketBuilder.ethernet(LB_SMAC, RS1_MAC).vnetHeader().ipv6(CL, RS1).hopLimit(63)
                .udp(5353, 53).payload("q"));
        sent.clear();

        process(PacketBuilder.ethernet(RS1_MAC, LB_SMAC).vnetHeader().ipv6(RS1, CL).udp(53, 5353).payload("answer"),
                ETH1);
        assertSent(ETH0, PacketBuilder.ethernet(LB_CMAC, CL_MAC).vnetHeader().ipv6(VIP, CL).hopLimit(63)
                .udp(53, 5353).payload("answer"));
    }

    @Test
    void shouldDropNonSynWhenNoConnection() {
        configure(ConnectionFlags.FWD_MASQ, 80, 8080);

        int verdict = process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv6(CL, VIP).tcp(40000, 80)
                .flags(TcpView.ACK), ETH0);

        assertThat(verdict).isEqualTo(Forwarder.DROPPED);
        assertThat(counters.drops(DropReason.NO_CONNECTION)).isEqualTo(1);
    }

    @Test
    void shouldDropNatReplyThatMatchesNoConnection() {
        configure(ConnectionFlags.FWD_MASQ, 80, 8080);

        int verdict = process(PacketBuilder.ethernet(RS1_MAC, LB_SMAC).vnetHeader().ipv6(RS1, CL).tcp(8080, 40000)
                .flags(TcpView.ACK), ETH1);

        assertThat(verdict).isEqualTo(Forwarder.DROPPED);
        assertThat(counters.drops(DropReason.NAT_REPLY_NO_CONNECTION)).isEqualTo(1);
    }

    // ---------------------------------------------------------------- TUN

    @Test
    void shouldEncapsulateInIpv6WhenTunnel() {
        configure(ConnectionFlags.FWD_TUNNEL, 80, 80);

        int verdict = process(clientSyn().trafficClass(0x28), ETH0);

        assertThat(verdict).isEqualTo(Forwarder.FORWARDED);
        byte[] inner = ipPacket(PacketBuilder.ethernet(CL_MAC, LB_CMAC).ipv6(CL, VIP).hopLimit(63).trafficClass(0x28)
                .flowLabel(0x12345).tcp(40000, 80).flags(TcpView.SYN).seq(1000).window(64240));
        assertSent(ETH1, PacketBuilder.ethernet(LB_SMAC, RS2_MAC).vnetHeader().ipv6(LB_S, RS2).hopLimit(63)
                .trafficClass(0x28).flowLabel(0x12345).protocol(41).payload(inner));
    }

    @Test
    void shouldAnswerPacketTooBigWhenTunnelledPacketIsTooBig() {
        configure(ConnectionFlags.FWD_TUNNEL, 80, 80);
        PacketBuilder big = clientSyn().payload(new byte[1500 - 40 - 20]); // exactly the MTU before the outer header

        int verdict = process(big, ETH0);

        assertThat(verdict).isEqualTo(Forwarder.DROPPED);
        assertThat(counters.drops(DropReason.FRAG_NEEDED_SENT)).isEqualTo(1);
        byte[] asSent = ipPacket(PacketBuilder.ethernet(CL_MAC, LB_CMAC).ipv6(CL, VIP).hopLimit(64).flowLabel(0x12345)
                .tcp(40000, 80).flags(TcpView.SYN).seq(1000).window(64240).payload(new byte[1500 - 40 - 20]));
        assertSent(ETH0, PacketBuilder.ethernet(LB_CMAC, CL_MAC).vnetHeader().ipv6(VIP, CL).hopLimit(64)
                .icmpv6(2, 0, 1460).payload(Arrays.copyOf(asSent, 1280 - 48)));
    }

    @Test
    void shouldCutGsoFrameIntoEncapsulatedSegmentsWhenTunnel() {
        configure(ConnectionFlags.FWD_TUNNEL, 80, 80);
        process(clientSyn(), ETH0);
        sent.clear();
        byte[] payload = new byte[3000];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) i;
        }

        int verdict = process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv6(CL, VIP).tcp(40000, 80)
                .flags(TcpView.ACK | TcpView.PSH).seq(5000).payload(payload).gso(4, 1400).partialChecksum(), ETH0);

        assertThat(verdict).isEqualTo(Forwarder.FORWARDED);
        assertThat(sent).hasSize(3);
        int total = 0;
        for (int i = 0; i < 3; i++) {
            MemorySegment o = MemorySegment.ofArray(sent.get(i).bytes());
            io.jlvs.packet.Ipv6View outer = new io.jlvs.packet.Ipv6View().wrap(o, 24);
            io.jlvs.packet.Ipv6View inner = new io.jlvs.packet.Ipv6View().wrap(o, 64);
            TcpView t = new TcpView().wrap(o, 104);
            int len = inner.payloadLength() - 20;
            assertThat(sent.get(i).bytes()).hasSize(10 + 14 + 40 + 40 + 20 + len);
            assertThat(outer.nextHeader()).isEqualTo(41);
            assertThat(outer.payloadLength()).isEqualTo(40 + 20 + len);
            assertThat(outer.dstHi()).isEqualTo(ip6Hi(RS2));
            assertThat(outer.dstLo()).isEqualTo(ip6Lo(RS2));
            assertThat(inner.hopLimit()).isEqualTo(63);
            assertThat(len).isLessThanOrEqualTo(1400);
            assertThat(t.seq()).isEqualTo(5000 + total);
            assertThat(t.flags() & TcpView.PSH).isEqualTo(i == 2 ? TcpView.PSH : 0);
            assertThat(io.jlvs.packet.Checksum.l4Ipv6Valid(o, 104, len + 20, inner.srcHi(), inner.srcLo(),
                    inner.dstHi(), inner.dstLo(), 6)).isTrue();
            assertThat(o.asSlice(124, len).toArray(ValueLayout.JAVA_BYTE))
                    .isEqualTo(Arrays.copyOfRange(payload, total, total + len));
            total += len;
        }
        assertThat(total).isEqualTo(3000);
    }

    // ---------------------------------------------------------------- FULLNAT

    @Test
    void shouldTranslateBothEndsAndCarryClientInIpv6ToaWhenFullNat() {
        configure(ConnectionFlags.FWD_FULLNAT, 80, 8080);

        process(clientSyn().tcpOptions(mssOption(1440)), ETH0);
        MemorySegment syn = MemorySegment.ofArray(sent.getFirst().bytes());
        int lport = new TcpView().wrap(syn, 10 + 14 + 40).srcPort();
        assertThat(lport).isBetween(1024, 65535);
        assertSent(ETH1, PacketBuilder.ethernet(LB_SMAC, RS2_MAC).vnetHeader().ipv6(LADDR, RS2).hopLimit(63)
                .flowLabel(0x12345).tcp(lport, 8080).flags(TcpView.SYN).seq(1000).window(64240)
                .tcpOptions(mssOption(1440)));
        sent.clear();

        // the real server answers laddr:lport; the client sees VIP:80 and an MSS lowered by the TOA's 20 bytes
        process(PacketBuilder.ethernet(RS2_MAC, LB_SMAC).vnetHeader().ipv6(RS2, LADDR).tcp(8080, lport)
                .flags(TcpView.SYN | TcpView.ACK).seq(7000).ack(1001).window(65160).tcpOptions(mssOption(1440)), ETH1);
        assertSent(ETH0, PacketBuilder.ethernet(LB_CMAC, CL_MAC).vnetHeader().ipv6(VIP, CL).hopLimit(63)
                .tcp(80, 40000).flags(TcpView.SYN | TcpView.ACK).seq(7000).ack(1001).window(65160)
                .tcpOptions(mssOption(1420)));
        sent.clear();

        // the handshake-completing ACK carries TOA = client port and IPv6 address (DPVS's 20-byte layout)
        process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv6(CL, VIP).tcp(40000, 80).flags(TcpView.ACK)
                .seq(1001).ack(7001).window(502), ETH0);
        byte[] toa = new byte[20];
        toa[0] = (byte) 254;
        toa[1] = 20;
        toa[2] = (byte) (40000 >> 8);
        toa[3] = (byte) 40000;
        System.arraycopy(PacketBuilder.ip6(CL), 0, toa, 4, 16);
        assertSent(ETH1, PacketBuilder.ethernet(LB_SMAC, RS2_MAC).vnetHeader().ipv6(LADDR, RS2).hopLimit(63)
                .tcp(lport, 8080).flags(TcpView.ACK).seq(1001).ack(7001).window(502).tcpOptions(toa));
        sent.clear();

        // later packets carry no TOA
        process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv6(CL, VIP).tcp(40000, 80)
                .flags(TcpView.ACK | TcpView.PSH).seq(1001).ack(7001).window(502).payload("GET /"), ETH0);
        assertSent(ETH1, PacketBuilder.ethernet(LB_SMAC, RS2_MAC).vnetHeader().ipv6(LADDR, RS2).hopLimit(63)
                .tcp(lport, 8080).flags(TcpView.ACK | TcpView.PSH).seq(1001).ack(7001).window(502).payload("GET /"));
    }

    @Test
    void shouldTranslateUdpBothWaysWhenFullNat() {
        configure(ConnectionFlags.FWD_FULLNAT, 80, 8080);

        process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv6(CL, VIP).udp(5353, 53).payload("q"), ETH0);
        int lport = new io.jlvs.packet.UdpView().wrap(MemorySegment.ofArray(sent.getFirst().bytes()), 64).srcPort();
        assertSent(ETH1, PacketBuilder.ethernet(LB_SMAC, RS1_MAC).vnetHeader().ipv6(LADDR, RS1).hopLimit(63)
                .udp(lport, 53).payload("q"));
        sent.clear();

        process(PacketBuilder.ethernet(RS1_MAC, LB_SMAC).vnetHeader().ipv6(RS1, LADDR).udp(53, lport).payload("a"),
                ETH1);
        assertSent(ETH0, PacketBuilder.ethernet(LB_CMAC, CL_MAC).vnetHeader().ipv6(VIP, CL).hopLimit(63)
                .udp(53, 5353).payload("a"));
    }

    @Test
    void shouldReleaseLocalPortAndAliasWhenFullNatConnectionExpires() {
        configure(ConnectionFlags.FWD_FULLNAT, 80, 8080);
        process(clientSyn(), ETH0);
        ConnectionTable6 c6 = forwarder.ipv6().connections();
        assertThat(c6.size()).isEqualTo(2); // the connection and its reply alias

        forwarder.housekeeping(NOW_MS + 61_000);

        assertThat(c6.size()).isZero();
    }

    // ---------------------------------------------------------------- persistence

    @Test
    void shouldKeepClientPrefixOnOneServerWhenPersistentWithPrefixLength() {
        configure(ConnectionFlags.FWD_DROUTE, 80, 80, ServiceConfig.F_PERSISTENT, 300, 64);

        process(clientSyn(), ETH0);
        long a = sentToMac();
        process(clientSyn().ipv6("2001:db8:1::77", VIP).tcp(40001, 80).flags(TcpView.SYN), ETH0); // same /64
        long b = sentToMac();
        process(clientSyn().ipv6("2001:db8:5::2", VIP).tcp(40002, 80).flags(TcpView.SYN), ETH0); // another /64
        long c = sentToMac();

        assertThat(b).isEqualTo(a);
        assertThat(c).isNotEqualTo(a);
        assertThat(counters.dest(2, WorkerCounters.PERSIST) + counters.dest(1, WorkerCounters.PERSIST)).isEqualTo(2);
    }

    @Test
    void shouldMaskClientToPrefixLengthWhenComputingTemplateKey() {
        assertThat(Service6Runtime.maskHi(64)).isEqualTo(-1L);
        assertThat(Service6Runtime.maskLo(64)).isZero();
        assertThat(Service6Runtime.maskHi(48)).isEqualTo(0xffff_ffff_ffff_0000L);
        assertThat(Service6Runtime.maskLo(96)).isEqualTo(0xffff_ffff_0000_0000L);
        assertThat(Service6Runtime.maskLo(128)).isEqualTo(-1L);
    }

    // ---------------------------------------------------------------- Neighbour Discovery

    @Test
    void shouldAnswerNeighborSolicitationWhenAskedForVip() {
        configure(ConnectionFlags.FWD_DROUTE, 80, 80);

        int verdict = process(PacketBuilder.neighborSolicitation(CL_MAC, CL, VIP).vnetHeader(), ETH0);

        assertThat(verdict).isEqualTo(Forwarder.ANSWERED);
        assertSent(ETH0, PacketBuilder.neighborAdvertisement(LB_CMAC, VIP, CL_MAC, CL).vnetHeader());
    }

    @Test
    void shouldAnswerNeighborSolicitationWhenAskedForLocalAddress() {
        configure(ConnectionFlags.FWD_FULLNAT, 80, 8080);

        int verdict = process(PacketBuilder.neighborSolicitation(RS1_MAC, RS1, LADDR).vnetHeader(), ETH1);

        assertThat(verdict).isEqualTo(Forwarder.ANSWERED);
        assertSent(ETH1, PacketBuilder.neighborAdvertisement(LB_SMAC, LADDR, RS1_MAC, RS1).vnetHeader());
    }

    @Test
    void shouldLeaveSolicitationToKernelWhenTargetIsNotOwned() {
        configure(ConnectionFlags.FWD_DROUTE, 80, 80);

        int verdict = process(PacketBuilder.neighborSolicitation(CL_MAC, CL, LB_C).vnetHeader(), ETH0);

        assertThat(verdict).isEqualTo(Forwarder.IGNORED);
        assertThat(sent).isEmpty();
    }

    @Test
    void shouldSolicitRealServerToItsSolicitedNodeGroupWhenHousekeeping() {
        apply(new Ipv6Config(new Service6Runtime[0],
                new Dest6Runtime[] {null, dest(1, RS1, 80, ConnectionFlags.FWD_DROUTE)}, new long[0], interfaces6()));

        forwarder.housekeeping(NOW_MS);

        assertSent(ETH1, PacketBuilder.neighborSolicitation(LB_SMAC, LB_S, RS1).vnetHeader());
    }

    @Test
    void shouldSolicitAndHoldFirstSynWhenRealServerIsUnresolved() {
        Dest6Runtime rs1 = dest(1, RS1, 80, ConnectionFlags.FWD_DROUTE);
        apply(new Ipv6Config(new Service6Runtime[] {new Service6Runtime(1, 6, ip6Hi(VIP), ip6Lo(VIP), 80, 0,
                SchedulerRegistry.byName("rr"), new Dest6Runtime[] {rs1})}, new Dest6Runtime[] {null, rs1}, pair(VIP),
                interfaces6()));

        int verdict = process(clientSyn(), ETH0);

        assertThat(verdict).isEqualTo(Forwarder.HELD);
        assertThat(counters.drops(DropReason.NEIGHBOUR_UNRESOLVED)).isZero();
        assertSent(ETH1, PacketBuilder.neighborSolicitation(LB_SMAC, LB_S, RS1).vnetHeader());
        sent.clear();

        // the advertisement teaches the MAC: the held SYN goes at the next housekeeping, then the flow goes through
        process(PacketBuilder.neighborAdvertisement(RS1_MAC, RS1, LB_SMAC, LB_S).vnetHeader(), ETH1);
        forwarder.housekeeping(NOW_MS + 5);
        assertThat(sent).hasSize(1);
        assertThat(sent.getFirst().ifindex()).isEqualTo(ETH1);
        assertThat(sentToMac()).isEqualTo(mac(RS1_MAC));
        forwarder.afterFlush();
        assertThat(process(clientSyn(), ETH0)).isEqualTo(Forwarder.FORWARDED);
        assertThat(counters.drops(DropReason.NEIGHBOUR_UNRESOLVED)).isZero();
    }

    @Test
    void shouldCountMalformedNeighborDiscovery() {
        configure(ConnectionFlags.FWD_DROUTE, 80, 80);

        process(PacketBuilder.neighborSolicitation(CL_MAC, CL, VIP).hopLimit(64).vnetHeader(), ETH0);
        process(PacketBuilder.neighborSolicitation(CL_MAC, CL, VIP).wrongL4Checksum().vnetHeader(), ETH0);

        assertThat(counters.drops(DropReason.BAD_ND)).isEqualTo(2);
        assertThat(sent).isEmpty();
    }

    // ---------------------------------------------------------------- ICMPv6 errors

    static PacketBuilder icmp6Error(String srcMac, String dstMac, String src, String dst, int type, int code, int rest,
                                    byte[] quoted) {
        return PacketBuilder.ethernet(srcMac, dstMac).vnetHeader().ipv6(src, dst).hopLimit(64).icmpv6(type, code, rest)
                .payload(quoted);
    }

    @Test
    void shouldTranslateRealServerIcmpv6ErrorBackToClientWhenNat() {
        configure(ConnectionFlags.FWD_MASQ, 80, 8080);
        process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv6(CL, VIP).udp(40000, 53).payload("q"), ETH0);
        sent.clear();
        byte[] asReceived = ipPacket(PacketBuilder.ethernet(CL_MAC, LB_CMAC).ipv6(CL, RS1).hopLimit(63)
                .udp(40000, 53).payload("q"));

        int verdict = process(icmp6Error(RS1_MAC, LB_SMAC, RS1, CL, 1, 4, 0, asReceived), ETH1);

        assertThat(verdict).isEqualTo(Forwarder.FORWARDED);
        byte[] asSent = ipPacket(PacketBuilder.ethernet(CL_MAC, LB_CMAC).ipv6(CL, VIP).hopLimit(63).udp(40000, 53)
                .payload("q"));
        System.arraycopy(asReceived, 46, asSent, 46, 2); // the quoted UDP checksum is left alone
        assertSent(ETH0, icmp6Error(LB_CMAC, CL_MAC, VIP, CL, 1, 4, 0, asSent).hopLimit(63));
    }

    @Test
    void shouldTranslateClientPacketTooBigToRealServerWhenNat() {
        configure(ConnectionFlags.FWD_MASQ, 80, 8080);
        process(clientSyn(), ETH0); // to rs2:8080
        sent.clear();
        byte[] reply = ipPacket(PacketBuilder.ethernet(LB_CMAC, CL_MAC).ipv6(VIP, CL).hopLimit(63).tcp(80, 40000)
                .flags(TcpView.ACK).payload("data"));

        int verdict = process(icmp6Error(CL_MAC, LB_CMAC, CL, VIP, 2, 0, 1280, reply), ETH0);

        assertThat(verdict).isEqualTo(Forwarder.FORWARDED);
        byte[] asRealServerSentIt = ipPacket(PacketBuilder.ethernet(LB_CMAC, CL_MAC).ipv6(RS2, CL).hopLimit(63)
                .tcp(8080, 40000).flags(TcpView.ACK).payload("data"));
        System.arraycopy(reply, 56, asRealServerSentIt, 56, 2); // quoted TCP checksum untouched
        assertSent(ETH1, icmp6Error(LB_SMAC, RS2_MAC, CL, RS2, 2, 0, 1280, asRealServerSentIt).hopLimit(63));
    }

    @Test
    void shouldForwardClientTimeExceededUnchangedWhenDirectRouting() {
        configure(ConnectionFlags.FWD_DROUTE, 80, 80);
        process(clientSyn(), ETH0); // to rs2
        sent.clear();
        byte[] reply = ipPacket(PacketBuilder.ethernet(LB_CMAC, CL_MAC).ipv6(VIP, CL).tcp(80, 40000)
                .flags(TcpView.ACK));

        int verdict = process(icmp6Error(CL_MAC, LB_CMAC, CL, VIP, 3, 0, 0, reply), ETH0);

        assertThat(verdict).isEqualTo(Forwarder.FORWARDED);
        assertSent(ETH1, icmp6Error(LB_SMAC, RS2_MAC, CL, VIP, 3, 0, 0, reply).hopLimit(63));
    }

    @Test
    void shouldDropIcmpv6ErrorThatQuotesNoFlow() {
        configure(ConnectionFlags.FWD_MASQ, 80, 8080);
        byte[] other = ipPacket(PacketBuilder.ethernet(LB_CMAC, CL_MAC).ipv6("2001:db8:9::9", CL).udp(1, 2));

        int verdict = process(icmp6Error(RS1_MAC, LB_SMAC, RS1, CL, 1, 4, 0, other), ETH1);

        assertThat(verdict).isEqualTo(Forwarder.DROPPED);
        assertThat(counters.drops(DropReason.ICMP_UNRELATED)).isEqualTo(1);
        assertThat(sent).isEmpty();
    }

    @Test
    void shouldLeaveEchoToKernel() {
        configure(ConnectionFlags.FWD_DROUTE, 80, 80);

        int verdict = process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv6(CL, VIP).icmpv6Echo(1, 1),
                ETH0);

        assertThat(verdict).isEqualTo(Forwarder.IGNORED);
    }

    // ---------------------------------------------------------------- malformed

    @Test
    void shouldCountAndDropWhenIpv6FrameIsMalformed() {
        configure(ConnectionFlags.FWD_DROUTE, 80, 80);

        process(clientSyn().truncate(10 + 14 + 30), ETH0);
        process(clientSyn().version(5), ETH0);
        process(clientSyn().ipv6PayloadLength(1000), ETH0);
        process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv6(CL, VIP).tcp(40000, 80).flags(TcpView.SYN)
                .dataOffset(15), ETH0);
        process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv6(CL, VIP).icmpv6(1, 0, 0)
                .ipv6PayloadLength(4).truncate(10 + 14 + 44), ETH0);
        process(clientSyn().extensionHeader(60, new byte[6]).ipv6PayloadLength(4), ETH0);

        assertThat(counters.drops(DropReason.TRUNCATED_IPV6)).isEqualTo(3);
        assertThat(counters.drops(DropReason.BAD_IPV6_VERSION)).isEqualTo(1);
        assertThat(counters.drops(DropReason.BAD_TCP_DATA_OFFSET) + counters.drops(DropReason.TRUNCATED_TCP))
                .isEqualTo(1);
        assertThat(counters.drops(DropReason.TRUNCATED_ICMPV6)).isEqualTo(1);
        assertThat(sent).isEmpty();
    }

    @Test
    void shouldDropWhenHopLimitWouldExpire() {
        configure(ConnectionFlags.FWD_DROUTE, 80, 80);

        int verdict = process(clientSyn().hopLimit(1), ETH0);

        assertThat(verdict).isEqualTo(Forwarder.DROPPED);
        assertThat(counters.drops(DropReason.TTL_EXCEEDED)).isEqualTo(1);
    }

    @Test
    void shouldForwardPastExtensionHeadersWhenDirectRouting() {
        configure(ConnectionFlags.FWD_DROUTE, 80, 80);

        int verdict = process(clientSyn().destinationOptions(), ETH0);

        assertThat(verdict).isEqualTo(Forwarder.FORWARDED);
        assertSent(ETH1, PacketBuilder.ethernet(LB_SMAC, RS2_MAC).vnetHeader().ipv6(CL, VIP).hopLimit(63)
                .flowLabel(0x12345).destinationOptions().tcp(40000, 80).flags(TcpView.SYN).seq(1000).window(64240));
    }

    // ---------------------------------------------------------------- fragments

    static PacketBuilder firstFragment(String src, String dst) {
        return firstFragment(CL_MAC, LB_CMAC, src, dst);
    }

    static PacketBuilder firstFragment(String srcMac, String dstMac, String src, String dst) {
        return PacketBuilder.ethernet(srcMac, dstMac).vnetHeader().ipv6(src, dst).fragmentHeader(0, true, 0x10077)
                .udp(40000, 53).udpLength(8 + 16 + 8).payload("0123456789abcdef");
    }

    static PacketBuilder laterFragment(String src, String dst) {
        return laterFragment(CL_MAC, LB_CMAC, src, dst);
    }

    static PacketBuilder laterFragment(String srcMac, String dstMac, String src, String dst) {
        return PacketBuilder.ethernet(srcMac, dstMac).vnetHeader().ipv6(src, dst).fragmentHeader(3, false, 0x10077)
                .protocol(17).payload("ghijklmn");
    }

    @Test
    void shouldSendLaterFragmentsWhereTheFirstWentWhenNat() {
        configure(ConnectionFlags.FWD_MASQ, 80, 8080);

        assertThat(process(firstFragment(CL, VIP), ETH0)).isEqualTo(Forwarder.FORWARDED);
        assertSent(ETH1, firstFragment(LB_SMAC, RS1_MAC, CL, RS1).hopLimit(63));
        sent.clear();
        int verdict = process(laterFragment(CL, VIP), ETH0);

        assertThat(verdict).isEqualTo(Forwarder.FORWARDED);
        assertSent(ETH1, laterFragment(LB_SMAC, RS1_MAC, CL, RS1).hopLimit(63));
    }

    @Test
    void shouldHoldFragmentThatArrivesBeforeItsFirst() {
        configure(ConnectionFlags.FWD_DROUTE, 80, 80);

        assertThat(process(laterFragment(CL, VIP), ETH0)).isEqualTo(Forwarder.HELD);
        assertThat(sent).isEmpty();
        process(firstFragment(CL, VIP), ETH0);

        assertThat(sent).hasSize(2);
        byte[] want = laterFragment(LB_SMAC, RS1_MAC, CL, VIP).hopLimit(63).build();
        assertThat(sent.get(1).bytes()).as(() -> PacketBuilder.diff(want, sent.get(1).bytes())).isEqualTo(want);
    }

    @Test
    void shouldCountFragmentWhoseFirstNeverCame() {
        configure(ConnectionFlags.FWD_DROUTE, 80, 80);
        process(laterFragment(CL, VIP), ETH0);

        process(clientSyn(), ETH0, NOW_MS + FragmentTable.HOLD_MS + 1); // time passes
        forwarder.afterFlush();

        assertThat(counters.drops(DropReason.FRAGMENT)).isEqualTo(1);
    }

    @Test
    void shouldLeaveFragmentsOfOthersToKernel() {
        configure(ConnectionFlags.FWD_DROUTE, 80, 80);

        assertThat(process(laterFragment(CL, "2001:db8:7::7"), ETH0)).isEqualTo(Forwarder.IGNORED);
    }

    // ---------------------------------------------------------------- robustness

    /**
     * Seeded random corruption of IPv6 frames (truncation, flipped bytes, changed lengths and next headers) through
     * every method: nothing throws, and every frame jlvs sends is an IPv6 frame whose payload length matches.
     */
    @Test
    void shouldNeverThrowAndOnlySendConsistentFramesWhenIpv6FramesAreCorrupted() {
        java.util.Random random = new java.util.Random(6);
        byte[] reply = ipPacket(PacketBuilder.ethernet(LB_CMAC, CL_MAC).ipv6(VIP, CL).tcp(80, 40000).flags(TcpView.ACK));
        List<byte[]> seeds = List.of(clientSyn().build(), clientSyn().destinationOptions().payload("x").build(),
                PacketBuilder.neighborSolicitation(CL_MAC, CL, VIP).vnetHeader().build(),
                PacketBuilder.neighborAdvertisement(RS1_MAC, RS1, LB_SMAC, LB_S).vnetHeader().build(),
                icmp6Error(CL_MAC, LB_CMAC, CL, VIP, 2, 0, 1280, reply).build(),
                firstFragment(CL, VIP).build(), laterFragment(CL, VIP).build(),
                PacketBuilder.ethernet(RS1_MAC, LB_SMAC).vnetHeader().ipv6(RS1, LADDR).tcp(8080, 1024)
                        .flags(TcpView.SYN | TcpView.ACK).tcpOptions(mssOption(1440)).build());
        int[] methods = {ConnectionFlags.FWD_DROUTE, ConnectionFlags.FWD_MASQ, ConnectionFlags.FWD_TUNNEL,
                ConnectionFlags.FWD_FULLNAT};
        for (int method : methods) {
            configure(method, 80, 8080);
            for (int i = 0; i < 5_000; i++) {
                byte[] f = seeds.get(random.nextInt(seeds.size())).clone();
                int edits = 1 + random.nextInt(4);
                for (int e = 0; e < edits; e++) {
                    if (f.length <= 10 + 14 + 8) {
                        break;
                    }
                    int at = 10 + 14 + random.nextInt(f.length - 24);
                    switch (random.nextInt(4)) {
                        case 0 -> f[at] = (byte) random.nextInt(256);
                        case 1 -> f = Arrays.copyOf(f, Math.max(11, at));
                        case 2 -> f[10 + 14 + 4 + random.nextInt(2)] = (byte) random.nextInt(256); // payload length
                        default -> f[10 + 14 + 6] = (byte) new int[] {0, 6, 17, 43, 44, 58, 60, 59}[random.nextInt(8)];
                    }
                }
                sent.clear();
                MemorySegment seg = arena.allocate(f.length + 128);
                seg.asSlice(64, f.length).copyFrom(MemorySegment.ofArray(f));
                forwarder.process(seg, 64 + 10, f.length - 10, f.length - 10, i % 2 == 0 ? ETH0 : ETH1, NOW_MS + i);
                for (Sent out : sent) {
                    MemorySegment o = MemorySegment.ofArray(out.bytes());
                    if (out.bytes().length < 10 + 14 + 40) {
                        continue; // only IPv6 frames are sent by this pipeline
                    }
                    io.jlvs.packet.Ipv6View v = new io.jlvs.packet.Ipv6View().wrap(o, 24);
                    assertThat(v.version()).isEqualTo(6);
                    assertThat(v.payloadLength()).as("payload length of a sent frame")
                            .isLessThanOrEqualTo(out.bytes().length - 10 - 14 - 40);
                }
            }
            forwarder.housekeeping(NOW_MS + 600_000);
            forwarder.afterFlush();
        }
    }

    // ---------------------------------------------------------------- allocation

    @Test
    void shouldNotAllocateWhenForwardingIpv6() {
        Forwarder capturing = forwarder;
        ConnectionTable quietConns = new ConnectionTable(1 << 12, 1 << 10, 1000, 1024, 7);
        forwarder = new Forwarder(quietConns, counters, (ifindex, seg, offset, length) -> { }, 1024);
        try {
            configure(ConnectionFlags.FWD_MASQ, 80, 8080);
            MemorySegment syn = MemorySegment.ofArray(clientSyn().build());
            MemorySegment synAck1 = MemorySegment.ofArray(PacketBuilder.ethernet(RS1_MAC, LB_SMAC).vnetHeader()
                    .ipv6(RS1, CL).tcp(8080, 40000).flags(TcpView.SYN | TcpView.ACK).seq(5000).ack(1001).build());
            MemorySegment synAck2 = MemorySegment.ofArray(PacketBuilder.ethernet(RS2_MAC, LB_SMAC).vnetHeader()
                    .ipv6(RS2, CL).tcp(8080, 40000).flags(TcpView.SYN | TcpView.ACK).seq(5000).ack(1001).build());
            MemorySegment ack = MemorySegment.ofArray(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader()
                    .ipv6(CL, VIP).tcp(40000, 80).flags(TcpView.ACK).seq(1001).ack(5001).build());
            MemorySegment ns = MemorySegment.ofArray(PacketBuilder.neighborSolicitation(CL_MAC, CL, VIP).vnetHeader()
                    .build());
            MemorySegment buf = arena.allocate(4096);
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            long[] nowMs = {NOW_MS};
            Runnable round = () -> {
                for (int i = 0; i < 500; i++) {
                    int port = 1024 + (i & 4095);
                    long now = nowMs[0]++;
                    feed(buf, syn, port, 64, ETH0, now);          // client port: TCP source
                    feed(buf, synAck1, port, 66, ETH1, now);      // client port: TCP destination
                    feed(buf, synAck2, port, 66, ETH1, now);
                    feed(buf, ack, port, 64, ETH0, now);
                    feed(buf, ns, -1, 0, ETH0, now);
                    if ((i & 63) == 0) {
                        forwarder.housekeeping(now + 200_000);
                        forwarder.afterFlush();
                    }
                }
                forwarder.afterFlush();
            };
            for (int warm = 0; warm < 100; warm++) {
                round.run();
            }
            long before = threads.getCurrentThreadAllocatedBytes();
            round.run();
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;

            assertThat(allocated).as("bytes allocated for 2,500 IPv6 frames").isLessThan(1024);
        } finally {
            forwarder.close();
            quietConns.close();
            forwarder = capturing;
        }
    }

    private static final ValueLayout.OfShort NET_SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** Copies a frame into the receive buffer (64 bytes of headroom), patches a port, and processes it. */
    private void feed(MemorySegment buf, MemorySegment frame, int port, int portOffset, int ifindex, long nowMs) {
        int len = (int) frame.byteSize();
        MemorySegment.copy(frame, 0, buf, 64, len);
        if (port >= 0) {
            buf.set(NET_SHORT, 64 + portOffset, (short) port);
        }
        forwarder.process(buf, 64 + 10, len - 10, len - 10, ifindex, nowMs);
    }
}
