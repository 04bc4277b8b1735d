package io.jlvs.forward;

/**
 * DR ({@code -g}, ip_vs_dr_xmit): the IP packet is left as it is (but for the TTL); only the
 * link-layer destination changes to the real server's MAC — the real server itself is the forced
 * next hop, so it must share a link with the director and accept the VIP without answering ARP for it.
 */
public final class DirectRoutingXmit implements Xmit {
    @Override
    public int toRealServer(Frame f, XmitContext ctx, int slot, DestRuntime d, ServedInterface out, long nextHopMac) {
        f.eth.dstMac(nextHopMac);
        f.eth.srcMac(out.mac());
        return SEND;
    }
}
