package io.jlvs.packet;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over an ICMPv6 header (RFC 4443). Unlike ICMP over IPv4, the checksum covers an IPv6 pseudo-header
 * (next header 58) as well as the message, so the addresses are passed in. Types below 128 are errors; their body
 * quotes as much of the offending packet as fits in the minimum MTU of 1280 bytes. Neighbor discovery (RFC 4861)
 * travels in ICMPv6 too (types 133-137, see {@link NeighborDiscoveryView}).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Rest of header: echo identifier + sequence, MTU (packet too  |
 * |  big), pointer (parameter problem), ND flags, or unused       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Body: quoted packet (errors), echo data, ND target + options |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class Icmpv6View {
    public static final int HEADER_LENGTH = 8;

    public static final int TYPE_OFFSET = 0;
    public static final int CODE_OFFSET = 1;
    public static final int CHECKSUM_OFFSET = 2;
    public static final int REST_OFFSET = 4;
    /** Where the body starts: the quoted packet of an error, the data of an echo. */
    public static final int BODY_OFFSET = 8;

    /** Error types (RFC 4443 section 3). */
    public static final int TYPE_DEST_UNREACH = 1;
    public static final int TYPE_PACKET_TOO_BIG = 2;
    public static final int TYPE_TIME_EXCEEDED = 3;
    public static final int TYPE_PARAM_PROBLEM = 4;
    /** Informational types (RFC 4443 section 4). */
    public static final int TYPE_ECHO_REQUEST = 128;
    public static final int TYPE_ECHO_REPLY = 129;
    /** Neighbor discovery types (RFC 4861 section 4). */
    public static final int TYPE_ROUTER_SOLICIT = 133;
    public static final int TYPE_ROUTER_ADVERT = 134;
    public static final int TYPE_NEIGHBOR_SOLICIT = 135;
    public static final int TYPE_NEIGHBOR_ADVERT = 136;
    public static final int TYPE_REDIRECT = 137;

    /** Codes for {@link #TYPE_DEST_UNREACH}. */
    public static final int CODE_NO_ROUTE = 0;
    public static final int CODE_ADMIN_PROHIBITED = 1;
    public static final int CODE_BEYOND_SCOPE = 2;
    public static final int CODE_ADDR_UNREACH = 3;
    public static final int CODE_PORT_UNREACH = 4;
    public static final int CODE_POLICY_FAILED = 5;
    public static final int CODE_REJECT_ROUTE = 6;
    /** Codes for {@link #TYPE_TIME_EXCEEDED}. */
    public static final int CODE_HOP_LIMIT_EXCEEDED = 0;
    public static final int CODE_REASSEMBLY_TIME_EXCEEDED = 1;
    /** Codes for {@link #TYPE_PARAM_PROBLEM}. */
    public static final int CODE_BAD_HEADER_FIELD = 0;
    public static final int CODE_UNKNOWN_NEXT_HEADER = 1;
    public static final int CODE_UNKNOWN_OPTION = 2;

    /** The smallest link MTU IPv6 allows (RFC 8200 section 5); an error message never exceeds it. */
    public static final int MIN_MTU = 1280;

    private MemorySegment segment;
    private long offset;

    /** Points this view at the header starting at {@code offset}; no bounds check (see {@link #validate}). */
    public Icmpv6View wrap(MemorySegment segment, long offset) {
        this.segment = segment;
        this.offset = offset;
        return this;
    }

    public MemorySegment segment() {
        return segment;
    }

    public long offset() {
        return offset;
    }

    public int type() {
        return NetworkOrder.u8(segment, offset + TYPE_OFFSET);
    }

    public Icmpv6View type(int type) {
        NetworkOrder.u8(segment, offset + TYPE_OFFSET, type);
        return this;
    }

    public int code() {
        return NetworkOrder.u8(segment, offset + CODE_OFFSET);
    }

    public Icmpv6View code(int code) {
        NetworkOrder.u8(segment, offset + CODE_OFFSET, code);
        return this;
    }

    public int checksum() {
        return NetworkOrder.u16(segment, offset + CHECKSUM_OFFSET);
    }

    public Icmpv6View checksum(int checksum) {
        NetworkOrder.u16(segment, offset + CHECKSUM_OFFSET, checksum);
        return this;
    }

    /** The type-specific second word, raw. */
    public int restOfHeader() {
        return NetworkOrder.u32(segment, offset + REST_OFFSET);
    }

    public Icmpv6View restOfHeader(int rest) {
        NetworkOrder.u32(segment, offset + REST_OFFSET, rest);
        return this;
    }

    /** Echo identifier: high half of the rest of header. */
    public int identifier() {
        return NetworkOrder.u16(segment, offset + REST_OFFSET);
    }

    /** Echo sequence number: low half of the rest of header. */
    public int sequence() {
        return NetworkOrder.u16(segment, offset + REST_OFFSET + 2);
    }

    /** The MTU a packet-too-big message reports: the whole rest of header (32 bits, unlike ICMP's 16). */
    public int mtu() {
        return restOfHeader();
    }

    /** Byte offset into the quoted packet where a parameter problem was found: the whole rest of header. */
    public int pointer() {
        return restOfHeader();
    }

    /** Where the body (quoted packet, echo data, ND target) starts in the segment. */
    public long bodyOffset() {
        return offset + BODY_OFFSET;
    }

    /** True for an error message (type below 128), the only ICMPv6 that IPVS ties to connections. */
    public boolean isError() {
        return isError(type());
    }

    public static boolean isError(int type) {
        return type < 128;
    }

    /**
     * The checksum over {@code icmpLength} bytes from the header on plus the pseudo-header, computed as if the field
     * were zero.
     */
    public int computeChecksum(int icmpLength, long srcHi, long srcLo, long dstHi, long dstLo) {
        return Checksum.icmpv6(segment, offset, icmpLength, srcHi, srcLo, dstHi, dstLo);
    }

    /** Recomputes and stores the checksum over {@code icmpLength} bytes. */
    public void updateChecksum(int icmpLength, long srcHi, long srcLo, long dstHi, long dstLo) {
        checksum(computeChecksum(icmpLength, srcHi, srcLo, dstHi, dstLo));
    }

    /** True when the message of {@code icmpLength} bytes, checksum and pseudo-header included, sums to 0xffff. */
    public boolean checksumValid(int icmpLength, long srcHi, long srcLo, long dstHi, long dstLo) {
        return Checksum.l4Ipv6Valid(segment, offset, icmpLength, srcHi, srcLo, dstHi, dstLo, Ipv6View.NEXT_ICMPV6);
    }

    /** Returns {@link PacketError#OK} or {@link PacketError#TRUNCATED_ICMPV6}; reads nothing. */
    public static int validate(MemorySegment segment, long offset, long available) {
        return NetworkOrder.readable(segment, offset, available) < HEADER_LENGTH
                ? PacketError.TRUNCATED_ICMPV6
                : PacketError.OK;
    }
}
