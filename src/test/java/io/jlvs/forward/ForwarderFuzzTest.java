package io.jlvs.forward;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.jlvs.conn.ConnectionFlags;
import io.jlvs.conn.ConnectionTable;
import io.jlvs.control.ServiceConfig;
import io.jlvs.packet.TcpView;
import io.jlvs.testkit.PacketBuilder;
import io.jlvs.sched.SchedulerRegistry;
import io.jlvs.stats.WorkerCounters;
import io.jlvs.sync.SyncCodec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.List;

import static io.jlvs.testkit.PacketBuilder.ip;
import static io.jlvs.testkit.PacketBuilder.mac;

/**
 * Coverage-guided fuzzing of the forwarding pipeline (docs/fuzzing.md): arbitrary frames through
 * {@link Forwarder#process} on a director with a configured service, and arbitrary sync messages through
 * {@link SyncCodec#decode} into {@link Forwarder#install} followed by frames. Nothing may escape as an
 * exception and every frame sent must pass {@link WellFormedFrames}. Each input gets a fresh forwarder, so
 * a finding replays alone.
 *
 * <p>Input of {@link #fuzzFrames}:
 * <pre>
 * | setup (1) | record | record | …
 * setup:  bits 0-2 forwarding method (DR, NAT, TUN/IPIP, TUN/GUE, FULLNAT, DR, NAT + SYN proxy,
 *         FULLNAT + SYN proxy: {@code --syn-proxy always}, cookie key {@link #COOKIE_KEY1}/{@link #COOKIE_KEY2}, and
 *         one proxied connection already established: 198.18.0.2:40000, client ISN 1000, server ISN 777000000,
 *         server window scale 9, so later frames of that flow take the shifting and rescaling paths)
 *         bit 3 persistent TCP service, bits 4-7 scheduler (index into SchedulerRegistry.names(), wrapping)
 * record: | ctl (1) | length (2, big-endian) | frame from its Ethernet header (length bytes, or what is left) |
 * ctl:    bit 0 arrives on eth1 (else eth0), bit 1 partial checksum (NEEDS_CSUM), bit 2 GSO,
 *         bits 3-7 seconds the clock moves on first (then housekeeping runs)
 * </pre>
 * The harness writes the 10-byte virtio_net_hdr as the kernel would (plain, or NEEDS_CSUM at the L4
 * checksum, or GSO) and a correct IPv4 header checksum, so the fuzzer spends its time on what jlvs parses.
 * {@link #fuzzSyncThenFrames} takes | setup (1) | length (2) | sync message | records… |.
 */
class ForwarderFuzzTest {
    static final int ETH0 = 2;
    static final int ETH1 = 3;
    static final int[] SERVED = {ETH0, ETH1};
    static final String LB_CMAC = "02:00:c6:12:00:01";
    static final String LB_SMAC = "02:00:c6:13:00:01";
    static final String VIP = "198.18.0.100";
    static final String RS1 = "198.19.0.11";
    static final String RS2 = "198.19.0.12";
    static final String LOCAL = "198.19.0.1";
    static final long START_MS = 1_000_000;
    private static final int HEADROOM = 64;
    static final long COOKIE_KEY1 = 0x5eed_0001L;
    static final long COOKIE_KEY2 = 0x5eed_0002L;
    static final int PROXY_CLIENT_ISN = 1000;
    static final int PROXY_SERVER_ISN = 777_000_000;
    private static final List<String> SCHEDULERS = SchedulerRegistry.names();

    @FuzzTest(maxDuration = "2m")
    void fuzzFrames(byte[] input) {
        if (input.length == 0) {
            return;
        }
        try (Bed bed = new Bed(input[0])) {
            bed.records(input, 1);
        }
    }

    @FuzzTest(maxDuration = "2m")
    void fuzzSyncThenFrames(byte[] input) {
        if (input.length < 3) {
            return;
        }
        try (Bed bed = new Bed(input[0])) {
            int len = Math.min(WellFormedFrames.u16(input, 1), input.length - 3);
            ByteBuffer message = ByteBuffer.wrap(input, 3, len).slice();
            SyncCodec.decode(message, 0, e -> bed.forwarder.install(e, bed.nowMs));
            bed.records(input, 3 + len);
        }
    }

    /** One director: a TCP service VIP:80 (the chosen method and scheduler), UDP VIP:53 and a fwmark service. */
    static final class Bed implements AutoCloseable {
        final ConnectionTable conns = new ConnectionTable(1 << 10, 1 << 8, 1000, 256, 42);
        final WorkerCounters counters = new WorkerCounters(64);
        final Arena arena = Arena.ofConfined();
        final Forwarder forwarder;
        long nowMs = START_MS;

        byte[] lastSent = new byte[0];

        Bed(byte setup) {
            forwarder = new Forwarder(conns, counters, (ifindex, seg, offset, length) -> {
                lastSent = seg.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE);
                WellFormedFrames.check(ifindex, SERVED, lastSent);
            }, 64);
            int methodChoice = setup & 7;
            int method = switch (methodChoice) {
                case 0, 5 -> ConnectionFlags.FWD_DROUTE;
                case 1, 6 -> ConnectionFlags.FWD_MASQ;
                case 2, 3 -> ConnectionFlags.FWD_TUNNEL;
                default -> ConnectionFlags.FWD_FULLNAT;
            };
            int tunnelType = methodChoice == 3 ? TunnelXmit.TYPE_GUE : TunnelXmit.TYPE_IPIP;
            boolean persistent = (setup & 8) != 0;
            String scheduler = SCHEDULERS.get(((setup & 0xff) >>> 4) % SCHEDULERS.size());
            DestRuntime rs1 = new DestRuntime(1, ip(RS1), 8080, method, 1, 0, 0, ETH1, ip(RS1), tunnelType, 6080, 0);
            DestRuntime rs2 = new DestRuntime(2, ip(RS2), 8080, method, 2, 0, 0, ETH1, ip(RS2), tunnelType, 6080, 0);
            DestRuntime u1 = new DestRuntime(3, ip(RS1), 53, ConnectionFlags.FWD_MASQ, 1, 0, 0, ETH1, ip(RS1));
            DestRuntime m1 = new DestRuntime(4, ip(RS1), 0, ConnectionFlags.FWD_DROUTE, 1, 0, 0, ETH1, ip(RS1));
            int[] locals = method == ConnectionFlags.FWD_FULLNAT ? new int[] {ip(LOCAL)} : new int[0];
            ServiceRuntime tcp = new ServiceRuntime(1, 6, ip(VIP), 80, 0,
                    persistent ? ServiceConfig.F_PERSISTENT : 0, persistent ? 300 : 0, persistent ? ip("255.255.255.0") : -1,
                    SchedulerRegistry.byName(scheduler), new DestRuntime[] {rs2, rs1}, locals);
            ServiceRuntime udp = new ServiceRuntime(2, 17, ip(VIP), 53, 0, ServiceConfig.F_ONEPACKET, 0, -1,
                    SchedulerRegistry.byName("rr"), new DestRuntime[] {u1});
            ServiceRuntime marked = new ServiceRuntime(3, 0, 0, 0, 7, 0, 0, -1,
                    SchedulerRegistry.byName("wlc"), new DestRuntime[] {m1});
            forwarder.apply(new DataplaneConfig(1, new ServiceRuntime[] {tcp, udp, marked},
                    new DestRuntime[] {null, rs1, rs2, u1, m1}, new int[] {ip(VIP)},
                    new ServedInterface[] {
                        new ServedInterface(ETH0, "eth0", mac(LB_CMAC), ip("198.18.0.1"), 1500),
                        new ServedInterface(ETH1, "eth1", mac(LB_SMAC), ip(LOCAL), 1500)},
                    new MarkRuleRuntime[] {new MarkRuleRuntime(ip("198.18.1.0"), 0xffffff00, 0, 1000, 2000, 7)}));
            // the real servers' MACs are known, so connections reach transmission
            arpReply("02:00:c6:13:00:0b", RS1);
            arpReply("02:00:c6:13:00:0c", RS2);
            if (methodChoice >= 6) {
                forwarder.synProxy().cookies(new SynCookie(COOKIE_KEY1, COOKIE_KEY2));
                forwarder.synProxy().mode(SynProxy.Mode.ALWAYS);
                proxiedConnection();
            }
        }

        /** The scripted handshake of the proxied connection the setup byte promises. */
        private void proxiedConnection() {
            client(PacketBuilder.ethernet("02:00:c6:12:00:02", LB_CMAC).vnetHeader().ipv4("198.18.0.2", VIP).df(true)
                    .tcp(40000, 80).flags(TcpView.SYN).seq(PROXY_CLIENT_ISN).window(64240)
                    .tcpOptions(new byte[] {2, 4, 5, (byte) 0xb4, 1, 1, 4, 2, 1, 3, 3, 6}));
            int cookie = WellFormedFrames.u32(lastSent, WellFormedFrames.VNET + WellFormedFrames.ETH + 20 + 4);
            client(PacketBuilder.ethernet("02:00:c6:12:00:02", LB_CMAC).vnetHeader().ipv4("198.18.0.2", VIP).df(true)
                    .tcp(40000, 80).flags(TcpView.ACK).seq(PROXY_CLIENT_ISN + 1).ack(cookie + 1).window(502));
            int l3 = WellFormedFrames.VNET + WellFormedFrames.ETH;
            String rs = ipText(WellFormedFrames.u32(lastSent, l3 + 16));
            String to = ipText(WellFormedFrames.u32(lastSent, l3 + 12));
            int toPort = WellFormedFrames.u16(lastSent, l3 + 20);
            byte[] f = PacketBuilder.ethernet(rs.equals(RS1) ? "02:00:c6:13:00:0b" : "02:00:c6:13:00:0c", LB_SMAC)
                    .vnetHeader().ipv4(rs, to).df(true).tcp(8080, toPort).flags(TcpView.SYN | TcpView.ACK)
                    .seq(PROXY_SERVER_ISN).ack(PROXY_CLIENT_ISN + 1).window(65160)
                    .tcpOptions(new byte[] {2, 4, 5, (byte) 0xb4, 1, 1, 4, 2, 1, 3, 3, 9}).build();
            frame(ETH1, f, 0, f.length);
            int slot = conns.lookupIn(6, ip("198.18.0.2"), 40000, ip(VIP), 80);
            if (slot < 0 || (conns.flags(slot) & SynProxy.PROXIED) == 0) {
                throw new IllegalStateException("the harness's proxied connection did not come up");
            }
        }

        private void client(PacketBuilder b) {
            byte[] f = b.build();
            frame(ETH0, f, 0, f.length);
        }

        private static String ipText(int a) {
            return (a >>> 24) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff);
        }

        private void arpReply(String senderMac, String senderIp) {
            byte[] f = io.jlvs.testkit.PacketBuilder.arpReply(senderMac, senderIp, LB_SMAC, LOCAL).vnetHeader().build();
            frame(ETH1, f, 0, f.length);
        }

        /** Runs the records of {@code input} from {@code pos}. */
        void records(byte[] input, int pos) {
            while (pos + 3 <= input.length) {
                int ctl = input[pos] & 0xff;
                int len = Math.min(WellFormedFrames.u16(input, pos + 1), input.length - pos - 3);
                int advanceS = ctl >>> 3;
                if (advanceS > 0) {
                    nowMs += advanceS * 1000L;
                    forwarder.housekeeping(nowMs);
                    forwarder.afterFlush();
                } else {
                    nowMs += 1;
                }
                byte[] frame = new byte[WellFormedFrames.VNET + len];
                System.arraycopy(input, pos + 3, frame, WellFormedFrames.VNET, len);
                vnetHeader(frame, (ctl & 2) != 0, (ctl & 4) != 0);
                WellFormedFrames.fixIpv4Checksum(frame, WellFormedFrames.VNET + WellFormedFrames.ETH);
                frame((ctl & 1) != 0 ? ETH1 : ETH0, frame, 0, frame.length);
                pos += 3 + len;
            }
        }

        /** Hands one frame (starting with its virtio_net_hdr) to the forwarder, in memory of exactly its size. */
        void frame(int ifindex, byte[] f, int off, int len) {
            MemorySegment seg = arena.allocate(HEADROOM + len);
            MemorySegment.copy(f, off, seg, ValueLayout.JAVA_BYTE, HEADROOM, len);
            int frameLen = len - WellFormedFrames.VNET;
            forwarder.process(seg, HEADROOM + WellFormedFrames.VNET, frameLen, frameLen, ifindex, nowMs);
            forwarder.afterFlush();
        }

        /** The virtio_net_hdr the kernel would write for this frame. */
        private static void vnetHeader(byte[] f, boolean partial, boolean gso) {
            int l3 = WellFormedFrames.VNET + WellFormedFrames.ETH;
            boolean ipv4 = f.length >= l3 + 20 && WellFormedFrames.u16(f, WellFormedFrames.VNET + 12) == 0x0800
                    && WellFormedFrames.u8(f, l3) >>> 4 == 4;
            if (!ipv4 || !(partial || gso)) {
                return;
            }
            int ihl = (WellFormedFrames.u8(f, l3) & 0xf) * 4;
            int proto = WellFormedFrames.u8(f, l3 + 9);
            if (proto != 6 && proto != 17) {
                return;
            }
            int csumStart = WellFormedFrames.ETH + ihl;
            int csumOffset = proto == 6 ? 16 : 6;
            if (WellFormedFrames.VNET + csumStart + csumOffset + 2 > f.length) {
                return;
            }
            f[0] = 1; // NEEDS_CSUM
            if (gso && proto == 6) {
                f[1] = 1; // TCPV4
                int hdrLen = csumStart + 20;
                f[2] = (byte) hdrLen;
                f[3] = (byte) (hdrLen >>> 8);
                f[4] = (byte) 1448;
                f[5] = (byte) (1448 >>> 8);
            }
            f[6] = (byte) csumStart;
            f[7] = (byte) (csumStart >>> 8);
            f[8] = (byte) csumOffset;
            f[9] = (byte) (csumOffset >>> 8);
        }

        @Override
        public void close() {
            forwarder.close();
            conns.close();
            counters.close();
            arena.close();
        }
    }
}
