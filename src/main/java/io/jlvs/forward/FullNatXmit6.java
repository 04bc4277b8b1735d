package io.jlvs.forward;

import io.jlvs.packet.Checksum;
import io.jlvs.packet.Ipv6View;
import io.jlvs.packet.TcpView;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * FULLNAT over IPv6 ({@link FullNatXmit}'s counterpart): to the real server the packet comes from one of the
 * director's IPv6 local addresses and ports; the reply is translated back to VIP:vport → client. The client's
 * address travels to the real server in DPVS's IPv6 TOA option (kind 254, 20 bytes), inserted after the fixed TCP
 * header of the handshake-completing ACK when the header stays within 60 bytes; the real server's SYN+ACK has its
 * MSS lowered by the option's 20 bytes.
 * <pre>
 *  TOA (IPv6): | kind=254 (1) | len=20 (1) | client port (2) | client IPv6 address (16) |
 * </pre>
 */
final class FullNatXmit6 {
    public static final int TOA_KIND = FullNatXmit.TOA_KIND;
    public static final int TOA_LENGTH = 20;
    private static final ValueLayout.OfShort NET_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong NET_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private FullNatXmit6() {}

    /** Client → real server: source → laddr:lport, destination → rip:rport, TOA on the handshake's ACK. */
    static void toRealServer(Frame6 f, boolean handshakeAck, long lHi, long lLo, int lport, long rHi, long rLo,
                             int rport) {
        if (f.proto == Ipv6View.NEXT_TCP && handshakeAck && !f.base.gso()) {
            insertToa(f, f.ip.srcHi(), f.ip.srcLo(), f.tcp.srcPort());
        }
        MasqueradeXmit6.rewrite(f, false, lHi, lLo, lport);
        MasqueradeXmit6.rewrite(f, true, rHi, rLo, rport);
    }

    /** Real server → client: source → VIP:vport, destination → client:cport; a SYN+ACK's MSS makes room for TOA. */
    static void toClient(Frame6 f, long vHi, long vLo, int vport, long cHi, long cLo, int cport) {
        if (f.proto == Ipv6View.NEXT_TCP && (f.tcp.flags() & TcpView.SYN) != 0) {
            lowerMss(f, TOA_LENGTH);
        }
        MasqueradeXmit6.rewrite(f, false, vHi, vLo, vport);
        MasqueradeXmit6.rewrite(f, true, cHi, cLo, cport);
    }

    /**
     * Opens 20 bytes after the fixed TCP header by moving the headers in front of it into the headroom, writes the
     * option, and fixes the data offset, the payload length and the TCP checksum (recomputed: the length changed).
     */
    static boolean insertToa(Frame6 f, long clientHi, long clientLo, int clientPort) {
        int tcpHdr = f.tcp.headerLength();
        if (tcpHdr + TOA_LENGTH > 60) {
            return false;
        }
        f.base.growHead(TOA_LENGTH, f.l4Offset + TcpView.MIN_HEADER_LENGTH);
        f.rewrap();
        long toa = f.l4() + TcpView.MIN_HEADER_LENGTH;
        f.base.seg.set(ValueLayout.JAVA_BYTE, toa, (byte) TOA_KIND);
        f.base.seg.set(ValueLayout.JAVA_BYTE, toa + 1, (byte) TOA_LENGTH);
        f.base.seg.set(NET_SHORT, toa + 2, (short) clientPort);
        f.base.seg.set(NET_LONG, toa + 4, clientHi);
        f.base.seg.set(NET_LONG, toa + 12, clientLo);
        f.tcp.dataOffset((tcpHdr + TOA_LENGTH) / 4);
        f.ip.payloadLength(f.ip.payloadLength() + TOA_LENGTH);
        int l4Len = f.l4Length();
        if (f.base.partialChecksum()) {
            f.tcp.checksum(Checksum.fold(Checksum.pseudoHeaderIpv6(f.ip.srcHi(), f.ip.srcLo(), f.ip.dstHi(),
                    f.ip.dstLo(), Ipv6View.NEXT_TCP, l4Len)));
        } else {
            f.tcp.checksum(Checksum.l4Ipv6(f.base.seg, f.l4(), l4Len, f.ip.srcHi(), f.ip.srcLo(), f.ip.dstHi(),
                    f.ip.dstLo(), Ipv6View.NEXT_TCP));
        }
        return true;
    }

    /** Lowers the MSS option of a SYN by {@code bytes} (not below the IPv6 minimum of 1220), checksum updated. */
    static void lowerMss(Frame6 f, int bytes) {
        var seg = f.base.seg;
        long opt = f.l4() + TcpView.MIN_HEADER_LENGTH;
        long end = f.l4() + f.tcp.headerLength();
        while (opt < end) {
            int kind = Byte.toUnsignedInt(seg.get(ValueLayout.JAVA_BYTE, opt));
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
            int len = Byte.toUnsignedInt(seg.get(ValueLayout.JAVA_BYTE, opt + 1));
            if (len < 2 || opt + len > end) {
                return;
            }
            if (kind == 2 && len == 4) {
                int mss = Short.toUnsignedInt(seg.get(NET_SHORT, opt + 2));
                int lowered = Math.max(1220, mss - bytes);
                if (lowered >= mss) {
                    return;
                }
                seg.set(NET_SHORT, opt + 2, (short) lowered);
                if (!f.base.partialChecksum()) {
                    f.tcp.checksum(Checksum.update16(f.tcp.checksum(), mss, lowered));
                }
                return;
            }
            opt += len;
        }
    }
}
