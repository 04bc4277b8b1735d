package io.jlvs.forward;

import io.jlvs.conn.ConnectionFlags;
import io.jlvs.conn.ConnectionTable;
import io.jlvs.packet.TcpView;
import io.jlvs.sched.DestinationView;
import io.jlvs.sched.FlowView;
import io.jlvs.sched.SchedulerRegistry;
import io.jlvs.stats.WorkerCounters;
import io.jlvs.testkit.PacketBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static io.jlvs.testkit.PacketBuilder.ip;
import static io.jlvs.testkit.PacketBuilder.mac;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The forwarder reports every load change to the least-load schedulers, which then answer from an index
 * instead of scanning the list. This test drives a long seeded sequence of real frames (new SYNs,
 * handshakes completing, FINs, RSTs, idle expiry) through the forwarder and checks every choice against
 * the same scheduler scanning the forwarder's own counters, as the kernel does: any change the forwarder
 * forgot to report would make the index stale and the two disagree.
 */
class ForwarderLeastLoadIndexTest {
    static final int ETH0 = 2;
    static final int ETH1 = 3;
    static final String VIP = "198.18.0.100";
    static final int SERVERS = 7;
    static final int STEPS = 4000;

    record Flow(int clientIp, int port) {}

    @ParameterizedTest
    @ValueSource(strings = {"lc", "wlc", "sed", "nq", "fo", "ovf"})
    void shouldChooseWhatAScanWouldChooseWhenEveryLoadChangeIsReported(String scheduler) {
        try (Arena arena = Arena.ofConfined()) {
            ConnectionTable conns = new ConnectionTable(1 << 14, 1 << 12, 1000, 1024, 42);
            WorkerCounters counters = new WorkerCounters(1024);
            Forwarder forwarder = new Forwarder(conns, counters, (ifindex, seg, offset, length) -> {}, 1024);
            try {
                SplittableRandom random = new SplittableRandom(scheduler.hashCode());
                DestRuntime[] dests = new DestRuntime[SERVERS];
                DestRuntime[] byId = new DestRuntime[SERVERS + 1];
                for (int i = 0; i < SERVERS; i++) {
                    int rs = ip("198.19.0." + (11 + i));
                    dests[i] = new DestRuntime(i + 1, rs, 80, ConnectionFlags.FWD_DROUTE, 1 + random.nextInt(5), 0, 0,
                            ETH1, rs);
                    byId[i + 1] = dests[i];
                }
                ServiceRuntime svc = new ServiceRuntime(1, 6, ip(VIP), 80, 0, SchedulerRegistry.byName(scheduler), dests);
                forwarder.apply(new DataplaneConfig(1, new ServiceRuntime[] {svc}, byId, new int[] {ip(VIP)},
                        new ServedInterface[] {
                            new ServedInterface(ETH0, "eth0", mac("02:00:c6:12:00:01"), ip("198.18.0.1"), 1500),
                            new ServedInterface(ETH1, "eth1", mac("02:00:c6:13:00:01"), ip("198.19.0.1"), 1500)}));
                long nowMs = 1_000_000;
                for (int i = 0; i < SERVERS; i++) {
                    String rs = "198.19.0." + (11 + i);
                    send(arena, forwarder, PacketBuilder.arpReply(String.format("02:00:c6:13:00:%02x", 11 + i), rs,
                            "02:00:c6:13:00:01", "198.19.0.1").vnetHeader(), ETH1, nowMs);
                }
                ScanView scan = new ScanView(dests, counters);
                List<Flow> open = new ArrayList<>();
                int nextPort = 1024;
                int checked = 0;
                for (int step = 0; step < STEPS; step++) {
                    nowMs += random.nextInt(200);
                    int action = random.nextInt(10);
                    if (action < 4 || open.isEmpty()) {
                        Flow f = new Flow(ip("198.18.1.0") + random.nextInt(200), nextPort++);
                        int expected = SchedulerRegistry.byName(scheduler).newState(scan, null).schedule(scan, FLOW);
                        send(arena, forwarder, segment(f, TcpView.SYN), ETH0, nowMs);
                        int slot = conns.lookupIn(6, f.clientIp(), f.port(), ip(VIP), 80);
                        checked++;
                        if (expected < 0) { // ovf: every server at its limit, as the scan says
                            assertThat(slot).as("step %d: no destination", step).isNegative();
                            continue;
                        }
                        assertThat(slot).as("step %d: connection created", step).isNotNegative();
                        assertThat(conns.destId(slot)).as("step %d: %s chose like a scan", step, scheduler)
                                .isEqualTo(dests[expected].destId());
                        open.add(f);
                    } else if (action < 7) {
                        send(arena, forwarder, segment(open.get(random.nextInt(open.size())), TcpView.ACK), ETH0, nowMs);
                    } else if (action < 8) {
                        send(arena, forwarder, segment(open.remove(random.nextInt(open.size())), TcpView.FIN | TcpView.ACK),
                                ETH0, nowMs);
                    } else if (action < 9) {
                        send(arena, forwarder, segment(open.remove(random.nextInt(open.size())), TcpView.RST), ETH0, nowMs);
                    } else {
                        nowMs += random.nextInt(30_000);
                        forwarder.housekeeping(nowMs);
                    }
                }
                assertThat(checked).isGreaterThan(STEPS / 3);
            } finally {
                forwarder.close();
                conns.close();
                counters.close();
            }
        }
    }

    private static PacketBuilder segment(Flow f, int tcpFlags) {
        return PacketBuilder.ethernet("02:00:c6:12:00:02", "02:00:c6:12:00:01").vnetHeader()
                .ipv4(f.clientIp(), ip(VIP)).ttl(64).tcp(f.port(), 80).flags(tcpFlags).seq(1000).window(64240);
    }

    private static void send(Arena arena, Forwarder forwarder, PacketBuilder frame, int ifindex, long nowMs) {
        byte[] bytes = frame.build();
        MemorySegment seg = arena.allocate(bytes.length + 64);
        seg.asSlice(32, bytes.length).copyFrom(MemorySegment.ofArray(bytes));
        int vnet = 10;
        forwarder.process(seg, 32 + vnet, bytes.length - vnet, bytes.length - vnet, ifindex, nowMs);
    }

    /** The kernel's way: a scan over the list reading the forwarder's counters; reports nothing. */
    private record ScanView(DestRuntime[] dests, WorkerCounters counters) implements DestinationView {
        public int count() {
            return dests.length;
        }

        public int destId(int i) {
            return dests[i].destId();
        }

        public int weight(int i) {
            return dests[i].weight();
        }

        public boolean overloaded(int i) {
            return false;
        }

        public int activeConns(int i) {
            return (int) counters.dest(dests[i].destId(), WorkerCounters.ACTIVE);
        }

        public int inactiveConns(int i) {
            return (int) counters.dest(dests[i].destId(), WorkerCounters.INACTIVE);
        }
    }

    private static final FlowView FLOW = new FlowView() {
        public int srcIpv4() {
            return 0;
        }

        public int dstIpv4() {
            return 0;
        }

        public int srcPort() {
            return 0;
        }

        public int dstPort() {
            return 0;
        }
    };
}
