package io.jlvs.forward;

import io.jlvs.packet.Checksum;
import io.jlvs.packet.Ipv4View;

/**
 * NAT ({@code -m}, ip_vs_nat_xmit and the reply path of ip_vs_out): to the real server the destination
 * address and port become the real server's; on the way back the source becomes the VIP and port
 * again. Transport checksums are updated incrementally (RFC 1624); a partial checksum (virtio
 * NEEDS_CSUM) holds only the pseudo-header sum, so only the address change goes into it, uncomplemented.
 * A UDP checksum of 0 ("none") is replaced by a full checksum, as IPVS does (except on a first
 * fragment, which cannot be summed alone).
 */
public final class MasqueradeXmit implements Xmit {
    @Override
    public int toRealServer(Frame f, XmitContext ctx, int slot, DestRuntime d, ServedInterface out, long nextHopMac) {
        int rip = ctx.conns.realIp(slot);
        rewrite(f, f.ip.dstAddr(), rip, true, ctx.conns.realPort(slot));
        f.ip.dstAddrUpdate(rip);
        f.eth.dstMac(nextHopMac);
        f.eth.srcMac(out.mac());
        return SEND;
    }

    @Override
    public int toClient(Frame f, XmitContext ctx, int slot, ServedInterface out) {
        int vip = ctx.conns.vip(slot);
        rewrite(f, f.ip.srcAddr(), vip, false, ctx.conns.vport(slot));
        f.ip.srcAddrUpdate(vip);
        f.eth.dstMac(ctx.conns.clientMac(slot));
        f.eth.srcMac(out.mac());
        return SEND;
    }

    /** One address and one port of the transport header change; the checksum follows. */
    static void rewrite(Frame f, int oldAddr, int newAddr, boolean dest, int newPort) {
        boolean partial = f.partialChecksum();
        if (f.proto == Ipv4View.PROTO_TCP) {
            int oldPort = dest ? f.tcp.dstPort() : f.tcp.srcPort();
            int c = f.tcp.checksum();
            if (partial) {
                c = Checksum.updatePartial32(c, oldAddr, newAddr);
            } else {
                c = Checksum.update32(c, oldAddr, newAddr);
                c = Checksum.update16(c, oldPort, newPort);
            }
            f.tcp.checksum(c);
            if (dest) {
                f.tcp.dstPort(newPort);
            } else {
                f.tcp.srcPort(newPort);
            }
        } else {
            int oldPort = dest ? f.udp.dstPort() : f.udp.srcPort();
            int c = f.udp.checksum();
            if (partial) {
                f.udp.checksum(Checksum.updatePartial32(c, oldAddr, newAddr));
            } else if (c != 0) {
                c = Checksum.update32(c, oldAddr, newAddr);
                c = Checksum.update16(c, oldPort, newPort);
                f.udp.checksum(c == 0 ? 0xffff : c);
            }
            if (dest) {
                f.udp.dstPort(newPort);
            } else {
                f.udp.srcPort(newPort);
            }
            if (!partial && c == 0 && !f.ip.moreFragments()) {
                // no checksum: IPVS computes a full one (a first fragment cannot be summed alone, it stays 0)
                int src = dest ? f.ip.srcAddr() : newAddr;
                int dst = dest ? newAddr : f.ip.dstAddr();
                int length = Math.min(f.udp.length(), f.ip.totalLength() - f.ip.headerLength());
                f.udp.checksum(Checksum.udpIpv4(f.seg, f.l4(), length, src, dst));
            }
        }
    }
}
