package io.jlvs.forward;

import io.jlvs.conn.ConnectionFlags;
import io.jlvs.conn.ConnectionTable;
import io.jlvs.conn.TcpState;
import io.jlvs.packet.TcpView;
import io.jlvs.sched.DestinationView;
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

import static io.jlvs.forward.ForwarderTest.CL;
import static io.jlvs.forward.ForwarderTest.CL_MAC;
import static io.jlvs.forward.ForwarderTest.ETH0;
import static io.jlvs.forward.ForwarderTest.ETH1;
import static io.jlvs.forward.ForwarderTest.LB_CMAC;
import static io.jlvs.forward.ForwarderTest.LB_SMAC;
import static io.jlvs.forward.ForwarderTest.RS1;
import static io.jlvs.forward.ForwarderTest.RS1_MAC;
import static io.jlvs.forward.ForwarderTest.RS2;
import static io.jlvs.forward.ForwarderTest.RS2_MAC;
import static io.jlvs.forward.ForwarderTest.VIP;
import static io.jlvs.testkit.PacketBuilder.ip;
import static io.jlvs.testkit.PacketBuilder.mac;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SYN flood defence through the real pipeline, golden-fixture style (same bed as {@link ForwarderTest}):
 * a guard with a half-open cap of 4 and pressure from 2 half-open entries, so a handful of spoofed SYNs
 * (from 198.19.200.0/24) is a flood. The SYN proxy is off here: these are the guard's own mechanisms, which
 * also serve persistent services, services mixing methods, and {@code --syn-proxy off}.
 */
class SynFloodGuardTest {
    static final long T0_MS = 1_000_000;
    static final int LIMIT = 4;
    static final int PRESSURE = 2;
    static final long SHORT_MS = 3_000;
    static final long WINDOW_MS = 60_000;

    record Sent(int ifindex, byte[] bytes) {}

    final List<Sent> sent = new ArrayList<>();
    final Arena arena = Arena.ofConfined();
    ConnectionTable conns;
    WorkerCounters counters;
    Forwarder forwarder;
    SynFloodGuard guard;

    @BeforeEach
    void setUp() {
        conns = new ConnectionTable(16, 16, 100, 1024, 42);
        counters = new WorkerCounters(1024);
        forwarder = new Forwarder(conns, counters, (ifindex, seg, offset, length) ->
                sent.add(new Sent(ifindex, seg.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE))), 1024);
        guard = new SynFloodGuard(LIMIT, PRESSURE, SHORT_MS, WINDOW_MS, 7, counters);
        forwarder.synGuard(guard);
        forwarder.synProxy().mode(SynProxy.Mode.OFF); // the guard alone; SynProxyTest has the proxy
    }

    @AfterEach
    void tearDown() {
        forwarder.close();
        conns.close();
        counters.close();
        arena.close();
    }

    void configure(int method) {
        DestRuntime rs1 = new DestRuntime(1, ip(RS1), 80, method, 1, 0, 0, ETH1, ip(RS1));
        DestRuntime rs2 = new DestRuntime(2, ip(RS2), 80, method, 1, 0, 0, ETH1, ip(RS2));
        ServiceRuntime svc = new ServiceRuntime(1, 6, ip(VIP), 80, 0, SchedulerRegistry.byName("rr"),
                new DestRuntime[] {rs2, rs1});
        forwarder.apply(new DataplaneConfig(1, new ServiceRuntime[] {svc}, new DestRuntime[] {null, rs1, rs2},
                new int[] {ip(VIP)}, new ServedInterface[] {
                    new ServedInterface(ETH0, "eth0", mac(LB_CMAC), ip("198.18.0.1"), 1500),
                    new ServedInterface(ETH1, "eth1", mac(LB_SMAC), ip("198.19.0.1"), 1500)}));
        process(PacketBuilder.arpReply(RS1_MAC, RS1, LB_SMAC, "198.19.0.1").vnetHeader(), ETH1, T0_MS);
        process(PacketBuilder.arpReply(RS2_MAC, RS2, LB_SMAC, "198.19.0.1").vnetHeader(), ETH1, T0_MS);
        sent.clear();
    }

    int process(PacketBuilder frame, int ifindex, long nowMs) {
        byte[] bytes = frame.build();
        MemorySegment seg = arena.allocate(bytes.length + 64);
        seg.asSlice(32, bytes.length).copyFrom(MemorySegment.ofArray(bytes));
        return forwarder.process(seg, 32 + 10, bytes.length - 10, bytes.length - 10, ifindex, nowMs);
    }

    static PacketBuilder fromClient(String src, int sport, int flags) {
        return PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4(src, VIP).ttl(64).id(7).df(true)
                .tcp(sport, 80).flags(flags).seq(1000).ack((flags & TcpView.ACK) != 0 ? 5001 : 0).window(64240);
    }

    /** The same segment as the director must send it by direct routing to the real server with {@code rsMac}. */
    static PacketBuilder directRouted(String rsMac, String src, int sport, int flags) {
        return PacketBuilder.ethernet(LB_SMAC, rsMac).vnetHeader().ipv4(src, VIP).ttl(63).id(7).df(true)
                .tcp(sport, 80).flags(flags).seq(1000).ack((flags & TcpView.ACK) != 0 ? 5001 : 0).window(64240);
    }

    void flood(int synCount, long nowMs) {
        for (int i = 0; i < synCount; i++) {
            process(fromClient("198.19.200." + (1 + i), 1024 + i, TcpView.SYN), ETH0, nowMs);
        }
    }

    String macOfLastSent() {
        byte[] b = sent.getLast().bytes();
        long m = MemorySegment.ofArray(b).get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 10)
                >>> 16;
        return m == mac(RS1_MAC) ? RS1_MAC : m == mac(RS2_MAC) ? RS2_MAC : "unknown";
    }

    @Test
    void shouldForwardSynWithoutStateAndAdoptItsAckWhenUnderPressureAndDirectRouting() {
        configure(ConnectionFlags.FWD_DROUTE);
        flood(PRESSURE, T0_MS);
        assertThat(guard.halfOpen()).isEqualTo(PRESSURE);
        sent.clear();

        int synVerdict = process(fromClient(CL, 40000, TcpView.SYN), ETH0, T0_MS);

        assertThat(synVerdict).isEqualTo(Forwarder.FORWARDED);
        String chosen = macOfLastSent();
        assertThat(sent).hasSize(1);
        assertThat(sent.getFirst().bytes()).isEqualTo(directRouted(chosen, CL, 40000, TcpView.SYN).build());
        assertThat(conns.lookupIn(6, ip(CL), 40000, ip(VIP), 80)).as("no state for a stateless SYN").isNegative();
        assertThat(conns.size()).isEqualTo(PRESSURE);
        assertThat(counters.total(WorkerCounters.SYN_STATELESS)).isEqualTo(1);

        sent.clear();
        int ackVerdict = process(fromClient(CL, 40000, TcpView.ACK), ETH0, T0_MS + 1);

        assertThat(ackVerdict).isEqualTo(Forwarder.FORWARDED);
        assertThat(sent.getFirst().bytes()).as("the ACK reaches the real server the SYN reached")
                .isEqualTo(directRouted(chosen, CL, 40000, TcpView.ACK).build());
        int slot = conns.lookupIn(6, ip(CL), 40000, ip(VIP), 80);
        assertThat(conns.state(slot)).isEqualTo(TcpState.ESTABLISHED);
        assertThat(counters.total(WorkerCounters.ACK_ADOPTED)).isEqualTo(1);
        assertThat(guard.halfOpen()).as("adopted: half-open until its second segment").isEqualTo(PRESSURE + 1);
        assertThat(conns.expiresAtMs(slot)).isLessThanOrEqualTo(T0_MS + 1 + SHORT_MS + conns.tickMs());

        process(fromClient(CL, 40000, TcpView.ACK | TcpView.PSH), ETH0, T0_MS + 2);

        assertThat(guard.halfOpen()).isEqualTo(PRESSURE);
        assertThat(conns.expiresAtMs(slot)).as("established timeout once confirmed").isGreaterThan(T0_MS + 60_000);
    }

    @Test
    void shouldDropAckWithoutConnectionWhenNoStatelessSynWasSentRecently() {
        configure(ConnectionFlags.FWD_DROUTE);
        flood(PRESSURE, T0_MS);
        process(fromClient(CL, 40000, TcpView.SYN), ETH0, T0_MS); // stateless

        int verdict = process(fromClient(CL, 40001, TcpView.ACK), ETH0, T0_MS + WINDOW_MS + 1);

        assertThat(verdict).isEqualTo(Forwarder.DROPPED);
        assertThat(counters.drops(DropReason.NO_CONNECTION)).isEqualTo(1);
        assertThat(counters.total(WorkerCounters.ACK_ADOPTED)).isZero();
    }

    @Test
    void shouldExpireHalfOpenEntriesAfterShortTimeoutWhenUnderPressure() {
        configure(ConnectionFlags.FWD_MASQ);
        process(fromClient(CL, 40000, TcpView.SYN), ETH0, T0_MS);
        int calm = conns.lookupIn(6, ip(CL), 40000, ip(VIP), 80);
        assertThat(conns.expiresAtMs(calm)).as("SYN_RECV's 60 s without pressure").isEqualTo(T0_MS + 60_000);

        flood(PRESSURE, T0_MS);
        int pressed = conns.lookupIn(6, ip("198.19.200.2"), 1025, ip(VIP), 80);

        assertThat(conns.expiresAtMs(pressed)).isEqualTo(T0_MS + SHORT_MS);
        forwarder.housekeeping(T0_MS + SHORT_MS + conns.tickMs());
        assertThat(conns.isLive(pressed)).isFalse();
        assertThat(guard.halfOpen()).as("the calm SYN_RECV entry stays").isEqualTo(1);
    }

    @Test
    void shouldNotRearmHalfOpenEntryWhenRealServerRetransmitsSynAckUnderPressure() {
        configure(ConnectionFlags.FWD_MASQ);
        flood(PRESSURE + 1, T0_MS);
        int slot = conns.lookupIn(6, ip("198.19.200.3"), 1026, ip(VIP), 80);
        String rs = conns.realIp(slot) == ip(RS1) ? RS1 : RS2;

        int verdict = process(PacketBuilder.ethernet(rs.equals(RS1) ? RS1_MAC : RS2_MAC, LB_SMAC).vnetHeader()
                .ipv4(rs, "198.19.200.3").tcp(80, 1026).flags(TcpView.SYN | TcpView.ACK).seq(5000).ack(1001),
                ETH1, T0_MS + 1_000);

        assertThat(verdict).isEqualTo(Forwarder.FORWARDED);
        assertThat(conns.expiresAtMs(slot)).isEqualTo(T0_MS + SHORT_MS);
    }

    @Test
    void shouldKeepEstablishedFlowsAndCapHalfOpenWhenNatFlooded() {
        configure(ConnectionFlags.FWD_MASQ);
        List<Integer> established = new ArrayList<>();
        for (int port = 50000; port < 50008; port++) {
            established.add(establishNat(port, T0_MS));
        }
        assertThat(guard.halfOpen()).isZero();

        flood(40, T0_MS + 10);

        assertThat(guard.halfOpen()).isEqualTo(LIMIT);
        assertThat(conns.size()).isEqualTo(8 + LIMIT);
        assertThat(counters.drops(DropReason.SYN_HALF_OPEN_LIMIT)).isEqualTo(40 - LIMIT);
        for (int i = 0; i < established.size(); i++) {
            int slot = conns.lookupIn(6, ip(CL), 50000 + i, ip(VIP), 80);
            assertThat(slot).as("established flow %d kept", i).isEqualTo(established.get(i));
            assertThat(conns.state(slot)).isEqualTo(TcpState.ESTABLISHED);
        }
        sent.clear();
        assertThat(process(fromClient(CL, 50003, TcpView.ACK | TcpView.PSH), ETH0, T0_MS + 20))
                .isEqualTo(Forwarder.FORWARDED);

        // the flood's entries leave after the short timeout; a new client is served again
        // (the one entry made before pressure began keeps SYN_RECV's 60 s)
        forwarder.housekeeping(T0_MS + 10 + SHORT_MS + conns.tickMs());
        assertThat(guard.halfOpen()).isEqualTo(1);
        assertThat(process(fromClient(CL, 40000, TcpView.SYN), ETH0, T0_MS + 10 + SHORT_MS + conns.tickMs()))
                .isEqualTo(Forwarder.FORWARDED);
        assertThat(conns.size()).isEqualTo(8 + 1 + 1);
    }

    @Test
    void shouldRefuseNewEntriesButNeverEvictWhenTableIsFull() {
        configure(ConnectionFlags.FWD_MASQ);
        for (int port = 50000; port < 50016; port++) {
            establishNat(port, T0_MS);
        }
        assertThat(conns.size()).isEqualTo(conns.capacity());

        flood(10, T0_MS + 10);

        assertThat(conns.size()).isEqualTo(conns.capacity());
        for (int port = 50000; port < 50016; port++) {
            assertThat(conns.state(conns.lookupIn(6, ip(CL), port, ip(VIP), 80))).isEqualTo(TcpState.ESTABLISHED);
        }
        assertThat(counters.drops(DropReason.CONN_TABLE_FULL)).isEqualTo(10);
        assertThat(guard.halfOpen()).isZero();
    }

    @Test
    void shouldChooseSameServerForSameFlowAndShareByWeight() {
        int[] weights = {1, 3};
        DestinationView view = new DestinationView() {
            @Override public int count() { return 2; }
            @Override public int destId(int i) { return i + 1; }
            @Override public int weight(int i) { return weights[i]; }
            @Override public boolean overloaded(int i) { return false; }
            @Override public int activeConns(int i) { return 0; }
            @Override public int inactiveConns(int i) { return 0; }
            @Override public int serverIpv4(int i) { return ip(i == 0 ? RS1 : RS2); }
            @Override public int serverPort(int i) { return 80; }
        };
        int[] hits = new int[2];
        for (int port = 1024; port < 41024; port++) {
            int first = guard.choose(view, ip("198.19.7.7") + port, port, ip(VIP), 80);
            assertThat(guard.choose(view, ip("198.19.7.7") + port, port, ip(VIP), 80)).isEqualTo(first);
            hits[first]++;
        }
        assertThat(hits[1] / (double) (hits[0] + hits[1])).isBetween(0.72, 0.78);
        weights[0] = 0;
        assertThat(guard.choose(view, ip("198.19.7.7"), 1, ip(VIP), 80)).as("weight 0 never chosen").isEqualTo(1);
    }

    /** SYN, the real server's SYN-ACK, the client's ACK: an established NAT connection's slot. */
    int establishNat(int port, long nowMs) {
        process(fromClient(CL, port, TcpView.SYN), ETH0, nowMs);
        int slot = conns.lookupIn(6, ip(CL), port, ip(VIP), 80);
        String rs = conns.realIp(slot) == ip(RS1) ? RS1 : RS2;
        String rsMac = rs.equals(RS1) ? RS1_MAC : RS2_MAC;
        process(PacketBuilder.ethernet(rsMac, LB_SMAC).vnetHeader().ipv4(rs, CL).tcp(80, port)
                .flags(TcpView.SYN | TcpView.ACK).seq(5000).ack(1001), ETH1, nowMs);
        process(fromClient(CL, port, TcpView.ACK), ETH0, nowMs);
        assertThat(conns.state(slot)).isEqualTo(TcpState.ESTABLISHED);
        return slot;
    }
}
