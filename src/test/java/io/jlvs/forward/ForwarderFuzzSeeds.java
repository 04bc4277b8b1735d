package io.jlvs.forward;

import io.jlvs.packet.TcpView;
import io.jlvs.sync.SyncCodec;
import io.jlvs.sync.SyncEntry;
import io.jlvs.testkit.PacketBuilder;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.jlvs.testkit.PacketBuilder.ip;

/**
 * Writes the seed corpora of {@link ForwarderFuzzTest} (run from the project root, see docs/fuzzing.md):
 * a handful of conversations per forwarding method in the fuzzers' record format, so fuzzing starts from
 * frames that reach connection creation, NAT replies, tunnels, fragments, ICMP and ARP.
 */
final class ForwarderFuzzSeeds {
    static final int DR = 0;
    static final int NAT = 1;
    static final int IPIP = 2;
    static final int GUE = 3;
    static final int FULLNAT = 4;
    static final String CL_MAC = "02:00:c6:12:00:02";
    static final String RS1_MAC = "02:00:c6:13:00:0b";
    static final String RS2_MAC = "02:00:c6:13:00:0c";
    static final String CL = "198.18.0.2";

    private ForwarderFuzzSeeds() {}

    public static void main(String[] args) throws IOException {
        Path base = Path.of(args.length > 0 ? args[0] : "src/test/resources/io/jlvs/forward/ForwarderFuzzTestInputs");
        Path frames = Files.createDirectories(base.resolve("fuzzFrames"));
        Path sync = Files.createDirectories(base.resolve("fuzzSyncThenFrames"));
        for (int method : new int[] {DR, NAT, IPIP, GUE, FULLNAT}) {
            String name = switch (method) {
                case DR -> "dr";
                case NAT -> "nat";
                case IPIP -> "ipip";
                case GUE -> "gue";
                default -> "fullnat";
            };
            Files.write(frames.resolve("seed-" + name + "-handshake"), tcpConversation(method, false));
            Files.write(frames.resolve("seed-" + name + "-persistent-gso"), tcpConversation(method | 8, true));
        }
        Files.write(frames.resolve("seed-udp-one-packet"), input(DR,
                rec(0, client().ipv4(CL, ForwarderFuzzTest.VIP).udp(5353, 53).payload("query")),
                rec(1, rs(RS1_MAC).ipv4(ForwarderFuzzTest.RS1, CL).udp(53, 5353).payload("answer"))));
        Files.write(frames.resolve("seed-arp-for-vip"), input(DR,
                rec(0, PacketBuilder.arpRequest(CL_MAC, CL, ForwarderFuzzTest.VIP)),
                rec(1, PacketBuilder.arpReply(RS1_MAC, ForwarderFuzzTest.RS1, ForwarderFuzzTest.LB_SMAC,
                        ForwarderFuzzTest.LOCAL))));
        byte[] quoted = java.util.Arrays.copyOfRange(client().ipv4(CL, ForwarderFuzzTest.VIP).tcp(40000, 80)
                .flags(TcpView.SYN).build(), 14, 14 + 28);
        Files.write(frames.resolve("seed-icmp"), input(NAT,
                rec(0, client().ipv4(CL, ForwarderFuzzTest.VIP).tcp(40000, 80).flags(TcpView.SYN).seq(1)),
                rec(0, client().ipv4(CL, ForwarderFuzzTest.VIP).icmpEcho(7, 1).payload("ping")),
                rec(1, rs(RS2_MAC).ipv4(ForwarderFuzzTest.RS2, CL).icmp(3, 3, 0).payload(natQuote())),
                rec(0, client().ipv4("198.18.0.254", ForwarderFuzzTest.VIP).icmp(3, 4, 1400).payload(quoted))));
        Files.write(frames.resolve("seed-fragments"), input(NAT,
                rec(0, client().ipv4(CL, ForwarderFuzzTest.VIP).id(99).mf(true).udp(5353, 53).udpLength(1008)
                        .payload(new byte[992])),
                rec(0, client().ipv4(CL, ForwarderFuzzTest.VIP).id(99).fragmentOffset(125).protocol(17)
                        .payload(new byte[8])),
                rec(0, client().ipv4(CL, ForwarderFuzzTest.VIP).id(100).fragmentOffset(125).protocol(6)
                        .payload(new byte[40])),
                rec(0, client().ipv4(CL, ForwarderFuzzTest.VIP).id(100).mf(true).tcp(40001, 80).flags(TcpView.SYN))));
        Files.write(frames.resolve("seed-fwmark"), input(DR,
                rec(0, client().ipv4(CL, "198.18.1.5").tcp(40000, 1500).flags(TcpView.SYN)),
                rec(0, client().ipv4(CL, "198.18.1.5").tcp(40000, 1500).flags(TcpView.ACK).payload("x"))));
        Files.write(frames.resolve("seed-options"), input(NAT,
                rec(0, client().ipv4(CL, ForwarderFuzzTest.VIP).ipOptions(new byte[] {1, 1, 1, 0}).tcp(40000, 80)
                        .flags(TcpView.SYN).tcpOptions(new byte[] {2, 4, 5, (byte) 0xb4, 4, 2, 8, 10, 0, 0, 0, 1,
                            0, 0, 0, 0, 1, 3, 3, 7})),
                rec(8, client().ipv4(CL, ForwarderFuzzTest.VIP).tcp(40000, 80).flags(TcpView.RST)),
                rec(0, client().ipv4(CL, ForwarderFuzzTest.VIP).tcp(40000, 80).flags(TcpView.SYN))));
        for (int setup : new int[] {6, 7}) { // NAT, FULLNAT with the SYN proxy and its scripted connection
            String name = setup == 6 ? "nat" : "fullnat";
            int cookie = new SynCookie(ForwarderFuzzTest.COOKIE_KEY1, ForwarderFuzzTest.COOKIE_KEY2).make(ip(CL), 40000,
                    ip(ForwarderFuzzTest.VIP), 80, ForwarderFuzzTest.PROXY_CLIENT_ISN, SynCookie.options(1460, true, 6),
                    ForwarderFuzzTest.START_MS);
            int sackLeft = cookie + 101;
            int sackRight = cookie + 201;
            byte[] sack = {1, 1, 5, 10, (byte) (sackLeft >>> 24), (byte) (sackLeft >>> 16), (byte) (sackLeft >>> 8),
                (byte) sackLeft, (byte) (sackRight >>> 24), (byte) (sackRight >>> 16), (byte) (sackRight >>> 8),
                (byte) sackRight};
            Files.write(frames.resolve("seed-" + name + "-synproxy"), input(setup,
                    rec(0, client().ipv4(CL, ForwarderFuzzTest.VIP).tcp(40000, 80).flags(TcpView.ACK | TcpView.PSH)
                            .seq(ForwarderFuzzTest.PROXY_CLIENT_ISN + 1).ack(cookie + 1).tcpOptions(sack)
                            .payload("GET / HTTP/1.1\r\n\r\n")),
                    rec(0, client().ipv4(CL, ForwarderFuzzTest.VIP).tcp(40001, 80).flags(TcpView.SYN).seq(5)
                            .tcpOptions(new byte[] {2, 4, 5, (byte) 0xb4, 4, 2, 1, 3, 3, 14, 1, 1})),
                    rec(0, client().ipv4(CL, ForwarderFuzzTest.VIP).tcp(40002, 80).flags(TcpView.ACK).seq(6).ack(cookie))));
        }
        Files.write(frames.resolve("seed-ipv6"), input(DR,
                rec(0, client().ipv6("2001:db8::2", "2001:db8::100").tcp(40000, 80).flags(TcpView.SYN))));

        Files.write(sync.resolve("seed-v1-nat"), syncThenFrames(NAT, 6, 1, ForwarderFuzzTest.RS2, 8080, 0));
        Files.write(sync.resolve("seed-v1-dr-template"), syncThenFrames(DR | 8, 6, 0x1000 | 3, ForwarderFuzzTest.RS1,
                8080, 0));
        Files.write(sync.resolve("seed-v1-fwmark"), syncThenFrames(DR, 6, 3, ForwarderFuzzTest.RS1, 0, 7));
        ByteBuffer v0 = ByteBuffer.allocate(28);
        v0.put((byte) 1).put((byte) 0).putShort((short) 28);
        v0.put((byte) 0).put((byte) 17).putShort((short) 5353).putShort((short) 53).putShort((short) 53)
                .putInt(ip(CL)).putInt(ip(ForwarderFuzzTest.VIP)).putInt(ip(ForwarderFuzzTest.RS1))
                .putShort((short) 0).putShort((short) 0);
        Files.write(sync.resolve("seed-v0-udp"), withMessage(DR, v0.array(),
                rec(1, rs(RS1_MAC).ipv4(ForwarderFuzzTest.RS1, CL).udp(53, 5353).payload("answer"))));
    }

    /** SYN, SYN-ACK back (NAT, FULLNAT), ACK, data (a GSO super-frame when asked), FIN. */
    static byte[] tcpConversation(int setup, boolean gso) {
        int method = setup & 7;
        String vip = ForwarderFuzzTest.VIP;
        boolean replies = method == NAT || method == FULLNAT;
        String replyTo = method == FULLNAT ? ForwarderFuzzTest.LOCAL : CL;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(rec(0, client().ipv4(CL, vip).tcp(40000, 80).flags(TcpView.SYN).seq(100)));
        if (replies) {
            out.writeBytes(rec(1, rs(RS2_MAC).ipv4(ForwarderFuzzTest.RS2, replyTo).tcp(8080, 40000)
                    .flags(TcpView.SYN | TcpView.ACK).seq(500).ack(101)));
            out.writeBytes(rec(1, rs(RS1_MAC).ipv4(ForwarderFuzzTest.RS1, replyTo).tcp(8080, 40000)
                    .flags(TcpView.SYN | TcpView.ACK).seq(500).ack(101)));
        }
        out.writeBytes(rec(0, client().ipv4(CL, vip).tcp(40000, 80).flags(TcpView.ACK).seq(101).ack(501)));
        out.writeBytes(rec(gso ? 6 : 0, client().ipv4(CL, vip).df(true).tcp(40000, 80).flags(TcpView.ACK | TcpView.PSH)
                .seq(101).ack(501).payload(new byte[gso ? 2896 : 100])));
        out.writeBytes(rec(8 << 3, client().ipv4(CL, vip).tcp(40000, 80).flags(TcpView.FIN | TcpView.ACK)));
        out.writeBytes(rec(0, client().ipv4("198.18.0.3", vip).tcp(40000, 80).flags(TcpView.SYN).seq(7)));
        return withSetup(setup, out.toByteArray());
    }

    static byte[] syncThenFrames(int setup, int proto, int flags, String real, int dport, int fwmark) {
        ByteBuffer b = ByteBuffer.allocate(1472);
        SyncCodec.begin(b, 1);
        SyncCodec.putEntry(b, new SyncEntry(proto, flags, 3, 40000, fwmark != 0 ? 1500 : 80, dport, fwmark, 300, ip(CL),
                ip(fwmark != 0 ? "198.18.1.5" : ForwarderFuzzTest.VIP), ip(real)));
        SyncCodec.finish(b);
        byte[] message = new byte[b.remaining()];
        b.get(message);
        return withMessage(setup, message,
                rec(0, client().ipv4(CL, fwmark != 0 ? "198.18.1.5" : ForwarderFuzzTest.VIP)
                        .tcp(40000, fwmark != 0 ? 1500 : 80).flags(TcpView.ACK).payload("after failover")),
                rec(1, rs(RS2_MAC).ipv4(real, CL).tcp(dport, 40000).flags(TcpView.ACK).payload("reply")));
    }

    static byte[] withMessage(int setup, byte[] message, byte[]... records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(setup);
        out.write(message.length >>> 8);
        out.write(message.length);
        out.writeBytes(message);
        for (byte[] r : records) {
            out.writeBytes(r);
        }
        return out.toByteArray();
    }

    static byte[] natQuote() {
        byte[] f = PacketBuilder.ethernet(RS2_MAC, ForwarderFuzzTest.LB_SMAC).ipv4(ForwarderFuzzTest.RS2, CL)
                .tcp(8080, 40000).flags(TcpView.SYN | TcpView.ACK).build();
        return java.util.Arrays.copyOfRange(f, 14, 14 + 28);
    }

    static PacketBuilder client() {
        return PacketBuilder.ethernet(CL_MAC, ForwarderFuzzTest.LB_CMAC);
    }

    static PacketBuilder rs(String mac) {
        return PacketBuilder.ethernet(mac, ForwarderFuzzTest.LB_SMAC);
    }

    static byte[] input(int setup, byte[]... records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] r : records) {
            out.writeBytes(r);
        }
        return withSetup(setup, out.toByteArray());
    }

    static byte[] withSetup(int setup, byte[] records) {
        byte[] b = new byte[1 + records.length];
        b[0] = (byte) setup;
        System.arraycopy(records, 0, b, 1, records.length);
        return b;
    }

    /** One record: ctl, length, the frame from its Ethernet header. */
    static byte[] rec(int ctl, PacketBuilder frame) {
        byte[] f = frame.build();
        byte[] r = new byte[3 + f.length];
        r[0] = (byte) ctl;
        r[1] = (byte) (f.length >>> 8);
        r[2] = (byte) f.length;
        System.arraycopy(f, 0, r, 3, f.length);
        return r;
    }
}
