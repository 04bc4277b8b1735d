package io.jlvs.vrrp;

import io.jlvs.packet.Checksum;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The VRRP checksum conventions keepalived uses (vrrp.md §3): v2 over the message alone; v3 over a pseudo-header and
 * the message — IPv4 {@code src | dst | 0 | 112 | length(2)} (unless {@code v3_checksum_as_v2}), IPv6 the RFC 2460
 * pseudo-header {@code src | dst | length(4) | 0 0 0 | 112}.
 */
public final class VrrpChecksum {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private VrrpChecksum() {}

    /**
     * Unfolded pseudo-header sum for a v3 message of {@code length} bytes from {@code src} to {@code dst} (4 or 16
     * bytes each); 0 for v2 or with {@code asV2}.
     */
    public static long pseudoHeader(int version, byte[] src, byte[] dst, int length, boolean asV2) {
        if (version == 2 || (asV2 && src.length == 4)) {
            return 0;
        }
        return words(src) + words(dst) + VrrpPackets.PROTO_VRRP + (length & 0xffff) + ((long) length >>> 16);
    }

    /** The value for the checksum field: computed as if the field were zero, whatever it holds. */
    public static int compute(MemorySegment seg, long vrrpOffset, int length, long pseudoHeaderSum) {
        long sum = Checksum.sum(seg, vrrpOffset, length, pseudoHeaderSum);
        sum += ~seg.get(U16, vrrpOffset + VrrpAdvertView.CHECKSUM_OFFSET) & 0xffff;
        return Checksum.finish(sum);
    }

    /** True when the message with its checksum field sums, with the pseudo-header, to 0xffff. */
    public static boolean valid(MemorySegment seg, long vrrpOffset, int length, long pseudoHeaderSum) {
        return Checksum.fold(Checksum.sum(seg, vrrpOffset, length, pseudoHeaderSum)) == 0xffff;
    }

    private static long words(byte[] address) {
        long s = 0;
        for (int i = 0; i < address.length; i += 2) {
            s += ((address[i] & 0xff) << 8) | (address[i + 1] & 0xff);
        }
        return s;
    }
}
