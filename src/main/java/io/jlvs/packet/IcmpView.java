package io.jlvs.packet;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over an ICMP header (RFC 792). The checksum covers the whole ICMP message with no pseudo-header. For
 * errors (destination unreachable, time exceeded) the payload is the offending IP header plus at least 8 bytes.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Type      |     Code      |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Rest of header: echo identifier + sequence, or unused +      |
 * |  next-hop MTU (fragmentation needed), or unused               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class IcmpView {
    public static final int HEADER_LENGTH = 8;

    public static final int TYPE_OFFSET = 0;
    public static final int CODE_OFFSET = 1;
    public static final int CHECKSUM_OFFSET = 2;
    public static final int REST_OFFSET = 4;

    public static final int TYPE_ECHO_REPLY = 0;
    public static final int TYPE_DEST_UNREACH = 3;
    public static final int TYPE_ECHO_REQUEST = 8;
    public static final int TYPE_TIME_EXCEEDED = 11;

    /** Codes for {@link #TYPE_DEST_UNREACH}. */
    public static final int CODE_NET_UNREACH = 0;
    public static final int CODE_HOST_UNREACH = 1;
    public static final int CODE_PROTO_UNREACH = 2;
    public static final int CODE_PORT_UNREACH = 3;
    public static final int CODE_FRAG_NEEDED = 4;
    /** Code for {@link #TYPE_TIME_EXCEEDED}: TTL reached 0 in transit. */
    public static final int CODE_TTL_EXCEEDED = 0;

    private MemorySegment segment;
    private long offset;

    /** Points this view at the header starting at {@code offset}; no bounds check (see {@link #validate}). */
    public IcmpView wrap(MemorySegment segment, long offset) {
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

    public IcmpView type(int type) {
        NetworkOrder.u8(segment, offset + TYPE_OFFSET, type);
        return this;
    }

    public int code() {
        return NetworkOrder.u8(segment, offset + CODE_OFFSET);
    }

    public IcmpView code(int code) {
        NetworkOrder.u8(segment, offset + CODE_OFFSET, code);
        return this;
    }

    public int checksum() {
        return NetworkOrder.u16(segment, offset + CHECKSUM_OFFSET);
    }

    public IcmpView checksum(int checksum) {
        NetworkOrder.u16(segment, offset + CHECKSUM_OFFSET, checksum);
        return this;
    }

    /** The type-specific second word, raw. */
    public int restOfHeader() {
        return NetworkOrder.u32(segment, offset + REST_OFFSET);
    }

    public IcmpView restOfHeader(int rest) {
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

    /** Next-hop MTU of a fragmentation-needed message (RFC 1191): low half of the rest of header. */
    public int nextHopMtu() {
        return NetworkOrder.u16(segment, offset + REST_OFFSET + 2);
    }

    /** The checksum over {@code icmpLength} bytes from the header on, computed as if the field were zero. */
    public int computeChecksum(int icmpLength) {
        long s = Checksum.sum(segment, offset, icmpLength, 0);
        s += ~checksum() & 0xffff;
        return Checksum.finish(s);
    }

    /** Recomputes and stores the checksum over {@code icmpLength} bytes. */
    public void updateChecksum(int icmpLength) {
        checksum(computeChecksum(icmpLength));
    }

    /** True when the message of {@code icmpLength} bytes, checksum included, sums to 0xffff. */
    public boolean checksumValid(int icmpLength) {
        return Checksum.fold(Checksum.sum(segment, offset, icmpLength, 0)) == 0xffff;
    }

    /** Returns {@link PacketError#OK} or {@link PacketError#TRUNCATED_ICMP}; reads nothing. */
    public static int validate(MemorySegment segment, long offset, long available) {
        return NetworkOrder.readable(segment, offset, available) < HEADER_LENGTH
                ? PacketError.TRUNCATED_ICMP
                : PacketError.OK;
    }
}
