package io.jlvs.io.xdp;

import io.jlvs.packet.Checksum;
import io.jlvs.packet.VnetHeaderView;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * TCP/UDP checksums a local sender left for the hardware ({@code CHECKSUM_PARTIAL}), on AF_XDP.
 *
 * <p>A sender on the same host behind a veth hands its segments over with the checksum offloaded: the
 * field holds only the folded pseudo-header sum, not complemented ({@code ~tcp_v4_check(len, s, d, 0)}
 * in the kernel). AF_PACKET says so in the virtio_net_hdr; an XSK carries no such mark, so such a
 * frame would leave jlvs with a wrong checksum and the receiver would drop it. {@link #markIfPartial}
 * recognises the pattern on a received frame (a field equal to the pseudo-header sum — a complete
 * checksum matches it by chance once in 65,536 frames, and recomputing it then changes nothing) and
 * writes the virtio_net_hdr the kernel would have given ({@code NEEDS_CSUM}, start, offset), so the
 * forwarder updates the partial sum as it does for AF_PACKET; {@link #complete} finishes the sum in
 * software before the frame goes out of an XSK, as the kernel's {@code skb_checksum_help}. Frames from
 * a real NIC carry whole checksums and pass untouched. Allocation-free.
 */
public final class PartialChecksum {
    private static final ValueLayout.OfShort NET_SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt NET_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong NET_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort HOST_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final int ETH = 14;
    private static final int TCP = 6;
    private static final int UDP = 17;

    private PartialChecksum() {
    }

    /**
     * Marks the frame at {@code mac} ({@code length} bytes, its zeroed virtio_net_hdr at {@code vnet}) as
     * needing its checksum completed when its TCP/UDP checksum field holds the bare pseudo-header sum.
     *
     * @return whether it was marked
     */
    public static boolean markIfPartial(MemorySegment seg, long mac, int length, long vnet) {
        if (length < ETH + 20) {
            return false;
        }
        int type = Short.toUnsignedInt(seg.get(NET_SHORT, mac + 12));
        long l3 = mac + ETH;
        int proto;
        long l4;
        int l4Length;
        long pseudo;
        if (type == 0x0800) {
            int vihl = Byte.toUnsignedInt(seg.get(ValueLayout.JAVA_BYTE, l3));
            int ihl = (vihl & 0x0f) * 4;
            int total = Short.toUnsignedInt(seg.get(NET_SHORT, l3 + 2));
            int fragment = Short.toUnsignedInt(seg.get(NET_SHORT, l3 + 6)) & 0x3fff;
            if ((vihl >>> 4) != 4 || ihl < 20 || total < ihl || ETH + total > length || fragment != 0) {
                return false;
            }
            proto = Byte.toUnsignedInt(seg.get(ValueLayout.JAVA_BYTE, l3 + 9));
            l4 = l3 + ihl;
            l4Length = total - ihl;
            pseudo = Checksum.pseudoHeaderIpv4(seg.get(NET_INT, l3 + 12), seg.get(NET_INT, l3 + 16), proto, l4Length);
        } else if (type == 0x86DD) {
            if (length < ETH + 40) {
                return false;
            }
            int payload = Short.toUnsignedInt(seg.get(NET_SHORT, l3 + 4));
            if (ETH + 40 + payload > length) {
                return false;
            }
            proto = Byte.toUnsignedInt(seg.get(ValueLayout.JAVA_BYTE, l3 + 6)); // no extension headers
            l4 = l3 + 40;
            l4Length = payload;
            pseudo = Checksum.pseudoHeaderIpv6(seg.get(NET_LONG, l3 + 8), seg.get(NET_LONG, l3 + 16),
                    seg.get(NET_LONG, l3 + 24), seg.get(NET_LONG, l3 + 32), proto, l4Length);
        } else {
            return false;
        }
        int field;
        if (proto == TCP && l4Length >= 20) {
            field = 16;
        } else if (proto == UDP && l4Length >= 8) {
            field = 6;
        } else {
            return false;
        }
        int stored = Short.toUnsignedInt(seg.get(NET_SHORT, l4 + field));
        int folded = Checksum.fold(pseudo);
        if (stored != folded && !(proto == TCP && (stored ^ folded) == 0xffff && (stored == 0 || folded == 0))) {
            return false; // a whole checksum (or none, for UDP)
        }
        seg.set(ValueLayout.JAVA_BYTE, vnet + VnetHeaderView.FLAGS_OFFSET, (byte) VnetHeaderView.F_NEEDS_CSUM);
        seg.set(HOST_SHORT, vnet + VnetHeaderView.CSUM_START_OFFSET, (short) (l4 - mac));
        seg.set(HOST_SHORT, vnet + VnetHeaderView.CSUM_OFFSET_OFFSET, (short) field);
        return true;
    }

    /**
     * Completes the checksum of a frame whose virtio_net_hdr (at {@code vnet}, the frame right after it,
     * {@code frameLength} bytes) says {@code NEEDS_CSUM}: the field holds the partial sum, so the
     * checksum is the complement of the sum from {@code csum_start} to the end. Does nothing otherwise.
     */
    public static void complete(MemorySegment seg, long vnet, int frameLength) {
        if ((seg.get(ValueLayout.JAVA_BYTE, vnet + VnetHeaderView.FLAGS_OFFSET) & VnetHeaderView.F_NEEDS_CSUM) == 0) {
            return;
        }
        long mac = vnet + VnetHeaderView.LENGTH;
        int start = Short.toUnsignedInt(seg.get(HOST_SHORT, vnet + VnetHeaderView.CSUM_START_OFFSET));
        int offset = Short.toUnsignedInt(seg.get(HOST_SHORT, vnet + VnetHeaderView.CSUM_OFFSET_OFFSET));
        if (start + offset + 2 > frameLength) {
            return;
        }
        int sum = Checksum.finish(Checksum.sum(seg, mac + start, frameLength - start, 0));
        if (sum == 0 && offset == 6) {
            sum = 0xffff; // UDP: 0 means "no checksum"
        }
        seg.set(NET_SHORT, mac + start + offset, (short) sum);
        seg.set(ValueLayout.JAVA_BYTE, vnet + VnetHeaderView.FLAGS_OFFSET, (byte) 0);
        seg.set(HOST_SHORT, vnet + VnetHeaderView.CSUM_START_OFFSET, (short) 0);
        seg.set(HOST_SHORT, vnet + VnetHeaderView.CSUM_OFFSET_OFFSET, (short) 0);
    }
}
