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
import io.jlvs.sync.SyncCodec;
import io.jlvs.sync.SyncEntry;
import io.jlvs.sync.SyncRing;
import io.jlvs.testkit.PacketBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static io.jlvs.forward.Forwarder6Test.CL;
import static io.jlvs.forward.Forwarder6Test.CL_MAC;
import static io.jlvs.forward.Forwarder6Test.ETH0;
import static io.jlvs.forward.Forwarder6Test.ETH1;
import static io.jlvs.forward.Forwarder6Test.LB_CMAC;
import static io.jlvs.forward.Forwarder6Test.LB_S;
import static io.jlvs.forward.Forwarder6Test.LB_SMAC;
import static io.jlvs.forward.Forwarder6Test.NOW_MS;
import static io.jlvs.forward.Forwarder6Test.RS1;
import static io.jlvs.forward.Forwarder6Test.RS1_MAC;
import static io.jlvs.forward.Forwarder6Test.RS2;
import static io.jlvs.forward.Forwarder6Test.RS2_MAC;
import static io.jlvs.forward.Forwarder6Test.VIP;
import static io.jlvs.testkit.PacketBuilder.ip;
import static io.jlvs.testkit.PacketBuilder.ip6Hi;
import static io.jlvs.testkit.PacketBuilder.ip6Lo;
import static io.jlvs.testkit.PacketBuilder.mac;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * IPv6 connection sync between two directors' pipelines ({@link Forwarder6}): the master's worker puts the entry in
 * its {@link SyncRing}, the entry crosses the wire format ({@link SyncCodec}, {@code ip_vs_sync_v6}), the backup
 * installs it through {@link Forwarder#install} and forwards the flow's next segment without having seen its SYN
 * (golden frames, on {@link Forwarder6Test}'s bed).
 */
class Forwarder6SyncTest {
    record Sent(int ifindex, byte[] bytes) {}

    /** One director's worker: its tables, counters and what it sent. */
    static final class Side implements AutoCloseable {
        final ConnectionTable conns = new ConnectionTable(1 << 12, 1 << 10, 1000, 1024, 42);
        final WorkerCounters counters = new WorkerCounters(1024);
        final List<Sent> sent = new ArrayList<>();
        final Forwarder forwarder = new Forwarder(conns, counters, (ifindex, seg, offset, length) ->
                sent.add(new Sent(ifindex, seg.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE))), 1024);

        ConnectionTable6 conns6() {
            return forwarder.ipv6().connections();
        }

        @Override
        public void close() {
            forwarder.close();
            conns.close();
            counters.close();
        }
    }

    final Arena arena = Arena.ofConfined();
    final Side master = new Side();
    final Side backup = new Side();
    final SyncRing ring = new SyncRing(64);

    @AfterEach
    void tearDown() {
        master.close();
        backup.close();
        ring.close();
        arena.close();
    }

    /** TCP VIP:80 on rs2 and rs1 (rr: rs2 first) by {@code method}; the same rules on both directors. */
    void configure(int method, int rport, int flags, int persistS, int prefix) {
        Dest6Runtime rs1 = Forwarder6Test.dest(1, RS1, rport, method);
        Dest6Runtime rs2 = Forwarder6Test.dest(2, RS2, rport, method);
        long[] laddrs = method == ConnectionFlags.FWD_FULLNAT ? Forwarder6Test.pair(Forwarder6Test.LADDR) : new long[0];
        Service6Runtime svc = new Service6Runtime(1, 6, ip6Hi(VIP), ip6Lo(VIP), 80, flags, persistS, prefix,
                SchedulerRegistry.byName("rr"), new Dest6Runtime[] {rs2, rs1}, laddrs);
        Ipv6Config v6 = new Ipv6Config(new Service6Runtime[] {svc}, new Dest6Runtime[] {null, rs1, rs2},
                Forwarder6Test.pair(VIP), Forwarder6Test.interfaces6());
        for (Side s : List.of(master, backup)) {
            s.forwarder.apply(new DataplaneConfig(1, new ServiceRuntime[0], new DestRuntime[0], new int[0],
                    new ServedInterface[] {
                        new ServedInterface(ETH0, "eth0", mac(LB_CMAC), ip("198.18.0.1"), 1500),
                        new ServedInterface(ETH1, "eth1", mac(LB_SMAC), ip("198.19.0.1"), 1500)},
                    new MarkRuleRuntime[0], v6));
            process(s, PacketBuilder.neighborAdvertisement(RS1_MAC, RS1, LB_SMAC, LB_S).vnetHeader(), ETH1);
            process(s, PacketBuilder.neighborAdvertisement(RS2_MAC, RS2, LB_SMAC, LB_S).vnetHeader(), ETH1);
            s.sent.clear();
        }
        master.forwarder.syncTo(ring);
    }

    int process(Side s, PacketBuilder frame, int ifindex) {
        byte[] bytes = frame.build();
        MemorySegment seg = arena.allocate(bytes.length + 128);
        seg.asSlice(64, bytes.length).copyFrom(MemorySegment.ofArray(bytes));
        return s.forwarder.process(seg, 64 + 10, bytes.length - 10, bytes.length - 10, ifindex, NOW_MS);
    }

    static PacketBuilder clientAck(int sport) {
        return PacketBuilder.ethernet(CL_MAC, LB_CMAC).vnetHeader().ipv6(CL, VIP).hopLimit(64).tcp(sport, 80)
                .flags(TcpView.ACK).seq(1001).ack(5001).window(502);
    }

    /** The client opens port {@code sport} through the master: SYN then three ACKs (the 3rd is sync_threshold). */
    void establishOnMaster(int sport) {
        process(master, Forwarder6Test.clientSyn().tcp(sport, 80).flags(TcpView.SYN), ETH0);
        for (int i = 0; i < 3; i++) {
            process(master, clientAck(sport), ETH0);
        }
        master.sent.clear();
    }

    /** What the master's ring holds, carried through one v1 message as the sync daemons do. */
    List<SyncEntry> overTheWire() {
        List<SyncEntry> drained = new ArrayList<>();
        ring.drain(drained::add, 100);
        ByteBuffer b = ByteBuffer.allocate(1472);
        SyncCodec.begin(b, 9);
        drained.forEach(e -> SyncCodec.putEntry(b, e));
        SyncCodec.finish(b);
        List<SyncEntry> got = new ArrayList<>();
        assertThat(SyncCodec.decode(b, 9, got::add)).isEqualTo(SyncCodec.Result.OK);
        assertThat(got).isEqualTo(drained);
        return got;
    }

    void installOnBackup(List<SyncEntry> entries) {
        entries.forEach(e -> backup.forwarder.install(e, NOW_MS));
    }

    void assertSent(Side s, int ifindex, PacketBuilder expected) {
        assertThat(s.sent).hasSize(1);
        byte[] want = expected.build();
        assertThat(s.sent.getFirst().ifindex()).isEqualTo(ifindex);
        assertThat(s.sent.getFirst().bytes()).as(() -> PacketBuilder.diff(want, s.sent.getFirst().bytes()))
                .isEqualTo(want);
    }

    @Test
    void shouldForwardMidFlowSegmentOnBackupWhenIpv6DirectRoutingConnectionWasSynced() {
        configure(ConnectionFlags.FWD_DROUTE, 80, 0, 0, 128);
        establishOnMaster(40000);

        List<SyncEntry> synced = overTheWire();

        assertThat(synced).hasSize(1);
        SyncEntry e = synced.getFirst();
        assertThat(e.ipv6()).isTrue();
        assertThat(e.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(e.flags()).isEqualTo(ConnectionFlags.FWD_DROUTE | ConnectionFlags.NOOUTPUT);
        assertThat(new long[] {e.caddrHi(), e.caddrLo(), e.vaddrHi(), e.vaddrLo(), e.daddrHi(), e.daddrLo()})
                .containsExactly(ip6Hi(CL), ip6Lo(CL), ip6Hi(VIP), ip6Lo(VIP), ip6Hi(RS2), ip6Lo(RS2));
        assertThat(e.timeoutS()).isEqualTo(900);

        installOnBackup(synced);
        assertThat(backup.counters.dest(2, WorkerCounters.ACTIVE)).isEqualTo(1);
        int slot = backup.conns6().lookupIn(6, ip6Hi(CL), ip6Lo(CL), 40000, ip6Hi(VIP), ip6Lo(VIP), 80);
        assertThat(backup.conns6().flags(slot) & ConnectionFlags.SYNC).isNotZero();
        assertThat(backup.conns.size()).as("nothing in the IPv4 table").isZero();

        // after a takeover: the next segment of the flow, no SYN seen here, goes to the same real server
        int verdict = process(backup, clientAck(40000).payload("more"), ETH0);

        assertThat(verdict).isEqualTo(Forwarder.FORWARDED);
        assertSent(backup, ETH1, PacketBuilder.ethernet(LB_SMAC, RS2_MAC).vnetHeader().ipv6(CL, VIP).hopLimit(63)
                .tcp(40000, 80).flags(TcpView.ACK).seq(1001).ack(5001).window(502).payload("more"));
        assertThat(backup.counters.drops(DropReason.NO_CONNECTION)).isZero();
    }

    @Test
    void shouldTranslateBothWaysOnBackupWhenIpv6NatConnectionWasSynced() {
        configure(ConnectionFlags.FWD_MASQ, 8080, 0, 0, 128);
        establishOnMaster(40000);
        installOnBackup(overTheWire());

        assertThat(process(backup, clientAck(40000).payload("more"), ETH0)).isEqualTo(Forwarder.FORWARDED);
        assertSent(backup, ETH1, PacketBuilder.ethernet(LB_SMAC, RS2_MAC).vnetHeader().ipv6(CL, RS2).hopLimit(63)
                .tcp(40000, 8080).flags(TcpView.ACK).seq(1001).ack(5001).window(502).payload("more"));
        backup.sent.clear();

        // the reply goes to the client by the interface and MAC its segment came from
        assertThat(process(backup, PacketBuilder.ethernet(RS2_MAC, LB_SMAC).vnetHeader().ipv6(RS2, CL).hopLimit(64)
                .tcp(8080, 40000).flags(TcpView.ACK).seq(5001).ack(1005).window(509).payload("data"), ETH1))
                .isEqualTo(Forwarder.FORWARDED);
        assertSent(backup, ETH0, PacketBuilder.ethernet(LB_CMAC, CL_MAC).vnetHeader().ipv6(VIP, CL).hopLimit(63)
                .tcp(80, 40000).flags(TcpView.ACK).seq(5001).ack(1005).window(509).payload("data"));
    }

    @Test
    void shouldSyncTemplateSoBackupKeepsClientPrefixOnItsServerWhenPersistent() {
        configure(ConnectionFlags.FWD_DROUTE, 80, ServiceConfig.F_PERSISTENT, 300, 64);
        establishOnMaster(40000);

        List<SyncEntry> synced = overTheWire();

        assertThat(synced).hasSize(2);
        SyncEntry template = synced.get(1);
        assertThat(template.flags() & ConnectionFlags.TEMPLATE).isNotZero();
        assertThat(template.caddrHi()).isEqualTo(ip6Hi(CL));
        assertThat(template.caddrLo()).as("the client cut to its /64").isZero();
        assertThat(template.timeoutS()).isEqualTo(300);
        installOnBackup(synced);
        assertThat(backup.counters.dest(2, WorkerCounters.PERSIST)).isEqualTo(1);

        // another /64 takes the scheduler's first pick (rs2), so round robin would give the next client rs1;
        // a new connection from the synced /64 follows its template to rs2 instead
        process(backup, Forwarder6Test.clientSyn().ipv6("2001:db8:5::2", VIP).tcp(40001, 80).flags(TcpView.SYN), ETH0);
        process(backup, Forwarder6Test.clientSyn().ipv6("2001:db8:1::77", VIP).tcp(40002, 80).flags(TcpView.SYN), ETH0);
        assertThat(backup.sent).hasSize(2);
        assertThat(backup.sent).allSatisfy(s -> assertThat(MemorySegment.ofArray(s.bytes())
                .get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 10) >>> 16)
                .isEqualTo(mac(RS2_MAC)));
    }

    @Test
    void shouldSendEveryIpv6ConnectionWhenBackupAsksForFullSync() {
        configure(ConnectionFlags.FWD_DROUTE, 80, 0, 0, 128);
        process(master, Forwarder6Test.clientSyn(), ETH0); // SYN_RECV: not synced on its own
        establishOnMaster(40001);
        ring.drain(e -> { }, 100);

        master.forwarder.syncAll();

        List<SyncEntry> all = overTheWire();
        assertThat(all).extracting(SyncEntry::cport).containsExactly(40001);
        assertThat(all).allMatch(SyncEntry::ipv6);
    }

    @Test
    void shouldCountAndSkipWhenSyncedIpv6ConnectionHasNoServiceOrIsFullNat() {
        configure(ConnectionFlags.FWD_FULLNAT, 8080, 0, 0, 128);
        SyncEntry fullNat = SyncEntry.ipv6(6, ConnectionFlags.FWD_FULLNAT, TcpState.ESTABLISHED, 40000, 80, 8080, 0,
                900, ip6Hi(CL), ip6Lo(CL), ip6Hi(VIP), ip6Lo(VIP), ip6Hi(RS2), ip6Lo(RS2));
        SyncEntry otherVip = SyncEntry.ipv6(6, ConnectionFlags.FWD_DROUTE, TcpState.ESTABLISHED, 40000, 80, 80, 0,
                900, ip6Hi(CL), ip6Lo(CL), ip6Hi(VIP), ip6Lo(VIP) + 1, ip6Hi(RS2), ip6Lo(RS2));

        installOnBackup(List.of(fullNat, otherVip));

        assertThat(backup.counters.drops(DropReason.SYNC_NO_SERVICE)).isEqualTo(2);
        assertThat(backup.conns6().size()).isZero();
    }

    @Test
    void shouldReplaceEntryOnlyWhenActiveMessageNamesAnotherRealServer() {
        configure(ConnectionFlags.FWD_DROUTE, 80, 0, 0, 128);
        SyncEntry onRs2 = SyncEntry.ipv6(6, ConnectionFlags.FWD_DROUTE, TcpState.ESTABLISHED, 40000, 80, 80, 0, 900,
                ip6Hi(CL), ip6Lo(CL), ip6Hi(VIP), ip6Lo(VIP), ip6Hi(RS2), ip6Lo(RS2));
        SyncEntry onRs1Inactive = SyncEntry.ipv6(6, ConnectionFlags.FWD_DROUTE | ConnectionFlags.INACTIVE,
                TcpState.TIME_WAIT, 40000, 80, 80, 0, 120, ip6Hi(CL), ip6Lo(CL), ip6Hi(VIP), ip6Lo(VIP), ip6Hi(RS1),
                ip6Lo(RS1));
        SyncEntry onRs1 = SyncEntry.ipv6(6, ConnectionFlags.FWD_DROUTE, TcpState.ESTABLISHED, 40000, 80, 80, 0, 900,
                ip6Hi(CL), ip6Lo(CL), ip6Hi(VIP), ip6Lo(VIP), ip6Hi(RS1), ip6Lo(RS1));
        ConnectionTable6 c6 = backup.conns6();

        installOnBackup(List.of(onRs2, onRs1Inactive));
        int slot = c6.lookupIn(6, ip6Hi(CL), ip6Lo(CL), 40000, ip6Hi(VIP), ip6Lo(VIP), 80);
        assertThat(c6.realLo(slot)).as("an old expiry message is ignored").isEqualTo(ip6Lo(RS2));

        installOnBackup(List.of(onRs1));
        slot = c6.lookupIn(6, ip6Hi(CL), ip6Lo(CL), 40000, ip6Hi(VIP), ip6Lo(VIP), 80);
        assertThat(c6.realLo(slot)).isEqualTo(ip6Lo(RS1));
        assertThat(backup.counters.dest(2, WorkerCounters.ACTIVE)).isZero();
        assertThat(backup.counters.dest(1, WorkerCounters.ACTIVE)).isEqualTo(1);
    }
}
