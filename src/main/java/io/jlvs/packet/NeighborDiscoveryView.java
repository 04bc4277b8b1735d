package io.jlvs.packet;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over an IPv6 neighbor solicitation or advertisement (RFC 4861 sections 4.3, 4.4), the IPv6 ARP: wrapped
 * at the ICMPv6 header, so type, code and checksum are those of {@link Icmpv6View}. A solicitation asks "who has
 * target?" (multicast to the target's solicited-node group, {@link #solicitedNodeLo}), carrying the asker's MAC in a
 * source link-layer address option; an advertisement answers with the target's MAC in a target link-layer address
 * option. The advertisement's flags: R = sender is a router, S = answers a solicitation, O = override a cached MAC.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Type 135/136 |     Code 0    |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |R|S|O|                     Reserved (0 in a solicitation)      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                                                               |
 * +                  Target Address (targetHi, targetLo)          +
 * |                                                               |
 * +                                                               +
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Option type  | Length (x 8)  |   Link-layer address (6 bytes |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
 * |      on Ethernet; option type 1 = source, 2 = target)         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class NeighborDiscoveryView {
    /** Header, flags word and target: the shortest valid message (RFC 4861 section 7.1: 24 or more octets). */
    public static final int MIN_LENGTH = 24;
    /** A message with one Ethernet link-layer address option, as jlvs sends them. */
    public static final int LENGTH_WITH_LL_OPTION = 32;

    public static final int FLAGS_OFFSET = 4;
    public static final int TARGET_OFFSET = 8;
    public static final int OPTIONS_OFFSET = 24;

    public static final int FLAG_ROUTER = 0x8000_0000;
    public static final int FLAG_SOLICITED = 0x4000_0000;
    public static final int FLAG_OVERRIDE = 0x2000_0000;

    public static final int OPTION_SOURCE_LL_ADDR = 1;
    public static final int OPTION_TARGET_LL_ADDR = 2;
    /** Bytes of a link-layer address option for Ethernet (length field 1). */
    public static final int LL_OPTION_LENGTH = 8;

    /** ND messages arrive with hop limit 255 or are discarded: proof that no router forwarded them (section 7.1). */
    public static final int REQUIRED_HOP_LIMIT = 255;
    /** Returned when the option sought is absent. */
    public static final long NO_MAC = -1L;

    /** High half of every solicited-node multicast address, ff02::1:ff00:0/104. */
    public static final long SOLICITED_NODE_HI = 0xff02_0000_0000_0000L;
    private static final long SOLICITED_NODE_LO = 0x0000_0001_ff00_0000L;

    private MemorySegment segment;
    private long offset;

    /** Points this view at the ICMPv6 header starting at {@code offset}; no bounds check (see {@link #validate}). */
    public NeighborDiscoveryView wrap(MemorySegment segment, long offset) {
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

    /** {@link Icmpv6View#TYPE_NEIGHBOR_SOLICIT} or {@link Icmpv6View#TYPE_NEIGHBOR_ADVERT} once validated. */
    public int type() {
        return NetworkOrder.u8(segment, offset + Icmpv6View.TYPE_OFFSET);
    }

    public boolean isSolicitation() {
        return type() == Icmpv6View.TYPE_NEIGHBOR_SOLICIT;
    }

    public boolean isAdvertisement() {
        return type() == Icmpv6View.TYPE_NEIGHBOR_ADVERT;
    }

    public long targetHi() {
        return segment.get(Ipv6View.U64, offset + TARGET_OFFSET);
    }

    public long targetLo() {
        return segment.get(Ipv6View.U64, offset + TARGET_OFFSET + 8);
    }

    public NeighborDiscoveryView target(long hi, long lo) {
        segment.set(Ipv6View.U64, offset + TARGET_OFFSET, hi);
        segment.set(Ipv6View.U64, offset + TARGET_OFFSET + 8, lo);
        return this;
    }

    /** The raw flags/reserved word (R, S, O in the top bits). */
    public int flags() {
        return NetworkOrder.u32(segment, offset + FLAGS_OFFSET);
    }

    public NeighborDiscoveryView flags(int flags) {
        NetworkOrder.u32(segment, offset + FLAGS_OFFSET, flags);
        return this;
    }

    public boolean router() {
        return (flags() & FLAG_ROUTER) != 0;
    }

    public NeighborDiscoveryView router(boolean router) {
        return flags(router ? flags() | FLAG_ROUTER : flags() & ~FLAG_ROUTER);
    }

    public boolean solicited() {
        return (flags() & FLAG_SOLICITED) != 0;
    }

    public NeighborDiscoveryView solicited(boolean solicited) {
        return flags(solicited ? flags() | FLAG_SOLICITED : flags() & ~FLAG_SOLICITED);
    }

    public boolean override() {
        return (flags() & FLAG_OVERRIDE) != 0;
    }

    public NeighborDiscoveryView override(boolean override) {
        return flags(override ? flags() | FLAG_OVERRIDE : flags() & ~FLAG_OVERRIDE);
    }

    /**
     * The MAC in the first option of {@code optionType} within {@code icmpLength} bytes, or {@link #NO_MAC}. Options
     * shorter than an Ethernet address option, and everything after a malformed (zero-length) option, are ignored.
     */
    public long linkLayerAddress(int optionType, int icmpLength) {
        long at = offset + OPTIONS_OFFSET;
        long end = offset + Math.min(icmpLength, segment.byteSize() - offset);
        while (at + 2 <= end) {
            int length = NetworkOrder.u8(segment, at + 1) << 3;
            if (length == 0 || at + length > end) {
                return NO_MAC;
            }
            if (NetworkOrder.u8(segment, at) == optionType && length >= LL_OPTION_LENGTH) {
                return NetworkOrder.u48(segment, at + 2);
            }
            at += length;
        }
        return NO_MAC;
    }

    /** The asker's MAC in a solicitation; {@link #NO_MAC} when absent (always so from the unspecified address). */
    public long sourceLinkLayerAddress(int icmpLength) {
        return linkLayerAddress(OPTION_SOURCE_LL_ADDR, icmpLength);
    }

    /** The target's MAC in an advertisement; {@link #NO_MAC} when absent. */
    public long targetLinkLayerAddress(int icmpLength) {
        return linkLayerAddress(OPTION_TARGET_LL_ADDR, icmpLength);
    }

    // ---------------------------------------------------------------------------------------------- writing

    /**
     * Writes a solicitation for the target with a source link-layer address option carrying {@code sourceMac}:
     * {@link #LENGTH_WITH_LL_OPTION} bytes, checksum field 0 until {@link #updateChecksum}.
     */
    public NeighborDiscoveryView initSolicitation(long targetHi, long targetLo, long sourceMac) {
        writeHeader(Icmpv6View.TYPE_NEIGHBOR_SOLICIT, 0, targetHi, targetLo);
        return linkLayerOption(OPTION_SOURCE_LL_ADDR, sourceMac);
    }

    /**
     * Writes an advertisement of {@code flags} (for an answer {@link #FLAG_SOLICITED} | {@link #FLAG_OVERRIDE}) for
     * the target with a target link-layer address option carrying {@code targetMac}: {@link #LENGTH_WITH_LL_OPTION}
     * bytes, checksum field 0 until {@link #updateChecksum}.
     */
    public NeighborDiscoveryView initAdvertisement(int flags, long targetHi, long targetLo, long targetMac) {
        writeHeader(Icmpv6View.TYPE_NEIGHBOR_ADVERT, flags, targetHi, targetLo);
        return linkLayerOption(OPTION_TARGET_LL_ADDR, targetMac);
    }

    private void writeHeader(int type, int flags, long targetHi, long targetLo) {
        NetworkOrder.u8(segment, offset + Icmpv6View.TYPE_OFFSET, type);
        NetworkOrder.u8(segment, offset + Icmpv6View.CODE_OFFSET, 0);
        NetworkOrder.u16(segment, offset + Icmpv6View.CHECKSUM_OFFSET, 0);
        flags(flags);
        target(targetHi, targetLo);
    }

    /** Writes one Ethernet link-layer address option right after the target. */
    public NeighborDiscoveryView linkLayerOption(int optionType, long mac) {
        NetworkOrder.u8(segment, offset + OPTIONS_OFFSET, optionType);
        NetworkOrder.u8(segment, offset + OPTIONS_OFFSET + 1, LL_OPTION_LENGTH >>> 3);
        NetworkOrder.u48(segment, offset + OPTIONS_OFFSET + 2, mac);
        return this;
    }

    /** Computes and stores the ICMPv6 checksum of a message of {@code icmpLength} bytes between these addresses. */
    public void updateChecksum(int icmpLength, long srcHi, long srcLo, long dstHi, long dstLo) {
        NetworkOrder.u16(segment, offset + Icmpv6View.CHECKSUM_OFFSET,
                Checksum.icmpv6(segment, offset, icmpLength, srcHi, srcLo, dstHi, dstLo));
    }

    // ---------------------------------------------------------------------------------------------- validation

    /**
     * The checks of RFC 4861 sections 7.1.1 and 7.1.2 that need only the message; {@code available} is the ICMPv6
     * length (IPv6 payload after extension headers), capped by the segment's end. Returns {@link PacketError#OK},
     * {@link PacketError#TRUNCATED_ICMPV6} (fewer than 24 bytes) or {@link PacketError#BAD_ND}: not a solicitation or
     * advertisement, code not 0, multicast target, or an option of length 0 or running past the end.
     *
     * <p>The caller still checks what needs the IPv6 header: hop limit {@link #REQUIRED_HOP_LIMIT}, the checksum
     * ({@link Icmpv6View#checksumValid}), a solicitation from {@code ::} going to a solicited-node group without a
     * source address option, an advertisement to a multicast address with S clear.
     */
    public static int validate(MemorySegment segment, long offset, long available) {
        long readable = NetworkOrder.readable(segment, offset, available);
        if (readable < MIN_LENGTH) {
            return PacketError.TRUNCATED_ICMPV6;
        }
        int type = NetworkOrder.u8(segment, offset + Icmpv6View.TYPE_OFFSET);
        if (type != Icmpv6View.TYPE_NEIGHBOR_SOLICIT && type != Icmpv6View.TYPE_NEIGHBOR_ADVERT) {
            return PacketError.BAD_ND;
        }
        if (NetworkOrder.u8(segment, offset + Icmpv6View.CODE_OFFSET) != 0) {
            return PacketError.BAD_ND;
        }
        if (Ipv6View.isMulticast(segment.get(Ipv6View.U64, offset + TARGET_OFFSET))) {
            return PacketError.BAD_ND;
        }
        long at = OPTIONS_OFFSET;
        while (at < readable) {
            if (at + 2 > readable) {
                return PacketError.BAD_ND;
            }
            int length = NetworkOrder.u8(segment, offset + at + 1) << 3;
            if (length == 0 || at + length > readable) {
                return PacketError.BAD_ND;
            }
            at += length;
        }
        return PacketError.OK;
    }

    /** Low half of the solicited-node multicast address of a target (ff02::1:ff + its last 24 bits), RFC 4291 2.7.1. */
    public static long solicitedNodeLo(long targetLo) {
        return SOLICITED_NODE_LO | (targetLo & 0xff_ffffL);
    }
}
