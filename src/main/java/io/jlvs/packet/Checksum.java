package io.jlvs.packet;

import java.lang.foreign.MemorySegment;

/**
 * The Internet checksum (RFC 1071) and its incremental update (RFC 1624), allocation free.
 *
 * <p>Sums are kept as an unfolded {@code long}: big-endian 16-bit words added up with carries left in the high bits,
 * so several ranges (pseudo-header, header, payload) can be chained through the {@code initial} argument and folded
 * once. Adding 32-bit words instead of 16-bit ones gives the same folded value because 2^16 = 1 (mod 0xffff).
 *
 * <p>Two kinds of checksum field appear on the data plane:
 *
 * <ul>
 *   <li><b>complete</b>: the complemented folded sum, as sent on the wire ({@link #finish}); updated with {@link
 *       #update16}/{@link #update32};
 *   <li><b>partial</b> ({@code CHECKSUM_PARTIAL} in Linux, {@code VIRTIO_NET_HDR_F_NEEDS_CSUM} in a virtio_net_hdr):
 *       the field holds the <em>non-complemented</em> folded pseudo-header sum, and the NIC or kernel adds the
 *       L4 header and payload later; updated with {@link #updatePartial32}.
 * </ul>
 */
public final class Checksum {
    /** Offset of the checksum field in a TCP header. */
    private static final int TCP_CHECKSUM_OFFSET = 16;
    /** Offset of the checksum field in a UDP header. */
    private static final int UDP_CHECKSUM_OFFSET = 6;
    /** Offset of the checksum field in an ICMPv6 header. */
    private static final int ICMPV6_CHECKSUM_OFFSET = 2;

    private Checksum() {}

    /**
     * Adds {@code length} bytes from {@code offset} to {@code initial} as big-endian 16-bit words; an odd last byte is
     * padded with a zero byte (RFC 1071). Nothing is added for {@code length <= 0}. {@code initial} must be below
     * 2^62 (a pseudo-header sum or an earlier result). The result is only meaningful once folded: words are added
     * four bytes at a time, so the raw value differs from a 16-bit word sum with the same fold.
     */
    public static long sum(MemorySegment seg, long offset, int length, long initial) {
        long acc = initial;
        long pos = offset;
        long end4 = offset + (length & ~3);
        while (pos < end4) {
            acc += seg.get(NetworkOrder.U32, pos) & 0xffff_ffffL;
            pos += 4;
        }
        int rest = length & 3;
        if (length > 0 && rest >= 2) {
            acc += seg.get(NetworkOrder.U16, pos) & 0xffff;
            pos += 2;
            rest -= 2;
        }
        if (length > 0 && rest == 1) {
            acc += (NetworkOrder.u8(seg, pos)) << 8;
        }
        return acc;
    }

    /**
     * Folds a sum to 16 bits with end-around carry, not complemented. A non-zero sum never folds to 0 (it folds to
     * 0xffff, one's-complement "-0"); only 0 folds to 0.
     */
    public static int fold(long sum) {
        long s = sum;
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }

    /** The value for a complete checksum field: {@code ~fold(sum) & 0xffff}. */
    public static int finish(long sum) {
        return ~fold(sum) & 0xffff;
    }

    /** Unfolded sum of the IPv4 pseudo-header (RFC 793 / RFC 768): addresses, zero, protocol, L4 length. */
    public static long pseudoHeaderIpv4(int src, int dst, int proto, int l4Length) {
        return (long) (src >>> 16)
                + (src & 0xffff)
                + (dst >>> 16)
                + (dst & 0xffff)
                + (proto & 0xff)
                + (l4Length & 0xffff);
    }

    /**
     * The complete TCP or UDP checksum over IPv4 to store in the field, computed as if the field were zero (its
     * current content is ignored, so the caller need not clear it). The field sits at offset 16 for {@link
     * Ipv4View#PROTO_TCP}, 6 for {@link Ipv4View#PROTO_UDP}; for another protocol nothing is skipped. For UDP use
     * {@link #udpIpv4}, which applies the "0 is sent as 0xffff" rule.
     */
    public static int tcpUdpIpv4(MemorySegment seg, long l4Offset, int l4Length, int src, int dst, int proto) {
        int fieldOffset = proto == Ipv4View.PROTO_UDP
                ? UDP_CHECKSUM_OFFSET
                : proto == Ipv4View.PROTO_TCP ? TCP_CHECKSUM_OFFSET : -1;
        long s = sum(seg, l4Offset, l4Length, pseudoHeaderIpv4(src, dst, proto, l4Length));
        if (fieldOffset >= 0 && l4Length >= fieldOffset + 2) {
            // Adding ~field is subtracting field in one's complement: the same as summing with the field zero.
            s += ~NetworkOrder.u16(seg, l4Offset + fieldOffset) & 0xffff;
        }
        return finish(s);
    }

    /**
     * The complete UDP checksum over IPv4 to store: as {@link #tcpUdpIpv4} but a computed 0 becomes 0xffff, because 0
     * in a UDP header means "no checksum" (RFC 768; Linux {@code CSUM_MANGLED_0}).
     */
    public static int udpIpv4(MemorySegment seg, long l4Offset, int l4Length, int src, int dst) {
        return udpNonZero(tcpUdpIpv4(seg, l4Offset, l4Length, src, dst, Ipv4View.PROTO_UDP));
    }

    /** Maps a computed UDP checksum of 0 to 0xffff (the same value in one's complement); other values unchanged. */
    public static int udpNonZero(int checksum) {
        return checksum == 0 ? 0xffff : checksum;
    }

    /**
     * True when a received TCP/UDP segment over IPv4 carries a correct complete checksum: the sum over pseudo-header
     * and segment, field included, folds to 0xffff. A UDP checksum of 0 ("none") counts as correct. A frame from a
     * local sender with TX offload holds a partial checksum and fails this check; look at the virtio_net_hdr first.
     */
    public static boolean l4Ipv4Valid(MemorySegment seg, long l4Offset, int l4Length, int src, int dst, int proto) {
        if (proto == Ipv4View.PROTO_UDP
                && l4Length >= UDP_CHECKSUM_OFFSET + 2
                && NetworkOrder.u16(seg, l4Offset + UDP_CHECKSUM_OFFSET) == 0) {
            return true;
        }
        return fold(sum(seg, l4Offset, l4Length, pseudoHeaderIpv4(src, dst, proto, l4Length))) == 0xffff;
    }

    /**
     * Incremental update of a complete checksum field after a 16-bit word of the covered data changed from {@code
     * oldValue} to {@code newValue}: RFC 1624 eqn. 3, {@code HC' = ~(~HC + ~m + m')}. Eqn. 3 (not eqn. 2) is what
     * gives the same result as a full recomputation: it never turns a sum into one's-complement -0 (0x0000 in the
     * field) where a full computation gives +0 (0xffff), or the other way round. Linux: {@code csum_replace2}.
     */
    public static int update16(int checksum, int oldValue, int newValue) {
        long s = (~checksum & 0xffff) + (~oldValue & 0xffff) + (newValue & 0xffff);
        return ~fold(s) & 0xffff;
    }

    /**
     * As {@link #update16} for a 32-bit field (an address) made of two covered 16-bit words. Linux: {@code
     * csum_replace4}, or {@code inet_proto_csum_replace4(..., pseudohdr=true)} on a {@code CHECKSUM_COMPLETE}/{@code
     * CHECKSUM_NONE} skb when the address is in the pseudo-header. For UDP pass the result through {@link
     * #udpNonZero}, and leave a UDP checksum of 0 alone (or compute it in full).
     */
    public static int update32(int checksum, int oldValue, int newValue) {
        long s = (~checksum & 0xffff)
                + (~oldValue >>> 16) + (~oldValue & 0xffff)
                + (newValue >>> 16) + (newValue & 0xffff);
        return ~fold(s) & 0xffff;
    }

    /**
     * Update of a <em>partial</em> checksum field (the non-complemented folded pseudo-header sum) after an address in
     * the pseudo-header changed: {@code fold(partial - old + new)} in one's complement. This is what Linux's {@code
     * inet_proto_csum_replace4(sum, skb, from, to, pseudohdr=true)} does for a {@code CHECKSUM_PARTIAL} skb: {@code
     * *sum = ~csum_fold(csum_add(csum_sub(csum_unfold(*sum), from), to))}, i.e. the field stays non-complemented
     * ({@code csum_fold} complements, the outer {@code ~} undoes it). Ports are not in the pseudo-header, so a port
     * rewrite leaves a partial checksum untouched: the device sums the new port when it completes the checksum.
     */
    public static int updatePartial32(int partial, int oldValue, int newValue) {
        long s = (partial & 0xffff)
                + (~oldValue >>> 16) + (~oldValue & 0xffff)
                + (newValue >>> 16) + (newValue & 0xffff);
        return fold(s);
    }

    // ---------------------------------------------------------------------------------------------- IPv6

    /**
     * Unfolded sum of the IPv6 pseudo-header (RFC 8200 section 8.1): source and destination addresses (two longs each,
     * high half first), the 32-bit upper-layer length and the next header value of the upper layer (6, 17, 58), not
     * of an extension header. The routing header's final destination is the caller's business (jlvs never routes by
     * source). The result is below 2^37, fit for {@code initial} of {@link #sum}.
     */
    public static long pseudoHeaderIpv6(long srcHi, long srcLo, long dstHi, long dstLo, int nextHeader,
                                        int upperLength) {
        return halves(srcHi) + halves(srcLo) + halves(dstHi) + halves(dstLo)
                + (upperLength & 0xffff_ffffL)
                + (nextHeader & 0xff);
    }

    /**
     * The complete checksum over IPv6 to store in a TCP, UDP or ICMPv6 header ({@code nextHeader} 6, 17 or 58), as
     * if the field were zero (its content is ignored). ICMPv6, unlike ICMP, covers the pseudo-header too. For UDP
     * use {@link #udpIpv6}; for another protocol nothing is skipped.
     */
    public static int l4Ipv6(MemorySegment seg, long l4Offset, int l4Length,
                             long srcHi, long srcLo, long dstHi, long dstLo, int nextHeader) {
        int fieldOffset = switch (nextHeader) {
            case Ipv6View.NEXT_TCP -> TCP_CHECKSUM_OFFSET;
            case Ipv6View.NEXT_UDP -> UDP_CHECKSUM_OFFSET;
            case Ipv6View.NEXT_ICMPV6 -> ICMPV6_CHECKSUM_OFFSET;
            default -> -1;
        };
        long s = sum(seg, l4Offset, l4Length, pseudoHeaderIpv6(srcHi, srcLo, dstHi, dstLo, nextHeader, l4Length));
        if (fieldOffset >= 0 && l4Length >= fieldOffset + 2) {
            s += ~NetworkOrder.u16(seg, l4Offset + fieldOffset) & 0xffff;
        }
        return finish(s);
    }

    /**
     * The complete UDP checksum over IPv6: as {@link #l4Ipv6} with a computed 0 sent as 0xffff. Over IPv6 the UDP
     * checksum is mandatory (RFC 8200 section 8.1): 0 is never "none".
     */
    public static int udpIpv6(MemorySegment seg, long l4Offset, int l4Length,
                              long srcHi, long srcLo, long dstHi, long dstLo) {
        return udpNonZero(l4Ipv6(seg, l4Offset, l4Length, srcHi, srcLo, dstHi, dstLo, Ipv6View.NEXT_UDP));
    }

    /** The ICMPv6 checksum (RFC 4443 section 2.3) of {@code icmpLength} bytes: {@link #l4Ipv6} with 58. */
    public static int icmpv6(MemorySegment seg, long icmpOffset, int icmpLength,
                             long srcHi, long srcLo, long dstHi, long dstLo) {
        return l4Ipv6(seg, icmpOffset, icmpLength, srcHi, srcLo, dstHi, dstLo, Ipv6View.NEXT_ICMPV6);
    }

    /**
     * True when a received TCP, UDP or ICMPv6 message over IPv6 carries a correct complete checksum (the sum with the
     * field folds to 0xffff). A UDP checksum of 0 is wrong over IPv6, as Linux's {@code udp6} decides unless a tunnel
     * asked otherwise. As with IPv4, a frame from a local sender with TX offload holds a partial checksum and fails.
     */
    public static boolean l4Ipv6Valid(MemorySegment seg, long l4Offset, int l4Length,
                                      long srcHi, long srcLo, long dstHi, long dstLo, int nextHeader) {
        if (nextHeader == Ipv6View.NEXT_UDP
                && l4Length >= UDP_CHECKSUM_OFFSET + 2
                && NetworkOrder.u16(seg, l4Offset + UDP_CHECKSUM_OFFSET) == 0) {
            return false;
        }
        long pseudo = pseudoHeaderIpv6(srcHi, srcLo, dstHi, dstLo, nextHeader, l4Length);
        return fold(sum(seg, l4Offset, l4Length, pseudo)) == 0xffff;
    }

    /**
     * Incremental update of a complete checksum field after a 128-bit IPv6 address in the pseudo-header changed
     * (NAT of an IPv6 packet): RFC 1624 eqn. 3 over the eight 16-bit words, as {@link #update32} over two. Linux:
     * {@code inet_proto_csum_replace16(..., pseudohdr=true)} on a complete checksum. For UDP pass the result through
     * {@link #udpNonZero}.
     */
    public static int update128(int checksum, long oldHi, long oldLo, long newHi, long newLo) {
        long s = (~checksum & 0xffff)
                + halves(~oldHi) + halves(~oldLo)
                + halves(newHi) + halves(newLo);
        return ~fold(s) & 0xffff;
    }

    /**
     * Update of a <em>partial</em> checksum field (non-complemented folded pseudo-header sum) after a 128-bit address
     * changed: {@code fold(partial - old + new)}, what Linux's {@code inet_proto_csum_replace16(..., pseudohdr=true)}
     * does on a {@code CHECKSUM_PARTIAL} skb. See {@link #updatePartial32}.
     */
    public static int updatePartial128(int partial, long oldHi, long oldLo, long newHi, long newLo) {
        long s = (partial & 0xffff)
                + halves(~oldHi) + halves(~oldLo)
                + halves(newHi) + halves(newLo);
        return fold(s);
    }

    /** The two 32-bit halves of {@code v} added: the same folded value as its four 16-bit words added. */
    private static long halves(long v) {
        return (v >>> 32) + (v & 0xffff_ffffL);
    }
}
