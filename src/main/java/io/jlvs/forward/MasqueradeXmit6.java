package io.jlvs.forward;

import io.jlvs.packet.Checksum;
import io.jlvs.packet.Ipv6View;

/**
 * NAT over IPv6 ({@code -m}, ip_vs_nat_xmit_v6 and the reply path of ip_vs_out): the same rewrite as {@link
 * MasqueradeXmit} with 128-bit addresses. IPv6 has no header checksum, so only the transport checksum follows the
 * address (RFC 1624 over the eight 16-bit words) and the port; a partial checksum (virtio NEEDS_CSUM) takes only
 * the address change, uncomplemented. A UDP checksum never becomes 0 (over IPv6 it is mandatory).
 */
final class MasqueradeXmit6 {
    private MasqueradeXmit6() {}

    /** Client → real server: the destination becomes the real server's address and port. */
    static void toRealServer(Frame6 f, long rHi, long rLo, int rport) {
        rewrite(f, true, rHi, rLo, rport);
    }

    /** Real server → client: the source becomes the VIP and virtual port. */
    static void toClient(Frame6 f, long vHi, long vLo, int vport) {
        rewrite(f, false, vHi, vLo, vport);
    }

    /** One address (source or destination) and its port change; the transport checksum follows. */
    static void rewrite(Frame6 f, boolean dest, long newHi, long newLo, int newPort) {
        long oldHi = dest ? f.ip.dstHi() : f.ip.srcHi();
        long oldLo = dest ? f.ip.dstLo() : f.ip.srcLo();
        boolean partial = f.base.partialChecksum();
        if (f.proto == Ipv6View.NEXT_TCP) {
            int oldPort = dest ? f.tcp.dstPort() : f.tcp.srcPort();
            int c = f.tcp.checksum();
            if (partial) {
                c = Checksum.updatePartial128(c, oldHi, oldLo, newHi, newLo);
            } else {
                c = Checksum.update16(Checksum.update128(c, oldHi, oldLo, newHi, newLo), oldPort, newPort);
            }
            f.tcp.checksum(c);
            if (dest) {
                f.tcp.dstPort(newPort);
            } else {
                f.tcp.srcPort(newPort);
            }
        } else if (f.proto == Ipv6View.NEXT_UDP) {
            int oldPort = dest ? f.udp.dstPort() : f.udp.srcPort();
            int c = f.udp.checksum();
            if (partial) {
                f.udp.checksum(Checksum.updatePartial128(c, oldHi, oldLo, newHi, newLo));
            } else if (c != 0) {
                c = Checksum.update16(Checksum.update128(c, oldHi, oldLo, newHi, newLo), oldPort, newPort);
                f.udp.checksum(Checksum.udpNonZero(c));
            }
            if (dest) {
                f.udp.dstPort(newPort);
            } else {
                f.udp.srcPort(newPort);
            }
        }
        if (dest) {
            f.ip.dstAddr(newHi, newLo);
        } else {
            f.ip.srcAddr(newHi, newLo);
        }
    }
}
