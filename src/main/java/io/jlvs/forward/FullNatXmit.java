package io.jlvs.forward;

import io.jlvs.packet.Checksum;
import io.jlvs.packet.Ipv4View;
import io.jlvs.packet.TcpView;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * FULLNAT (the "fourth mode", as DPVS defines it): both ends are translated. To the real server the
 * packet comes from one of the director's local addresses and ports (laddr:lport) to the real server's
 * address and port, so the real server needs no route back through the director and may sit in any
 * routed network; the reply (real server → laddr:lport) is translated back to VIP:vport → client.
 *
 * <p>The client's address reaches the real server in the TOA option (TCP option kind 254), inserted
 * right after the fixed TCP header of the client's handshake-completing ACK (when the header stays within
 * 60 bytes), as DPVS does; the real server's SYN+ACK has its MSS lowered by the option's 8 bytes so full
 * segments still fit.
 * <pre>
 *  TOA (IPv4): | kind=254 (1) | len=8 (1) | client port (2) | client IPv4 (4) |
 * </pre>
 * Not done (yet): DPVS's TCP sequence-number translation and SYN proxy; the real server sees the client's
 * own ISN.
 */
public final class FullNatXmit implements Xmit {
    public static final int TOA_KIND = 254;
    public static final int TOA_LENGTH = 8;
    private static final ValueLayout.OfShort NET_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt NET_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    @Override
    public int toRealServer(Frame f, XmitContext ctx, int slot, DestRuntime d, ServedInterface out, long nextHopMac) {
        int laddr = ctx.localIp(slot);
        int lport = ctx.localPort(slot);
        int client = f.ip.srcAddr();
        int vip = f.ip.dstAddr();
        int rip = ctx.conns.realIp(slot);
        int rport = ctx.conns.realPort(slot);
        if (f.proto == Ipv4View.PROTO_TCP && ctx.handshakeAck && !f.gso()) {
            insertToa(f, client, f.tcp.srcPort());
        }
        rewrite(f, client, laddr, lport, vip, rip, rport);
        f.eth.dstMac(nextHopMac);
        f.eth.srcMac(out.mac());
        return SEND;
    }

    @Override
    public int toClient(Frame f, XmitContext ctx, int slot, ServedInterface out) {
        int rip = f.ip.srcAddr();
        int laddr = f.ip.dstAddr();
        if (f.proto == Ipv4View.PROTO_TCP && (f.tcp.flags() & TcpView.SYN) != 0) {
            lowerMss(f, TOA_LENGTH);
        }
        rewrite(f, rip, ctx.conns.vip(slot), ctx.conns.vport(slot), laddr, ctx.conns.clientIp(slot),
                ctx.conns.clientPort(slot));
        f.eth.dstMac(ctx.conns.clientMac(slot));
        f.eth.srcMac(out.mac());
        return SEND;
    }

    /** Source becomes newSrc:newSport, destination newDst:newDport; checksums follow incrementally. */
    private static void rewrite(Frame f, int oldSrc, int newSrc, int newSport, int oldDst, int newDst, int newDport) {
        boolean partial = f.partialChecksum();
        if (f.proto == Ipv4View.PROTO_TCP) {
            int c = f.tcp.checksum();
            if (partial) {
                c = Checksum.updatePartial32(Checksum.updatePartial32(c, oldSrc, newSrc), oldDst, newDst);
            } else {
                c = Checksum.update32(c, oldSrc, newSrc);
                c = Checksum.update32(c, oldDst, newDst);
                c = Checksum.update16(c, f.tcp.srcPort(), newSport);
                c = Checksum.update16(c, f.tcp.dstPort(), newDport);
            }
            f.tcp.checksum(c).srcPort(newSport).dstPort(newDport);
        } else if (f.proto == Ipv4View.PROTO_UDP) {
            int c = f.udp.checksum();
            if (partial) {
                f.udp.checksum(Checksum.updatePartial32(Checksum.updatePartial32(c, oldSrc, newSrc), oldDst, newDst));
            } else if (c != 0) {
                c = Checksum.update32(c, oldSrc, newSrc);
                c = Checksum.update32(c, oldDst, newDst);
                c = Checksum.update16(c, f.udp.srcPort(), newSport);
                c = Checksum.update16(c, f.udp.dstPort(), newDport);
                f.udp.checksum(c == 0 ? 0xffff : c);
            }
            f.udp.srcPort(newSport).dstPort(newDport);
        }
        f.ip.srcAddrUpdate(newSrc);
        f.ip.dstAddrUpdate(newDst);
    }

    /**
     * Opens 8 bytes after the fixed TCP header by moving the headers in front of it back into the
     * headroom (the payload stays where it is), writes the TOA option and fixes lengths and checksums.
     */
    static boolean insertToa(Frame f, int clientIp, int clientPort) {
        int tcpHdr = f.tcp.headerLength();
        if (tcpHdr + TOA_LENGTH > 60) {
            return false;
        }
        int ipHdr = f.ip.headerLength();
        f.growHead(TOA_LENGTH, ipHdr + TcpView.MIN_HEADER_LENGTH);
        f.ip.wrap(f.seg, f.l3());
        f.tcp.wrap(f.seg, f.l4());
        long toa = f.l4() + TcpView.MIN_HEADER_LENGTH;
        f.seg.set(ValueLayout.JAVA_BYTE, toa, (byte) TOA_KIND);
        f.seg.set(ValueLayout.JAVA_BYTE, toa + 1, (byte) TOA_LENGTH);
        f.seg.set(NET_SHORT, toa + 2, (short) clientPort);
        f.seg.set(NET_INT, toa + 4, clientIp);
        f.tcp.dataOffset((tcpHdr + TOA_LENGTH) / 4);
        int total = f.ip.totalLength() + TOA_LENGTH;
        f.ip.totalLength(total);
        f.ip.updateHeaderChecksum();
        int l4Len = total - ipHdr;
        if (f.partialChecksum()) {
            f.tcp.checksum(Checksum.fold(Checksum.pseudoHeaderIpv4(f.ip.srcAddr(), f.ip.dstAddr(),
                    Ipv4View.PROTO_TCP, l4Len)));
        } else {
            f.tcp.checksum(0);
            f.tcp.checksum(Checksum.tcpUdpIpv4(f.seg, f.l4(), l4Len, f.ip.srcAddr(), f.ip.dstAddr(),
                    Ipv4View.PROTO_TCP));
        }
        return true;
    }

    /** Lowers the MSS option of a SYN by {@code bytes}, with the checksum updated. */
    static void lowerMss(Frame f, int bytes) {
        long opt = f.l4() + TcpView.MIN_HEADER_LENGTH;
        long end = f.l4() + f.tcp.headerLength();
        while (opt < end) {
            int kind = Byte.toUnsignedInt(f.seg.get(ValueLayout.JAVA_BYTE, opt));
            if (kind == 0) {
                return;
            }
            if (kind == 1) {
                opt++;
                continue;
            }
            if (opt + 1 >= end) {
                return;
            }
            int len = Byte.toUnsignedInt(f.seg.get(ValueLayout.JAVA_BYTE, opt + 1));
            if (len < 2 || opt + len > end) {
                return;
            }
            if (kind == 2 && len == 4) {
                int mss = Short.toUnsignedInt(f.seg.get(NET_SHORT, opt + 2));
                int lowered = Math.max(536, mss - bytes);
                f.seg.set(NET_SHORT, opt + 2, (short) lowered);
                if (!f.partialChecksum()) {
                    f.tcp.checksum(Checksum.update16(f.tcp.checksum(), mss, lowered));
                }
                return;
            }
            opt += len;
        }
    }
}
