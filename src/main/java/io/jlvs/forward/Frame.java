package io.jlvs.forward;

import io.jlvs.packet.EthernetView;
import io.jlvs.packet.Ipv4View;
import io.jlvs.packet.TcpView;
import io.jlvs.packet.UdpView;
import io.jlvs.packet.VnetHeaderView;

import java.lang.foreign.MemorySegment;

/**
 * The frame a worker is handling, with its views, shared by the pipeline and the transmitters. One
 * instance per worker, re-pointed at every frame.
 * <pre>
 *   seg:  … headroom … | virtio_net_hdr (10) | Ethernet (14) | IPv4 | TCP/UDP | payload |
 *                      ^ mac - 10            ^ mac           ^ l3   ^ l4
 * </pre>
 * The receive sockets reserve headroom ({@code PACKET_RESERVE}), so a transmitter that adds an outer
 * header (TUN) or an option (FULLNAT's TOA) moves the front of the frame back with {@link #growHead}
 * instead of copying the payload.
 */
public final class Frame {
    public static final int VNET = VnetHeaderView.LENGTH;
    /** Headroom every receive socket reserves in front of a frame (PACKET_RESERVE). */
    public static final int HEADROOM = 64;

    public final EthernetView eth = new EthernetView();
    public final Ipv4View ip = new Ipv4View();
    public final TcpView tcp = new TcpView();
    public final UdpView udp = new UdpView();
    public final VnetHeaderView vnet = new VnetHeaderView();

    public MemorySegment seg;
    public long mac;
    public int snapLen;
    public int wireLen;
    public int proto;
    public int inIfindex;

    /** Points the views at a frame whose IPv4 and L4 headers were validated. */
    void set(MemorySegment seg, long mac, int snapLen, int wireLen, int inIfindex) {
        this.seg = seg;
        this.mac = mac;
        this.snapLen = snapLen;
        this.wireLen = wireLen;
        this.inIfindex = inIfindex;
        eth.wrap(seg, mac);
        vnet.wrap(seg, mac - VNET);
    }

    public long l3() {
        return mac + EthernetView.HEADER_LENGTH;
    }

    public long l4() {
        return l3() + ip.headerLength();
    }

    /** The L4 checksum is partial (a local sender's offload): only its pseudo-header part may change. */
    public boolean partialChecksum() {
        return (vnet.flags() & VnetHeaderView.F_NEEDS_CSUM) != 0;
    }

    /** A GSO super-frame the kernel will segment on send. */
    public boolean gso() {
        return (vnet.gsoType() & ~VnetHeaderView.GSO_ECN) != VnetHeaderView.GSO_NONE;
    }

    /**
     * Moves the virtio_net_hdr, the Ethernet header and the first {@code keepBytes} after it
     * {@code bytes} earlier, opening a gap of {@code bytes} at offset {@code 14 + keepBytes} from the new
     * Ethernet header. The views are re-pointed; the L3/L4 views must be re-wrapped by the caller if it
     * moved them. {@code csum_start} of a partial checksum (relative to the Ethernet header) moves only
     * when the gap lies before the transport header.
     */
    public void growHead(int bytes, int keepBytes) {
        long from = mac - VNET;
        MemorySegment.copy(seg, from, seg, from - bytes, VNET + EthernetView.HEADER_LENGTH + keepBytes);
        mac -= bytes;
        snapLen += bytes;
        wireLen += bytes;
        eth.wrap(seg, mac);
        vnet.wrap(seg, mac - VNET);
        if (partialChecksum() && vnet.csumStart() >= EthernetView.HEADER_LENGTH + keepBytes) {
            vnet.csumStart(vnet.csumStart() + bytes); // the gap lies before the transport header
        }
    }
}
