package io.jlvs.system;

import io.jlvs.io.linux.Libc;
import io.jlvs.packet.Checksum;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A spoofed-source SYN flood for the system tests, run as its own JVM inside a test namespace
 * ({@code ip netns exec NS java … io.jlvs.system.SynFlood IFNAME DST_MAC VIP PORT SECONDS [PPS]}): raw Ethernet
 * frames on an AF_PACKET socket (qdisc bypassed), each a 60-byte TCP SYN from a random address of
 * 198.19.128.0/17 and a random port, PPS a second (paced every 64 frames) or, without PPS or with 0, as
 * fast as one thread can send them. Prints
 * {@code sent N frames in MS ms} at the end.
 *
 * <pre>
 *   0 dst MAC | src MAC | 0x0800 | IPv4 (20, DF, TTL 64, id random) | TCP (20, SYN, seq random, win 64240) | pad
 * </pre>
 */
public final class SynFlood {
    private static final ValueLayout.OfShort NET_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt NET_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int FRAME = 60;
    private static final int SPOOF_NET = (198 << 24) | (19 << 16) | 0x8000; // 198.19.128.0/17

    private SynFlood() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 5 && args.length != 6) {
            System.err.println("usage: SynFlood IFNAME DST_MAC VIP PORT SECONDS [PPS]");
            System.exit(2);
        }
        String ifname = args[0];
        long dstMac = Long.parseLong(args[1].replace(":", ""), 16);
        int vip = ipv4(args[2]);
        int port = Integer.parseInt(args[3]);
        long durationNs = Long.parseLong(args[4]) * 1_000_000_000L;
        long pps = args.length == 6 ? Long.parseLong(args[5]) : 0;
        int ifindex = Integer.parseInt(Files.readString(Path.of("/sys/class/net", ifname, "ifindex")).strip());
        long srcMac = Long.parseLong(Files.readString(Path.of("/sys/class/net", ifname, "address")).strip()
                .replace(":", ""), 16);

        try (Arena arena = Arena.ofConfined()) {
            int fd = (int) Libc.check("socket(AF_PACKET)", Libc.socket(Libc.AF_PACKET, Libc.SOCK_RAW, 0));
            MemorySegment sll = arena.allocate(20, 4);
            sll.set(ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_PACKET);
            sll.set(NET_SHORT, 2, (short) 0x0800);
            sll.set(ValueLayout.JAVA_INT, 4, ifindex);
            Libc.check("bind(" + ifname + ")", Libc.bind(fd, sll, 20));
            Libc.setsockoptInt(fd, Libc.SOL_PACKET, Libc.PACKET_QDISC_BYPASS, 1); // best effort
            MemorySegment f = arena.allocate(FRAME, 8);
            f.set(NET_SHORT, 0, (short) (dstMac >>> 32));
            f.set(NET_INT, 2, (int) dstMac);
            f.set(NET_SHORT, 6, (short) (srcMac >>> 32));
            f.set(NET_INT, 8, (int) srcMac);
            f.set(NET_SHORT, 12, (short) 0x0800);
            f.set(ValueLayout.JAVA_BYTE, 14, (byte) 0x45);
            f.set(NET_SHORT, 16, (short) 40);
            f.set(NET_SHORT, 20, (short) 0x4000);
            f.set(ValueLayout.JAVA_BYTE, 22, (byte) 64);
            f.set(ValueLayout.JAVA_BYTE, 23, (byte) 6);
            f.set(NET_INT, 30, vip);
            f.set(NET_SHORT, 36, (short) port);
            f.set(ValueLayout.JAVA_BYTE, 46, (byte) 0x50); // data offset 5
            f.set(ValueLayout.JAVA_BYTE, 47, (byte) 0x02); // SYN
            f.set(NET_SHORT, 48, (short) 64240);

            SplittableRandom random = new SplittableRandom();
            long sent = 0;
            long failed = 0;
            long startNs = System.nanoTime();
            long endNs = startNs + durationNs;
            while (true) {
                if ((sent & 63) == 0) {
                    long now = System.nanoTime();
                    if (now >= endNs) {
                        break;
                    }
                    if (pps > 0) {
                        long dueNs = startNs + sent * 1_000_000_000L / pps;
                        if (dueNs > now) {
                            java.util.concurrent.locks.LockSupport.parkNanos(dueNs - now);
                        }
                    }
                }
                int r = random.nextInt();
                int src = SPOOF_NET | (r & 0x7fff);
                f.set(NET_SHORT, 18, (short) (r >>> 16));
                f.set(NET_SHORT, 24, (short) 0);
                f.set(NET_INT, 26, src);
                f.set(NET_SHORT, 24, (short) Checksum.finish(Checksum.sum(f, 14, 20, 0)));
                f.set(NET_SHORT, 34, (short) (1024 + (random.nextInt() & 0x7fff)));
                f.set(NET_INT, 38, random.nextInt());
                f.set(NET_SHORT, 50, (short) Checksum.tcpUdpIpv4(f, 34, 20, src, vip, 6));
                if (Libc.send(fd, f, FRAME, 0) == FRAME) {
                    sent++;
                } else {
                    failed++;
                    sent++; // keeps the clock check going; counted apart below
                }
            }
            long ms = (System.nanoTime() - startNs) / 1_000_000;
            System.out.println("sent " + (sent - failed) + " frames in " + ms + " ms (failed " + failed + ")");
            Libc.close(fd);
        }
    }

    private static int ipv4(String dotted) {
        String[] p = dotted.split("\\.");
        return (Integer.parseInt(p[0]) << 24) | (Integer.parseInt(p[1]) << 16) | (Integer.parseInt(p[2]) << 8)
                | Integer.parseInt(p[3]);
    }
}
