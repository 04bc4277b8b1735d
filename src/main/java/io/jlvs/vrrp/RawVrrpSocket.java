package io.jlvs.vrrp;

import io.jlvs.io.linux.Libc;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.nio.ByteOrder;
import java.util.List;

/**
 * A raw IP socket for protocol 112 on one interface, as keepalived opens it (vrrp.md §1, §16).
 *
 * <p>IPv4: {@code IP_HDRINCL}, so adverts go out exactly as {@link VrrpPackets} wrote them (TTL 255, TOS 0xC0, the
 * instance's IP ID) and arrive with their IP header (TTL, destination, total length for the checks).
 *
 * <p>IPv6: the kernel writes the header; the source goes in an {@code IPV6_PKTINFO} and the hop limit in an
 * {@code IPV6_HOPLIMIT} control message, traffic class 0xC0 is a socket option, and {@code IPV6_CHECKSUM} at offset 6
 * has the kernel fill in and verify the VRRP checksum. Received messages come with their source (msg_name),
 * destination ({@code IPV6_PKTINFO}) and hop limit ({@code IPV6_HOPLIMIT}), from which {@link #receive} rebuilds a
 * 40-byte header in front of the message so both families reach {@link VrrpNode#receive} the same way.
 *
 * <p>Bound to the interface ({@code SO_BINDTODEVICE}), joined to the VRRP groups on it, multicast loopback off (an
 * instance never hears itself). Non-blocking; used by the VRRP thread only.
 */
final class RawVrrpSocket implements AutoCloseable {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int SOCKADDR_IN6 = 28;
    private static final int CONTROL_BYTES = 128;

    final String interfaceName;
    final boolean ipv6;
    private final int ifindex;
    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment address = arena.allocate(SOCKADDR_IN6, 8);
    private final MemorySegment msghdr = arena.allocate(Libc.MSGHDR_BYTES, 8);
    private final MemorySegment iov = arena.allocate(Libc.IOVEC_BYTES, 8);
    private final MemorySegment control = arena.allocate(CONTROL_BYTES, 8);

    RawVrrpSocket(String interfaceName, int ifindex, boolean ipv6, List<InetAddress> groups) {
        this.interfaceName = interfaceName;
        this.ipv6 = ipv6;
        this.ifindex = ifindex;
        int family = ipv6 ? Libc.AF_INET6 : Libc.AF_INET;
        this.fd = (int) Libc.check("socket(raw, 112): interface=" + interfaceName,
                Libc.socket(family, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC | Libc.SOCK_NONBLOCK, Libc.IPPROTO_VRRP));
        try {
            check("SO_BINDTODEVICE", Libc.bindToDevice(fd, interfaceName));
            if (ipv6) {
                setInt(Libc.IPPROTO_IPV6, Libc.IPV6_CHECKSUM, VrrpAdvertView.CHECKSUM_OFFSET, "IPV6_CHECKSUM");
                setInt(Libc.IPPROTO_IPV6, Libc.IPV6_MULTICAST_LOOP, 0, "IPV6_MULTICAST_LOOP");
                setInt(Libc.IPPROTO_IPV6, Libc.IPV6_MULTICAST_HOPS, VrrpPackets.TTL_VRRP, "IPV6_MULTICAST_HOPS");
                setInt(Libc.IPPROTO_IPV6, Libc.IPV6_MULTICAST_IF, ifindex, "IPV6_MULTICAST_IF");
                setInt(Libc.IPPROTO_IPV6, Libc.IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO");
                setInt(Libc.IPPROTO_IPV6, Libc.IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT");
                setInt(Libc.IPPROTO_IPV6, Libc.IPV6_TCLASS, VrrpPackets.TOS_NETWORK_CONTROL, "IPV6_TCLASS");
                for (InetAddress g : groups) {
                    try (Arena a = Arena.ofConfined()) {
                        MemorySegment mreq = a.allocate(20, 4); // struct ipv6_mreq { in6_addr; int ifindex; }
                        MemorySegment.copy(g.getAddress(), 0, mreq, ValueLayout.JAVA_BYTE, 0, 16);
                        mreq.set(ValueLayout.JAVA_INT, 16, ifindex);
                        check("IPV6_ADD_MEMBERSHIP " + g.getHostAddress(),
                                Libc.setsockopt(fd, Libc.IPPROTO_IPV6, Libc.IPV6_ADD_MEMBERSHIP, mreq, 20));
                    }
                }
            } else {
                setInt(Libc.IPPROTO_IP, Libc.IP_HDRINCL, 1, "IP_HDRINCL");
                setInt(Libc.IPPROTO_IP, Libc.IP_MULTICAST_LOOP, 0, "IP_MULTICAST_LOOP");
                setInt(Libc.IPPROTO_IP, Libc.IP_MULTICAST_TTL, VrrpPackets.TTL_VRRP, "IP_MULTICAST_TTL");
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment mreqn = a.allocate(12, 4); // struct ip_mreqn { multiaddr; address; int ifindex; }
                    mreqn.set(ValueLayout.JAVA_INT, 8, ifindex);
                    check("IP_MULTICAST_IF", Libc.setsockopt(fd, Libc.IPPROTO_IP, Libc.IP_MULTICAST_IF, mreqn, 12));
                    for (InetAddress g : groups) {
                        MemorySegment.copy(g.getAddress(), 0, mreqn, ValueLayout.JAVA_BYTE, 0, 4);
                        check("IP_ADD_MEMBERSHIP " + g.getHostAddress(),
                                Libc.setsockopt(fd, Libc.IPPROTO_IP, Libc.IP_ADD_MEMBERSHIP, mreqn, 12));
                    }
                }
            }
        } catch (RuntimeException e) {
            Libc.close(fd);
            arena.close();
            throw e;
        }
    }

    int fd() {
        return fd;
    }

    private void setInt(int level, int option, int value, String what) {
        check(what, Libc.setsockoptInt(fd, level, option, value));
    }

    private void check(String what, long result) {
        Libc.check(what + ": interface=" + interfaceName, result);
    }

    /**
     * Sends a complete packet written by {@link VrrpPackets}.
     *
     * @return bytes sent or -errno
     */
    long send(MemorySegment packet, int length) {
        if (!ipv6) {
            address.fill((byte) 0);
            address.set(ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_INET);
            address.set(ValueLayout.JAVA_INT_UNALIGNED, 4,
                    packet.get(ValueLayout.JAVA_INT_UNALIGNED, io.jlvs.packet.Ipv4View.DST_ADDR_OFFSET));
            return Libc.sendto(fd, packet, length, 0, address, 16);
        }
        address.fill((byte) 0);
        address.set(ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_INET6);
        MemorySegment.copy(packet, VrrpPackets.IPV6_DST_OFFSET, address, 8, 16);
        if ((packet.get(ValueLayout.JAVA_BYTE, VrrpPackets.IPV6_DST_OFFSET) & 0xff) == 0xfe
                || (packet.get(ValueLayout.JAVA_BYTE, VrrpPackets.IPV6_DST_OFFSET) & 0xff) == 0xff) {
            address.set(ValueLayout.JAVA_INT, 24, ifindex); // link-local / multicast scope
        }
        iov.set(ValueLayout.ADDRESS, 0, packet.asSlice(VrrpPackets.IPV6_HEADER_LENGTH));
        iov.set(ValueLayout.JAVA_LONG, 8, length - VrrpPackets.IPV6_HEADER_LENGTH);
        control.fill((byte) 0);
        // cmsg 1: IPV6_PKTINFO { in6_addr source; int ifindex } (20 bytes of data, 40 with header and padding)
        control.set(ValueLayout.JAVA_LONG, 0, Libc.CMSGHDR_BYTES + 20);
        control.set(ValueLayout.JAVA_INT, 8, Libc.IPPROTO_IPV6);
        control.set(ValueLayout.JAVA_INT, 12, Libc.IPV6_PKTINFO);
        MemorySegment.copy(packet, VrrpPackets.IPV6_SRC_OFFSET, control, Libc.CMSGHDR_BYTES, 16);
        control.set(ValueLayout.JAVA_INT, Libc.CMSGHDR_BYTES + 16, ifindex);
        // cmsg 2: IPV6_HOPLIMIT { int }
        int second = 40;
        control.set(ValueLayout.JAVA_LONG, second, Libc.CMSGHDR_BYTES + 4);
        control.set(ValueLayout.JAVA_INT, second + 8, Libc.IPPROTO_IPV6);
        control.set(ValueLayout.JAVA_INT, second + 12, Libc.IPV6_HOPLIMIT);
        control.set(ValueLayout.JAVA_INT, second + Libc.CMSGHDR_BYTES,
                packet.get(ValueLayout.JAVA_BYTE, VrrpPackets.IPV6_HOP_LIMIT_OFFSET) & 0xff);
        msghdr.fill((byte) 0);
        msghdr.set(ValueLayout.ADDRESS, Libc.MSGHDR_NAME, address);
        msghdr.set(ValueLayout.JAVA_INT, Libc.MSGHDR_NAMELEN, SOCKADDR_IN6);
        msghdr.set(ValueLayout.ADDRESS, Libc.MSGHDR_IOV, iov);
        msghdr.set(ValueLayout.JAVA_LONG, Libc.MSGHDR_IOVLEN, 1);
        msghdr.set(ValueLayout.ADDRESS, Libc.MSGHDR_CONTROL, control);
        msghdr.set(ValueLayout.JAVA_LONG, Libc.MSGHDR_CONTROLLEN, second + Libc.CMSGHDR_BYTES + 8);
        return Libc.sendmsg(fd, msghdr, 0);
    }

    /**
     * Receives one packet into {@code buf} as a complete IP packet (see the class comment).
     *
     * @return its length, or -errno ({@code -EAGAIN} when nothing is waiting)
     */
    int receive(MemorySegment buf) {
        if (!ipv6) {
            return (int) Libc.recv(fd, buf, buf.byteSize(), Libc.MSG_DONTWAIT);
        }
        int header = VrrpPackets.IPV6_HEADER_LENGTH;
        iov.set(ValueLayout.ADDRESS, 0, buf.asSlice(header));
        iov.set(ValueLayout.JAVA_LONG, 8, buf.byteSize() - header);
        msghdr.fill((byte) 0);
        msghdr.set(ValueLayout.ADDRESS, Libc.MSGHDR_NAME, address);
        msghdr.set(ValueLayout.JAVA_INT, Libc.MSGHDR_NAMELEN, SOCKADDR_IN6);
        msghdr.set(ValueLayout.ADDRESS, Libc.MSGHDR_IOV, iov);
        msghdr.set(ValueLayout.JAVA_LONG, Libc.MSGHDR_IOVLEN, 1);
        msghdr.set(ValueLayout.ADDRESS, Libc.MSGHDR_CONTROL, control);
        msghdr.set(ValueLayout.JAVA_LONG, Libc.MSGHDR_CONTROLLEN, CONTROL_BYTES);
        long n = Libc.recvmsg(fd, msghdr, Libc.MSG_DONTWAIT);
        if (n < 0) {
            return (int) n;
        }
        int hopLimit = 0;
        buf.asSlice(0, header).fill((byte) 0);
        long controlLength = msghdr.get(ValueLayout.JAVA_LONG, Libc.MSGHDR_CONTROLLEN);
        long at = 0;
        while (at + Libc.CMSGHDR_BYTES <= controlLength) {
            long len = control.get(ValueLayout.JAVA_LONG, at);
            int level = control.get(ValueLayout.JAVA_INT, at + 8);
            int type = control.get(ValueLayout.JAVA_INT, at + 12);
            if (len < Libc.CMSGHDR_BYTES) {
                break;
            }
            if (level == Libc.IPPROTO_IPV6 && type == Libc.IPV6_HOPLIMIT) {
                hopLimit = control.get(ValueLayout.JAVA_INT, at + Libc.CMSGHDR_BYTES);
            } else if (level == Libc.IPPROTO_IPV6 && type == Libc.IPV6_PKTINFO) {
                MemorySegment.copy(control, at + Libc.CMSGHDR_BYTES, buf, VrrpPackets.IPV6_DST_OFFSET, 16);
            }
            at += (len + 7) & ~7L;
        }
        buf.set(U32, 0, (6 << 28) | (VrrpPackets.TOS_NETWORK_CONTROL << 20));
        buf.set(U16, VrrpPackets.IPV6_PAYLOAD_LENGTH_OFFSET, (short) n);
        buf.set(ValueLayout.JAVA_BYTE, VrrpPackets.IPV6_NEXT_HEADER_OFFSET, (byte) VrrpPackets.PROTO_VRRP);
        buf.set(ValueLayout.JAVA_BYTE, VrrpPackets.IPV6_HOP_LIMIT_OFFSET, (byte) hopLimit);
        MemorySegment.copy(address, 8, buf, VrrpPackets.IPV6_SRC_OFFSET, 16);
        return (int) n + header;
    }

    @Override
    public void close() {
        Libc.close(fd);
        arena.close();
    }
}
