package io.jlvs.forward;

import io.jlvs.packet.Ipv6View;

/**
 * TUN over IPv6 ({@code -i}, ip_vs_tunnel_xmit_v6): the client's IPv6 packet, unchanged but for its hop limit,
 * travels to the real server inside an outer IPv6 header with next header 41 (IPv6-in-IPv6, RFC 2473), written into
 * the headroom in front of it. The real server decapsulates it ({@code ip6tnl}) and answers from the VIP directly.
 * <pre>
 *  | Ethernet | outer IPv6 (40, next header 41) | inner IPv6 | TCP/UDP | payload |
 * </pre>
 * Outer header: traffic class and flow label copied from the inner one, hop limit = the inner one's (already
 * decremented), source = the director's IPv6 address on the way out, destination = the real server. IPv6 routers
 * never fragment, so a packet that no longer fits the MTU is refused and the pipeline answers the client with ICMPv6
 * "packet too big" (MTU minus 40, at least 1280). A GSO super-frame cannot be described to the kernel once
 * encapsulated (virtio_net_hdr has no IPv6-in-IPv6 type), so it is dropped and counted as too big.
 */
final class TunnelXmit6 {
    static final int OVERHEAD = Ipv6View.HEADER_LENGTH;
    /** Result: too big; answer "packet too big" with {@link #mtuFor}. */
    static final int TOO_BIG = 1;
    /** Result: a GSO super-frame, cannot be encapsulated. */
    static final int GSO = 2;

    private TunnelXmit6() {}

    /** The MTU to report to the client for an egress MTU. */
    static int mtuFor(int egressMtu) {
        return Math.max(io.jlvs.packet.Icmpv6View.MIN_MTU, egressMtu - OVERHEAD);
    }

    /** Encapsulates the frame; returns {@link Xmit#SEND}, {@link #TOO_BIG} or {@link #GSO}. */
    static int encapsulate(Frame6 f, int egressMtu, long srcHi, long srcLo, long rHi, long rLo) {
        int innerLen = f.ip.totalLength();
        if (f.base.gso()) {
            return GSO;
        }
        if (innerLen + OVERHEAD > egressMtu) {
            return TOO_BIG;
        }
        int trafficClass = f.ip.trafficClass();
        int flowLabel = f.ip.flowLabel();
        int hopLimit = f.ip.hopLimit();
        f.base.growHead(OVERHEAD, 0);
        f.l4Offset += OVERHEAD;
        Ipv6View outer = f.ip.wrap(f.base.seg, f.l3());
        outer.version(6).trafficClass(trafficClass).flowLabel(flowLabel).payloadLength(innerLen)
                .nextHeader(Ipv6View.NEXT_IPV6).hopLimit(hopLimit).srcAddr(srcHi, srcLo).dstAddr(rHi, rLo);
        return Xmit.SEND;
    }
}
