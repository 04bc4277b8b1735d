package io.jlvs.forward;

import io.jlvs.packet.EthernetView;
import io.jlvs.packet.Ipv6View;
import io.jlvs.packet.TcpView;
import io.jlvs.packet.UdpView;

/**
 * The IPv6 frame a worker is handling ({@link Frame}'s counterpart): the base frame (segment, virtio_net_hdr,
 * Ethernet, headroom and {@link Frame#growHead}) plus the IPv6 and transport views. Extension headers may sit
 * between the two, so the transport header's place is kept as an offset from the IPv6 header.
 * <pre>
 *   | virtio_net_hdr (10) | Ethernet (14) | IPv6 (40) | extension headers … | TCP/UDP | payload |
 *                         ^ mac           ^ l3()                            ^ l4() = l3() + l4Offset
 * </pre>
 */
final class Frame6 {
    final Frame base = new Frame();
    final Ipv6View ip = new Ipv6View();
    final TcpView tcp = new TcpView();
    final UdpView udp = new UdpView();
    /** The upper-layer header's offset from the IPv6 header (40 without extension headers). */
    int l4Offset;
    /** Upper-layer protocol (6, 17, 58); 0 for a non-first fragment. */
    int proto;

    long l3() {
        return base.mac + EthernetView.HEADER_LENGTH;
    }

    long l4() {
        return l3() + l4Offset;
    }

    /** Bytes from the transport header to the end of the IPv6 payload. */
    int l4Length() {
        return Ipv6View.HEADER_LENGTH + ip.payloadLength() - l4Offset;
    }

    /** Re-points the IPv6 and transport views after the front of the frame moved. */
    void rewrap() {
        ip.wrap(base.seg, l3());
        if (proto == Ipv6View.NEXT_TCP) {
            tcp.wrap(base.seg, l4());
        } else if (proto == Ipv6View.NEXT_UDP) {
            udp.wrap(base.seg, l4());
        }
    }
}
