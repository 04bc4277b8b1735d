package io.jlvs.forward;

import io.jlvs.packet.Checksum;
import io.jlvs.packet.EthernetView;
import io.jlvs.packet.Ipv4View;
import io.jlvs.packet.TcpView;
import io.jlvs.packet.UdpView;
import io.jlvs.stats.DropReason;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * TUN ({@code -i}, ip_vs_tunnel_xmit): the client's IPv4 packet, unchanged but for its TTL, travels
 * to the real server inside an outer IPv4 header — IPIP (protocol 4), GUE (UDP to {@code --tun-port},
 * a GUE header, protocol 4 inside) or GRE (protocol 47, GRE protocol 0x0800). The real server
 * decapsulates it and answers the client directly from the VIP (on its {@code tunl0}).
 * <pre>
 *  IPIP:  | Ethernet | outer IPv4 (20, proto 4)  | inner IPv4 | TCP/UDP | payload |
 *  GUE:   | Ethernet | outer IPv4 (20, proto 17) | UDP (8) | GUE (4) [| private flags (4) | remcsum (4) ] | inner IPv4 | …
 *  GRE:   | Ethernet | outer IPv4 (20, proto 47) | GRE (4) [| checksum (2) | reserved (2) ] | inner IPv4 | …
 *
 *  GUE header:     | ver=0 C=0 hlen (1) | proto=4 (1) | flags (2): PRIV (bit 0) with remcsum |
 *  private flags:  | REMCSUM (bit 31) … |
 *  remcsum:        | csum start (2) | csum position (2) |   both from the start of the inner packet
 *  GRE header:     | C (bit 15) … version 0 (2) | protocol 0x0800 (2) |
 * </pre>
 * Outer header: DSCP copied from the inner one, ECN too except inner CE gives ECT(0); TTL = inner TTL
 * (already decremented); DF copied; a fresh IP ID; source = the director's address on the way out.
 * GUE's UDP source port is a hash of the flow so the real server's RSS spreads tunnels.
 *
 * <p><b>Checksums.</b> {@code --tun-csum} asks for GUE's UDP checksum or GRE's checksum; without it they
 * are absent (UDP 0, GRE without C). An outer checksum covers the inner packet, so a frame whose inner
 * checksum is still partial (a local sender's offload) has it completed here first — except with GUE's
 * {@code --tun-remcsum}, where, as the kernel does, the inner checksum is left partial and its place
 * described in the REMCSUM option for the real server to complete from the outer checksum.
 * {@code --tun-csum} wins over {@code --tun-remcsum}; remcsum on a packet whose checksum is complete
 * is plain GUE with a UDP checksum. Without an outer checksum a partial inner one stays partial for
 * the kernel's send path.
 *
 * <p>A packet that no longer fits the MTU with DF set is refused with ICMP "fragmentation needed" (MTU
 * minus the tunnel overhead), which the pipeline sends to the client.
 *
 * <p>A GSO super-frame cannot be encapsulated whole (virtio_net_hdr cannot describe a tunnel), so its
 * TCP segments are cut here, each encapsulated with full checksums, into the worker's segment buffer.
 */
public final class TunnelXmit implements Xmit {
    public static final int TYPE_IPIP = 0;
    public static final int TYPE_GUE = 1;
    public static final int TYPE_GRE = 2;
    public static final int FLAG_CSUM = 1;
    public static final int FLAG_REMCSUM = 2;
    private static final int OUTER_IPV4 = 20;
    private static final int GUE_OVERHEAD = 8 + 4;
    private static final int GUE_REMCSUM_OPTION = 4 + 4;
    private static final int GRE_BASE = 4;
    private static final int GRE_CHECKSUM = 4;
    private static final int GRE_FLAG_CSUM = 0x8000;
    /** Result asking the pipeline to answer "fragmentation needed" with {@link #lastMtu()}. */
    public static final int FRAG_NEEDED = 1;

    private final Ipv4View outer = new Ipv4View();
    private final UdpView outerUdp = new UdpView();
    private final Ipv4View segIp = new Ipv4View();
    private final TcpView segTcp = new TcpView();
    private final EthernetView segEth = new EthernetView();
    private final Arena arena = Arena.ofShared();
    private final MemorySegment segments;
    private final Forwarder.FrameSink sink;
    private long segmentsUsed;
    private int lastMtu;

    TunnelXmit(Forwarder.FrameSink sink, int segmentBufferBytes) {
        this.sink = sink;
        this.segments = arena.allocate(segmentBufferBytes, 64);
    }

    /** Bytes the tunnel adds in front of the inner packet (GUE's remcsum option not counted). */
    public static int overhead(int tunnelType, int tunnelFlags) {
        return switch (tunnelType) {
            case TYPE_GUE -> OUTER_IPV4 + GUE_OVERHEAD;
            case TYPE_GRE -> OUTER_IPV4 + GRE_BASE + ((tunnelFlags & FLAG_CSUM) != 0 ? GRE_CHECKSUM : 0);
            default -> OUTER_IPV4;
        };
    }

    /** GUE's remote checksum offload applies: asked for, not overridden by --tun-csum, inner checksum partial. */
    private static boolean remoteChecksum(DestRuntime d, Frame f) {
        return d.tunnelType() == TYPE_GUE && (d.tunnelFlags() & (FLAG_CSUM | FLAG_REMCSUM)) == FLAG_REMCSUM
                && f.partialChecksum();
    }

    /** The tunnel carries a checksum over the inner packet. */
    private static boolean outerChecksum(DestRuntime d) {
        int flags = d.tunnelFlags();
        return switch (d.tunnelType()) {
            case TYPE_GUE -> (flags & (FLAG_CSUM | FLAG_REMCSUM)) != 0;
            case TYPE_GRE -> (flags & FLAG_CSUM) != 0;
            default -> false;
        };
    }

    /** The MTU to report in the last FRAG_NEEDED. */
    public int lastMtu() {
        return lastMtu;
    }

    @Override
    public int toRealServer(Frame f, XmitContext ctx, int slot, DestRuntime d, ServedInterface out, long nextHopMac) {
        int innerLen = f.ip.totalLength();
        if (f.gso()) {
            return segment(f, ctx, d, out, nextHopMac, overhead(d.tunnelType(), d.tunnelFlags()));
        }
        boolean remcsum = remoteChecksum(d, f);
        int overhead = overhead(d.tunnelType(), d.tunnelFlags()) + (remcsum ? GUE_REMCSUM_OPTION : 0);
        if (innerLen + overhead > out.mtu()) {
            if (f.ip.dontFragment()) {
                lastMtu = out.mtu() - overhead;
                return FRAG_NEEDED;
            }
            return Xmit.drop(DropReason.TOO_BIG);
        }
        int hash = flowHash(f);
        int innerL4 = f.ip.headerLength();
        if (f.partialChecksum() && outerChecksum(d)) {
            if (!remcsum) {
                completeInnerChecksum(f);
            }
            f.vnet.flags(f.vnet.flags() & ~io.jlvs.packet.VnetHeaderView.F_NEEDS_CSUM); // nothing left to the kernel
        }
        int csumOffset = f.vnet.csumOffset();
        f.growHead(overhead, 0);
        long o = f.mac + EthernetView.HEADER_LENGTH;
        writeOuter(f.seg, o, f.ip, innerLen, overhead, d, out, ctx, hash);
        if (remcsum) {
            long opt = o + OUTER_IPV4 + GUE_OVERHEAD;
            f.seg.set(java.lang.foreign.ValueLayout.JAVA_BYTE, o + OUTER_IPV4 + 8, (byte) (GUE_REMCSUM_OPTION / 4));
            f.seg.set(BE16, o + OUTER_IPV4 + 8 + 2, (short) 1);                 // flags: PRIV
            f.seg.set(BE32, opt, 0x8000_0000);                                   // private flags: REMCSUM
            f.seg.set(BE16, opt + 4, (short) innerL4);                           // csum start, from the inner packet
            f.seg.set(BE16, opt + 6, (short) (innerL4 + csumOffset));            // where the checksum goes
        }
        finishOuterChecksum(f.seg, o, innerLen, overhead, d, out);
        f.eth.dstMac(nextHopMac);
        f.eth.srcMac(out.mac());
        f.eth.etherType(EthernetView.ETHERTYPE_IPV4);
        return SEND;
    }

    private static final java.lang.foreign.ValueLayout.OfShort BE16 =
            java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);
    private static final java.lang.foreign.ValueLayout.OfInt BE32 =
            java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);

    /** Fills a partial inner L4 checksum (the field holds the pseudo-header sum) over the inner packet. */
    private static void completeInnerChecksum(Frame f) {
        long start = f.mac + f.vnet.csumStart();
        long field = start + f.vnet.csumOffset();
        int length = (int) (f.l3() + f.ip.totalLength() - start);
        int sum = Checksum.finish(Checksum.sum(f.seg, start, length, 0));
        f.seg.set(BE16, field, (short) (f.proto == Ipv4View.PROTO_UDP ? Checksum.udpNonZero(sum) : sum));
    }

    /** GUE's UDP checksum or GRE's checksum, when the tunnel carries one; written after the whole header. */
    private void finishOuterChecksum(MemorySegment seg, long o, int innerLen, int overhead, DestRuntime d,
                                     ServedInterface out) {
        if (!outerChecksum(d)) {
            return;
        }
        long l4 = o + OUTER_IPV4;
        int l4Length = innerLen + overhead - OUTER_IPV4;
        if (d.tunnelType() == TYPE_GUE) {
            outerUdp.wrap(seg, l4);
            outerUdp.checksum(Checksum.udpIpv4(seg, l4, l4Length, out.ipv4(), d.ipv4()));
        } else {
            seg.set(BE16, l4 + 4, (short) Checksum.finish(Checksum.sum(seg, l4, l4Length, 0)));
        }
    }

    /** Writes the outer IPv4 (+ UDP + GUE, or GRE) header at {@code o}, in front of an inner packet of {@code innerLen}. */
    private void writeOuter(MemorySegment seg, long o, Ipv4View inner, int innerLen, int overhead, DestRuntime d,
                            ServedInterface out, XmitContext ctx, int flowHash) {
        int tos = inner.tos();
        if ((tos & 3) == 3) {
            tos = (tos & ~3) | 2; // inner CE becomes ECT(0) outside
        }
        int df = inner.dontFragment() ? Ipv4View.FLAG_DF : 0;
        int ttl = inner.ttl();
        boolean gue = d.tunnelType() == TYPE_GUE;
        boolean gre = d.tunnelType() == TYPE_GRE;
        outer.wrap(seg, o);
        outer.version(4).ihl(5).tos(tos).totalLength(innerLen + overhead).identification(ctx.nextIpId())
                .flagsFragment(df).ttl(ttl).protocol(gue ? Ipv4View.PROTO_UDP : gre ? Ipv4View.PROTO_GRE : Ipv4View.PROTO_IPIP)
                .srcAddr(out.ipv4()).dstAddr(d.ipv4());
        outer.updateHeaderChecksum();
        if (gre) {
            long g = o + OUTER_IPV4;
            boolean csum = (d.tunnelFlags() & FLAG_CSUM) != 0;
            seg.set(BE16, g, (short) (csum ? GRE_FLAG_CSUM : 0));
            seg.set(BE16, g + 2, (short) EthernetView.ETHERTYPE_IPV4);
            if (csum) {
                seg.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, g + 4, 0); // checksum, reserved
            }
        }
        if (gue) {
            long u = o + OUTER_IPV4;
            outerUdp.wrap(seg, u);
            outerUdp.srcPort(0xc000 | (flowHash & 0x3fff)).dstPort(d.tunnelPort())
                    .length(innerLen + overhead - OUTER_IPV4).checksum(0);
            long g = u + 8;
            seg.set(java.lang.foreign.ValueLayout.JAVA_BYTE, g, (byte) 0);      // ver 0, C 0, hlen 0
            seg.set(java.lang.foreign.ValueLayout.JAVA_BYTE, g + 1, (byte) Ipv4View.PROTO_IPIP);
            seg.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, g + 2, (short) 0);
        }
    }

    private static int flowHash(Frame f) {
        int h = f.ip.srcAddr() * 0x9E3779B1 ^ f.ip.dstAddr(); // a fragment (proto 0) hashes on addresses only
        if (f.proto == Ipv4View.PROTO_TCP) {
            h ^= (f.tcp.srcPort() << 16 | f.tcp.dstPort()) * 0x85EBCA6B;
        } else if (f.proto == Ipv4View.PROTO_UDP) {
            h ^= (f.udp.srcPort() << 16 | f.udp.dstPort()) * 0x85EBCA6B;
        }
        return h ^ (h >>> 15);
    }

    /**
     * Cuts a TCP GSO super-frame into MSS-sized segments, each encapsulated, with full checksums, and
     * hands them to the sink; the super-frame itself is not sent.
     */
    private int segment(Frame f, XmitContext ctx, DestRuntime d, ServedInterface out, long nextHopMac, int overhead) {
        if (f.proto != Ipv4View.PROTO_TCP) {
            return Xmit.drop(DropReason.TOO_BIG);
        }
        int ipHdr = f.ip.headerLength();
        int tcpHdr = f.tcp.headerLength();
        int payload = f.ip.totalLength() - ipHdr - tcpHdr;
        int mss = Math.min(f.vnet.gsoSize(), out.mtu() - overhead - ipHdr - tcpHdr);
        if (mss <= 0) {
            return Xmit.drop(DropReason.TOO_BIG);
        }
        int flags = f.tcp.flags();
        long seq = f.tcp.seq() & 0xffffffffL;
        long payloadOff = f.l4() + tcpHdr;
        int hash = flowHash(f);
        for (int off = 0; off < payload; off += mss) {
            int chunk = Math.min(mss, payload - off);
            int innerLen = ipHdr + tcpHdr + chunk;
            int frameLen = Frame.VNET + EthernetView.HEADER_LENGTH + overhead + innerLen;
            if (segmentsUsed + frameLen > segments.byteSize()) {
                return Xmit.drop(DropReason.TX_FAILED); // the rest would not fit before the next flush
            }
            long base = segmentsUsed;
            segmentsUsed += (frameLen + 63) & ~63;
            segments.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, base, 0L); // virtio_net_hdr: none
            segments.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, base + 8, (short) 0);
            long mac = base + Frame.VNET;
            segEth.wrap(segments, mac);
            segEth.dstMac(nextHopMac).srcMac(out.mac()).etherType(EthernetView.ETHERTYPE_IPV4);
            long innerIp = mac + EthernetView.HEADER_LENGTH + overhead;
            MemorySegment.copy(f.seg, f.l3(), segments, innerIp, ipHdr + tcpHdr);
            MemorySegment.copy(f.seg, payloadOff + off, segments, innerIp + ipHdr + tcpHdr, chunk);
            segIp.wrap(segments, innerIp);
            segIp.totalLength(innerLen).identification((f.ip.identification() + off / mss) & 0xffff);
            segIp.updateHeaderChecksum();
            segTcp.wrap(segments, innerIp + ipHdr);
            boolean last = off + chunk >= payload;
            int segFlags = flags;
            if (!last) {
                segFlags &= ~(TcpView.FIN | TcpView.PSH);
            }
            if (off > 0) {
                segFlags &= ~0x80; // CWR only on the first segment
            }
            segTcp.flags(segFlags).seq((int) (seq + off));
            segTcp.checksum(0);
            segTcp.checksum(Checksum.tcpUdpIpv4(segments, innerIp + ipHdr, tcpHdr + chunk, segIp.srcAddr(),
                    segIp.dstAddr(), Ipv4View.PROTO_TCP));
            writeOuter(segments, mac + EthernetView.HEADER_LENGTH, segIp, innerLen, overhead, d, out, ctx, hash);
            finishOuterChecksum(segments, mac + EthernetView.HEADER_LENGTH, innerLen, overhead, d, out);
            sink.send(out.ifindex(), segments, base, frameLen);
        }
        return SEGMENTED;
    }

    /** Result: the frame was cut and its segments already handed to the sink. */
    public static final int SEGMENTED = 2;

    /** After the worker flushed: the segment buffer may be reused. */
    void afterFlush() {
        segmentsUsed = 0;
    }

    void close() {
        arena.close();
    }
}
