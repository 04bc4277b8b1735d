package io.jlvs.forward;

import io.jlvs.conn.ConnectionFlags;
import io.jlvs.conn.ConnectionTable;
import io.jlvs.packet.TcpView;
import io.jlvs.sched.SchedulerRegistry;
import io.jlvs.stats.DropReason;
import io.jlvs.stats.WorkerCounters;
import io.jlvs.testkit.PacketBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
 * IPVS's {@code expire_nodest_conn} (jlvs {@code --expire-nodest-conn}): connections of a deleted real server go
 * at once, and a SYN on a connection whose real server is gone or has weight 0 is scheduled anew; without it
 * (the kernel's default) such packets are dropped until the connection times out. DR service, rr, rs1 and rs2.
 */
class ExpireNodestConnTest {
    static final long T0_MS = 1_000_000;
    final List<byte[]> sent = new ArrayList<>();
    final Arena arena = Arena.ofConfined();
    ConnectionTable conns;
    WorkerCounters counters;
    Forwarder forwarder;
    DestRuntime rs1;
    DestRuntime rs2;

    @BeforeEach
    void setUp() {
        conns = new ConnectionTable(64, 64, 100, 1024, 42);
        counters = new WorkerCounters(1024);
        forwarder = new Forwarder(conns, counters, (ifindex, seg, offset, length) ->
                sent.add(seg.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE)), 1024);
        rs1 = new DestRuntime(1, ip(RS1), 80, ConnectionFlags.FWD_DROUTE, 1, 0, 0, ETH1, ip(RS1));
        rs2 = new DestRuntime(2, ip(RS2), 80, ConnectionFlags.FWD_DROUTE, 1, 0, 0, ETH1, ip(RS2));
    }

    @AfterEach
    void tearDown() {
        forwarder.close();
        conns.close();
        counters.close();
        arena.close();
    }

    void configure(long version, DestRuntime... dests) {
        DestRuntime[] byId = new DestRuntime[3];
        for (DestRuntime d : dests) {
            byId[d.destId()] = d;
        }
        ServiceRuntime svc = new ServiceRuntime(1, 6, ip(VIP), 80, 0, SchedulerRegistry.byName("rr"), dests);
        forwarder.apply(new DataplaneConfig(version, new ServiceRuntime[] {svc}, byId, new int[] {ip(VIP)},
                new ServedInterface[] {
                    new ServedInterface(ETH0, "eth0", mac(LB_CMAC), ip("198.18.0.1"), 1500),
                    new ServedInterface(ETH1, "eth1", mac(LB_SMAC), ip("198.19.0.1"), 1500)}));
    }

    void start(boolean option) {
        forwarder.expireNodestConn(option);
        configure(1, rs2, rs1);
        process(PacketBuilder.arpReply(RS1_MAC, RS1, LB_SMAC, "198.19.0.1").vnetHeader(), ETH1);
        process(PacketBuilder.arpReply(RS2_MAC, RS2, LB_SMAC, "198.19.0.1").vnetHeader(), ETH1);
        sent.clear();
    }

    int process(PacketBuilder frame, int ifindex) {
        byte[] bytes = frame.build();
        MemorySegment seg = arena.allocate(bytes.length + 64);
        seg.asSlice(32, bytes.length).copyFrom(MemorySegment.ofArray(bytes));
        return forwarder.process(seg, 32 + 10, bytes.length - 10, bytes.length - 10, ifindex, T0_MS);
    }

    static PacketBuilder fromClient(int flags) {
        return PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv4(CL, VIP).ttl(64).id(7)
                .tcp(40000, 80).flags(flags).seq(1000).ack((flags & TcpView.ACK) != 0 ? 1 : 0);
    }

    /** The real server the last frame went to (DR: by its MAC). */
    String lastServer() {
        long dst = MemorySegment.ofArray(sent.getLast())
                .get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 10) >>> 16;
        return dst == mac(RS1_MAC) ? "rs1" : dst == mac(RS2_MAC) ? "rs2" : "?";
    }

    /** An established connection CL:40000 → VIP:80; returns the server it went to. */
    String established() {
        process(fromClient(TcpView.SYN), ETH0);
        process(fromClient(TcpView.ACK), ETH0);
        return lastServer();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void shouldExpireConnectionsOfDeletedServerOnlyWhenOn(boolean option) {
        start(option);
        String first = established();
        DestRuntime kept = first.equals("rs1") ? rs2 : rs1;
        sent.clear();

        configure(2, kept); // ipvsadm -d the server the connection went to

        assertThat(conns.size()).isEqualTo(option ? 0 : 1);
        int verdict = process(fromClient(TcpView.SYN), ETH0); // the client reuses its port
        if (option) {
            assertThat(verdict).isEqualTo(Forwarder.FORWARDED);
            assertThat(lastServer()).isEqualTo(kept == rs1 ? "rs1" : "rs2");
        } else {
            assertThat(verdict).isEqualTo(Forwarder.DROPPED);
            assertThat(counters.drops(DropReason.DEST_UNAVAILABLE)).isEqualTo(1);
        }
    }

    @Test
    void shouldDropLaterSegmentsOfFlushedConnectionAsUnknown() {
        start(true);
        String first = established();
        configure(2, first.equals("rs1") ? rs2 : rs1);
        sent.clear();

        int verdict = process(fromClient(TcpView.ACK).payload("more"), ETH0);

        assertThat(verdict).isEqualTo(Forwarder.DROPPED);
        assertThat(sent).isEmpty();
        assertThat(counters.drops(DropReason.NO_CONNECTION)).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void shouldRescheduleSynOnConnectionToQuiescedServerOnlyWhenOn(boolean option) {
        start(option);
        String first = established();
        DestRuntime quiesced = first.equals("rs1") ? rs1 : rs2;
        DestRuntime other = quiesced == rs1 ? rs2 : rs1;
        DestRuntime zero = new DestRuntime(quiesced.destId(), quiesced.ipv4(), 80, ConnectionFlags.FWD_DROUTE, 0, 0, 0,
                ETH1, quiesced.ipv4());
        configure(2, other == rs2 ? new DestRuntime[] {rs2, zero} : new DestRuntime[] {zero, rs1});
        sent.clear();

        process(fromClient(TcpView.SYN), ETH0);

        assertThat(lastServer()).as("weight 0: the old connection's server only without the option")
                .isEqualTo(option ? (other == rs1 ? "rs1" : "rs2") : first);
        assertThat(conns.size()).isEqualTo(1);
    }
}
