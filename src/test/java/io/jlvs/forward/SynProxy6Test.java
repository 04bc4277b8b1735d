package io.jlvs.forward;

import io.jlvs.conn.ConnectionFlags;
import io.jlvs.conn.ConnectionTable;
import io.jlvs.conn.TcpState;
import io.jlvs.packet.Checksum;
import io.jlvs.packet.Ipv6View;
import io.jlvs.packet.TcpOptions;
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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static io.jlvs.forward.Forwarder6Test.CL;
import static io.jlvs.forward.Forwarder6Test.CL_MAC;
import static io.jlvs.forward.Forwarder6Test.ETH0;
import static io.jlvs.forward.Forwarder6Test.ETH1;
import static io.jlvs.forward.Forwarder6Test.LADDR;
import static io.jlvs.forward.Forwarder6Test.LB_CMAC;
import static io.jlvs.forward.Forwarder6Test.LB_S;
import static io.jlvs.forward.Forwarder6Test.LB_SMAC;
import static io.jlvs.forward.Forwarder6Test.RS1;
import static io.jlvs.forward.Forwarder6Test.RS1_MAC;
import static io.jlvs.forward.Forwarder6Test.VIP;
import static io.jlvs.testkit.PacketBuilder.ip;
import static io.jlvs.testkit.PacketBuilder.ip6Hi;
import static io.jlvs.testkit.PacketBuilder.ip6Lo;
import static io.jlvs.testkit.PacketBuilder.mac;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The IPv6 pipeline's SYN flood defence ({@link Forwarder6}): the SYN proxy for NAT and FULLNAT services, as
 * {@link SynProxyTest} checks it for IPv4, stateless SYNs for DR, and the half-open cap. One real server, rs1, on
 * port 8080.
 */
class SynProxy6Test {
    static final long T0_MS = 5_000_000;
    static final int CLIENT_ISN = 1000;
    static final int SERVER_ISN = 777_000_000;
    static final byte[] SYN_OPTIONS = {2, 4, 0x05, (byte) 0xa0, 4, 2, 1, 3, 3, 7, 1, 1}; // MSS 1440, SACK, WS 7

    record Sent(int ifindex, byte[] bytes) {
        MemorySegment seg() {
            return MemorySegment.ofArray(bytes);
        }

        Ipv6View ip() {
            return new Ipv6View().wrap(seg(), 24);
        }

        TcpView tcp() {
            return new TcpView().wrap(seg(), 24 + Ipv6View.HEADER_LENGTH);
        }

        String payload() {
            int from = 24 + Ipv6View.HEADER_LENGTH + tcp().headerLength();
            return new String(bytes, from, bytes.length - from, StandardCharsets.ISO_8859_1);
        }

        boolean checksumValid() {
            Ipv6View ip = ip();
            return Checksum.l4Ipv6Valid(seg(), 24 + Ipv6View.HEADER_LENGTH, ip.payloadLength(), ip.srcHi(), ip.srcLo(),
                    ip.dstHi(), ip.dstLo(), Ipv6View.NEXT_TCP);
        }
    }

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

    void configure(int method, SynProxy.Mode mode) {
        configure(method, mode, 0, 0, 128);
    }

    void configure(int method, SynProxy.Mode mode, int flags, int persistS, int prefix) {
        Dest6Runtime rs1 = Forwarder6Test.dest(1, RS1, 8080, method);
        long[] laddrs = method == ConnectionFlags.FWD_FULLNAT ? Forwarder6Test.pair(LADDR) : new long[0];
        Service6Runtime svc = new Service6Runtime(1, 6, ip6Hi(VIP), ip6Lo(VIP), 80, flags, persistS, prefix,
                SchedulerRegistry.byName("rr"), new Dest6Runtime[] {rs1}, laddrs);
        forwarder.apply(new DataplaneConfig(1, new ServiceRuntime[0], new DestRuntime[0], new int[0],
                new ServedInterface[] {
                    new ServedInterface(ETH0, "eth0", mac(LB_CMAC), ip("198.18.0.1"), 1500),
                    new ServedInterface(ETH1, "eth1", mac(LB_SMAC), ip("198.19.0.1"), 1500)},
                new MarkRuleRuntime[0], new Ipv6Config(new Service6Runtime[] {svc}, new Dest6Runtime[] {null, rs1},
                        Forwarder6Test.pair(VIP), Forwarder6Test.interfaces6())));
        forwarder.ipv6().synProxy().mode(mode);
        process(PacketBuilder.neighborAdvertisement(RS1_MAC, RS1, LB_SMAC, LB_S).vnetHeader(), ETH1, T0_MS);
        sent.clear();
    }

    int process(PacketBuilder frame, int ifindex, long nowMs) {
        byte[] bytes = frame.build();
        MemorySegment seg = arena.allocate(bytes.length + 128);
        seg.asSlice(64, bytes.length).copyFrom(MemorySegment.ofArray(bytes));
        return forwarder.process(seg, 64 + 10, bytes.length - 10, bytes.length - 10, ifindex, nowMs);
    }

    static PacketBuilder fromClient(int port, int flags, int seq, int ack) {
        return PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv6(CL, VIP).hopLimit(64)
                .tcp(port, 80).flags(flags).seq(seq).ack(ack).window(502);
    }

    static PacketBuilder fromServer(String dst, int dport, int flags, int seq, int ack) {
        return PacketBuilder.ethernet(RS1_MAC, LB_SMAC).vnetHeader().ipv6(RS1, dst).hopLimit(64)
                .tcp(8080, dport).flags(flags).seq(seq).ack(ack).window(509);
    }

    @Test
    void shouldCompleteHandshakeShiftSequenceAndHoldEarlyDataWhenIpv6Nat() {
        configure(ConnectionFlags.FWD_MASQ, SynProxy.Mode.ALWAYS);

        assertThat(process(fromClient(40000, TcpView.SYN, CLIENT_ISN, 0).tcpOptions(SYN_OPTIONS), ETH0, T0_MS))
                .isEqualTo(Forwarder.ANSWERED);
        Sent synAck = sent.getLast();
        assertThat(synAck.ifindex()).isEqualTo(ETH0);
        assertThat(synAck.tcp().flags()).isEqualTo(TcpView.SYN | TcpView.ACK);
        assertThat(synAck.tcp().ack()).isEqualTo(CLIENT_ISN + 1);
        assertThat(TcpOptions.mss(TcpOptions.parseSyn(synAck.seg(), synAck.tcp().offset(), synAck.tcp().headerLength())))
                .isEqualTo(1440);
        assertThat(synAck.checksumValid()).isTrue();
        assertThat(conns.size() + forwarder.ipv6().synGuard().halfOpen()).isZero();
        int cookie = synAck.tcp().seq();
        sent.clear();

        process(fromClient(40000, TcpView.ACK, CLIENT_ISN + 1, cookie + 1), ETH0, T0_MS + 1);
        Sent syn = sent.getLast();
        assertThat(syn.ifindex()).isEqualTo(ETH1);
        assertThat(syn.ip().dstLo()).isEqualTo(ip6Lo(RS1));
        assertThat(syn.tcp().flags()).isEqualTo(TcpView.SYN);
        assertThat(syn.tcp().seq()).isEqualTo(CLIENT_ISN);
        assertThat(syn.checksumValid()).isTrue();
        assertThat(process(fromClient(40000, TcpView.ACK | TcpView.PSH, CLIENT_ISN + 1, cookie + 1).payload("GET /"),
                ETH0, T0_MS + 1)).isEqualTo(Forwarder.HELD);
        sent.clear();

        process(fromServer(CL, 40000, TcpView.SYN | TcpView.ACK, SERVER_ISN, CLIENT_ISN + 1)
                .tcpOptions(new byte[] {2, 4, 5, (byte) 0xa0, 1, 3, 3, 7}), ETH1, T0_MS + 2);

        assertThat(sent).hasSize(2);
        assertThat(sent.get(0).tcp().ack()).isEqualTo(SERVER_ISN + 1);
        assertThat(sent.get(0).checksumValid()).isTrue();
        assertThat(sent.get(1).payload()).isEqualTo("GET /");
        assertThat(sent.get(1).tcp().ack()).isEqualTo(SERVER_ISN + 1);
        assertThat(sent.get(1).checksumValid()).isTrue();
        sent.clear();

        process(fromServer(CL, 40000, TcpView.ACK, SERVER_ISN + 1, CLIENT_ISN + 6).payload("200"), ETH1, T0_MS + 3);

        Sent reply = sent.getFirst();
        assertThat(reply.ifindex()).isEqualTo(ETH0);
        assertThat(reply.ip().srcLo()).isEqualTo(ip6Lo(VIP));
        assertThat(reply.tcp().seq()).isEqualTo(cookie + 1);
        assertThat(reply.checksumValid()).isTrue();
        assertThat(counters.total(WorkerCounters.SYN_PROXY_OPENED)).isEqualTo(1);
    }

    @Test
    void shouldOpenPersistentConnectionThroughProxy() {
        configure(ConnectionFlags.FWD_MASQ, SynProxy.Mode.ALWAYS, io.jlvs.control.ServiceConfig.F_PERSISTENT, 300, 64);
        process(fromClient(40000, TcpView.SYN, CLIENT_ISN, 0).tcpOptions(SYN_OPTIONS), ETH0, T0_MS);
        int cookie = sent.getLast().tcp().seq();
        sent.clear();

        process(fromClient(40000, TcpView.ACK, CLIENT_ISN + 1, cookie + 1), ETH0, T0_MS + 1);
        process(fromClient(40000, TcpView.ACK | TcpView.PSH, CLIENT_ISN + 1, cookie + 1).payload("GET /"), ETH0,
                T0_MS + 1);

        assertThat(sent).as("the SYN to the real server").hasSize(1);
        assertThat(sent.getFirst().ifindex()).isEqualTo(ETH1);
        sent.clear();
        process(fromServer(CL, 40000, TcpView.SYN | TcpView.ACK, SERVER_ISN, CLIENT_ISN + 1)
                .tcpOptions(new byte[] {2, 4, 5, (byte) 0xa0, 1, 3, 3, 7}), ETH1, T0_MS + 2);
        assertThat(sent).hasSize(2);
        assertThat(sent.getFirst().tcp().ack()).isEqualTo(SERVER_ISN + 1);
        assertThat(sent.get(1).payload()).isEqualTo("GET /");
    }

    @Test
    void shouldCarryToaInHandshakeAckWhenIpv6FullNat() {
        configure(ConnectionFlags.FWD_FULLNAT, SynProxy.Mode.ALWAYS);
        process(fromClient(40000, TcpView.SYN, CLIENT_ISN, 0).tcpOptions(SYN_OPTIONS), ETH0, T0_MS);
        int cookie = sent.getLast().tcp().seq();
        process(fromClient(40000, TcpView.ACK, CLIENT_ISN + 1, cookie + 1), ETH0, T0_MS + 1);
        Sent syn = sent.getLast();
        assertThat(syn.ip().srcLo()).isEqualTo(ip6Lo(LADDR));
        int lport = syn.tcp().srcPort();
        sent.clear();

        process(fromServer(LADDR, lport, TcpView.SYN | TcpView.ACK, SERVER_ISN, CLIENT_ISN + 1), ETH1, T0_MS + 2);

        Sent ack = sent.getFirst();
        assertThat(ack.tcp().ack()).isEqualTo(SERVER_ISN + 1);
        assertThat(ack.tcp().headerLength()).as("TOA inserted").isEqualTo(20 + FullNatXmit6.TOA_LENGTH);
        assertThat(ack.checksumValid()).isTrue();
    }

    @Test
    void shouldForwardSynWithoutStateAndAdoptItsAckWhenIpv6DirectRoutingUnderPressure() {
        configure(ConnectionFlags.FWD_DROUTE, SynProxy.Mode.PRESSURE);
        int threshold = forwarder.ipv6().synGuard().pressureThreshold();
        for (int i = 0; i < threshold; i++) {
            process(fromClient(1024 + i, TcpView.SYN, i, 0), ETH0, T0_MS); // a flood's half-open entries
        }
        int before = forwarder.ipv6().connections().size();
        sent.clear();

        int verdict = process(fromClient(40000, TcpView.SYN, CLIENT_ISN, 0), ETH0, T0_MS + 1);

        assertThat(verdict).isEqualTo(Forwarder.FORWARDED);
        assertThat(sent.getLast().ifindex()).isEqualTo(ETH1);
        assertThat(forwarder.ipv6().connections().size()).as("no state for a stateless SYN").isEqualTo(before);
        assertThat(counters.total(WorkerCounters.SYN_STATELESS)).isEqualTo(1);
        sent.clear();

        int ack = process(fromClient(40000, TcpView.ACK, CLIENT_ISN + 1, 1), ETH0, T0_MS + 2);

        assertThat(ack).isEqualTo(Forwarder.FORWARDED);
        assertThat(sent.getLast().ifindex()).isEqualTo(ETH1);
        assertThat(counters.total(WorkerCounters.ACK_ADOPTED)).isEqualTo(1);
        assertThat(forwarder.ipv6().connections().lookupIn(6, ip6Hi(CL), ip6Lo(CL), 40000, ip6Hi(VIP), ip6Lo(VIP), 80))
                .as("the adopted flow has its entry").isNotNegative();
    }

    @Test
    void shouldCapHalfOpenEntriesWhenIpv6NatProxyIsOff() {
        configure(ConnectionFlags.FWD_MASQ, SynProxy.Mode.OFF);
        int limit = forwarder.ipv6().synGuard().halfOpenLimit();
        for (int i = 0; i < limit; i++) {
            process(fromClient(1024 + i, TcpView.SYN, i, 0), ETH0, T0_MS);
        }
        assertThat(forwarder.ipv6().synGuard().halfOpen()).isEqualTo(limit);
        assertThat(counters.total(WorkerCounters.HALF_OPEN_IPV6)).isEqualTo(limit);

        int verdict = process(fromClient(60000, TcpView.SYN, 5, 0), ETH0, T0_MS);

        assertThat(verdict).isEqualTo(Forwarder.DROPPED);
        assertThat(counters.drops(DropReason.SYN_HALF_OPEN_LIMIT)).isEqualTo(1);
        int slot = forwarder.ipv6().connections().lookupIn(6, ip6Hi(CL), ip6Lo(CL), 1024, ip6Hi(VIP), ip6Lo(VIP), 80);
        assertThat(forwarder.ipv6().connections().state(slot)).isEqualTo(TcpState.SYN_RECV);
    }
}
