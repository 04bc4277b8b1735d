package io.jlvs.vrrp;

import io.jlvs.io.linux.Libc;
import io.jlvs.packet.ArpView;
import io.jlvs.packet.Checksum;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Gratuitous ARP and unsolicited neighbour advertisements for addresses a new master takes over (vrrp.md §8), sent
 * through an {@code AF_PACKET}/{@code SOCK_DGRAM} socket so the kernel adds the Ethernet header with the interface's
 * own MAC (keepalived uses the real NIC MAC unless {@code use_vmac}).
 *
 * <p>ARP: a <em>request</em> to ff:ff:ff:ff:ff:ff with sender = target = the address and target MAC broadcast, as
 * keepalived sends it (the {@link ArpView} layout). NA, to 33:33:00:00:00:01:
 * <pre>
 * IPv6 header: src = the address, dst ff02::1, next header 58, hop limit 255, then ICMPv6 (32 bytes):
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------+---------------+-------------------------------+
 * |  Type (136)   |   Code (0)    |          Checksum             |
 * +-+-+-+---------+---------------+-------------------------------+
 * |R|S|O|                     Reserved                            |
 * +-+-+-+---------------------------------------------------------+
 * |                  Target Address (16 bytes)                    |
 * +---------------+---------------+-------------------------------+
 * |  Type (2)     |  Length (1)   |  Target link-layer address    |
 * +---------------+---------------+        (6 bytes)              |
 * |                                                               |
 * +---------------------------------------------------------------+
 * </pre>
 * O (override) is always set; R when IPv6 forwarding is on for the interface. Control plane only.
 */
final class Announcer implements AutoCloseable {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int SOCKADDR_LL = 20;
    private static final int NA_ICMP_LENGTH = 32;
    private static final byte[] ALL_NODES = {(byte) 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment frame = arena.allocate(128, 8);
    private final MemorySegment address = arena.allocate(SOCKADDR_LL, 8);
    private final ArpView arp = new ArpView();

    Announcer() {
        fd = (int) Libc.check("socket(AF_PACKET, SOCK_DGRAM)",
                Libc.socket(Libc.AF_PACKET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0));
    }

    /**
     * One gratuitous ARP (IPv4) or unsolicited NA (IPv6) for {@code ip} on interface {@code ifindex} with MAC
     * {@code mac} (48 bits, first octet highest).
     *
     * @return bytes sent or -errno
     */
    long announce(int ifindex, String ifname, long mac, InetAddress ip) {
        frame.fill((byte) 0);
        if (ip instanceof Inet4Address) {
            arp.wrap(frame, 0).initEthernetIpv4(ArpView.OP_REQUEST).senderMac(mac)
                    .senderIp(bytesToInt(ip.getAddress())).targetMac(0xffff_ffff_ffffL)
                    .targetIp(bytesToInt(ip.getAddress()));
            return sendTo(ifindex, Libc.ETH_P_ARP, 0xffff_ffff_ffffL, ArpView.LENGTH);
        }
        byte[] target = ip.getAddress();
        frame.set(U32, 0, 6 << 28);
        frame.set(U16, VrrpPackets.IPV6_PAYLOAD_LENGTH_OFFSET, (short) NA_ICMP_LENGTH);
        frame.set(ValueLayout.JAVA_BYTE, VrrpPackets.IPV6_NEXT_HEADER_OFFSET, (byte) 58);
        frame.set(ValueLayout.JAVA_BYTE, VrrpPackets.IPV6_HOP_LIMIT_OFFSET, (byte) 255);
        MemorySegment.copy(target, 0, frame, ValueLayout.JAVA_BYTE, VrrpPackets.IPV6_SRC_OFFSET, 16);
        MemorySegment.copy(ALL_NODES, 0, frame, ValueLayout.JAVA_BYTE, VrrpPackets.IPV6_DST_OFFSET, 16);
        int icmp = VrrpPackets.IPV6_HEADER_LENGTH;
        frame.set(ValueLayout.JAVA_BYTE, icmp, (byte) 136);
        int flags = 0x2000_0000 | (forwarding(ifname) ? 0x8000_0000 : 0);
        frame.set(U32, icmp + 4, flags);
        MemorySegment.copy(target, 0, frame, ValueLayout.JAVA_BYTE, icmp + 8, 16);
        frame.set(ValueLayout.JAVA_BYTE, icmp + 24, (byte) 2);
        frame.set(ValueLayout.JAVA_BYTE, icmp + 25, (byte) 1);
        frame.set(U16, icmp + 26, (short) (mac >>> 32));
        frame.set(U32, icmp + 28, (int) mac);
        long pseudo = Checksum.sum(frame, VrrpPackets.IPV6_SRC_OFFSET, 32, 0) + NA_ICMP_LENGTH + 58;
        frame.set(U16, icmp + 2, (short) Checksum.finish(Checksum.sum(frame, icmp, NA_ICMP_LENGTH, pseudo)));
        return sendTo(ifindex, Libc.ETH_P_IPV6, 0x3333_0000_0001L, icmp + NA_ICMP_LENGTH);
    }

    private long sendTo(int ifindex, int ethertype, long dstMac, int length) {
        // struct sockaddr_ll { u16 family; be16 protocol; int ifindex; u16 hatype; u8 pkttype; u8 halen; u8 addr[8]; }
        address.fill((byte) 0);
        address.set(ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_PACKET);
        address.set(U16, 2, (short) ethertype);
        address.set(ValueLayout.JAVA_INT, 4, ifindex);
        address.set(ValueLayout.JAVA_BYTE, 11, (byte) 6);
        address.set(U16, 12, (short) (dstMac >>> 32));
        address.set(U32, 14, (int) dstMac);
        return Libc.sendto(fd, frame, length, 0, address, SOCKADDR_LL);
    }

    private static boolean forwarding(String ifname) {
        try {
            return Files.readString(Path.of("/proc/sys/net/ipv6/conf", ifname, "forwarding")).trim().equals("1");
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    private static int bytesToInt(byte[] b) {
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    @Override
    public void close() {
        Libc.close(fd);
        arena.close();
    }
}
