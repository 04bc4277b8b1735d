package io.jlvs.packet;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Big-endian (network order) field access shared by the header views. Unaligned layouts because headers sit at
 * arbitrary offsets in a frame (the IPv4 header starts at 14, or 24 behind a virtio_net_hdr).
 */
final class NetworkOrder {
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private NetworkOrder() {}

    static int u8(MemorySegment segment, long offset) {
        return segment.get(ValueLayout.JAVA_BYTE, offset) & 0xff;
    }

    static void u8(MemorySegment segment, long offset, int value) {
        segment.set(ValueLayout.JAVA_BYTE, offset, (byte) value);
    }

    static int u16(MemorySegment segment, long offset) {
        return segment.get(U16, offset) & 0xffff;
    }

    static void u16(MemorySegment segment, long offset, int value) {
        segment.set(U16, offset, (short) value);
    }

    static int u32(MemorySegment segment, long offset) {
        return segment.get(U32, offset);
    }

    static void u32(MemorySegment segment, long offset, int value) {
        segment.set(U32, offset, value);
    }

    /** A 48-bit MAC address: two bytes then four, high bits first. */
    static long u48(MemorySegment segment, long offset) {
        return ((long) u16(segment, offset) << 32) | (u32(segment, offset + 2) & 0xffff_ffffL);
    }

    static void u48(MemorySegment segment, long offset, long value) {
        u16(segment, offset, (int) (value >>> 32));
        u32(segment, offset + 2, (int) value);
    }

    /** Bytes that really are readable from {@code offset}: the smaller of what the caller claims and the segment. */
    static long readable(MemorySegment segment, long offset, long available) {
        if (offset < 0) {
            return -1;
        }
        return Math.min(available, segment.byteSize() - offset);
    }
}
