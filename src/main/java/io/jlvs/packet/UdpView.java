package io.jlvs.packet;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over a UDP header (RFC 768). A checksum of 0 means "none" over IPv4; a computed 0 is sent as 0xffff (see
 * {@link Checksum#udpIpv4}).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |            Length             |           Checksum            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class UdpView {
    public static final int HEADER_LENGTH = 8;

    public static final int SRC_PORT_OFFSET = 0;
    public static final int DST_PORT_OFFSET = 2;
    public static final int LENGTH_OFFSET = 4;
    public static final int CHECKSUM_OFFSET = 6;

    private MemorySegment segment;
    private long offset;

    /** Points this view at the header starting at {@code offset}; no bounds check (see {@link #validate}). */
    public UdpView wrap(MemorySegment segment, long offset) {
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

    public UdpView srcPort(int port) {
        NetworkOrder.u16(segment, offset + SRC_PORT_OFFSET, port);
        return this;
    }

    public int dstPort() {
        return NetworkOrder.u16(segment, offset + DST_PORT_OFFSET);
    }

    public UdpView dstPort(int port) {
        NetworkOrder.u16(segment, offset + DST_PORT_OFFSET, port);
        return this;
    }

    /** Header plus payload in bytes. */
    public int length() {
        return NetworkOrder.u16(segment, offset + LENGTH_OFFSET);
    }

    public UdpView length(int lengthBytes) {
        NetworkOrder.u16(segment, offset + LENGTH_OFFSET, lengthBytes);
        return this;
    }

    public int checksum() {
        return NetworkOrder.u16(segment, offset + CHECKSUM_OFFSET);
    }

    public UdpView checksum(int checksum) {
        NetworkOrder.u16(segment, offset + CHECKSUM_OFFSET, checksum);
        return this;
    }

    /**
     * Checks that a UDP header can be read and its length trusted; {@code available} is the L4 length the IPv4 header
     * gives, capped by the segment's end. Returns {@link PacketError#OK}, {@link PacketError#TRUNCATED_UDP} (fewer than
     * 8 bytes, or fewer than the UDP length) or {@link PacketError#BAD_UDP_LENGTH} (length below 8). A UDP length
     * shorter than the IP payload is allowed (the rest is padding, as in Linux); the checksum is not verified.
     */
    public static int validate(MemorySegment segment, long offset, long available) {
        long readable = NetworkOrder.readable(segment, offset, available);
        if (readable < HEADER_LENGTH) {
            return PacketError.TRUNCATED_UDP;
        }
        int length = NetworkOrder.u16(segment, offset + LENGTH_OFFSET);
        if (length < HEADER_LENGTH) {
            return PacketError.BAD_UDP_LENGTH;
        }
        if (readable < length) {
            return PacketError.TRUNCATED_UDP;
        }
        return PacketError.OK;
    }
}
