package io.jlvs.forward;

import io.jlvs.conn.ConnectionFlags;
import io.jlvs.conn.ConnectionTable;
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
import java.util.ArrayList;
import java.util.List;

import static io.jlvs.testkit.PacketBuilder.ip;
import static io.jlvs.testkit.PacketBuilder.mac;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Golden packet fixtures for the forwarding pipeline: an input frame built with {@link PacketBuilder},
 * the exact frame jlvs must emit (byte for byte, virtio_net_hdr included) and the verdict.
 *
 * <p>Bed: client 198.18.0.2 on eth0 (ifindex 2), director eth0 198.18.0.1 / eth1 198.19.0.1 (ifindex 3),
 * real servers 198.19.0.11 and 198.19.0.12 on eth1, VIP 198.18.0.100.
 */
class ForwarderTest {
    static final int ETH0 = 2;
    static final int ETH1 = 3;
    static final String CL_MAC = "02:00:c6:12:00:02";
    static final String LB_CMAC = "02:00:c6:12:00:01";
    static final String LB_SMAC = "02:00:c6:13:00:01";
    static final String RS1_MAC = "02:00:c6:13:00:0b";
    static final String RS2_MAC = "02:00:c6:13:00:0c";
    static final String CL = "198.18.0.2";
    static final String VIP = "198.18.0.100";
    static final String RS1 = "198.19.0.11";
    static final String RS2 = "198.19.0.12";
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

    /** Service VIP:80 with rs1 then rs2 added (list order: rs2 first), both resolved. */
    void configure(int method, int vport, int rport, String scheduler) {
        DestRuntime rs1 = new DestRuntime(1, ip(RS1), rport, method, 1, 0, 0, ETH1, ip(RS1));
        DestRuntime rs2 = new DestRuntime(2, ip(RS2), rport, method, 1, 0, 0, ETH1, ip(RS2));
        ServiceRuntime svc = new ServiceRuntime(1, 6, ip(VIP), vport, 0, SchedulerRegistry.byName(scheduler),
                new DestRuntime[] {rs2, rs1});
        ServiceRuntime udpSvc = new ServiceRuntime(2, 17, ip(VIP), 53, 0, SchedulerRegistry.byName(scheduler),
                new DestRuntime[] {new DestRuntime(3, ip(RS1), 53, method, 1, 0, 0, ETH1, ip(RS1))});
        forwarder.apply(new DataplaneConfig(1, new ServiceRuntime[] {svc, udpSvc},
                new DestRuntime[] {null, rs1, rs2, udpSvc.dests()[0]}, new int[] {ip(VIP)},
                new ServedInterface[] {
                    new ServedInterface(ETH0, "eth0", mac(LB_CMAC), ip("198.18.0.1"), 1500),
                    new ServedInterface(ETH1, "eth1", mac(LB_SMAC), ip("198.19.0.1"), 1500)}));
        // the real servers answer jlvs's ARP requests
        process(PacketBuilder.arpReply(RS1_MAC, RS1, LB_SMAC, "198.19.0.1").vnetHeader(), ETH1);
        process(PacketBuilder.arpReply(RS2_MAC, RS2, LB_SMAC, "198.19.0.1").vnetHeader(), ETH1);
        sent.clear();
    }

    /** A persistent (-p 300 -M 255.255.255.0) rr service with rs1 and rs2, and a one-packet UDP service. */
    void configurePersistent() {
        DestRuntime rs1 = new DestRuntime(1, ip(RS1), 80, ConnectionFlags.FWD_DROUTE, 1, 0, 0, ETH1, ip(RS1));
        DestRuntime rs2 = new DestRuntime(2, ip(RS2), 80, ConnectionFlags.FWD_DROUTE, 1, 0, 0, ETH1, ip(RS2));
        DestRuntime u1 = new DestRuntime(3, ip(RS1), 53, ConnectionFlags.FWD_DROUTE, 1, 0, 0, ETH1, ip(RS1));
        DestRuntime u2 = new DestRuntime(4, ip(RS2), 53, ConnectionFlags.FWD_DROUTE, 1, 0, 0, ETH1, ip(RS2));
        ServiceRuntime svc = new ServiceRuntime(1, 6, ip(VIP), 80, 0, ServiceConfig.F_PERSISTENT, 300, ip("255.255.255.0"),
                SchedulerRegistry.byName("rr"), new DestRuntime[] {rs2, rs1});
        ServiceRuntime ops = new ServiceRuntime(2, 17, ip(VIP), 53, 0, ServiceConfig.F_ONEPACKET, 0, -1,
                SchedulerRegistry.byName("rr"), new DestRuntime[] {u2, u1});
        forwarder.apply(new DataplaneConfig(1, new ServiceRuntime[] {svc, ops}, new DestRuntime[] {null, rs1, rs2, u1, u2},
                new int[] {ip(VIP)}, new ServedInterface[] {
                    new ServedInterface(ETH0, "eth0", mac(LB_CMAC), ip("198.18.0.1"), 1500),
                    new ServedInterface(ETH1, "eth1", mac(LB_SMAC), ip("198.19.0.1"), 1500)}));
        process(PacketBuilder.arpReply(RS1_MAC, RS1, LB_SMAC, "198.19.0.1").vnetHeader(), ETH1);
        process(PacketBuilder.arpReply(RS2_MAC, RS2, LB_SMAC, "198.19.0.1").vnetHeader(), ETH1);
        sent.clear();
    }

    long sentToMac() {
        byte[] b = sent.getLast().bytes();
        return MemorySegment.ofArray(b).get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 10)
                >>> 16;
    }

    int process(PacketBuilder frame, int ifindex) {
        byte[] bytes = frame.build();
        MemorySegment seg = arena.allocate(Frame.HEADROOM + bytes.length + 32);
        seg.asSlice(Frame.HEADROOM, bytes.length).copyFrom(MemorySegment.ofArray(bytes));
        int vnet = 10;
        return forwarder.process(seg, Frame.HEADROOM + vnet, bytes.length - vnet, bytes.length - vnet, ifindex, NOW_MS);
    }

    static PacketBuilder clientSyn() {
        return PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4(CL, VIP).ttl(64).id(7).df(true)
                .tcp(40000, 80).flags(TcpView.SYN).seq(1000).window(64240);
    }

    void assertSent(int ifindex, PacketBuilder expected) {
        assertThat(sent).hasSize(1);
        byte[] want = expected.build();
        assertThat(sent.getFirst().ifindex()).isEqualTo(ifindex);
        assertThat(sent.getFirst().bytes()).as(() -> PacketBuilder.diff(want, sent.getFirst().bytes())).isEqualTo(want);
    }

    @Test
    void shouldRewriteOnlyMacsAndTtlWhenDirectRouting() {
        configure(ConnectionFlags.FWD_DROUTE, 80, 80, "rr");

        int verdict = process(clientSyn(), ETH0);

        assertThat(verdict).isEqualTo(Forwarder.FORWARDED);
        // rr starts at the head of the list: rs2, the most recently added
        assertSent(ETH1, PacketBuilder.ethernet(LB_SMAC, RS2_MAC).vnetHeader().ipv4(CL, VIP).ttl(63).id(7).df(true)
                .tcp(40000, 80).flags(TcpView.SYN).seq(1000).window(64240));
    }

    @Test
    void shouldHoldFirstSynUntilRealServerResolvesWhenItsMacIsUnknown() {
        DestRuntime rs2 = new DestRuntime(2, ip(RS2), 80, ConnectionFlags.FWD_DROUTE, 1, 0, 0, ETH1, ip(RS2));
        ServiceRuntime svc = new ServiceRuntime(1, 6, ip(VIP), 80, 0, SchedulerRegistry.byName("rr"),
                new DestRuntime[] {rs2});
        forwarder.apply(new DataplaneConfig(1, new ServiceRuntime[] {svc}, new DestRuntime[] {null, null, rs2},
                new int[] {ip(VIP)}, new ServedInterface[] {
                    new ServedInterface(ETH0, "eth0", mac(LB_CMAC), ip("198.18.0.1"), 1500),
                    new ServedInterface(ETH1, "eth1", mac(LB_SMAC), ip("198.19.0.1"), 1500)}));

        assertThat(process(clientSyn(), ETH0)).isEqualTo(Forwarder.HELD);
        assertThat(sent).as("only the ARP request for the real server").hasSize(1);
        assertThat(new io.jlvs.packet.ArpView().wrap(MemorySegment.ofArray(sent.getFirst().bytes()), 24).targetIp())
                .isEqualTo(ip(RS2));
        process(PacketBuilder.arpReply(RS2_MAC, RS2, LB_SMAC, "198.19.0.1").vnetHeader(), ETH1);
        sent.clear();
        forwarder.housekeeping(NOW_MS + 5);

        assertSent(ETH1, PacketBuilder.ethernet(LB_SMAC, RS2_MAC).vnetHeader().ipv4(CL, VIP).ttl(63).id(7).df(true)
                .tcp(40000, 80).flags(TcpView.SYN).seq(1000).window(64240));
        assertThat(counters.drops(DropReason.NEIGHBOUR_UNRESOLVED)).isZero();
    }

    @Test
    void shouldAlternateRealServersWhenRoundRobin() {
        configure(ConnectionFlags.FWD_DROUTE, 80, 80, "rr");
        List<Long> macs = new ArrayList<>();
        for (int port = 40000; port < 40004; port++) {
            sent.clear();
            process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4(CL, VIP).tcp(port, 80)
                    .flags(TcpView.SYN), ETH0);
            byte[] b = sent.getFirst().bytes();
            macs.add(MemorySegment.ofArray(b).get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 12)
                    & 0xffffffffL);
        }
        assertThat(macs.get(0)).isNotEqualTo(macs.get(1));
        assertThat(macs.get(0)).isEqualTo(macs.get(2));
        assertThat(macs.get(1)).isEqualTo(macs.get(3));
    }

    @Test
    void shouldTranslateDestinationWhenNatInbound() {
        configure(ConnectionFlags.FWD_MASQ, 80, 8080, "rr");

        int verdict = process(clientSyn(), ETH0);

        assertThat(verdict).isEqualTo(Forwarder.FORWARDED);
        assertSent(ETH1, PacketBuilder.ethernet(LB_SMAC, RS2_MAC).vnetHeader().ipv4(CL, RS2).ttl(63).id(7).df(true)
                .tcp(40000, 8080).flags(TcpView.SYN).seq(1000).window(64240));
    }

    @Test
    void shouldTranslateSourceBackWhenNatReply() {
        configure(ConnectionFlags.FWD_MASQ, 80, 8080, "rr");
        process(clientSyn(), ETH0);
        sent.clear();

        int verdict = process(PacketBuilder.ethernet(RS2_MAC, LB_SMAC).vnetHeader().ipv4(RS2, CL).ttl(64).id(9)
                .df(true).tcp(8080, 40000).flags(TcpView.SYN | TcpView.ACK).seq(5000).ack(1001).window(65160), ETH1);

        assertThat(verdict).isEqualTo(Forwarder.FORWARDED);
        assertSent(ETH0, PacketBuilder.ethernet(LB_CMAC, CL_MAC).vnetHeader().ipv4(VIP, CL).ttl(63).id(9).df(true)
                .tcp(80, 40000).flags(TcpView.SYN | TcpView.ACK).seq(5000).ack(1001).window(65160));
        int slot = conns.lookupIn(6, ip(CL), 40000, ip(VIP), 80);
        assertThat(conns.state(slot)).isEqualTo(TcpState.SYN_RECV);
    }

    @Test
    void shouldAdjustOnlyPseudoHeaderWhenChecksumIsPartial() {
        configure(ConnectionFlags.FWD_MASQ, 80, 8080, "rr");

        process(clientSyn().partialChecksum().payload("GET / HTTP/1.1\r\n\r\n"), ETH0);

        assertSent(ETH1, PacketBuilder.ethernet(LB_SMAC, RS2_MAC).ipv4(CL, RS2).ttl(63).id(7).df(true)
                .tcp(40000, 8080).flags(TcpView.SYN).seq(1000).window(64240).partialChecksum()
                .payload("GET / HTTP/1.1\r\n\r\n"));
    }

    @Test
    void shouldTranslateUdpWhenNat() {
        configure(ConnectionFlags.FWD_MASQ, 80, 8080, "rr");

        process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4(CL, VIP).udp(5353, 53).payload("q"), ETH0);

        assertSent(ETH1, PacketBuilder.ethernet(LB_SMAC, RS1_MAC).vnetHeader().ipv4(CL, RS1).ttl(63)
                .udp(5353, 53).payload("q"));
    }

    @Test
    void shouldComputeFullUdpChecksumWhenNatDatagramCarriesNone() {
        configure(ConnectionFlags.FWD_MASQ, 80, 8080, "rr");

        process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4(CL, VIP).udp(5353, 53).udpChecksumZero()
                .payload("q"), ETH0);

        assertSent(ETH1, PacketBuilder.ethernet(LB_SMAC, RS1_MAC).vnetHeader().ipv4(CL, RS1).ttl(63)
                .udp(5353, 53).payload("q"));
    }

    @Test
    void shouldAnswerPortUnreachableFromVipWhenNoServerIsAvailable() {
        DestRuntime quiesced = new DestRuntime(1, ip(RS1), 80, ConnectionFlags.FWD_DROUTE, 0, 0, 0, ETH1, ip(RS1));
        ServiceRuntime svc = new ServiceRuntime(1, 6, ip(VIP), 80, 0, SchedulerRegistry.byName("wlc"),
                new DestRuntime[] {quiesced});
        forwarder.apply(new DataplaneConfig(1, new ServiceRuntime[] {svc}, new DestRuntime[] {null, quiesced},
                new int[] {ip(VIP)}, new ServedInterface[] {
                    new ServedInterface(ETH0, "eth0", mac(LB_CMAC), ip("198.18.0.1"), 1500),
                    new ServedInterface(ETH1, "eth1", mac(LB_SMAC), ip("198.19.0.1"), 1500)}));

        int verdict = process(clientSyn(), ETH0);

        assertThat(verdict).isEqualTo(Forwarder.DROPPED);
        assertThat(counters.drops(DropReason.NO_DESTINATION)).isEqualTo(1);
        byte[] quote = java.util.Arrays.copyOf(ipPacket(PacketBuilder.ethernet(CL_MAC, LB_CMAC).ipv4(CL, VIP).ttl(64)
                .id(7).df(true).tcp(40000, 80).flags(TcpView.SYN).seq(1000).window(64240)), 28);
        byte[] out = sent.getFirst().bytes();
        assertThat(sent.getFirst().ifindex()).isEqualTo(ETH0);
        MemorySegment o = MemorySegment.ofArray(out);
        io.jlvs.packet.Ipv4View icmpIp = new io.jlvs.packet.Ipv4View().wrap(o, 24);
        assertThat(icmpIp.srcAddr()).isEqualTo(ip(VIP));
        assertThat(icmpIp.dstAddr()).isEqualTo(ip(CL));
        assertThat(new io.jlvs.packet.EthernetView().wrap(o, 10).dstMac()).isEqualTo(mac(CL_MAC));
        io.jlvs.packet.IcmpView icmp = new io.jlvs.packet.IcmpView().wrap(o, 44);
        assertThat(icmp.type()).isEqualTo(3);
        assertThat(icmp.code()).isEqualTo(3);
        assertThat(icmp.checksumValid(out.length - 44)).isTrue();
        assertThat(java.util.Arrays.copyOfRange(out, 52, out.length)).isEqualTo(quote);
    }

    @Test
    void shouldAnswerTimeExceededFromVipWhenClientTtlRunsOut() {
        configure(ConnectionFlags.FWD_DROUTE, 80, 80, "rr");

        int verdict = process(clientSyn().ttl(1), ETH0);

        assertThat(verdict).isEqualTo(Forwarder.DROPPED);
        assertThat(counters.drops(DropReason.TTL_EXCEEDED)).isEqualTo(1);
        MemorySegment o = MemorySegment.ofArray(sent.getFirst().bytes());
        assertThat(new io.jlvs.packet.Ipv4View().wrap(o, 24).srcAddr()).isEqualTo(ip(VIP));
        assertThat(new io.jlvs.packet.IcmpView().wrap(o, 44).type()).isEqualTo(11);
        assertThat(new io.jlvs.packet.IcmpView().wrap(o, 44).code()).isZero();
    }

    @Test
    void shouldAnswerTimeExceededFromDirectorAddressWhenNatReplyTtlRunsOut() {
        configure(ConnectionFlags.FWD_MASQ, 80, 8080, "rr");
        process(clientSyn(), ETH0);
        sent.clear();

        process(PacketBuilder.ethernet(RS2_MAC, LB_SMAC).vnetHeader().ipv4(RS2, CL).ttl(1).tcp(8080, 40000)
                .flags(TcpView.SYN | TcpView.ACK), ETH1);

        assertThat(sent).hasSize(1);
        assertThat(sent.getFirst().ifindex()).isEqualTo(ETH1);
        MemorySegment o = MemorySegment.ofArray(sent.getFirst().bytes());
        io.jlvs.packet.Ipv4View icmpIp = new io.jlvs.packet.Ipv4View().wrap(o, 24);
        assertThat(icmpIp.srcAddr()).isEqualTo(ip("198.19.0.1"));
        assertThat(icmpIp.dstAddr()).isEqualTo(ip(RS2));
        assertThat(new io.jlvs.packet.IcmpView().wrap(o, 44).type()).isEqualTo(11);
    }

    @Test
    void shouldLimitIcmpErrorsToTheKernelsBurstWhenFlooded() {
        configure(ConnectionFlags.FWD_DROUTE, 80, 80, "rr");

        for (int i = 0; i < 80; i++) {
            process(clientSyn().ttl(1), ETH0); // all in the same millisecond
        }

        assertThat(sent).hasSize(50);
        assertThat(counters.drops(DropReason.TTL_EXCEEDED)).isEqualTo(80);
    }

    @Test
    void shouldCountConnectionActiveWhenSynSeen() {
        configure(ConnectionFlags.FWD_DROUTE, 80, 80, "rr");

        process(clientSyn(), ETH0);

        int slot = conns.lookupIn(6, ip(CL), 40000, ip(VIP), 80);
        assertThat(slot).isNotNegative();
        assertThat(conns.state(slot)).isEqualTo(TcpState.SYN_RECV);
        assertThat(conns.flags(slot) & ConnectionFlags.NOOUTPUT).isNotZero();
        assertThat(counters.dest(2, WorkerCounters.ACTIVE)).isEqualTo(1);
        assertThat(counters.dest(2, WorkerCounters.INACTIVE)).isZero();
        assertThat(counters.dest(2, WorkerCounters.CONNS)).isEqualTo(1);
        assertThat(counters.service(1, WorkerCounters.IN_PKTS)).isEqualTo(1);
    }

    @Test
    void shouldDropNonSynWhenNoConnection() {
        configure(ConnectionFlags.FWD_DROUTE, 80, 80, "rr");

        int verdict = process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4(CL, VIP).tcp(40000, 80)
                .flags(TcpView.ACK), ETH0);

        assertThat(verdict).isEqualTo(Forwarder.DROPPED);
        assertThat(sent).isEmpty();
        assertThat(counters.drops(DropReason.NO_CONNECTION)).isEqualTo(1);
    }

    static PacketBuilder midFlowAck(int clientPort) {
        return PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4(CL, VIP).ttl(64).id(8).df(true)
                .tcp(clientPort, 80).flags(TcpView.ACK | TcpView.PSH).seq(5001).ack(9001).window(502)
                .payload("GET / HTTP/1.1\r\n\r\n");
    }

    @Test
    void shouldScheduleMidFlowSegmentWhenSloppyTcp() {
        // a flow ECMP moved here from another director: its first segment here is a data ACK
        configure(ConnectionFlags.FWD_DROUTE, 80, 80, "mh");
        forwarder.sloppyTcp(true);

        int verdict = process(midFlowAck(40000), ETH0);

        assertThat(verdict).isEqualTo(Forwarder.FORWARDED);
        assertSent(ETH1, PacketBuilder.ethernet(LB_SMAC, RS2_MAC).vnetHeader().ipv4(CL, VIP).ttl(63).id(8).df(true)
                .tcp(40000, 80).flags(TcpView.ACK | TcpView.PSH).seq(5001).ack(9001).window(502)
                .payload("GET / HTTP/1.1\r\n\r\n"));
        int slot = conns.lookupIn(6, ip(CL), 40000, ip(VIP), 80);
        assertThat(conns.state(slot)).isEqualTo(TcpState.ESTABLISHED);
        assertThat(counters.drops(DropReason.NO_CONNECTION)).isZero();
    }

    @Test
    void shouldDropRstWithoutConnectionWhenSloppyTcp() {
        configure(ConnectionFlags.FWD_DROUTE, 80, 80, "mh");
        forwarder.sloppyTcp(true);

        int verdict = process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4(CL, VIP).tcp(40000, 80)
                .flags(TcpView.RST | TcpView.ACK), ETH0);

        assertThat(verdict).isEqualTo(Forwarder.DROPPED);
        assertThat(sent).isEmpty();
        assertThat(counters.drops(DropReason.NO_CONNECTION)).isEqualTo(1);
    }

    @Test
    void shouldSendMidFlowSegmentWhereAnotherDirectorSentTheSynWhenMaglevAndSloppyTcp() {
        // director A saw the SYNs; director B (its own forwarder, table and scheduler state) sees only later segments
        configure(ConnectionFlags.FWD_DROUTE, 80, 80, "mh");
        // mh hashes the client's address (no mh-port flag): one flow per client
        List<Long> viaA = new ArrayList<>();
        for (int host = 2; host < 66; host++) {
            sent.clear();
            process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4("198.18.0." + host, VIP).tcp(40000, 80)
                    .flags(TcpView.SYN), ETH0);
            viaA.add(sentToMac());
        }
        forwarder.close();
        conns.close();
        conns = new ConnectionTable(1 << 12, 1 << 10, 1000, 1024, 7);
        forwarder = new Forwarder(conns, counters, (ifindex, seg, offset, length) ->
                sent.add(new Sent(ifindex, seg.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE))), 1024);
        configure(ConnectionFlags.FWD_DROUTE, 80, 80, "mh");
        forwarder.sloppyTcp(true);
        List<Long> viaB = new ArrayList<>();
        for (int host = 2; host < 66; host++) {
            sent.clear();
            process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4("198.18.0." + host, VIP).tcp(40000, 80)
                    .flags(TcpView.ACK).seq(5001).ack(9001), ETH0);
            viaB.add(sentToMac());
        }

        assertThat(viaB).isEqualTo(viaA);
        assertThat(viaA).contains(mac(RS1_MAC), mac(RS2_MAC));
    }

    @Test
    void shouldAnswerArpWhenAskedForVip() {
        configure(ConnectionFlags.FWD_DROUTE, 80, 80, "rr");

        int verdict = process(PacketBuilder.arpRequest(CL_MAC, CL, VIP).vnetHeader(), ETH0);

        assertThat(verdict).isEqualTo(Forwarder.ANSWERED);
        assertSent(ETH0, PacketBuilder.arpReply(LB_CMAC, VIP, CL_MAC, CL).vnetHeader());
    }

    @Test
    void shouldSolicitRealServersWhenHousekeeping() {
        forwarder.apply(new DataplaneConfig(1, new ServiceRuntime[0],
                new DestRuntime[] {null, new DestRuntime(1, ip(RS1), 80, ConnectionFlags.FWD_DROUTE, 1, 0, 0, ETH1, ip(RS1))},
                new int[0], new ServedInterface[] {new ServedInterface(ETH1, "eth1", mac(LB_SMAC), ip("198.19.0.1"), 1500)}));

        forwarder.housekeeping(NOW_MS);

        assertSent(ETH1, PacketBuilder.arpRequest(LB_SMAC, "198.19.0.1", RS1).vnetHeader());
    }

    @Test
    void shouldCountAndDropWhenFrameIsMalformed() {
        configure(ConnectionFlags.FWD_DROUTE, 80, 80, "rr");

        process(clientSyn().truncate(30), ETH0);
        process(clientSyn().ihl(4), ETH0);
        process(clientSyn().version(6), ETH0);
        process(clientSyn().dataOffset(3), ETH0);
        process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().truncate(8), ETH0);

        assertThat(sent).isEmpty();
        assertThat(counters.drops(DropReason.TRUNCATED_IPV4)).isEqualTo(1);
        assertThat(counters.drops(DropReason.BAD_IPV4_IHL)).isEqualTo(1);
        assertThat(counters.drops(DropReason.BAD_IPV4_VERSION)).isEqualTo(1);
        assertThat(counters.drops(DropReason.BAD_TCP_DATA_OFFSET)).isEqualTo(1);
        assertThat(counters.drops(DropReason.TRUNCATED_ETHERNET)).isEqualTo(1);
    }

    @Test
    void shouldKeepClientNetworkOnOneServerWhenPersistent() {
        configurePersistent();
        process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4(CL, VIP).tcp(40000, 80).flags(TcpView.SYN), ETH0);
        long first = sentToMac();
        for (int port = 40001; port < 40006; port++) {
            // same /24, other ports and hosts: rr alone would alternate
            process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4("198.18.0." + (port - 39990), VIP)
                    .tcp(port, 80).flags(TcpView.SYN), ETH0);
            assertThat(sentToMac()).isEqualTo(first);
        }
        // another /24 is scheduled anew: rr moves on
        process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4("198.19.5.2", VIP).tcp(40000, 80)
                .flags(TcpView.SYN), ETH0);
        assertThat(sentToMac()).isNotEqualTo(first);
        assertThat(counters.dest(2, WorkerCounters.PERSIST) + counters.dest(1, WorkerCounters.PERSIST)).isEqualTo(2);
    }

    @Test
    void shouldKeepTemplateWhileItControlsConnections() {
        configurePersistent();
        process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4(CL, VIP).tcp(40000, 80).flags(TcpView.SYN), ETH0);
        process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4(CL, VIP).tcp(40000, 80).flags(TcpView.ACK), ETH0);
        assertThat(conns.size()).isEqualTo(2); // connection + template

        // the template's 300 s run out while the connection (ESTABLISHED, 900 s) lives: kept for 60 s more
        forwarder.housekeeping(NOW_MS + 301_000);
        assertThat(conns.size()).isEqualTo(2);
        // when the connection is gone too, the template goes at its next expiry
        forwarder.housekeeping(NOW_MS + 901_000);
        forwarder.housekeeping(NOW_MS + 1_000_000);
        assertThat(conns.size()).isZero();
        assertThat(counters.dest(2, WorkerCounters.PERSIST)).isZero();
    }

    @Test
    void shouldScheduleEveryDatagramWhenOnePacket() {
        configurePersistent();
        List<Long> macs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4(CL, VIP).udp(5353, 53).payload("q"), ETH0);
            macs.add(sentToMac());
        }
        assertThat(macs).containsExactly(mac(RS2_MAC), mac(RS1_MAC), mac(RS2_MAC), mac(RS1_MAC));
        assertThat(conns.size()).isZero();
        assertThat(counters.service(2, WorkerCounters.CONNS)).isEqualTo(4);
        assertThat(counters.dest(3, WorkerCounters.INACTIVE) + counters.dest(4, WorkerCounters.INACTIVE)).isZero();
    }

    @Test
    void shouldSendPorts80And443OfOneClientToOneServerWhenFwmarkPersistent() {
        DestRuntime rs1 = new DestRuntime(1, ip(RS1), 0, ConnectionFlags.FWD_DROUTE, 1, 0, 0, ETH1, ip(RS1));
        DestRuntime rs2 = new DestRuntime(2, ip(RS2), 0, ConnectionFlags.FWD_DROUTE, 1, 0, 0, ETH1, ip(RS2));
        ServiceRuntime svc = new ServiceRuntime(1, 0, 0, 0, 1, ServiceConfig.F_PERSISTENT, 300, -1,
                SchedulerRegistry.byName("rr"), new DestRuntime[] {rs2, rs1});
        forwarder.apply(new DataplaneConfig(1, new ServiceRuntime[] {svc}, new DestRuntime[] {null, rs1, rs2},
                new int[] {ip(VIP)}, new ServedInterface[] {
                    new ServedInterface(ETH0, "eth0", mac(LB_CMAC), ip("198.18.0.1"), 1500),
                    new ServedInterface(ETH1, "eth1", mac(LB_SMAC), ip("198.19.0.1"), 1500)},
                new MarkRuleRuntime[] {new MarkRuleRuntime(ip(VIP), -1, 6, 80, 80, 1),
                    new MarkRuleRuntime(ip(VIP), -1, 6, 443, 443, 1)}));
        process(PacketBuilder.arpReply(RS1_MAC, RS1, LB_SMAC, "198.19.0.1").vnetHeader(), ETH1);
        process(PacketBuilder.arpReply(RS2_MAC, RS2, LB_SMAC, "198.19.0.1").vnetHeader(), ETH1);
        sent.clear();

        process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4(CL, VIP).tcp(40000, 80).flags(TcpView.SYN), ETH0);
        long server = sentToMac();
        process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4(CL, VIP).tcp(40001, 443).flags(TcpView.SYN), ETH0);
        assertThat(sentToMac()).isEqualTo(server);
        // another client is scheduled anew (rr moves on); an unmarked port is not served
        process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4("198.18.0.3", VIP).tcp(40000, 443)
                .flags(TcpView.SYN), ETH0);
        assertThat(sentToMac()).isNotEqualTo(server);
        sent.clear();
        int verdict = process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4(CL, VIP).tcp(40002, 22)
                .flags(TcpView.SYN), ETH0);
        assertThat(verdict).isNotEqualTo(Forwarder.FORWARDED);
        assertThat(sent).isEmpty();
    }

    void configureTunnel(int tunnelType, int mtu) {
        configureTunnel(tunnelType, mtu, 0);
    }

    void configureTunnel(int tunnelType, int mtu, int tunnelFlags) {
        DestRuntime rs1 = new DestRuntime(1, ip(RS1), 80, ConnectionFlags.FWD_TUNNEL, 1, 0, 0, ETH1, ip(RS1),
                tunnelType, 6080, tunnelFlags);
        ServiceRuntime svc = new ServiceRuntime(1, 6, ip(VIP), 80, 0, SchedulerRegistry.byName("rr"),
                new DestRuntime[] {rs1});
        forwarder.apply(new DataplaneConfig(1, new ServiceRuntime[] {svc}, new DestRuntime[] {null, rs1},
                new int[] {ip(VIP)}, new ServedInterface[] {
                    new ServedInterface(ETH0, "eth0", mac(LB_CMAC), ip("198.18.0.1"), 1500),
                    new ServedInterface(ETH1, "eth1", mac(LB_SMAC), ip("198.19.0.1"), mtu)}));
        process(PacketBuilder.arpReply(RS1_MAC, RS1, LB_SMAC, "198.19.0.1").vnetHeader(), ETH1);
        sent.clear();
    }

    /** The client's packet as the real server must find it inside the tunnel: only the TTL changed. */
    static byte[] innerAfterForwarding(PacketBuilder p) {
        byte[] frame = p.build();
        return java.util.Arrays.copyOfRange(frame, 10 + 14, frame.length);
    }

    @Test
    void shouldEncapsulateInIpipWhenTunnel() {
        configureTunnel(TunnelXmit.TYPE_IPIP, 1500);

        int verdict = process(clientSyn().payload("hello"), ETH0);

        assertThat(verdict).isEqualTo(Forwarder.FORWARDED);
        byte[] out = sent.getFirst().bytes();
        MemorySegment o = MemorySegment.ofArray(out);
        io.jlvs.packet.EthernetView e = new io.jlvs.packet.EthernetView().wrap(o, 10);
        assertThat(e.dstMac()).isEqualTo(mac(RS1_MAC));
        assertThat(e.srcMac()).isEqualTo(mac(LB_SMAC));
        io.jlvs.packet.Ipv4View outer = new io.jlvs.packet.Ipv4View().wrap(o, 24);
        assertThat(outer.protocol()).isEqualTo(4);
        assertThat(outer.srcAddr()).isEqualTo(ip("198.19.0.1"));
        assertThat(outer.dstAddr()).isEqualTo(ip(RS1));
        assertThat(outer.ttl()).isEqualTo(63);
        assertThat(outer.dontFragment()).isTrue();
        assertThat(outer.headerChecksumValid()).isTrue();
        byte[] inner = java.util.Arrays.copyOfRange(out, 10 + 14 + 20, out.length);
        assertThat(outer.totalLength()).isEqualTo(20 + inner.length);
        assertThat(inner).isEqualTo(innerAfterForwarding(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader()
                .ipv4(CL, VIP).ttl(63).id(7).df(true).tcp(40000, 80).flags(TcpView.SYN).seq(1000).window(64240)
                .payload("hello")));
    }

    @Test
    void shouldEncapsulateInGueWhenTunnelTypeGue() {
        configureTunnel(TunnelXmit.TYPE_GUE, 1500);

        process(clientSyn(), ETH0);

        byte[] out = sent.getFirst().bytes();
        MemorySegment o = MemorySegment.ofArray(out);
        io.jlvs.packet.Ipv4View outer = new io.jlvs.packet.Ipv4View().wrap(o, 24);
        assertThat(outer.protocol()).isEqualTo(17);
        io.jlvs.packet.UdpView udp = new io.jlvs.packet.UdpView().wrap(o, 44);
        assertThat(udp.dstPort()).isEqualTo(6080);
        assertThat(udp.checksum()).isZero();
        assertThat(udp.length()).isEqualTo(out.length - 44);
        // GUE: version 0, no options, inner protocol 4, no flags
        assertThat(java.util.Arrays.copyOfRange(out, 52, 56)).containsExactly(0, 4, 0, 0);
        assertThat(java.util.Arrays.copyOfRange(out, 56, out.length)).isEqualTo(innerAfterForwarding(
                clientSyn().ttl(63)));
    }

    @Test
    void shouldEncapsulateInGreWithoutChecksumWhenTunnelTypeGre() {
        configureTunnel(TunnelXmit.TYPE_GRE, 1500);

        int verdict = process(clientSyn().payload("hello"), ETH0);

        assertThat(verdict).isEqualTo(Forwarder.FORWARDED);
        byte[] out = sent.getFirst().bytes();
        io.jlvs.packet.Ipv4View outer = new io.jlvs.packet.Ipv4View().wrap(MemorySegment.ofArray(out), 24);
        assertThat(outer.protocol()).isEqualTo(47);
        assertThat(outer.dstAddr()).isEqualTo(ip(RS1));
        assertThat(outer.totalLength()).isEqualTo(out.length - 24);
        assertThat(outer.headerChecksumValid()).isTrue();
        // GRE: no flags, version 0, protocol IPv4; then the client's packet with only its TTL changed
        assertThat(java.util.Arrays.copyOfRange(out, 44, 48)).containsExactly(0, 0, 0x08, 0x00);
        assertThat(java.util.Arrays.copyOfRange(out, 48, out.length)).isEqualTo(innerAfterForwarding(
                clientSyn().ttl(63).payload("hello")));
    }

    @Test
    void shouldCarryGreChecksumOverTheCompletedInnerPacketWhenTunCsum() {
        configureTunnel(TunnelXmit.TYPE_GRE, 1500, TunnelXmit.FLAG_CSUM);
        process(clientSyn(), ETH0);
        sent.clear();

        process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4(CL, VIP).df(true).tcp(40000, 80)
                .flags(TcpView.ACK | TcpView.PSH).seq(1001).payload("GET / HTTP/1.1\r\n").partialChecksum(), ETH0);

        byte[] out = sent.getFirst().bytes();
        MemorySegment o = MemorySegment.ofArray(out);
        assertThat(o.get(ValueLayout.JAVA_BYTE, 0) & VnetHeaderFlags.NEEDS_CSUM).as("nothing left partial").isZero();
        assertThat(java.util.Arrays.copyOfRange(out, 44, 48)).containsExactly(0x80, 0, 0x08, 0x00);
        assertThat(io.jlvs.packet.Checksum.finish(io.jlvs.packet.Checksum.sum(o, 44, out.length - 44, 0)))
                .as("GRE checksum over header and inner packet").isZero();
        io.jlvs.packet.Ipv4View inner = new io.jlvs.packet.Ipv4View().wrap(o, 52);
        assertThat(io.jlvs.packet.Checksum.l4Ipv4Valid(o, 72, inner.totalLength() - 20, inner.srcAddr(),
                inner.dstAddr(), 6)).as("inner TCP checksum completed").isTrue();
    }

    @Test
    void shouldCompleteInnerChecksumAndSetUdpChecksumWhenGueTunCsum() {
        configureTunnel(TunnelXmit.TYPE_GUE, 1500, TunnelXmit.FLAG_CSUM);
        process(clientSyn(), ETH0);
        sent.clear();

        process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4(CL, VIP).df(true).tcp(40000, 80)
                .flags(TcpView.ACK).seq(1001).payload("data").partialChecksum(), ETH0);

        byte[] out = sent.getFirst().bytes();
        MemorySegment o = MemorySegment.ofArray(out);
        assertThat(o.get(ValueLayout.JAVA_BYTE, 0) & VnetHeaderFlags.NEEDS_CSUM).isZero();
        io.jlvs.packet.UdpView udp = new io.jlvs.packet.UdpView().wrap(o, 44);
        assertThat(udp.checksum()).isNotZero();
        assertThat(io.jlvs.packet.Checksum.l4Ipv4Valid(o, 44, out.length - 44, ip("198.19.0.1"), ip(RS1), 17)).isTrue();
        io.jlvs.packet.Ipv4View inner = new io.jlvs.packet.Ipv4View().wrap(o, 56);
        assertThat(io.jlvs.packet.Checksum.l4Ipv4Valid(o, 76, inner.totalLength() - 20, inner.srcAddr(),
                inner.dstAddr(), 6)).isTrue();
    }

    @Test
    void shouldDescribePartialInnerChecksumInRemcsumOptionWhenGueTunRemcsum() {
        configureTunnel(TunnelXmit.TYPE_GUE, 1500, TunnelXmit.FLAG_REMCSUM);
        process(clientSyn(), ETH0);
        sent.clear();
        PacketBuilder partial = PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4(CL, VIP).df(true)
                .tcp(40000, 80).flags(TcpView.ACK).seq(1001).payload("data").partialChecksum();
        byte[] in = partial.build();
        int partialField = ((in[10 + 14 + 20 + 16] & 0xff) << 8) | (in[10 + 14 + 20 + 17] & 0xff);

        process(partial, ETH0);

        byte[] out = sent.getFirst().bytes();
        MemorySegment o = MemorySegment.ofArray(out);
        // GUE: hlen 2 words, proto 4, flags PRIV; private flags REMCSUM; start 20, position 20 + 16 (TCP checksum)
        assertThat(java.util.Arrays.copyOfRange(out, 52, 64))
                .containsExactly(2, 4, 0, 1, 0x80, 0, 0, 0, 0, 20, 0, 36);
        io.jlvs.packet.UdpView udp = new io.jlvs.packet.UdpView().wrap(o, 44);
        assertThat(udp.length()).isEqualTo(out.length - 44);
        assertThat(io.jlvs.packet.Checksum.l4Ipv4Valid(o, 44, out.length - 44, ip("198.19.0.1"), ip(RS1), 17)).isTrue();
        // the inner checksum is left for the real server: still the pseudo-header sum
        int innerField = ((out[64 + 20 + 16] & 0xff) << 8) | (out[64 + 20 + 17] & 0xff);
        assertThat(innerField).isEqualTo(partialField);
        assertThat(o.get(ValueLayout.JAVA_BYTE, 0) & VnetHeaderFlags.NEEDS_CSUM).isZero();
    }

    @Test
    void shouldReportMtuLessGreOverheadWhenGrePacketIsTooBig() {
        configureTunnel(TunnelXmit.TYPE_GRE, 1500, TunnelXmit.FLAG_CSUM);
        process(clientSyn(), ETH0);
        sent.clear();

        process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4(CL, VIP).df(true)
                .tcp(40000, 80).flags(TcpView.ACK).payload(new byte[1500 - 40]), ETH0);

        io.jlvs.packet.IcmpView icmp = new io.jlvs.packet.IcmpView().wrap(MemorySegment.ofArray(sent.getFirst().bytes()), 44);
        assertThat(icmp.nextHopMtu()).isEqualTo(1500 - 20 - 8);
    }

    @Test
    void shouldChecksumEveryGueSegmentWhenGsoFrameAndTunCsum() {
        configureTunnel(TunnelXmit.TYPE_GUE, 1500, TunnelXmit.FLAG_CSUM);
        process(clientSyn(), ETH0);
        sent.clear();

        process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).ipv4(CL, VIP).df(true).tcp(40000, 80)
                .flags(TcpView.ACK).seq(5000).payload(new byte[3000]).gso(1, 1400).partialChecksum(), ETH0);

        assertThat(sent).hasSizeGreaterThan(2);
        for (Sent segment : sent) {
            MemorySegment o = MemorySegment.ofArray(segment.bytes());
            io.jlvs.packet.UdpView udp = new io.jlvs.packet.UdpView().wrap(o, 44);
            assertThat(udp.checksum()).isNotZero();
            assertThat(io.jlvs.packet.Checksum.l4Ipv4Valid(o, 44, segment.bytes().length - 44, ip("198.19.0.1"),
                    ip(RS1), 17)).isTrue();
        }
    }

    /** virtio_net_hdr flag bits as the tests read them from the first byte. */
    static final class VnetHeaderFlags {
        static final int NEEDS_CSUM = 1;
    }

    @Test
    void shouldAnswerFragmentationNeededWhenTunnelledPacketIsTooBig() {
        configureTunnel(TunnelXmit.TYPE_IPIP, 1500);
        process(clientSyn(), ETH0);
        sent.clear();

        byte[] big = new byte[1500 - 40];
        int verdict = process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4(CL, VIP).df(true)
                .tcp(40000, 80).flags(TcpView.ACK).payload(big), ETH0);

        assertThat(verdict).isEqualTo(Forwarder.DROPPED);
        assertThat(counters.drops(DropReason.FRAG_NEEDED_SENT)).isEqualTo(1);
        assertThat(sent).hasSize(1);
        assertThat(sent.getFirst().ifindex()).isEqualTo(ETH0);
        MemorySegment o = MemorySegment.ofArray(sent.getFirst().bytes());
        io.jlvs.packet.Ipv4View icmpIp = new io.jlvs.packet.Ipv4View().wrap(o, 24);
        assertThat(icmpIp.srcAddr()).isEqualTo(ip(VIP));
        assertThat(icmpIp.dstAddr()).isEqualTo(ip(CL));
        io.jlvs.packet.IcmpView icmp = new io.jlvs.packet.IcmpView().wrap(o, 44);
        assertThat(icmp.type()).isEqualTo(3);
        assertThat(icmp.code()).isEqualTo(4);
        assertThat(icmp.nextHopMtu()).isEqualTo(1480);
        assertThat(icmp.checksumValid(sent.getFirst().bytes().length - 44)).isTrue();
        // the quote is the client's header as sent (TTL 64)
        assertThat(new io.jlvs.packet.Ipv4View().wrap(o, 52).ttl()).isEqualTo(64);
    }

    @Test
    void shouldCutGsoFrameIntoEncapsulatedSegmentsWhenTunnel() {
        configureTunnel(TunnelXmit.TYPE_IPIP, 1500);
        process(clientSyn(), ETH0);
        sent.clear();
        byte[] payload = new byte[3000];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) i;
        }

        process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).ipv4(CL, VIP).df(true).tcp(40000, 80)
                .flags(TcpView.ACK | TcpView.PSH).seq(5000).payload(payload).gso(1, 1400).partialChecksum(), ETH0);

        assertThat(sent).hasSize(3);
        int total = 0;
        for (int i = 0; i < 3; i++) {
            MemorySegment o = MemorySegment.ofArray(sent.get(i).bytes());
            io.jlvs.packet.Ipv4View inner = new io.jlvs.packet.Ipv4View().wrap(o, 44);
            io.jlvs.packet.TcpView t = new io.jlvs.packet.TcpView().wrap(o, 64);
            int len = inner.totalLength() - 40;
            assertThat(t.seq()).isEqualTo(5000 + total);
            assertThat(t.flags() & TcpView.PSH).isEqualTo(i == 2 ? TcpView.PSH : 0);
            assertThat(io.jlvs.packet.Checksum.l4Ipv4Valid(o, 64, len + 20, inner.srcAddr(), inner.dstAddr(), 6)).isTrue();
            assertThat(inner.headerChecksumValid()).isTrue();
            total += len;
        }
        assertThat(total).isEqualTo(3000);
    }

    @Test
    void shouldSendEstablishedConnectionToSyncAndInstallItOnBackup() {
        configure(ConnectionFlags.FWD_DROUTE, 80, 80, "rr");
        io.jlvs.sync.SyncRing ring = new io.jlvs.sync.SyncRing(64);
        forwarder.syncTo(ring);
        process(clientSyn(), ETH0);
        for (int i = 0; i < 3; i++) {
            process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4(CL, VIP).tcp(40000, 80)
                    .flags(TcpView.ACK), ETH0);
        }
        List<io.jlvs.sync.SyncEntry> synced = new ArrayList<>();
        ring.drain(synced::add, 10);
        // the 3rd packet of an ESTABLISHED connection goes out (sync_threshold 3)
        assertThat(synced).hasSize(1);
        io.jlvs.sync.SyncEntry e = synced.getFirst();
        assertThat(e.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(e.daddr()).isEqualTo(ip(RS2));
        assertThat(e.timeoutS()).isEqualTo(900);

        // a backup director installs it; its next packet goes to the same real server without a SYN
        ConnectionTable backupConns = new ConnectionTable(1 << 12, 1 << 10, 1000, 1024, 7);
        WorkerCounters backupCounters = new WorkerCounters(1024);
        List<Sent> backupSent = new ArrayList<>();
        Forwarder backup = new Forwarder(backupConns, backupCounters, (ifindex, seg, offset, length) ->
                backupSent.add(new Sent(ifindex, seg.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE))), 1024);
        try {
            backup.apply(forwarder.config());
            backup.install(e, NOW_MS);
            assertThat(backupCounters.dest(2, WorkerCounters.ACTIVE)).isEqualTo(1);
            byte[] arp = PacketBuilder.arpReply(RS2_MAC, RS2, LB_SMAC, "198.19.0.1").vnetHeader().build();
            MemorySegment a = arena.allocate(arp.length + 64);
            a.asSlice(32, arp.length).copyFrom(MemorySegment.ofArray(arp));
            backup.process(a, 42, arp.length - 10, arp.length - 10, ETH1, NOW_MS);
            byte[] data = PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4(CL, VIP).tcp(40000, 80)
                    .flags(TcpView.ACK).payload("more").build();
            MemorySegment d = arena.allocate(data.length + 64);
            d.asSlice(32, data.length).copyFrom(MemorySegment.ofArray(data));
            assertThat(backup.process(d, 42, data.length - 10, data.length - 10, ETH0, NOW_MS))
                    .isEqualTo(Forwarder.FORWARDED);
            assertThat(backupSent.getLast().ifindex()).isEqualTo(ETH1);
            assertThat(MemorySegment.ofArray(backupSent.getLast().bytes())
                    .get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 10) >>> 16)
                    .isEqualTo(mac(RS2_MAC));
        } finally {
            backup.close();
            backupConns.close();
            backupCounters.close();
            ring.close();
        }
    }

    /** An ICMP error frame from {@code src} to {@code dst} quoting {@code quoted} (an IP packet, full). */
    static PacketBuilder icmpError(String srcMac, String dstMac, String src, String dst, int type, int code, int rest,
                                   byte[] quotedIpPacket) {
        return PacketBuilder.ethernet(srcMac, dstMac).vnetHeader().ipv4(src, dst).ttl(64).id(3)
                .icmp(type, code, rest).payload(java.util.Arrays.copyOf(quotedIpPacket, 28));
    }

    static byte[] ipPacket(PacketBuilder p) {
        byte[] f = p.build();
        return java.util.Arrays.copyOfRange(f, 14, f.length);
    }

    /** A connection synced from a NAT master, on a fresh backup whose director knows the client's network. */
    private record Backup(Forwarder forwarder, ConnectionTable conns, WorkerCounters counters, List<Sent> sent,
                          io.jlvs.sync.SyncRing ring) implements AutoCloseable {
        @Override
        public void close() {
            forwarder.close();
            conns.close();
            counters.close();
            ring.close();
        }
    }

    private Backup backupWithSyncedNatConnection() {
        configure(ConnectionFlags.FWD_MASQ, 80, 8080, "rr");
        io.jlvs.sync.SyncRing ring = new io.jlvs.sync.SyncRing(64);
        forwarder.syncTo(ring);
        process(clientSyn(), ETH0);
        for (int i = 0; i < 3; i++) {
            process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4(CL, VIP).tcp(40000, 80)
                    .flags(TcpView.ACK), ETH0);
        }
        List<io.jlvs.sync.SyncEntry> synced = new ArrayList<>();
        ring.drain(synced::add, 10);
        assertThat(synced).hasSize(1);
        sent.clear();
        // the new master: its director knows 198.18.0.0/24 on eth0 and has seen nothing from the client
        ConnectionTable backupConns = new ConnectionTable(1 << 12, 1 << 10, 1000, 1024, 7);
        WorkerCounters backupCounters = new WorkerCounters(1024);
        List<Sent> backupSent = new ArrayList<>();
        Forwarder backup = new Forwarder(backupConns, backupCounters, (ifindex, seg, offset, length) ->
                backupSent.add(new Sent(ifindex, seg.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE))), 1024);
        backup.apply(forwarder.config());
        backup.config().clientRoutes(new ClientRoutes(new int[] {ip("198.18.0.0"), ip("198.19.0.0")},
                new int[] {0xffffff00, 0xffffff00}, new int[] {ETH0, ETH1}, new int[] {0, 0}));
        backup.install(synced.getFirst(), NOW_MS);
        return new Backup(backup, backupConns, backupCounters, backupSent, ring);
    }

    private static PacketBuilder serverData() {
        return PacketBuilder.ethernet(RS2_MAC, LB_SMAC).vnetHeader().ipv4(RS2, CL).tcp(8080, 40000)
                .flags(TcpView.ACK).payload("data");
    }

    @Test
    void shouldSolicitClientWhenBackupInstallsSyncedNatConnection() {
        try (Backup b = backupWithSyncedNatConnection()) {
            // resolved while still a backup, so a takeover finds the client's MAC ready
            assertThat(b.sent()).hasSize(1);
            assertThat(b.sent().getFirst().ifindex()).isEqualTo(ETH0);
            io.jlvs.packet.ArpView arp = new io.jlvs.packet.ArpView().wrap(
                    MemorySegment.ofArray(b.sent().getFirst().bytes()), 24);
            assertThat(arp.oper()).isEqualTo(io.jlvs.packet.ArpView.OP_REQUEST);
            assertThat(arp.targetIp()).isEqualTo(ip(CL));
        }
    }

    @Test
    void shouldHoldServerReplyUntilClientResolvesWhenSyncedNatConnectionHearsTheServerFirst() {
        try (Backup b = backupWithSyncedNatConnection()) {
            b.sent().clear();
            // the server's data comes first: held, untouched, while the client is resolved (nothing counted)
            assertThat(processOn(b.forwarder(), serverData(), ETH1)).isEqualTo(Forwarder.HELD);
            assertThat(b.counters().drops(DropReason.NEIGHBOUR_UNRESOLVED)).isZero();
            assertThat(b.sent()).isEmpty();
            b.forwarder().housekeeping(NOW_MS + 5);
            assertThat(b.sent()).as("nothing sent before the client answers").noneMatch(s -> s.bytes().length > 60);

            // the client answers; the held segment goes to it, translated, and the path stays in the connection
            processOn(b.forwarder(), PacketBuilder.arpReply(CL_MAC, CL, LB_CMAC, "198.18.0.1").vnetHeader(), ETH0);
            b.sent().clear();
            b.forwarder().housekeeping(NOW_MS + 10);
            byte[] want = PacketBuilder.ethernet(LB_CMAC, CL_MAC).vnetHeader().ipv4(VIP, CL).ttl(63).tcp(80, 40000)
                    .flags(TcpView.ACK).payload("data").build();
            assertThat(b.sent()).hasSize(1);
            assertThat(b.sent().getFirst().ifindex()).isEqualTo(ETH0);
            assertThat(b.sent().getFirst().bytes()).as(() -> PacketBuilder.diff(want, b.sent().getFirst().bytes()))
                    .isEqualTo(want);
            b.forwarder().afterFlush();

            // the next segment goes straight through along the stored path
            b.sent().clear();
            assertThat(processOn(b.forwarder(), serverData(), ETH1)).isEqualTo(Forwarder.FORWARDED);
            assertThat(b.sent().getLast().bytes()).isEqualTo(want);
            b.forwarder().housekeeping(NOW_MS + 20);
            assertThat(b.sent()).hasSize(1);
            assertThat(b.counters().drops(DropReason.NEIGHBOUR_UNRESOLVED)).isZero();
        }
    }

    @Test
    void shouldDropHeldFrameWhenNeighbourNeverAnswers() {
        try (Backup b = backupWithSyncedNatConnection()) {
            assertThat(processOn(b.forwarder(), serverData(), ETH1)).isEqualTo(Forwarder.HELD);
            b.forwarder().housekeeping(NOW_MS + 100);
            b.forwarder().afterFlush();
            assertThat(b.counters().drops(DropReason.NEIGHBOUR_UNRESOLVED)).isZero();
            b.forwarder().housekeeping(NOW_MS + NeighbourWait.HOLD_MS + 1);
            b.forwarder().afterFlush();
            assertThat(b.counters().drops(DropReason.NEIGHBOUR_UNRESOLVED)).isEqualTo(1);
        }
    }

    @Test
    void shouldDropFramesBeyondTheWaitQueueWhenManyWaitForOneNeighbour() {
        try (Backup b = backupWithSyncedNatConnection()) {
            int held = 0;
            for (int i = 0; i < 20; i++) {
                if (processOn(b.forwarder(), serverData(), ETH1) == Forwarder.HELD) {
                    held++;
                }
            }
            assertThat(held).isEqualTo(8);
            assertThat(b.counters().drops(DropReason.NEIGHBOUR_UNRESOLVED)).isEqualTo(12);
        }
    }

    int processOn(Forwarder f, PacketBuilder frame, int ifindex) {
        byte[] bytes = frame.build();
        MemorySegment seg = arena.allocate(Frame.HEADROOM + bytes.length + 32);
        seg.asSlice(Frame.HEADROOM, bytes.length).copyFrom(MemorySegment.ofArray(bytes));
        return f.process(seg, Frame.HEADROOM + 10, bytes.length - 10, bytes.length - 10, ifindex, NOW_MS);
    }

    @Test
    void shouldTranslateRealServerIcmpErrorBackToClientWhenNat() {
        configure(ConnectionFlags.FWD_MASQ, 53, 5353, "rr");
        process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4(CL, VIP).udp(40000, 53).payload("q"), ETH0);
        sent.clear();
        // rs1 answers "port unreachable" about the datagram as it received it (client → rs1:53)
        byte[] asReceived = ipPacket(PacketBuilder.ethernet(CL_MAC, LB_CMAC).ipv4(CL, RS1).ttl(63).udp(40000, 53)
                .payload("q"));

        int verdict = process(icmpError(RS1_MAC, LB_SMAC, RS1, CL, 3, 3, 0, asReceived), ETH1);

        assertThat(verdict).isEqualTo(Forwarder.FORWARDED);
        byte[] asSent = ipPacket(PacketBuilder.ethernet(CL_MAC, LB_CMAC).ipv4(CL, VIP).ttl(63).udp(40000, 53)
                .payload("q"));
        // the quoted UDP checksum is left as it was (as IPVS does)
        System.arraycopy(asReceived, 26, asSent, 26, 2);
        assertSent(ETH0, icmpError(LB_CMAC, CL_MAC, VIP, CL, 3, 3, 0, asSent).ttl(63));
    }

    @Test
    void shouldTranslateClientIcmpErrorToRealServerWhenNat() {
        configure(ConnectionFlags.FWD_MASQ, 80, 8080, "rr");
        process(clientSyn(), ETH0); // to rs2:8080
        sent.clear();
        // the client says "fragmentation needed" about a reply it got (VIP:80 → client)
        byte[] reply = ipPacket(PacketBuilder.ethernet(LB_CMAC, CL_MAC).ipv4(VIP, CL).ttl(63).df(true).tcp(80, 40000)
                .flags(TcpView.ACK).payload("data"));

        int verdict = process(icmpError(CL_MAC, LB_CMAC, CL, VIP, 3, 4, 1400, reply), ETH0);

        assertThat(verdict).isEqualTo(Forwarder.FORWARDED);
        byte[] asRealServerSentIt = ipPacket(PacketBuilder.ethernet(LB_CMAC, CL_MAC).ipv4(RS2, CL).ttl(63).df(true)
                .tcp(8080, 40000).flags(TcpView.ACK).payload("data"));
        System.arraycopy(reply, 36, asRealServerSentIt, 36, 2); // quoted TCP checksum untouched
        assertSent(ETH1, icmpError(LB_SMAC, RS2_MAC, CL, RS2, 3, 4, 1400, asRealServerSentIt).ttl(63));
    }

    @Test
    void shouldDropIcmpErrorThatQuotesNoFlow() {
        configure(ConnectionFlags.FWD_MASQ, 80, 8080, "rr");
        byte[] other = ipPacket(PacketBuilder.ethernet(LB_CMAC, CL_MAC).ipv4("198.19.9.9", CL).udp(1, 2));

        int verdict = process(icmpError(RS1_MAC, LB_SMAC, RS1, CL, 3, 3, 0, other), ETH1);

        assertThat(verdict).isEqualTo(Forwarder.DROPPED);
        assertThat(counters.drops(DropReason.ICMP_UNRELATED)).isEqualTo(1);
        assertThat(sent).isEmpty();
    }

    static PacketBuilder firstFragment() {
        return PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4(CL, VIP).id(77).mf(true).udp(40000, 53)
                .udpLength(8 + 16 + 8).payload("0123456789abcdef");
    }

    static PacketBuilder laterFragment() {
        return PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4(CL, VIP).id(77).fragmentOffset(3)
                .protocol(17).payload("ghijklmn");
    }

    @Test
    void shouldSendLaterFragmentsWhereTheFirstWentWhenFragmented() {
        configure(ConnectionFlags.FWD_MASQ, 80, 8080, "rr");

        assertThat(process(firstFragment(), ETH0)).isEqualTo(Forwarder.FORWARDED);
        assertThat(process(laterFragment(), ETH0)).isEqualTo(Forwarder.FORWARDED);

        assertThat(sent).hasSize(2);
        MemorySegment later = MemorySegment.ofArray(sent.get(1).bytes());
        io.jlvs.packet.Ipv4View ip = new io.jlvs.packet.Ipv4View().wrap(later, 24);
        assertThat(ip.dstAddr()).isEqualTo(ip(RS1)); // NAT: the address changes, there is no port
        assertThat(ip.fragmentOffset()).isEqualTo(3);
        assertThat(ip.headerChecksumValid()).isTrue();
        assertThat(sent.get(1).ifindex()).isEqualTo(ETH1);
    }

    @Test
    void shouldHoldFragmentThatArrivesBeforeItsFirst() {
        configure(ConnectionFlags.FWD_DROUTE, 80, 80, "rr");

        assertThat(process(laterFragment(), ETH0)).isEqualTo(Forwarder.HELD);
        assertThat(sent).isEmpty();
        process(firstFragment(), ETH0);

        assertThat(sent).hasSize(2);
        assertThat(MemorySegment.ofArray(sent.get(1).bytes())
                .get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 10) >>> 16)
                .isEqualTo(mac(RS1_MAC));
        forwarder.afterFlush();
        assertThat(counters.drops(DropReason.FRAGMENT)).isZero();
    }

    @Test
    void shouldCountFragmentWhoseFirstNeverCame() {
        configure(ConnectionFlags.FWD_DROUTE, 80, 80, "rr");
        process(laterFragment(), ETH0);

        forwarder.housekeeping(NOW_MS + 2_000);
        forwarder.afterFlush();

        assertThat(counters.drops(DropReason.FRAGMENT)).isEqualTo(1);
    }

    static final String LADDR = "198.19.0.100";

    void configureFullNat() {
        DestRuntime rs1 = new DestRuntime(1, ip(RS1), 8080, ConnectionFlags.FWD_FULLNAT, 1, 0, 0, ETH1, ip(RS1));
        ServiceRuntime svc = new ServiceRuntime(1, 6, ip(VIP), 80, 0, 0, 0, -1, SchedulerRegistry.byName("rr"),
                new DestRuntime[] {rs1}, new int[] {ip(LADDR)});
        forwarder.apply(new DataplaneConfig(1, new ServiceRuntime[] {svc}, new DestRuntime[] {null, rs1},
                new int[] {ip(VIP)}, new ServedInterface[] {
                    new ServedInterface(ETH0, "eth0", mac(LB_CMAC), ip("198.18.0.1"), 1500),
                    new ServedInterface(ETH1, "eth1", mac(LB_SMAC), ip("198.19.0.1"), 1500)}));
        process(PacketBuilder.arpReply(RS1_MAC, RS1, LB_SMAC, "198.19.0.1").vnetHeader(), ETH1);
        sent.clear();
    }

    static byte[] mssOption(int mss) {
        return new byte[] {2, 4, (byte) (mss >> 8), (byte) mss};
    }

    @Test
    void shouldTranslateBothEndsAndCarryClientInToaWhenFullNat() {
        configureFullNat();

        process(clientSyn().tcpOptions(mssOption(1460)), ETH0);
        MemorySegment syn = MemorySegment.ofArray(sent.getFirst().bytes());
        io.jlvs.packet.Ipv4View sip = new io.jlvs.packet.Ipv4View().wrap(syn, 24);
        io.jlvs.packet.TcpView stcp = new io.jlvs.packet.TcpView().wrap(syn, 44);
        int lport = stcp.srcPort();
        assertSent(ETH1, PacketBuilder.ethernet(LB_SMAC, RS1_MAC).vnetHeader().ipv4(LADDR, RS1).ttl(63).id(7).df(true)
                .tcp(lport, 8080).flags(TcpView.SYN).seq(1000).window(64240).tcpOptions(mssOption(1460)));
        assertThat(lport).isBetween(1024, 65535);
        assertThat(sip.headerChecksumValid()).isTrue();
        sent.clear();

        // the real server answers laddr:lport; the client sees VIP:80, and an MSS lowered by the TOA's 8 bytes
        process(PacketBuilder.ethernet(RS1_MAC, LB_SMAC).vnetHeader().ipv4(RS1, LADDR).ttl(64).id(9).df(true)
                .tcp(8080, lport).flags(TcpView.SYN | TcpView.ACK).seq(7000).ack(1001).window(65160)
                .tcpOptions(mssOption(1460)), ETH1);
        assertSent(ETH0, PacketBuilder.ethernet(LB_CMAC, CL_MAC).vnetHeader().ipv4(VIP, CL).ttl(63).id(9).df(true)
                .tcp(80, 40000).flags(TcpView.SYN | TcpView.ACK).seq(7000).ack(1001).window(65160)
                .tcpOptions(mssOption(1452)));
        sent.clear();

        // the handshake-completing ACK carries TOA = client port and address
        process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4(CL, VIP).ttl(64).id(8).df(true)
                .tcp(40000, 80).flags(TcpView.ACK).seq(1001).ack(7001).window(502), ETH0);
        assertSent(ETH1, PacketBuilder.ethernet(LB_SMAC, RS1_MAC).vnetHeader().ipv4(LADDR, RS1).ttl(63).id(8).df(true)
                .tcp(lport, 8080).flags(TcpView.ACK).seq(1001).ack(7001).window(502)
                .tcpOptions(new byte[] {(byte) 254, 8, (byte) 0x9c, 0x40, (byte) 198, 18, 0, 2}));
        sent.clear();

        // later packets carry no TOA
        process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4(CL, VIP).ttl(64).id(10).df(true)
                .tcp(40000, 80).flags(TcpView.ACK | TcpView.PSH).seq(1001).ack(7001).window(502).payload("GET /"), ETH0);
        assertSent(ETH1, PacketBuilder.ethernet(LB_SMAC, RS1_MAC).vnetHeader().ipv4(LADDR, RS1).ttl(63).id(10).df(true)
                .tcp(lport, 8080).flags(TcpView.ACK | TcpView.PSH).seq(1001).ack(7001).window(502).payload("GET /"));
    }

    @Test
    void shouldReleaseLocalPortAndAliasWhenFullNatConnectionExpires() {
        configureFullNat();
        process(clientSyn(), ETH0);
        assertThat(conns.size()).isEqualTo(2); // the connection and its reply alias

        forwarder.housekeeping(NOW_MS + 61_000);

        assertThat(conns.size()).isZero();
        // the port is free again: the next connection gets a local port too
        sent.clear();
        process(clientSyn(), ETH0);
        assertThat(sent).hasSize(1);
    }

    @Test
    void shouldSkipServerAboveUpperThresholdUntilItDropsBelowLower() {
        // rs2 (listed first) with -x 2 -y 1, rs1 without thresholds; wlc prefers the first on ties
        DestRuntime rs1 = new DestRuntime(1, ip(RS1), 80, ConnectionFlags.FWD_DROUTE, 1, 0, 0, ETH1, ip(RS1));
        DestRuntime rs2 = new DestRuntime(2, ip(RS2), 80, ConnectionFlags.FWD_DROUTE, 100, 2, 1, ETH1, ip(RS2));
        ServiceRuntime svc = new ServiceRuntime(1, 6, ip(VIP), 80, 0, SchedulerRegistry.byName("wlc"),
                new DestRuntime[] {rs2, rs1});
        forwarder.apply(new DataplaneConfig(1, new ServiceRuntime[] {svc}, new DestRuntime[] {null, rs1, rs2},
                new int[] {ip(VIP)}, new ServedInterface[] {
                    new ServedInterface(ETH0, "eth0", mac(LB_CMAC), ip("198.18.0.1"), 1500),
                    new ServedInterface(ETH1, "eth1", mac(LB_SMAC), ip("198.19.0.1"), 1500)}));
        process(PacketBuilder.arpReply(RS1_MAC, RS1, LB_SMAC, "198.19.0.1").vnetHeader(), ETH1);
        process(PacketBuilder.arpReply(RS2_MAC, RS2, LB_SMAC, "198.19.0.1").vnetHeader(), ETH1);
        sent.clear();
        List<Long> to = new ArrayList<>();
        for (int port = 40000; port < 40005; port++) {
            process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4(CL, VIP).tcp(port, 80)
                    .flags(TcpView.SYN), ETH0);
            to.add(sentToMac());
        }
        // wlc: rs2 (256×1 > 0×100 → rs1), rs2 (256×1 < 256×100), then rs2 holds 2 = -x: overloaded;
        // without the threshold the 5th would go to rs2 (512×1 < 512×100), with it rs1 takes it
        assertThat(to).containsExactly(mac(RS2_MAC), mac(RS1_MAC), mac(RS2_MAC), mac(RS1_MAC), mac(RS1_MAC));
        // both of rs2's connections expire (SYN_RECV, 60 s): below the lower threshold, it is eligible again
        forwarder.housekeeping(NOW_MS + 61_000);
        process(PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4(CL, VIP).tcp(40010, 80)
                .flags(TcpView.SYN), ETH0);
        assertThat(sentToMac()).isEqualTo(mac(RS2_MAC));
    }

    @Test
    void shouldExpireConnectionAndReleaseCountsWhenIdle() {
        configure(ConnectionFlags.FWD_DROUTE, 80, 80, "rr");
        process(clientSyn(), ETH0); // SYN_RECV: 60 s

        forwarder.housekeeping(NOW_MS + 61_000);

        assertThat(conns.size()).isZero();
        assertThat(counters.dest(2, WorkerCounters.ACTIVE)).isZero();
    }
}
