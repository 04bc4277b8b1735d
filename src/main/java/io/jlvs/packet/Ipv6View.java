package io.jlvs.packet;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Flyweight over the fixed IPv6 header (RFC 8200). An address is two {@code long}s holding its 128 bits in network
 * order, high half first (2001:db8::1 is {@code hi = 0x20010db8_00000000L}, {@code lo = 1}), so addresses are compared
 * and stored without allocating. The header has no checksum: {@link #decrementHopLimit()} touches one byte, but an
 * address rewrite changes the upper-layer pseudo-header (see {@link Checksum#update128}).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version| Traffic Class |              Flow Label               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Payload Length        |  Next Header  |   Hop Limit   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +                  Source Address (srcHi, srcLo)                +
 * |                                                               |
 * +                                                               +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +               Destination Address (dstHi, dstLo)              +
 * |                                                               |
 * +                                                               +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  traffic class = DSCP (6 bits) + ECN (2 bits); payload length counts extension headers too
 * </pre>
 *
 * <p><b>Extension headers.</b> Hop-by-hop options (0), routing (43), fragment (44) and destination options (60) may
 * sit between this header and the upper-layer header. Each but the fragment header has the same first two bytes:
 *
 * <pre>
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Next Header  |  Hdr Ext Len  |  (options or routing data)    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 * |       ... (Hdr Ext Len + 1) * 8 bytes in all ...              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * and the fragment header is always 8 bytes ({@link Ipv6FragmentView}). {@link #upperLayerOffset(long)} walks them.
 */
public final class Ipv6View {
    public static final int HEADER_LENGTH = 40;

    public static final int VERSION_CLASS_FLOW_OFFSET = 0;
    public static final int PAYLOAD_LENGTH_OFFSET = 4;
    public static final int NEXT_HEADER_OFFSET = 6;
    public static final int HOP_LIMIT_OFFSET = 7;
    public static final int SRC_ADDR_OFFSET = 8;
    public static final int DST_ADDR_OFFSET = 24;

    /** Next-header values: extension headers walked by {@link #upperLayerOffset}. */
    public static final int NEXT_HOP_BY_HOP = 0;
    public static final int NEXT_ROUTING = 43;
    public static final int NEXT_FRAGMENT = 44;
    public static final int NEXT_DESTINATION_OPTIONS = 60;
    /** Next-header values: upper layers. */
    public static final int NEXT_IPIP = 4;
    public static final int NEXT_TCP = 6;
    public static final int NEXT_UDP = 17;
    public static final int NEXT_IPV6 = 41;
    public static final int NEXT_GRE = 47;
    public static final int NEXT_ESP = 50;
    public static final int NEXT_AH = 51;
    public static final int NEXT_ICMPV6 = 58;
    public static final int NEXT_NONE = 59;

    public static final int FLOW_LABEL_MASK = 0xfffff;

    /** Big-endian 64-bit access for the address halves; headers sit at any offset. */
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** High half of ff02::/16, link-local scope multicast (all-nodes, solicited-node). */
    public static final long LINK_LOCAL_MULTICAST_HI = 0xff02_0000_0000_0000L;
    /** High half of fe80::/64, the link-local prefix. */
    public static final long LINK_LOCAL_HI = 0xfe80_0000_0000_0000L;

    private MemorySegment segment;
    private long offset;
    private int upperLayerProtocol = -1;
    private int fragmentHeaderOffset = -1;

    /** Points this view at the header starting at {@code offset}; no bounds check (see {@link #validate}). */
    public Ipv6View wrap(MemorySegment segment, long offset) {
        this.segment = segment;
        this.offset = offset;
        this.upperLayerProtocol = -1;
        this.fragmentHeaderOffset = -1;
        return this;
    }

    public MemorySegment segment() {
        return segment;
    }

    public long offset() {
        return offset;
    }

    public int version() {
        return NetworkOrder.u8(segment, offset + VERSION_CLASS_FLOW_OFFSET) >>> 4;
    }

    public Ipv6View version(int version) {
        int w = NetworkOrder.u32(segment, offset + VERSION_CLASS_FLOW_OFFSET);
        NetworkOrder.u32(segment, offset + VERSION_CLASS_FLOW_OFFSET, (version << 28) | (w & 0x0fff_ffff));
        return this;
    }

    /** The 8-bit traffic class: DSCP (6 bits) and ECN (2 bits), like the IPv4 TOS byte. */
    public int trafficClass() {
        return (NetworkOrder.u32(segment, offset + VERSION_CLASS_FLOW_OFFSET) >>> 20) & 0xff;
    }

    public Ipv6View trafficClass(int trafficClass) {
        int w = NetworkOrder.u32(segment, offset + VERSION_CLASS_FLOW_OFFSET);
        NetworkOrder.u32(segment, offset + VERSION_CLASS_FLOW_OFFSET,
                (w & 0xf00f_ffff) | ((trafficClass & 0xff) << 20));
        return this;
    }

    public int dscp() {
        return trafficClass() >>> 2;
    }

    public int ecn() {
        return trafficClass() & 0x03;
    }

    /** The 20-bit flow label. */
    public int flowLabel() {
        return NetworkOrder.u32(segment, offset + VERSION_CLASS_FLOW_OFFSET) & FLOW_LABEL_MASK;
    }

    public Ipv6View flowLabel(int flowLabel) {
        int w = NetworkOrder.u32(segment, offset + VERSION_CLASS_FLOW_OFFSET);
        NetworkOrder.u32(segment, offset + VERSION_CLASS_FLOW_OFFSET,
                (w & ~FLOW_LABEL_MASK) | (flowLabel & FLOW_LABEL_MASK));
        return this;
    }

    /** Bytes after this 40-byte header, extension headers included; a frame may be longer, never shorter. */
    public int payloadLength() {
        return NetworkOrder.u16(segment, offset + PAYLOAD_LENGTH_OFFSET);
    }

    public Ipv6View payloadLength(int payloadLengthBytes) {
        NetworkOrder.u16(segment, offset + PAYLOAD_LENGTH_OFFSET, payloadLengthBytes);
        return this;
    }

    /** {@code 40 + payloadLength}: the whole packet, as the IPv4 total length. */
    public int totalLength() {
        return HEADER_LENGTH + payloadLength();
    }

    /** Type of the header after this one: an extension header or the upper layer. */
    public int nextHeader() {
        return NetworkOrder.u8(segment, offset + NEXT_HEADER_OFFSET);
    }

    public Ipv6View nextHeader(int nextHeader) {
        NetworkOrder.u8(segment, offset + NEXT_HEADER_OFFSET, nextHeader);
        return this;
    }

    public int hopLimit() {
        return NetworkOrder.u8(segment, offset + HOP_LIMIT_OFFSET);
    }

    public Ipv6View hopLimit(int hopLimit) {
        NetworkOrder.u8(segment, offset + HOP_LIMIT_OFFSET, hopLimit);
        return this;
    }

    /**
     * Decrements the hop limit and returns the new value. No checksum covers it. The caller checks {@code hopLimit()
     * <= 1} first (ICMPv6 time exceeded, drop): a hop limit of 0 would wrap to 255.
     */
    public int decrementHopLimit() {
        int h = (hopLimit() - 1) & 0xff;
        NetworkOrder.u8(segment, offset + HOP_LIMIT_OFFSET, h);
        return h;
    }

    public long srcHi() {
        return segment.get(U64, offset + SRC_ADDR_OFFSET);
    }

    public long srcLo() {
        return segment.get(U64, offset + SRC_ADDR_OFFSET + 8);
    }

    public Ipv6View srcHi(long hi) {
        segment.set(U64, offset + SRC_ADDR_OFFSET, hi);
        return this;
    }

    public Ipv6View srcLo(long lo) {
        segment.set(U64, offset + SRC_ADDR_OFFSET + 8, lo);
        return this;
    }

    /** Sets both halves of the source address. The upper-layer checksum is the caller's (read the old one first). */
    public Ipv6View srcAddr(long hi, long lo) {
        return srcHi(hi).srcLo(lo);
    }

    public long dstHi() {
        return segment.get(U64, offset + DST_ADDR_OFFSET);
    }

    public long dstLo() {
        return segment.get(U64, offset + DST_ADDR_OFFSET + 8);
    }

    public Ipv6View dstHi(long hi) {
        segment.set(U64, offset + DST_ADDR_OFFSET, hi);
        return this;
    }

    public Ipv6View dstLo(long lo) {
        segment.set(U64, offset + DST_ADDR_OFFSET + 8, lo);
        return this;
    }

    /** As {@link #srcAddr(long, long)} for the destination. */
    public Ipv6View dstAddr(long hi, long lo) {
        return dstHi(hi).dstLo(lo);
    }

    // ---------------------------------------------------------------------------------------------- extension headers

    /**
     * Walks the extension headers after this one (hop-by-hop, routing, fragment, destination options) and returns
     * where the upper-layer header starts, relative to this header (40 when there are none): the IPv6 counterpart of
     * {@link Ipv4View#headerLength()}. {@code available} bounds the walk as in {@link #validate}, and the walk never
     * passes {@code 40 + payloadLength}. Afterwards {@link #upperLayerProtocol()} names what starts there and {@link
     * #fragmentHeaderOffset()} where the fragment header is, if any.
     *
     * <p>The walk stops early, on purpose, in two cases. After a fragment header with a non-zero fragment offset the
     * rest is fragment data, not headers: the returned offset is the data's start and the protocol is the fragment
     * header's next header, so the caller must look at {@link #isNonFirstFragment()} before reading ports. And a
     * hop-by-hop header anywhere but first (RFC 8200 section 4.1 allows it only there) is reported as protocol 0,
     * which no handler takes. Anything else (AH, ESP, no next header, unknown values) is an upper layer.
     *
     * @return the offset, or {@link PacketError#TRUNCATED_IPV6} when a header runs past the payload or the frame
     */
    public int upperLayerOffset(long available) {
        upperLayerProtocol = -1;
        fragmentHeaderOffset = -1;
        long readable = NetworkOrder.readable(segment, offset, available);
        long end = Math.min(readable, HEADER_LENGTH + (long) payloadLength());
        int next = nextHeader();
        int at = HEADER_LENGTH;
        while (true) {
            if (next == NEXT_HOP_BY_HOP && at != HEADER_LENGTH) {
                break;
            }
            if (next != NEXT_HOP_BY_HOP && next != NEXT_ROUTING && next != NEXT_DESTINATION_OPTIONS
                    && next != NEXT_FRAGMENT) {
                break;
            }
            if (at + 8L > end) {
                return PacketError.TRUNCATED_IPV6;
            }
            int after = NetworkOrder.u8(segment, offset + at);
            if (next == NEXT_FRAGMENT) {
                fragmentHeaderOffset = at;
                int fragmentWord = NetworkOrder.u16(segment, offset + at + Ipv6FragmentView.FRAGMENT_OFFSET_OFFSET);
                at += Ipv6FragmentView.LENGTH;
                next = after;
                if ((fragmentWord & Ipv6FragmentView.OFFSET_MASK) != 0) {
                    break;
                }
            } else {
                int length = (NetworkOrder.u8(segment, offset + at + 1) + 1) << 3;
                if (at + (long) length > end) {
                    return PacketError.TRUNCATED_IPV6;
                }
                at += length;
                next = after;
            }
        }
        upperLayerProtocol = next;
        return at;
    }

    /** The protocol the last successful {@link #upperLayerOffset} found (6, 17, 58 …); -1 before. */
    public int upperLayerProtocol() {
        return upperLayerProtocol;
    }

    /** Where the last {@link #upperLayerOffset} walk met a fragment header, relative to this header; -1 if none. */
    public int fragmentHeaderOffset() {
        return fragmentHeaderOffset;
    }

    /**
     * True when the last walk met a fragment header with a non-zero offset: no upper-layer header here, never
     * schedule on it (IPVS lets such fragments bypass).
     */
    public boolean isNonFirstFragment() {
        return fragmentHeaderOffset >= 0
                && (NetworkOrder.u16(segment, offset + fragmentHeaderOffset + Ipv6FragmentView.FRAGMENT_OFFSET_OFFSET)
                        & Ipv6FragmentView.OFFSET_MASK) != 0;
    }

    // ---------------------------------------------------------------------------------------------- validation

    /**
     * Checks that an IPv6 header can be read and its payload length trusted, as Linux's {@code ipv6_rcv} does; {@code
     * available} is the bytes of the frame from {@code offset} on (the segment's end caps it). Returns {@link
     * PacketError#OK} or one of:
     *
     * <ul>
     *   <li>{@link PacketError#TRUNCATED_IPV6}: fewer than 40 bytes, or fewer than {@code 40 + payloadLength};
     *   <li>{@link PacketError#BAD_IPV6_VERSION}: version is not 6;
     *   <li>{@link PacketError#BAD_IPV6_PAYLOAD_LENGTH}: payload length 0 with a hop-by-hop header next, a jumbogram
     *       (RFC 2675) that jlvs does not take.
     * </ul>
     *
     * Extension headers are not looked at here ({@link #upperLayerOffset} does that).
     */
    public static int validate(MemorySegment segment, long offset, long available) {
        long readable = NetworkOrder.readable(segment, offset, available);
        if (readable < HEADER_LENGTH) {
            return PacketError.TRUNCATED_IPV6;
        }
        if ((NetworkOrder.u8(segment, offset + VERSION_CLASS_FLOW_OFFSET) >>> 4) != 6) {
            return PacketError.BAD_IPV6_VERSION;
        }
        int payloadLength = NetworkOrder.u16(segment, offset + PAYLOAD_LENGTH_OFFSET);
        if (payloadLength == 0 && NetworkOrder.u8(segment, offset + NEXT_HEADER_OFFSET) == NEXT_HOP_BY_HOP) {
            return PacketError.BAD_IPV6_PAYLOAD_LENGTH;
        }
        if (readable < HEADER_LENGTH + payloadLength) {
            return PacketError.TRUNCATED_IPV6;
        }
        return PacketError.OK;
    }

    // ---------------------------------------------------------------------------------------------- addresses

    /** True for ff00::/8. */
    public static boolean isMulticast(long hi) {
        return (hi >>> 56) == 0xff;
    }

    /** True for fe80::/10. */
    public static boolean isLinkLocal(long hi) {
        return (hi >>> 54) == (0xfe80L >>> 6);
    }

    /** True for {@code ::}, the unspecified address (source of a duplicate address detection probe). */
    public static boolean isUnspecified(long hi, long lo) {
        return hi == 0 && lo == 0;
    }

    /** The Ethernet group address of an IPv6 multicast address (RFC 2464): 33:33 and the address's last 32 bits. */
    public static long multicastMac(long lo) {
        return 0x3333_0000_0000L | (lo & 0xffff_ffffL);
    }

    /**
     * The RFC 5952 text: lower-case hex, no leading zeros, the longest run of two or more zero groups (the first of
     * equals) as "::". Slow path, for logs and tests.
     */
    public static String addrToString(long hi, long lo) {
        int[] groups = new int[8];
        for (int i = 0; i < 4; i++) {
            groups[i] = (int) (hi >>> (48 - 16 * i)) & 0xffff;
            groups[i + 4] = (int) (lo >>> (48 - 16 * i)) & 0xffff;
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }

    /**
     * Parses an IPv6 address in any RFC 4291 section 2.2 form (full, "::"-compressed, or ending in a dotted quad) into
     * {@code {hi, lo}}; no zone ("%eth0") or prefix length. Slow path.
     *
     * @throws IllegalArgumentException if the text is not such an address
     */
    public static long[] parseAddr(String text) {
        int[] groups = new int[8];
        int count = 0;
        int gap = -1;
        int i = 0;
        int n = text.length();
        if (text.startsWith("::")) {
            gap = 0;
            i = 2;
        } else if (text.startsWith(":")) {
            throw badAddr(text);
        }
        while (i < n) {
            if (count == 8) {
                throw badAddr(text);
            }
            int j = i;
            int value = 0;
            while (j < n && j - i < 5 && Character.digit(text.charAt(j), 16) >= 0) {
                value = value * 16 + Character.digit(text.charAt(j), 16);
                j++;
            }
            if (j < n && text.charAt(j) == '.') {
                if (count > 6) {
                    throw badAddr(text);
                }
                int v4 = Ipv4View.parseAddr(text.substring(i));
                groups[count++] = v4 >>> 16;
                groups[count++] = v4 & 0xffff;
                i = n;
                break;
            }
            if (j == i || j - i > 4) {
                throw badAddr(text);
            }
            groups[count++] = value;
            if (j == n) {
                i = j;
                break;
            }
            if (text.charAt(j) != ':') {
                throw badAddr(text);
            }
            if (j + 1 < n && text.charAt(j + 1) == ':') {
                if (gap >= 0) {
                    throw badAddr(text);
                }
                gap = count;
                i = j + 2;
            } else if (j + 1 == n) {
                throw badAddr(text);
            } else {
                i = j + 1;
            }
        }
        if (gap >= 0) {
            if (count == 8) {
                throw badAddr(text);
            }
            int move = count - gap;
            System.arraycopy(groups, gap, groups, 8 - move, move);
            Arrays.fill(groups, gap, 8 - move, 0);
        } else if (count != 8) {
            throw badAddr(text);
        }
        long hi = 0;
        long lo = 0;
        for (int g = 0; g < 4; g++) {
            hi = (hi << 16) | groups[g];
            lo = (lo << 16) | groups[g + 4];
        }
        return new long[] {hi, lo};
    }

    private static IllegalArgumentException badAddr(String text) {
        return new IllegalArgumentException("bad IPv6 address: text=" + text);
    }
}
