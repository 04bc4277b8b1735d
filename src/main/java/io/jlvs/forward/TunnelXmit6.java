package io.jlvs.forward;

import io.jlvs.packet.Checksum;
import io.jlvs.packet.EthernetView;
import io.jlvs.packet.Ipv6View;
import io.jlvs.packet.TcpView;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

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
 * "packet too big" (MTU minus 40, at least 1280).
 *
 * <p>A GSO super-frame cannot be described to the kernel once encapsulated (virtio_net_hdr has no IPv6-in-IPv6
 * type), so its TCP segments are cut here, each encapsulated with a full checksum, into this transmitter's segment
 * buffer (reused after every flush), as {@link TunnelXmit} does for IPv4.
 */
final class TunnelXmit6 {
    static final int OVERHEAD = Ipv6View.HEADER_LENGTH;
    /** Result: too big; answer "packet too big" with {@link #mtuFor}. */
    static final int TOO_BIG = 1;
    /** Result: a GSO super-frame that could not be cut (not TCP, or no room left before the flush). */
    static final int GSO = 2;
    /** Result: the super-frame was cut and its segments handed to the sink; the frame itself is not sent. */
    static final int SEGMENTED = 3;

    private final Forwarder.FrameSink sink;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment segments;
    private long segmentsUsed;
    private final EthernetView segEth = new EthernetView();
    private final Ipv6View segIp = new Ipv6View();
    private final TcpView segTcp = new TcpView();
    private final Ipv6View outer = new Ipv6View();

    TunnelXmit6(Forwarder.FrameSink sink, int segmentBufferBytes) {
        this.sink = sink;
        this.segments = arena.allocate(segmentBufferBytes, 64);
    }

    /** The MTU to report to the client for an egress MTU. */
    static int mtuFor(int egressMtu) {
        return Math.max(io.jlvs.packet.Icmpv6View.MIN_MTU, egressMtu - OVERHEAD);
    }

    /**
     * Encapsulates the frame in place (the caller sets the MACs and sends it), or cuts a GSO super-frame into
     * encapsulated segments; returns {@link Xmit#SEND}, {@link #TOO_BIG}, {@link #GSO} or {@link #SEGMENTED}.
     */
    int encapsulate(Frame6 f, ServedInterface out, long nextHopMac, long srcHi, long srcLo, long rHi, long rLo) {
        int innerLen = f.ip.totalLength();
        if (f.base.gso()) {
            return segment(f, out, nextHopMac, srcHi, srcLo, rHi, rLo);
        }
        if (innerLen + OVERHEAD > out.mtu()) {
            return TOO_BIG;
        }
        int trafficClass = f.ip.trafficClass();
        int flowLabel = f.ip.flowLabel();
        int hopLimit = f.ip.hopLimit();
        f.base.growHead(OVERHEAD, 0);
        f.l4Offset += OVERHEAD;
        writeOuter(f.base.seg, f.l3(), trafficClass, flowLabel, hopLimit, innerLen, srcHi, srcLo, rHi, rLo);
        f.ip.wrap(f.base.seg, f.l3());
        return Xmit.SEND;
    }

    private void writeOuter(MemorySegment seg, long at, int trafficClass, int flowLabel, int hopLimit, int innerLen,
                            long srcHi, long srcLo, long rHi, long rLo) {
        outer.wrap(seg, at);
        outer.version(6).trafficClass(trafficClass).flowLabel(flowLabel).payloadLength(innerLen)
                .nextHeader(Ipv6View.NEXT_IPV6).hopLimit(hopLimit).srcAddr(srcHi, srcLo).dstAddr(rHi, rLo);
    }

    /** Cuts a TCP GSO super-frame into segments that fit the MTU with the outer header, each encapsulated. */
    private int segment(Frame6 f, ServedInterface out, long nextHopMac, long srcHi, long srcLo, long rHi, long rLo) {
        if (f.proto != Ipv6View.NEXT_TCP) {
            return GSO;
        }
        int headers = f.l4Offset + f.tcp.headerLength(); // inner IPv6 + extension headers + TCP
        int payload = f.ip.totalLength() - headers;
        int mss = Math.min(f.base.vnet.gsoSize(), out.mtu() - OVERHEAD - headers);
        if (mss <= 0) {
            return GSO;
        }
        int flags = f.tcp.flags();
        long seq = f.tcp.seq() & 0xffffffffL;
        long payloadOff = f.l3() + headers;
        int trafficClass = f.ip.trafficClass();
        int flowLabel = f.ip.flowLabel();
        int hopLimit = f.ip.hopLimit();
        for (int off = 0; off < payload; off += mss) {
            int chunk = Math.min(mss, payload - off);
            int innerLen = headers + chunk;
            int frameLen = Frame.VNET + EthernetView.HEADER_LENGTH + OVERHEAD + innerLen;
            if (segmentsUsed + frameLen > segments.byteSize()) {
                return off == 0 ? GSO : SEGMENTED; // the rest would not fit before the next flush: TCP resends it
            }
            long base = segmentsUsed;
            segmentsUsed += (frameLen + 63) & ~63;
            segments.set(ValueLayout.JAVA_LONG_UNALIGNED, base, 0L); // virtio_net_hdr: none
            segments.set(ValueLayout.JAVA_SHORT_UNALIGNED, base + 8, (short) 0);
            long mac = base + Frame.VNET;
            segEth.wrap(segments, mac);
            segEth.dstMac(nextHopMac).srcMac(out.mac()).etherType(EthernetView.ETHERTYPE_IPV6);
            long innerIp = mac + EthernetView.HEADER_LENGTH + OVERHEAD;
            MemorySegment.copy(f.base.seg, f.l3(), segments, innerIp, headers);
            MemorySegment.copy(f.base.seg, payloadOff + off, segments, innerIp + headers, chunk);
            segIp.wrap(segments, innerIp);
            segIp.payloadLength(innerLen - Ipv6View.HEADER_LENGTH);
            long tcpAt = innerIp + f.l4Offset;
            segTcp.wrap(segments, tcpAt);
            int segFlags = flags;
            if (off + chunk < payload) {
                segFlags &= ~(TcpView.FIN | TcpView.PSH);
            }
            if (off > 0) {
                segFlags &= ~TcpView.CWR; // CWR only on the first segment
            }
            segTcp.flags(segFlags).seq((int) (seq + off));
            segTcp.checksum(Checksum.l4Ipv6(segments, tcpAt, innerLen - f.l4Offset, segIp.srcHi(), segIp.srcLo(),
                    segIp.dstHi(), segIp.dstLo(), Ipv6View.NEXT_TCP));
            writeOuter(segments, mac + EthernetView.HEADER_LENGTH, trafficClass, flowLabel, hopLimit, innerLen,
                    srcHi, srcLo, rHi, rLo);
            sink.send(out.ifindex(), segments, base, frameLen);
        }
        return SEGMENTED;
    }

    /** After the worker flushed: the segment buffer may be reused. */
    void afterFlush() {
        segmentsUsed = 0;
    }

    void close() {
        arena.close();
    }
}
