package io.jlvs.testkit;

import io.jlvs.packet.EthernetView;
import io.jlvs.packet.Ipv4View;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Builds golden Ethernet frames for tests: lengths and checksums are right unless a test asks for a specific defect.
 * The layout and checksums are written here byte by byte, independently of the {@code io.jlvs.packet} views and of
 * {@code Checksum}, so the two can check each other.
 *
 * <pre>{@code
 * byte[] syn = PacketBuilder.ethernet("02:00:c6:12:00:01", "02:00:c6:12:00:02")
 *         .ipv4("198.51.100.7", "192.0.2.10").ttl(64).id(1234).df(true)
 *         .tcp(40000, 80).flags(TcpView.SYN).seq(1).window(65535)
 *         .build();
 * }</pre>
 *
 * <p>Setters of one layer may be called in any order after the layer is chosen; the last call wins. The frame layout
 * is: optional virtio_net_hdr (10 bytes), Ethernet (14), then ARP (28), IPv4 (20 + options) or IPv6 (40 + extension
 * headers) and its L4 header and payload, then optional padding.
 *
 * <pre>{@code
 * byte[] syn6 = PacketBuilder.ethernet("02:00:c6:12:00:01", "02:00:c6:12:00:02")
 *         .ipv6("2001:db8::7", "2001:db8::10").hopLimit(64).fragmentHeader(0, false, 1)
 *         .tcp(40000, 80).flags(TcpView.SYN)
 *         .build();
 * byte[] ns = PacketBuilder.neighborSolicitation("02:00:c6:12:00:01", "fe80::1", "fe80::2").build();
 * }</pre>
 */
public final class PacketBuilder {
    private static final int ETH_LEN = 14;
    private static final int VNET_LEN = 10;
    private static final int TCP_LEN = 20;
    private static final int UDP_LEN = 8;
    private static final int ICMP_LEN = 8;
    private static final int ARP_LEN = 28;
    private static final int IPV6_LEN = 40;
    private static final int NEEDS_CSUM = 1;
    private static final HexFormat HEX = HexFormat.ofDelimiter(" ");

    private enum L3 { NONE, ARP, IPV4, IPV6 }

    private enum L4 { NONE, TCP, UDP, ICMP, ICMPV6 }

    // virtio_net_hdr
    private boolean vnet;
    private boolean vnetExplicit;
    private int vnetFlags;
    private int gsoType;
    private Integer hdrLen;
    private int gsoSize;
    private int csumStart;
    private int csumOffset;

    // Ethernet
    private long srcMac;
    private long dstMac;
    private Integer etherType;

    private L3 l3 = L3.NONE;
    private L4 l4 = L4.NONE;

    // ARP
    private int arpOper;
    private long arpSenderMac;
    private int arpSenderIp;
    private long arpTargetMac;
    private int arpTargetIp;

    // IPv4
    private int srcIp;
    private int dstIp;
    private int ttl = 64;
    private int id;
    private int tos;
    private boolean df;
    private boolean mf;
    private int fragmentOffset;
    private byte[] ipOptions = new byte[0];
    private Integer protocol;
    private Integer version;
    private Integer ihl;
    private Integer totalLength;
    private Integer ipChecksum;
    private boolean wrongIpChecksum;

    // IPv6
    private byte[] srcIp6 = new byte[16];
    private byte[] dstIp6 = new byte[16];
    private int hopLimit = 64;
    private int trafficClass;
    private int flowLabel;
    private Integer ipv6PayloadLength;
    /** Extension headers in order: whole headers, next-header byte filled in at build time. */
    private final List<byte[]> extHeaders = new ArrayList<>();
    private final List<Integer> extTypes = new ArrayList<>();

    // Neighbor discovery (ICMPv6 135/136): target and one link-layer address option, written before the payload
    private byte[] ndTarget;
    private int ndOptionType;
    private long ndOptionMac;

    // L4
    private int srcPort;
    private int dstPort;
    private int seq;
    private int ack;
    private int tcpFlags;
    private int window = 65535;
    private int urgentPointer;
    private byte[] tcpOptions = new byte[0];
    private Integer dataOffset;
    private Integer udpLength;
    private boolean udpChecksumZero;
    private int icmpType;
    private int icmpCode;
    private int icmpRest;
    private Integer l4Checksum;
    private boolean wrongL4Checksum;
    private boolean partialChecksum;

    private byte[] payload = new byte[0];
    private int truncateTo = -1;
    private int padTo;

    private PacketBuilder(long srcMac, long dstMac) {
        this.srcMac = srcMac;
        this.dstMac = dstMac;
    }

    // ---- entry points ----

    public static PacketBuilder ethernet(String srcMac, String dstMac) {
        return new PacketBuilder(mac(srcMac), mac(dstMac));
    }

    public static PacketBuilder ethernet(long srcMac, long dstMac) {
        return new PacketBuilder(srcMac, dstMac);
    }

    /** "Who has targetIp? Tell senderIp", broadcast, target MAC zero. */
    public static PacketBuilder arpRequest(String senderMac, String senderIp, String targetIp) {
        return arpRequest(mac(senderMac), ip(senderIp), ip(targetIp));
    }

    public static PacketBuilder arpRequest(long senderMac, int senderIp, int targetIp) {
        PacketBuilder b = new PacketBuilder(senderMac, EthernetView.BROADCAST_MAC);
        return b.arp(1, senderMac, senderIp, 0L, targetIp);
    }

    /** "senderIp is at senderMac", unicast to the target. */
    public static PacketBuilder arpReply(String senderMac, String senderIp, String targetMac, String targetIp) {
        return arpReply(mac(senderMac), ip(senderIp), mac(targetMac), ip(targetIp));
    }

    public static PacketBuilder arpReply(long senderMac, int senderIp, long targetMac, int targetIp) {
        PacketBuilder b = new PacketBuilder(senderMac, targetMac);
        return b.arp(2, senderMac, senderIp, targetMac, targetIp);
    }

    private PacketBuilder arp(int oper, long senderMac, int senderIp, long targetMac, int targetIp) {
        l3 = L3.ARP;
        arpOper = oper;
        arpSenderMac = senderMac;
        arpSenderIp = senderIp;
        arpTargetMac = targetMac;
        arpTargetIp = targetIp;
        return this;
    }

    /**
     * Neighbor solicitation "who has targetIp?" (RFC 4861 section 4.3) from srcMac/srcIp: to the target's
     * solicited-node group (ff02::1:ff + its last 24 bits) and its 33:33 MAC, hop limit 255, with a source link-layer
     * address option carrying srcMac, unless srcIp is "::" (duplicate address detection: no option).
     */
    public static PacketBuilder neighborSolicitation(String srcMac, String srcIp, String targetIp) {
        byte[] target = ip6(targetIp);
        byte[] group = ip6("ff02::1:ff00:0");
        System.arraycopy(target, 13, group, 13, 3);
        long groupMac = 0x3333_0000_0000L | ((group[12] & 0xffL) << 24) | ((group[13] & 0xffL) << 16)
                | ((group[14] & 0xffL) << 8) | (group[15] & 0xffL);
        PacketBuilder b = new PacketBuilder(mac(srcMac), groupMac);
        b.l3 = L3.IPV6;
        b.srcIp6 = ip6(srcIp);
        b.dstIp6 = group;
        b.hopLimit = 255;
        b.icmpv6(135, 0, 0);
        b.ndTarget = target;
        b.ndOptionType = Arrays.equals(b.srcIp6, new byte[16]) ? 0 : 1;
        b.ndOptionMac = mac(srcMac);
        return b;
    }

    /**
     * Solicited neighbor advertisement "srcIp is at srcMac" (RFC 4861 section 4.4), unicast to dstMac/dstIp, hop
     * limit 255, flags S and O, target srcIp, with a target link-layer address option carrying srcMac. Change with
     * {@link #ndFlags}, {@link #ndTarget}, {@link #noLinkLayerOption}.
     */
    public static PacketBuilder neighborAdvertisement(String srcMac, String srcIp, String dstMac, String dstIp) {
        PacketBuilder b = new PacketBuilder(mac(srcMac), mac(dstMac));
        b.ipv6(srcIp, dstIp);
        b.hopLimit = 255;
        b.icmpv6(136, 0, 0x6000_0000);
        b.ndTarget = ip6(srcIp);
        b.ndOptionType = 2;
        b.ndOptionMac = mac(srcMac);
        return b;
    }

    // ---- virtio_net_hdr ----

    /** Prepends an all-zero virtio_net_hdr (no offload), as a PACKET_VNET_HDR socket shows a plain frame. */
    public PacketBuilder vnetHeader() {
        vnet = true;
        return this;
    }

    /** Prepends a virtio_net_hdr with exactly these fields (hdr_len 0 unless {@link #vnetHdrLen} is set). */
    public PacketBuilder vnetHeader(int flags, int gsoType, int gsoSize, int csumStart, int csumOffset) {
        vnet = true;
        vnetExplicit = true;
        this.vnetFlags = flags;
        this.gsoType = gsoType;
        this.gsoSize = gsoSize;
        this.csumStart = csumStart;
        this.csumOffset = csumOffset;
        return this;
    }

    public PacketBuilder vnetHdrLen(int hdrLenBytes) {
        vnet = true;
        this.hdrLen = hdrLenBytes;
        return this;
    }

    /**
     * Marks the frame as a GSO super-frame in the virtio_net_hdr: GSO type and segment size, hdr_len = all headers
     * (unless set). Combine with {@link #partialChecksum()}, as the kernel always does.
     */
    public PacketBuilder gso(int gsoType, int gsoSizeBytes) {
        vnet = true;
        this.gsoType = gsoType;
        this.gsoSize = gsoSizeBytes;
        return this;
    }

    /**
     * The L4 checksum as a local sender with TX offload leaves it (CHECKSUM_PARTIAL): the field holds the folded,
     * non-complemented pseudo-header sum, and (unless the header was given explicitly) the virtio_net_hdr says
     * NEEDS_CSUM with csum_start at the L4 header and csum_offset at its checksum field.
     */
    public PacketBuilder partialChecksum() {
        vnet = true;
        partialChecksum = true;
        return this;
    }

    // ---- Ethernet ----

    public PacketBuilder etherType(int etherType) {
        this.etherType = etherType;
        return this;
    }

    // ---- IPv4 ----

    public PacketBuilder ipv4(String src, String dst) {
        return ipv4(ip(src), ip(dst));
    }

    public PacketBuilder ipv4(int src, int dst) {
        l3 = L3.IPV4;
        srcIp = src;
        dstIp = dst;
        return this;
    }

    public PacketBuilder ttl(int ttl) {
        this.ttl = ttl;
        return this;
    }

    public PacketBuilder id(int id) {
        this.id = id;
        return this;
    }

    public PacketBuilder tos(int tos) {
        this.tos = tos;
        return this;
    }

    public PacketBuilder df(boolean df) {
        this.df = df;
        return this;
    }

    public PacketBuilder mf(boolean mf) {
        this.mf = mf;
        return this;
    }

    /** Fragment offset in 8-byte units. */
    public PacketBuilder fragmentOffset(int units) {
        this.fragmentOffset = units;
        return this;
    }

    /** IPv4 options (a multiple of 4 bytes); IHL grows to match. */
    public PacketBuilder ipOptions(byte[] options) {
        if (options.length % 4 != 0 || options.length > 40) {
            throw new IllegalArgumentException("IPv4 options must be a multiple of 4 up to 40: length=" + options.length);
        }
        this.ipOptions = options.clone();
        return this;
    }

    /** Protocol field; by default it follows the L4 layer chosen (6, 17, 1; 0 for none). */
    public PacketBuilder protocol(int protocol) {
        this.protocol = protocol;
        return this;
    }

    /** Writes this version into the header (a defect unless 4). */
    public PacketBuilder version(int version) {
        this.version = version;
        return this;
    }

    /** Writes this IHL into the header without changing the real header layout (a defect). */
    public PacketBuilder ihl(int ihl) {
        this.ihl = ihl;
        return this;
    }

    /** Writes this total length without changing what follows (a defect). */
    public PacketBuilder totalLength(int totalLengthBytes) {
        this.totalLength = totalLengthBytes;
        return this;
    }

    /** Stores this header checksum instead of the computed one. */
    public PacketBuilder ipChecksum(int checksum) {
        this.ipChecksum = checksum;
        return this;
    }

    /** Stores a header checksum that is certainly wrong (computed one xor 0x00ff). */
    public PacketBuilder wrongIpChecksum() {
        this.wrongIpChecksum = true;
        return this;
    }

    // ---- IPv6 ----

    /** An IPv6 header (hop limit 64, traffic class and flow label 0); {@link #version} and {@link #protocol} apply. */
    public PacketBuilder ipv6(String src, String dst) {
        l3 = L3.IPV6;
        srcIp6 = ip6(src);
        dstIp6 = ip6(dst);
        return this;
    }

    /** As {@link #ipv6(String, String)} with each address as two longs, high half first. */
    public PacketBuilder ipv6(long srcHi, long srcLo, long dstHi, long dstLo) {
        l3 = L3.IPV6;
        srcIp6 = ip6Bytes(srcHi, srcLo);
        dstIp6 = ip6Bytes(dstHi, dstLo);
        return this;
    }

    public PacketBuilder hopLimit(int hopLimit) {
        this.hopLimit = hopLimit;
        return this;
    }

    /** The 8-bit traffic class (DSCP and ECN). */
    public PacketBuilder trafficClass(int trafficClass) {
        this.trafficClass = trafficClass;
        return this;
    }

    /** The 20-bit flow label. */
    public PacketBuilder flowLabel(int flowLabel) {
        this.flowLabel = flowLabel;
        return this;
    }

    /** Writes this payload length without changing what follows (a defect). */
    public PacketBuilder ipv6PayloadLength(int lengthBytes) {
        this.ipv6PayloadLength = lengthBytes;
        return this;
    }

    /**
     * Appends an extension header of this type (0, 43, 60, or anything for a defect) whose bytes after the
     * next-header and length fields are {@code body}: 6, 14, 22 … bytes, so the header is a multiple of 8. The
     * length field is filled in; the next-header fields chain the headers in the order given, the last naming the
     * upper layer.
     */
    public PacketBuilder extensionHeader(int type, byte[] body) {
        if ((body.length + 2) % 8 != 0) {
            throw new IllegalArgumentException("extension header body must be 8n+6 bytes: length=" + body.length);
        }
        byte[] h = new byte[body.length + 2];
        h[1] = (byte) ((h.length / 8) - 1);
        System.arraycopy(body, 0, h, 2, body.length);
        extHeaders.add(h);
        extTypes.add(type);
        return this;
    }

    /** A hop-by-hop options header holding one PadN option (8 bytes). */
    public PacketBuilder hopByHopOptions() {
        return extensionHeader(0, new byte[] {1, 4, 0, 0, 0, 0});
    }

    /** A destination options header holding one PadN option (8 bytes). */
    public PacketBuilder destinationOptions() {
        return extensionHeader(60, new byte[] {1, 4, 0, 0, 0, 0});
    }

    /** A routing header of this type with no addresses (8 bytes; type-specific data zero). */
    public PacketBuilder routingHeader(int routingType, int segmentsLeft) {
        return extensionHeader(43, new byte[] {(byte) routingType, (byte) segmentsLeft, 0, 0, 0, 0});
    }

    /** A fragment header (8 bytes): offset in 8-byte units, M flag, identification. */
    public PacketBuilder fragmentHeader(int offsetUnits, boolean more, int identification) {
        byte[] h = new byte[8];
        put16(h, 2, ((offsetUnits & 0x1fff) << 3) | (more ? 1 : 0));
        put32(h, 4, identification);
        extHeaders.add(h);
        extTypes.add(44);
        return this;
    }

    // ---- TCP ----

    public PacketBuilder tcp(int srcPort, int dstPort) {
        l4 = L4.TCP;
        this.srcPort = srcPort;
        this.dstPort = dstPort;
        return this;
    }

    public PacketBuilder flags(int tcpFlags) {
        this.tcpFlags = tcpFlags;
        return this;
    }

    public PacketBuilder seq(int seq) {
        this.seq = seq;
        return this;
    }

    public PacketBuilder ack(int ack) {
        this.ack = ack;
        return this;
    }

    public PacketBuilder window(int window) {
        this.window = window;
        return this;
    }

    public PacketBuilder urgentPointer(int urgentPointer) {
        this.urgentPointer = urgentPointer;
        return this;
    }

    /** TCP options (a multiple of 4 bytes); the data offset grows to match. */
    public PacketBuilder tcpOptions(byte[] options) {
        if (options.length % 4 != 0 || options.length > 40) {
            throw new IllegalArgumentException("TCP options must be a multiple of 4 up to 40: length=" + options.length);
        }
        this.tcpOptions = options.clone();
        return this;
    }

    /** Writes this data offset without changing the real header layout (a defect). */
    public PacketBuilder dataOffset(int words) {
        this.dataOffset = words;
        return this;
    }

    // ---- UDP ----

    public PacketBuilder udp(int srcPort, int dstPort) {
        l4 = L4.UDP;
        this.srcPort = srcPort;
        this.dstPort = dstPort;
        return this;
    }

    /** Writes this UDP length without changing what follows (a defect). */
    public PacketBuilder udpLength(int lengthBytes) {
        this.udpLength = lengthBytes;
        return this;
    }

    /** UDP without checksum (field 0), legal over IPv4. */
    public PacketBuilder udpChecksumZero() {
        this.udpChecksumZero = true;
        return this;
    }

    // ---- ICMP ----

    public PacketBuilder icmp(int type, int code, int restOfHeader) {
        l4 = L4.ICMP;
        icmpType = type;
        icmpCode = code;
        icmpRest = restOfHeader;
        return this;
    }

    public PacketBuilder icmpEcho(int identifier, int sequence) {
        return icmp(8, 0, (identifier << 16) | (sequence & 0xffff));
    }

    public PacketBuilder icmpEchoReply(int identifier, int sequence) {
        return icmp(0, 0, (identifier << 16) | (sequence & 0xffff));
    }

    // ---- ICMPv6 ----

    /** An ICMPv6 message (next header 58); the checksum covers the IPv6 pseudo-header. Errors quote via payload. */
    public PacketBuilder icmpv6(int type, int code, int restOfHeader) {
        l4 = L4.ICMPV6;
        icmpType = type;
        icmpCode = code;
        icmpRest = restOfHeader;
        return this;
    }

    public PacketBuilder icmpv6Echo(int identifier, int sequence) {
        return icmpv6(128, 0, (identifier << 16) | (sequence & 0xffff));
    }

    public PacketBuilder icmpv6EchoReply(int identifier, int sequence) {
        return icmpv6(129, 0, (identifier << 16) | (sequence & 0xffff));
    }

    /** The second word of a neighbor advertisement: R 0x80000000, S 0x40000000, O 0x20000000. */
    public PacketBuilder ndFlags(int flags) {
        icmpRest = flags;
        return this;
    }

    /** The target address of a neighbor solicitation or advertisement. */
    public PacketBuilder ndTarget(String target) {
        ndTarget = ip6(target);
        return this;
    }

    /** A link-layer address option of this type (1 source, 2 target) with this MAC, instead of the default one. */
    public PacketBuilder linkLayerOption(int optionType, String mac) {
        ndOptionType = optionType;
        ndOptionMac = mac(mac);
        return this;
    }

    /** Leaves out the link-layer address option. */
    public PacketBuilder noLinkLayerOption() {
        ndOptionType = 0;
        return this;
    }

    // ---- L4 checksum and payload ----

    /** Stores this L4 checksum instead of the computed one. */
    public PacketBuilder l4Checksum(int checksum) {
        this.l4Checksum = checksum;
        return this;
    }

    /** Stores an L4 checksum that is certainly wrong (computed one xor 0x00ff). */
    public PacketBuilder wrongL4Checksum() {
        this.wrongL4Checksum = true;
        return this;
    }

    public PacketBuilder payload(byte[] payload) {
        this.payload = payload.clone();
        return this;
    }

    public PacketBuilder payload(String text) {
        this.payload = text.getBytes(StandardCharsets.UTF_8);
        return this;
    }

    /** A payload of {@code length} bytes 0, 1, 2, ... (mod 256). */
    public PacketBuilder payloadLength(int length) {
        byte[] p = new byte[length];
        for (int i = 0; i < length; i++) {
            p[i] = (byte) i;
        }
        this.payload = p;
        return this;
    }

    /** Cuts the frame (Ethernet onwards; a virtio_net_hdr is kept whole) to this many bytes after building. */
    public PacketBuilder truncate(int frameBytes) {
        this.truncateTo = frameBytes;
        return this;
    }

    /** Pads the frame (Ethernet onwards) with zeros to at least this many bytes, as Ethernet does up to 60. */
    public PacketBuilder padTo(int frameBytes) {
        this.padTo = frameBytes;
        return this;
    }

    // ---- offsets in the built frame ----

    /** Where the Ethernet header starts: 10 behind a virtio_net_hdr, else 0. */
    public int ethOffset() {
        return vnet ? VNET_LEN : 0;
    }

    /** Where the ARP or IPv4 header starts. */
    public int l3Offset() {
        return ethOffset() + ETH_LEN;
    }

    /** Where the TCP/UDP/ICMP header starts (after IPv6 extension headers). */
    public int l4Offset() {
        return l3 == L3.IPV6 ? l3Offset() + IPV6_LEN + extLength() : l3Offset() + 20 + ipOptions.length;
    }

    /** Bytes of the L4 header plus payload. */
    public int l4Length() {
        return switch (l4) {
            case TCP -> TCP_LEN + tcpOptions.length + payload.length;
            case UDP -> UDP_LEN + payload.length;
            case ICMP -> ICMP_LEN + payload.length;
            case ICMPV6 -> ICMP_LEN + icmpv6Body().length;
            case NONE -> payload.length;
        };
    }

    /** Bytes of the IPv6 extension headers. */
    public int extLength() {
        int n = 0;
        for (byte[] h : extHeaders) {
            n += h.length;
        }
        return n;
    }

    /** The ICMPv6 body: an ND target and option when set, then the payload. */
    private byte[] icmpv6Body() {
        if (ndTarget == null) {
            return payload;
        }
        int option = ndOptionType != 0 ? 8 : 0;
        byte[] body = new byte[16 + option + payload.length];
        System.arraycopy(ndTarget, 0, body, 0, 16);
        if (option != 0) {
            body[16] = (byte) ndOptionType;
            body[17] = 1;
            put48(body, 18, ndOptionMac);
        }
        System.arraycopy(payload, 0, body, 16 + option, payload.length);
        return body;
    }

    // ---- output ----

    public MemorySegment toSegment(Arena arena) {
        byte[] bytes = build();
        MemorySegment seg = arena.allocate(bytes.length);
        MemorySegment.copy(bytes, 0, seg, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return seg;
    }

    public byte[] build() {
        int eth = ethOffset();
        int l3Len = switch (l3) {
            case ARP -> ARP_LEN;
            case IPV4 -> 20 + ipOptions.length + l4Length();
            case IPV6 -> IPV6_LEN + extLength() + l4Length();
            case NONE -> payload.length;
        };
        int frameLen = Math.max(ETH_LEN + l3Len, padTo);
        byte[] b = new byte[eth + frameLen];

        put48(b, eth, dstMac);
        put48(b, eth + 6, srcMac);
        int defaultType = switch (l3) {
            case ARP -> EthernetView.ETHERTYPE_ARP;
            case IPV4 -> EthernetView.ETHERTYPE_IPV4;
            case IPV6 -> EthernetView.ETHERTYPE_IPV6;
            case NONE -> 0x88b5; // IEEE local experimental
        };
        put16(b, eth + 12, etherType != null ? etherType : defaultType);

        int l3Off = eth + ETH_LEN;
        switch (l3) {
            case ARP -> writeArp(b, l3Off);
            case IPV4 -> writeIpv4(b, l3Off);
            case IPV6 -> writeIpv6(b, l3Off);
            case NONE -> System.arraycopy(payload, 0, b, l3Off, payload.length);
        }
        if (vnet) {
            writeVnet(b);
        }
        if (truncateTo >= 0 && truncateTo < frameLen) {
            return Arrays.copyOf(b, eth + truncateTo);
        }
        return b;
    }

    private void writeArp(byte[] b, int off) {
        put16(b, off, 1);
        put16(b, off + 2, 0x0800);
        b[off + 4] = 6;
        b[off + 5] = 4;
        put16(b, off + 6, arpOper);
        put48(b, off + 8, arpSenderMac);
        put32(b, off + 14, arpSenderIp);
        put48(b, off + 18, arpTargetMac);
        put32(b, off + 24, arpTargetIp);
    }

    private void writeIpv4(byte[] b, int off) {
        int headerLen = 20 + ipOptions.length;
        int l4Len = l4Length();
        int defaultProto = switch (l4) {
            case TCP -> 6;
            case UDP -> 17;
            case ICMP -> 1;
            case ICMPV6 -> 58;
            case NONE -> 0;
        };
        int proto = protocol != null ? protocol : defaultProto;
        b[off] = (byte) (((version != null ? version : 4) << 4) | ((ihl != null ? ihl : headerLen / 4) & 0x0f));
        b[off + 1] = (byte) tos;
        put16(b, off + 2, totalLength != null ? totalLength : headerLen + l4Len);
        put16(b, off + 4, id);
        put16(b, off + 6, (df ? 0x4000 : 0) | (mf ? 0x2000 : 0) | (fragmentOffset & 0x1fff));
        b[off + 8] = (byte) ttl;
        b[off + 9] = (byte) proto;
        put32(b, off + 12, srcIp);
        put32(b, off + 16, dstIp);
        System.arraycopy(ipOptions, 0, b, off + 20, ipOptions.length);

        int l4Off = off + headerLen;
        writeL4(b, l4Off, l4Len, proto);

        int csum = ~fold(sum16(b, off, headerLen, 0)) & 0xffff;
        if (wrongIpChecksum) {
            csum ^= 0x00ff;
        }
        put16(b, off + 10, ipChecksum != null ? ipChecksum : csum);
    }

    private void writeIpv6(byte[] b, int off) {
        int l4Len = l4Length();
        int defaultProto = switch (l4) {
            case TCP -> 6;
            case UDP -> 17;
            case ICMP -> 1;
            case ICMPV6 -> 58;
            case NONE -> 59;
        };
        int proto = protocol != null ? protocol : defaultProto;
        int extLen = extLength();
        put32(b, off, ((version != null ? version : 6) << 28) | ((trafficClass & 0xff) << 20) | (flowLabel & 0xfffff));
        put16(b, off + 4, ipv6PayloadLength != null ? ipv6PayloadLength : extLen + l4Len);
        b[off + 6] = (byte) (extTypes.isEmpty() ? proto : extTypes.get(0));
        b[off + 7] = (byte) hopLimit;
        System.arraycopy(srcIp6, 0, b, off + 8, 16);
        System.arraycopy(dstIp6, 0, b, off + 24, 16);
        int at = off + IPV6_LEN;
        for (int i = 0; i < extHeaders.size(); i++) {
            byte[] h = extHeaders.get(i);
            System.arraycopy(h, 0, b, at, h.length);
            b[at] = (byte) (i + 1 < extTypes.size() ? extTypes.get(i + 1) : proto);
            at += h.length;
        }
        writeL4(b, at, l4Len, proto);
    }

    private void writeL4(byte[] b, int off, int l4Len, int proto) {
        int csumField;
        switch (l4) {
            case TCP -> {
                int hl = TCP_LEN + tcpOptions.length;
                put16(b, off, srcPort);
                put16(b, off + 2, dstPort);
                put32(b, off + 4, seq);
                put32(b, off + 8, ack);
                b[off + 12] = (byte) ((dataOffset != null ? dataOffset : hl / 4) << 4);
                b[off + 13] = (byte) tcpFlags;
                put16(b, off + 14, window);
                put16(b, off + 18, urgentPointer);
                System.arraycopy(tcpOptions, 0, b, off + 20, tcpOptions.length);
                System.arraycopy(payload, 0, b, off + hl, payload.length);
                csumField = 16;
            }
            case UDP -> {
                put16(b, off, srcPort);
                put16(b, off + 2, dstPort);
                put16(b, off + 4, udpLength != null ? udpLength : l4Len);
                System.arraycopy(payload, 0, b, off + UDP_LEN, payload.length);
                csumField = 6;
            }
            case ICMP -> {
                b[off] = (byte) icmpType;
                b[off + 1] = (byte) icmpCode;
                put32(b, off + 4, icmpRest);
                System.arraycopy(payload, 0, b, off + ICMP_LEN, payload.length);
                csumField = 2;
            }
            case ICMPV6 -> {
                byte[] body = icmpv6Body();
                b[off] = (byte) icmpType;
                b[off + 1] = (byte) icmpCode;
                put32(b, off + 4, icmpRest);
                System.arraycopy(body, 0, b, off + ICMP_LEN, body.length);
                csumField = 2;
            }
            default -> {
                System.arraycopy(payload, 0, b, off, payload.length);
                return;
            }
        }

        long pseudo = l4 == L4.ICMP ? 0
                : l3 == L3.IPV6 ? pseudoHeader6(srcIp6, dstIp6, proto, l4Len)
                : pseudoHeader(srcIp, dstIp, proto, l4Len);
        int csum;
        if (partialChecksum && l4 != L4.ICMP && l4 != L4.ICMPV6) {
            csum = fold(pseudo);
        } else {
            csum = ~fold(sum16(b, off, l4Len, pseudo)) & 0xffff;
            if (l4 == L4.UDP && csum == 0) {
                csum = 0xffff;
            }
            if (l4 == L4.UDP && udpChecksumZero) {
                csum = 0;
            }
        }
        if (wrongL4Checksum) {
            csum ^= 0x00ff;
        }
        put16(b, off + csumField, l4Checksum != null ? l4Checksum : csum);
    }

    private void writeVnet(byte[] b) {
        int flags = vnetFlags;
        int start = csumStart;
        int offset = csumOffset;
        if (partialChecksum && !vnetExplicit && (l4 == L4.TCP || l4 == L4.UDP)) {
            flags |= NEEDS_CSUM;
            start = l4Offset() - VNET_LEN;
            offset = l4 == L4.TCP ? 16 : 6;
        }
        int headers = switch (l4) {
            case TCP -> l4Offset() - VNET_LEN + TCP_LEN + tcpOptions.length;
            case UDP -> l4Offset() - VNET_LEN + UDP_LEN;
            default -> 0;
        };
        int hl = hdrLen != null ? hdrLen : (gsoType != 0 ? headers : 0);
        b[0] = (byte) flags;
        b[1] = (byte) gsoType;
        putLe16(b, 2, hl);
        putLe16(b, 4, gsoSize);
        putLe16(b, 6, start);
        putLe16(b, 8, offset);
    }

    // ---- independent byte-array arithmetic ----

    private static long pseudoHeader(int src, int dst, int proto, int l4Len) {
        return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + proto + (long) l4Len;
    }

    /** RFC 8200 section 8.1: both addresses word by word, the 32-bit upper-layer length, zeros, next header. */
    private static long pseudoHeader6(byte[] src, byte[] dst, int nextHeader, int upperLength) {
        return sum16(src, 0, 16, 0) + sum16(dst, 0, 16, 0) + (upperLength >>> 16) + (upperLength & 0xffff)
                + nextHeader;
    }

    /** RFC 1071 sum of 16-bit big-endian words, the plain textbook way. */
    private static long sum16(byte[] b, int off, int len, long initial) {
        long s = initial;
        for (int i = 0; i + 1 < len; i += 2) {
            s += ((b[off + i] & 0xff) << 8) | (b[off + i + 1] & 0xff);
        }
        if ((len & 1) != 0) {
            s += (b[off + len - 1] & 0xff) << 8;
        }
        return s;
    }

    private static int fold(long sum) {
        long s = sum;
        while (s > 0xffff) {
            s = (s >>> 16) + (s & 0xffff);
        }
        return (int) s;
    }

    private static void put16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    private static void putLe16(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
    }

    private static void put32(byte[] b, int off, int v) {
        put16(b, off, v >>> 16);
        put16(b, off + 2, v);
    }

    private static void put48(byte[] b, int off, long v) {
        put16(b, off, (int) (v >>> 32));
        put32(b, off + 2, (int) v);
    }

    // ---- helpers for tests ----

    public static int ip(String dottedQuad) {
        return Ipv4View.parseAddr(dottedQuad);
    }

    public static long mac(String text) {
        return EthernetView.parseMac(text);
    }

    /** The 16 bytes of an IPv6 address literal, parsed by the JDK (independently of {@code Ipv6View}). */
    public static byte[] ip6(String text) {
        if (text.indexOf(':') < 0) {
            throw new IllegalArgumentException("not an IPv6 literal: text=" + text);
        }
        byte[] a = InetAddress.ofLiteral(text).getAddress();
        if (a.length == 4) { // the JDK returns an IPv4-mapped literal as IPv4
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(a, 0, mapped, 12, 4);
            return mapped;
        }
        return a;
    }

    /** High 64 bits of an IPv6 address literal, as the views hold them. */
    public static long ip6Hi(String text) {
        return bytesToLong(ip6(text), 0);
    }

    /** Low 64 bits of an IPv6 address literal, as the views hold them. */
    public static long ip6Lo(String text) {
        return bytesToLong(ip6(text), 8);
    }

    private static long bytesToLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xff);
        }
        return v;
    }

    private static byte[] ip6Bytes(long hi, long lo) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (hi >>> (56 - 8 * i));
            b[8 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        return b;
    }

    /** "45 00 00 73 ..." */
    public static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    /** Bytes from hex digits; spaces, newlines and colons are ignored. */
    public static byte[] unhex(String text) {
        return HexFormat.of().parseHex(text.replaceAll("[\\s:]", ""));
    }

    /**
     * Empty when equal, else a readable account: the lengths if they differ, then every 16-byte row that differs with
     * expected and actual bytes and a {@code ^^} under each differing byte.
     */
    public static String diff(byte[] expected, byte[] actual) {
        if (Arrays.equals(expected, actual)) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        if (expected.length != actual.length) {
            sb.append("length differs: expected=").append(expected.length).append(" actual=").append(actual.length)
                    .append('\n');
        }
        int max = Math.max(expected.length, actual.length);
        for (int row = 0; row < max; row += 16) {
            StringBuilder exp = new StringBuilder();
            StringBuilder act = new StringBuilder();
            StringBuilder mark = new StringBuilder();
            boolean differs = false;
            for (int i = row; i < Math.min(row + 16, max); i++) {
                String e = i < expected.length ? String.format("%02x", expected[i] & 0xff) : "--";
                String a = i < actual.length ? String.format("%02x", actual[i] & 0xff) : "--";
                boolean d = !e.equals(a);
                differs |= d;
                exp.append(e).append(' ');
                act.append(a).append(' ');
                mark.append(d ? "^^ " : "   ");
            }
            if (differs) {
                sb.append(String.format("%04x expected %s%n", row, exp.toString().stripTrailing()));
                sb.append(String.format("%04x actual   %s%n", row, act.toString().stripTrailing()));
                sb.append(String.format("              %s%n", mark.toString().stripTrailing()));
            }
        }
        return sb.toString();
    }

    /** Throws an {@link AssertionError} carrying {@link #diff} when the arrays differ. */
    public static void assertSameBytes(byte[] expected, byte[] actual) {
        String d = diff(expected, actual);
        if (!d.isEmpty()) {
            throw new AssertionError("frames differ:\n" + d);
        }
    }

    /** Copies a segment's bytes out, for {@link #diff} after the code under test rewrote a frame. */
    public static byte[] bytes(MemorySegment segment) {
        return segment.toArray(ValueLayout.JAVA_BYTE);
    }
}
