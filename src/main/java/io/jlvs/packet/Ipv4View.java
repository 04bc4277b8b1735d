package io.jlvs.packet;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over an IPv4 header (RFC 791). Addresses are {@code int}s holding the 32 bits in network order (so
 * 192.0.2.1 is {@code 0xc0000201}). The {@code ...Update} helpers and {@link #decrementTtl()} rewrite a field and fix
 * the header checksum incrementally (RFC 1624) in one step, as the forwarding path does for every packet.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Version|  IHL  |    DSCP   |ECN|          Total Length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |         Identification        |0|D|M|     Fragment Offset     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                       Source Address                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Destination Address                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Options (IHL > 5)                          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  D = don't fragment, M = more fragments; fragment offset in 8-byte units
 * </pre>
 */
public final class Ipv4View {
    public static final int MIN_HEADER_LENGTH = 20;
    /** IHL is 4 bits of 32-bit words. */
    public static final int MAX_HEADER_LENGTH = 60;

    public static final int VERSION_IHL_OFFSET = 0;
    public static final int TOS_OFFSET = 1;
    public static final int TOTAL_LENGTH_OFFSET = 2;
    public static final int IDENTIFICATION_OFFSET = 4;
    public static final int FLAGS_FRAGMENT_OFFSET = 6;
    public static final int TTL_OFFSET = 8;
    public static final int PROTOCOL_OFFSET = 9;
    public static final int CHECKSUM_OFFSET = 10;
    public static final int SRC_ADDR_OFFSET = 12;
    public static final int DST_ADDR_OFFSET = 16;

    public static final int PROTO_ICMP = 1;
    public static final int PROTO_IPIP = 4;
    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;
    public static final int PROTO_GRE = 47;

    /** Bits of the flags/fragment-offset word. */
    public static final int FLAG_DF = 0x4000;
    public static final int FLAG_MF = 0x2000;
    public static final int FRAGMENT_OFFSET_MASK = 0x1fff;

    private MemorySegment segment;
    private long offset;

    /** Points this view at the header starting at {@code offset}; no bounds check (see {@link #validate}). */
    public Ipv4View wrap(MemorySegment segment, long offset) {
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

    public int version() {
        return NetworkOrder.u8(segment, offset + VERSION_IHL_OFFSET) >>> 4;
    }

    public Ipv4View version(int version) {
        int b = NetworkOrder.u8(segment, offset + VERSION_IHL_OFFSET);
        NetworkOrder.u8(segment, offset + VERSION_IHL_OFFSET, (version << 4) | (b & 0x0f));
        return this;
    }

    /** Header length in 32-bit words, as in the header. */
    public int ihl() {
        return NetworkOrder.u8(segment, offset + VERSION_IHL_OFFSET) & 0x0f;
    }

    public Ipv4View ihl(int ihl) {
        int b = NetworkOrder.u8(segment, offset + VERSION_IHL_OFFSET);
        NetworkOrder.u8(segment, offset + VERSION_IHL_OFFSET, (b & 0xf0) | (ihl & 0x0f));
        return this;
    }

    /** Header length in bytes ({@code ihl * 4}); where the L4 header starts. */
    public int headerLength() {
        return ihl() << 2;
    }

    /** The whole second byte: DSCP (6 bits) and ECN (2 bits). */
    public int tos() {
        return NetworkOrder.u8(segment, offset + TOS_OFFSET);
    }

    public Ipv4View tos(int tos) {
        NetworkOrder.u8(segment, offset + TOS_OFFSET, tos);
        return this;
    }

    public int dscp() {
        return tos() >>> 2;
    }

    public int ecn() {
        return tos() & 0x03;
    }

    /** Header plus payload in bytes; a frame may be longer (Ethernet padding), never shorter. */
    public int totalLength() {
        return NetworkOrder.u16(segment, offset + TOTAL_LENGTH_OFFSET);
    }

    public Ipv4View totalLength(int totalLengthBytes) {
        NetworkOrder.u16(segment, offset + TOTAL_LENGTH_OFFSET, totalLengthBytes);
        return this;
    }

    public int identification() {
        return NetworkOrder.u16(segment, offset + IDENTIFICATION_OFFSET);
    }

    public Ipv4View identification(int identification) {
        NetworkOrder.u16(segment, offset + IDENTIFICATION_OFFSET, identification);
        return this;
    }

    /** The raw flags/fragment-offset word. */
    public int flagsFragment() {
        return NetworkOrder.u16(segment, offset + FLAGS_FRAGMENT_OFFSET);
    }

    public Ipv4View flagsFragment(int word) {
        NetworkOrder.u16(segment, offset + FLAGS_FRAGMENT_OFFSET, word);
        return this;
    }

    public boolean dontFragment() {
        return (flagsFragment() & FLAG_DF) != 0;
    }

    public Ipv4View dontFragment(boolean df) {
        int w = flagsFragment();
        return flagsFragment(df ? w | FLAG_DF : w & ~FLAG_DF);
    }

    public boolean moreFragments() {
        return (flagsFragment() & FLAG_MF) != 0;
    }

    public Ipv4View moreFragments(boolean mf) {
        int w = flagsFragment();
        return flagsFragment(mf ? w | FLAG_MF : w & ~FLAG_MF);
    }

    /** Fragment offset in 8-byte units, as in the header. */
    public int fragmentOffset() {
        return flagsFragment() & FRAGMENT_OFFSET_MASK;
    }

    public Ipv4View fragmentOffset(int offsetUnits) {
        return flagsFragment((flagsFragment() & ~FRAGMENT_OFFSET_MASK) | (offsetUnits & FRAGMENT_OFFSET_MASK));
    }

    /** True for any fragment, first included: its L4 header is missing or its payload incomplete. */
    public boolean isFragment() {
        return (flagsFragment() & (FLAG_MF | FRAGMENT_OFFSET_MASK)) != 0;
    }

    public int ttl() {
        return NetworkOrder.u8(segment, offset + TTL_OFFSET);
    }

    public Ipv4View ttl(int ttl) {
        NetworkOrder.u8(segment, offset + TTL_OFFSET, ttl);
        return this;
    }

    public int protocol() {
        return NetworkOrder.u8(segment, offset + PROTOCOL_OFFSET);
    }

    public Ipv4View protocol(int protocol) {
        NetworkOrder.u8(segment, offset + PROTOCOL_OFFSET, protocol);
        return this;
    }

    public int headerChecksum() {
        return NetworkOrder.u16(segment, offset + CHECKSUM_OFFSET);
    }

    public Ipv4View headerChecksum(int checksum) {
        NetworkOrder.u16(segment, offset + CHECKSUM_OFFSET, checksum);
        return this;
    }

    public int srcAddr() {
        return NetworkOrder.u32(segment, offset + SRC_ADDR_OFFSET);
    }

    public Ipv4View srcAddr(int addr) {
        NetworkOrder.u32(segment, offset + SRC_ADDR_OFFSET, addr);
        return this;
    }

    public int dstAddr() {
        return NetworkOrder.u32(segment, offset + DST_ADDR_OFFSET);
    }

    public Ipv4View dstAddr(int addr) {
        NetworkOrder.u32(segment, offset + DST_ADDR_OFFSET, addr);
        return this;
    }

    /** Bytes after the header according to the header ({@code totalLength - headerLength}): the L4 length. */
    public int payloadLength() {
        return totalLength() - headerLength();
    }

    /** The header checksum over {@code ihl * 4} bytes, computed as if the checksum field were zero. */
    public int computeHeaderChecksum() {
        long s = Checksum.sum(segment, offset, headerLength(), 0);
        // Adding ~field subtracts the field: same folded value as summing with the field cleared.
        s += ~headerChecksum() & 0xffff;
        return Checksum.finish(s);
    }

    /** Recomputes and stores the header checksum in full (after building or rewriting many fields). */
    public void updateHeaderChecksum() {
        headerChecksum(computeHeaderChecksum());
    }

    /** True when the header, checksum included, sums to 0xffff. */
    public boolean headerChecksumValid() {
        return Checksum.fold(Checksum.sum(segment, offset, headerLength(), 0)) == 0xffff;
    }

    /**
     * Decrements the TTL and fixes the header checksum incrementally; returns the new TTL. The caller checks {@code
     * ttl() <= 1} first (ICMP time exceeded, drop): a TTL of 0 would wrap to 255.
     */
    public int decrementTtl() {
        // TTL is the high byte of the 16-bit word it shares with the protocol.
        int oldWord = NetworkOrder.u16(segment, offset + TTL_OFFSET);
        int newWord = oldWord - 0x100;
        NetworkOrder.u16(segment, offset + TTL_OFFSET, newWord);
        headerChecksum(Checksum.update16(headerChecksum(), oldWord, newWord & 0xffff));
        return (newWord >>> 8) & 0xff;
    }

    /**
     * Rewrites the source address and fixes the header checksum incrementally. The L4 checksum (pseudo-header) is the
     * caller's: read {@link #srcAddr()} first if it is needed.
     */
    public Ipv4View srcAddrUpdate(int newAddr) {
        int oldAddr = srcAddr();
        srcAddr(newAddr);
        return headerChecksum(Checksum.update32(headerChecksum(), oldAddr, newAddr));
    }

    /** As {@link #srcAddrUpdate} for the destination address. */
    public Ipv4View dstAddrUpdate(int newAddr) {
        int oldAddr = dstAddr();
        dstAddr(newAddr);
        return headerChecksum(Checksum.update32(headerChecksum(), oldAddr, newAddr));
    }

    /**
     * Checks that an IPv4 header can be read and its lengths trusted, in the order Linux's {@code ip_rcv_core} does;
     * {@code available} is the bytes of the frame from {@code offset} on (the segment's end caps it). Returns {@link
     * PacketError#OK} or one of:
     *
     * <ul>
     *   <li>{@link PacketError#TRUNCATED_IPV4}: fewer than 20 bytes, fewer than {@code ihl * 4}, or fewer than the total
     *       length;
     *   <li>{@link PacketError#BAD_IPV4_VERSION}: version is not 4;
     *   <li>{@link PacketError#BAD_IPV4_IHL}: ihl below 5;
     *   <li>{@link PacketError#BAD_IPV4_TOTAL_LENGTH}: total length below the header length.
     * </ul>
     *
     * The header checksum is not verified here, nor is anything about fragments.
     */
    public static int validate(MemorySegment segment, long offset, long available) {
        long readable = NetworkOrder.readable(segment, offset, available);
        if (readable < MIN_HEADER_LENGTH) {
            return PacketError.TRUNCATED_IPV4;
        }
        int versionIhl = NetworkOrder.u8(segment, offset + VERSION_IHL_OFFSET);
        if ((versionIhl >>> 4) != 4) {
            return PacketError.BAD_IPV4_VERSION;
        }
        int headerLength = (versionIhl & 0x0f) << 2;
        if (headerLength < MIN_HEADER_LENGTH) {
            return PacketError.BAD_IPV4_IHL;
        }
        if (readable < headerLength) {
            return PacketError.TRUNCATED_IPV4;
        }
        int totalLength = NetworkOrder.u16(segment, offset + TOTAL_LENGTH_OFFSET);
        if (totalLength < headerLength) {
            return PacketError.BAD_IPV4_TOTAL_LENGTH;
        }
        if (readable < totalLength) {
            return PacketError.TRUNCATED_IPV4;
        }
        return PacketError.OK;
    }

    /** "192.0.2.1"; slow path, for logs and tests. */
    public static String addrToString(int addr) {
        return (addr >>> 24) + "." + ((addr >>> 16) & 0xff) + "." + ((addr >>> 8) & 0xff) + "." + (addr & 0xff);
    }

    /**
     * Parses a dotted quad of four decimal numbers 0..255; slow path.
     *
     * @throws IllegalArgumentException if the text is not such an address
     */
    public static int parseAddr(String text) {
        int addr = 0;
        int parts = 0;
        int value = -1;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : '.';
            if (c == '.') {
                if (value < 0 || ++parts > 4) {
                    throw new IllegalArgumentException("bad IPv4 address: text=" + text);
                }
                addr = (addr << 8) | value;
                value = -1;
            } else if (c >= '0' && c <= '9') {
                value = (value < 0 ? 0 : value * 10) + (c - '0');
                if (value > 255) {
                    throw new IllegalArgumentException("bad IPv4 address: text=" + text);
                }
            } else {
                throw new IllegalArgumentException("bad IPv4 address: text=" + text);
            }
        }
        if (parts != 4) {
            throw new IllegalArgumentException("bad IPv4 address: text=" + text);
        }
        return addr;
    }
}
