package io.jlvs.packet;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Flyweight over the 10-byte {@code struct virtio_net_hdr} that precedes every frame read from or written to an
 * AF_PACKET socket with {@code PACKET_VNET_HDR}. It carries the offload state of the frame: a GSO super-frame's
 * segment size, and for a partial checksum ({@link #F_NEEDS_CSUM}) where the device must finish it. Unlike every other
 * header here its 16-bit fields are in <b>host</b> byte order (little-endian on x86-64 and arm64), because AF_PACKET
 * fills it with {@code virtio_net_hdr_from_skb(..., little_endian = host)}.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Flags     |   GSO type    |     Header length (host)      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |       GSO size (host)         |    Checksum start (host)      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |    Checksum offset (host)     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  Checksum start: from the start of the Ethernet frame to the L4 header.
 *  Checksum offset: from checksum start to the checksum field (TCP 16, UDP 6).
 * </pre>
 */
public final class VnetHeaderView {
    public static final int LENGTH = 10;

    public static final int FLAGS_OFFSET = 0;
    public static final int GSO_TYPE_OFFSET = 1;
    public static final int HDR_LEN_OFFSET = 2;
    public static final int GSO_SIZE_OFFSET = 4;
    public static final int CSUM_START_OFFSET = 6;
    public static final int CSUM_OFFSET_OFFSET = 8;

    /** The L4 checksum field holds only the pseudo-header sum; the device completes it. */
    public static final int F_NEEDS_CSUM = 1;
    /** The checksum was verified by the device (receive side). */
    public static final int F_DATA_VALID = 2;

    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    public static final int GSO_UDP = 3;
    public static final int GSO_TCPV6 = 4;
    public static final int GSO_UDP_L4 = 5;
    /** Bit or-ed into the GSO type: the TCP stream uses ECN (CWR must be set on the first segment only). */
    public static final int GSO_ECN = 0x80;

    private static final ValueLayout.OfShort HOST_U16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.nativeOrder());

    private MemorySegment segment;
    private long offset;

    /** Points this view at the header starting at {@code offset} (usually 0 of a frame buffer). */
    public VnetHeaderView wrap(MemorySegment segment, long offset) {
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

    public int flags() {
        return NetworkOrder.u8(segment, offset + FLAGS_OFFSET);
    }

    public VnetHeaderView flags(int flags) {
        NetworkOrder.u8(segment, offset + FLAGS_OFFSET, flags);
        return this;
    }

    /** True when the frame's L4 checksum is partial ({@link #F_NEEDS_CSUM}). */
    public boolean needsCsum() {
        return (flags() & F_NEEDS_CSUM) != 0;
    }

    public int gsoType() {
        return NetworkOrder.u8(segment, offset + GSO_TYPE_OFFSET);
    }

    public VnetHeaderView gsoType(int gsoType) {
        NetworkOrder.u8(segment, offset + GSO_TYPE_OFFSET, gsoType);
        return this;
    }

    /** Bytes of headers (Ethernet to end of L4 header) in a GSO frame; a hint, 0 when not GSO. */
    public int hdrLen() {
        return hostU16(HDR_LEN_OFFSET);
    }

    public VnetHeaderView hdrLen(int hdrLenBytes) {
        return hostU16(HDR_LEN_OFFSET, hdrLenBytes);
    }

    /** Payload bytes per segment the super-frame is cut into (the MSS for TCP). */
    public int gsoSize() {
        return hostU16(GSO_SIZE_OFFSET);
    }

    public VnetHeaderView gsoSize(int gsoSizeBytes) {
        return hostU16(GSO_SIZE_OFFSET, gsoSizeBytes);
    }

    public int csumStart() {
        return hostU16(CSUM_START_OFFSET);
    }

    public VnetHeaderView csumStart(int csumStart) {
        return hostU16(CSUM_START_OFFSET, csumStart);
    }

    public int csumOffset() {
        return hostU16(CSUM_OFFSET_OFFSET);
    }

    public VnetHeaderView csumOffset(int csumOffset) {
        return hostU16(CSUM_OFFSET_OFFSET, csumOffset);
    }

    /** Zeroes all fields: a plain frame with a complete checksum and no GSO. */
    public VnetHeaderView clear() {
        // Two plain stores rather than asSlice().fill(): no slice object on the packet path.
        segment.set(ValueLayout.JAVA_LONG_UNALIGNED, offset, 0L);
        segment.set(ValueLayout.JAVA_SHORT_UNALIGNED, offset + 8, (short) 0);
        return this;
    }

    private int hostU16(int field) {
        return segment.get(HOST_U16, offset + field) & 0xffff;
    }

    private VnetHeaderView hostU16(int field, int value) {
        segment.set(HOST_U16, offset + field, (short) value);
        return this;
    }
}
