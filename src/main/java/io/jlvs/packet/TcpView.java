package io.jlvs.packet;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over a TCP header (RFC 9293). Sequence and acknowledgement numbers are returned as {@code int} holding the
 * 32 bits; compare them with serial arithmetic ({@code a - b < 0}), never as signed values.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Sequence Number                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Acknowledgment Number                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data |       |C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 * |       |       |R|E|G|K|H|T|N|N|                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Checksum            |         Urgent Pointer        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  Options (data offset > 5)                    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class TcpView {
    public static final int MIN_HEADER_LENGTH = 20;

    public static final int SRC_PORT_OFFSET = 0;
    public static final int DST_PORT_OFFSET = 2;
    public static final int SEQ_OFFSET = 4;
    public static final int ACK_OFFSET = 8;
    public static final int DATA_OFFSET_OFFSET = 12;
    public static final int FLAGS_OFFSET = 13;
    public static final int WINDOW_OFFSET = 14;
    public static final int CHECKSUM_OFFSET = 16;
    public static final int URGENT_POINTER_OFFSET = 18;

    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;

    private MemorySegment segment;
    private long offset;

    /** Points this view at the header starting at {@code offset}; no bounds check (see {@link #validate}). */
    public TcpView wrap(MemorySegment segment, long offset) {
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

    public int srcPort() {
        return NetworkOrder.u16(segment, offset + SRC_PORT_OFFSET);
    }

    public TcpView srcPort(int port) {
        NetworkOrder.u16(segment, offset + SRC_PORT_OFFSET, port);
        return this;
    }

    public int dstPort() {
        return NetworkOrder.u16(segment, offset + DST_PORT_OFFSET);
    }

    public TcpView dstPort(int port) {
        NetworkOrder.u16(segment, offset + DST_PORT_OFFSET, port);
        return this;
    }

    public int seq() {
        return NetworkOrder.u32(segment, offset + SEQ_OFFSET);
    }

    public TcpView seq(int seq) {
        NetworkOrder.u32(segment, offset + SEQ_OFFSET, seq);
        return this;
    }

    public int ack() {
        return NetworkOrder.u32(segment, offset + ACK_OFFSET);
    }

    public TcpView ack(int ack) {
        NetworkOrder.u32(segment, offset + ACK_OFFSET, ack);
        return this;
    }

    /** Header length in 32-bit words, as in the header. */
    public int dataOffset() {
        return NetworkOrder.u8(segment, offset + DATA_OFFSET_OFFSET) >>> 4;
    }

    /** Sets the data offset (32-bit words), keeping the reserved bits that share its byte. */
    public TcpView dataOffset(int words) {
        int b = NetworkOrder.u8(segment, offset + DATA_OFFSET_OFFSET);
        NetworkOrder.u8(segment, offset + DATA_OFFSET_OFFSET, ((words & 0x0f) << 4) | (b & 0x0f));
        return this;
    }

    /** Header length in bytes ({@code dataOffset * 4}); where the payload starts. */
    public int headerLength() {
        return dataOffset() << 2;
    }

    /** The eight flag bits (CWR..FIN). */
    public int flags() {
        return NetworkOrder.u8(segment, offset + FLAGS_OFFSET);
    }

    public TcpView flags(int flags) {
        NetworkOrder.u8(segment, offset + FLAGS_OFFSET, flags);
        return this;
    }

    /** True when every bit of {@code mask} is set. */
    public boolean hasFlags(int mask) {
        return (flags() & mask) == mask;
    }

    public int window() {
        return NetworkOrder.u16(segment, offset + WINDOW_OFFSET);
    }

    public TcpView window(int window) {
        NetworkOrder.u16(segment, offset + WINDOW_OFFSET, window);
        return this;
    }

    public int checksum() {
        return NetworkOrder.u16(segment, offset + CHECKSUM_OFFSET);
    }

    public TcpView checksum(int checksum) {
        NetworkOrder.u16(segment, offset + CHECKSUM_OFFSET, checksum);
        return this;
    }

    public int urgentPointer() {
        return NetworkOrder.u16(segment, offset + URGENT_POINTER_OFFSET);
    }

    public TcpView urgentPointer(int urgentPointer) {
        NetworkOrder.u16(segment, offset + URGENT_POINTER_OFFSET, urgentPointer);
        return this;
    }

    /**
     * Checks that a TCP header can be read; {@code available} is the L4 length the IPv4 header gives ({@code
     * totalLength - ihl * 4}), capped by the segment's end. Returns {@link PacketError#OK}, {@link
     * PacketError#TRUNCATED_TCP} (fewer than 20 bytes, or fewer than {@code dataOffset * 4}) or {@link
     * PacketError#BAD_TCP_DATA_OFFSET} (data offset below 5). The checksum is not verified: frames from local senders
     * carry partial checksums.
     */
    public static int validate(MemorySegment segment, long offset, long available) {
        long readable = NetworkOrder.readable(segment, offset, available);
        if (readable < MIN_HEADER_LENGTH) {
            return PacketError.TRUNCATED_TCP;
        }
        int headerLength = (NetworkOrder.u8(segment, offset + DATA_OFFSET_OFFSET) >>> 4) << 2;
        if (headerLength < MIN_HEADER_LENGTH) {
            return PacketError.BAD_TCP_DATA_OFFSET;
        }
        if (readable < headerLength) {
            return PacketError.TRUNCATED_TCP;
        }
        return PacketError.OK;
    }
}
