package io.jlvs.packet;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over the IPv6 fragment header (RFC 8200 section 4.5), always 8 bytes. Unlike IPv4, only the source
 * fragments, so a fragment header means the sender split the packet; only the first fragment (offset 0) carries the
 * upper-layer header. An "atomic fragment" (offset 0, M clear) is a whole packet (RFC 6946).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Next Header  |   Reserved    |      Fragment Offset    |Res|M|
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         Identification                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  fragment offset in 8-byte units; M = more fragments
 * </pre>
 */
public final class Ipv6FragmentView {
    public static final int LENGTH = 8;

    public static final int NEXT_HEADER_OFFSET = 0;
    public static final int RESERVED_OFFSET = 1;
    public static final int FRAGMENT_OFFSET_OFFSET = 2;
    public static final int IDENTIFICATION_OFFSET = 4;

    /** Bits of the offset/flags word: the offset sits in the top 13 bits, M in the lowest. */
    public static final int OFFSET_MASK = 0xfff8;
    public static final int FLAG_M = 0x0001;

    private MemorySegment segment;
    private long offset;

    /** Points this view at the header starting at {@code offset}; no bounds check (see {@link #validate}). */
    public Ipv6FragmentView wrap(MemorySegment segment, long offset) {
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

    public int nextHeader() {
        return NetworkOrder.u8(segment, offset + NEXT_HEADER_OFFSET);
    }

    public Ipv6FragmentView nextHeader(int nextHeader) {
        NetworkOrder.u8(segment, offset + NEXT_HEADER_OFFSET, nextHeader);
        return this;
    }

    /** Fragment offset in 8-byte units, as in the header. */
    public int fragmentOffset() {
        return NetworkOrder.u16(segment, offset + FRAGMENT_OFFSET_OFFSET) >>> 3;
    }

    public Ipv6FragmentView fragmentOffset(int offsetUnits) {
        int w = NetworkOrder.u16(segment, offset + FRAGMENT_OFFSET_OFFSET);
        NetworkOrder.u16(segment, offset + FRAGMENT_OFFSET_OFFSET,
                (w & ~OFFSET_MASK) | ((offsetUnits << 3) & OFFSET_MASK));
        return this;
    }

    public boolean moreFragments() {
        return (NetworkOrder.u16(segment, offset + FRAGMENT_OFFSET_OFFSET) & FLAG_M) != 0;
    }

    public Ipv6FragmentView moreFragments(boolean more) {
        int w = NetworkOrder.u16(segment, offset + FRAGMENT_OFFSET_OFFSET);
        NetworkOrder.u16(segment, offset + FRAGMENT_OFFSET_OFFSET, more ? w | FLAG_M : w & ~FLAG_M);
        return this;
    }

    public int identification() {
        return NetworkOrder.u32(segment, offset + IDENTIFICATION_OFFSET);
    }

    public Ipv6FragmentView identification(int identification) {
        NetworkOrder.u32(segment, offset + IDENTIFICATION_OFFSET, identification);
        return this;
    }

    /** True for the fragment that carries the upper-layer header (offset 0). */
    public boolean isFirst() {
        return fragmentOffset() == 0;
    }

    /** True for offset 0 with M clear: a whole packet behind a fragment header (RFC 6946), no reassembly needed. */
    public boolean isAtomic() {
        return (NetworkOrder.u16(segment, offset + FRAGMENT_OFFSET_OFFSET) & (OFFSET_MASK | FLAG_M)) == 0;
    }

    /** Returns {@link PacketError#OK} or {@link PacketError#TRUNCATED_IPV6}; reads nothing. */
    public static int validate(MemorySegment segment, long offset, long available) {
        return NetworkOrder.readable(segment, offset, available) < LENGTH
                ? PacketError.TRUNCATED_IPV6
                : PacketError.OK;
    }
}
