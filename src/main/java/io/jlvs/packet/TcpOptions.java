package io.jlvs.packet;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Reading and writing the TCP options a SYN proxy deals with (RFC 9293 section 3.2, RFC 7323, RFC 2018).
 * <pre>
 *  MSS             | kind=2 | len=4 | MSS (2)                      |
 *  window scale    | kind=3 | len=3 | shift (1)                    |
 *  SACK permitted  | kind=4 | len=2 |
 *  SACK            | kind=5 | len=2+8n | n × (left edge (4), right edge (4)) |
 *  NOP             | kind=1 |            end of list | kind=0 |
 * </pre>
 * A malformed list is read up to its first bad option; nothing here throws. Allocation-free.
 */
public final class TcpOptions {
    public static final int KIND_END = 0;
    public static final int KIND_NOP = 1;
    public static final int KIND_MSS = 2;
    public static final int KIND_WINDOW_SCALE = 3;
    public static final int KIND_SACK_PERMITTED = 4;
    public static final int KIND_SACK = 5;

    /** {@link #parseSyn} result bits: MSS in the low 16 bits (0 = none). */
    public static final int MSS_MASK = 0xffff;
    public static final int SACK_PERMITTED = 1 << 16;
    public static final int HAS_WINDOW_SCALE = 1 << 17;
    private static final int WINDOW_SCALE_SHIFT = 18;

    /** Bytes {@link #writeSynOptions} writes: MSS, NOP NOP SACK-permitted, NOP window scale. */
    public static final int SYN_OPTIONS_LENGTH = 12;

    private static final ValueLayout.OfShort NET_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt NET_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private TcpOptions() {
    }

    /** The MSS, SACK-permitted and window scale options of the TCP header at {@code tcp}, packed. */
    public static int parseSyn(MemorySegment seg, long tcp, int headerLength) {
        int result = 0;
        long end = tcp + headerLength;
        for (long opt = option(seg, tcp + TcpView.MIN_HEADER_LENGTH, end); opt >= 0;
             opt = option(seg, opt + length(seg, opt), end)) {
            int kind = Byte.toUnsignedInt(seg.get(ValueLayout.JAVA_BYTE, opt));
            int len = length(seg, opt);
            if (kind == KIND_MSS && len == 4) {
                result = (result & ~MSS_MASK) | Short.toUnsignedInt(seg.get(NET_SHORT, opt + 2));
            } else if (kind == KIND_WINDOW_SCALE && len == 3) {
                int shift = Math.min(14, Byte.toUnsignedInt(seg.get(ValueLayout.JAVA_BYTE, opt + 2)));
                result |= HAS_WINDOW_SCALE | shift << WINDOW_SCALE_SHIFT;
            } else if (kind == KIND_SACK_PERMITTED && len == 2) {
                result |= SACK_PERMITTED;
            }
        }
        return result;
    }

    /**
     * The offset of the first option with a length byte at or after {@code opt} (NOPs skipped), or -1 at the
     * end of the options, at END, or at a malformed option (a truncated or impossible length ends the walk,
     * as in the kernel's tcp_parse_options).
     */
    private static long option(MemorySegment seg, long opt, long end) {
        while (opt < end) {
            int kind = Byte.toUnsignedInt(seg.get(ValueLayout.JAVA_BYTE, opt));
            if (kind == KIND_END) {
                return -1;
            }
            if (kind == KIND_NOP) {
                opt++;
                continue;
            }
            if (opt + 1 >= end) {
                return -1;
            }
            int len = Byte.toUnsignedInt(seg.get(ValueLayout.JAVA_BYTE, opt + 1));
            return len < 2 || opt + len > end ? -1 : opt;
        }
        return -1;
    }

    /** The length byte of the option at {@code opt} (one {@link #option} returned). */
    private static int length(MemorySegment seg, long opt) {
        return Byte.toUnsignedInt(seg.get(ValueLayout.JAVA_BYTE, opt + 1));
    }

    public static int mss(int parsed) {
        return parsed & MSS_MASK;
    }

    public static boolean sackPermitted(int parsed) {
        return (parsed & SACK_PERMITTED) != 0;
    }

    /** The window scale shift, or -1 when the SYN offered none. */
    public static int windowScale(int parsed) {
        return (parsed & HAS_WINDOW_SCALE) == 0 ? -1 : (parsed >>> WINDOW_SCALE_SHIFT) & 0xf;
    }

    /**
     * Writes {@value #SYN_OPTIONS_LENGTH} bytes at {@code at}: MSS, then SACK permitted (or two NOPs), then window
     * scale {@code windowScale} (or NOPs when it is -1), each aligned as Linux aligns them.
     */
    public static void writeSynOptions(MemorySegment seg, long at, int mss, boolean sackPermitted, int windowScale) {
        seg.set(ValueLayout.JAVA_BYTE, at, (byte) KIND_MSS);
        seg.set(ValueLayout.JAVA_BYTE, at + 1, (byte) 4);
        seg.set(NET_SHORT, at + 2, (short) mss);
        seg.set(ValueLayout.JAVA_BYTE, at + 4, (byte) KIND_NOP);
        seg.set(ValueLayout.JAVA_BYTE, at + 5, (byte) KIND_NOP);
        seg.set(ValueLayout.JAVA_BYTE, at + 6, (byte) (sackPermitted ? KIND_SACK_PERMITTED : KIND_NOP));
        seg.set(ValueLayout.JAVA_BYTE, at + 7, (byte) (sackPermitted ? 2 : KIND_NOP));
        seg.set(ValueLayout.JAVA_BYTE, at + 8, (byte) KIND_NOP);
        seg.set(ValueLayout.JAVA_BYTE, at + 9, (byte) (windowScale >= 0 ? KIND_WINDOW_SCALE : KIND_NOP));
        seg.set(ValueLayout.JAVA_BYTE, at + 10, (byte) (windowScale >= 0 ? 3 : KIND_NOP));
        seg.set(ValueLayout.JAVA_BYTE, at + 11, (byte) (windowScale >= 0 ? windowScale : KIND_NOP));
    }

    /**
     * Adds {@code delta} to every edge of the SACK blocks in the header at {@code tcp} (their sequence numbers are
     * the other side's, which a SYN proxy shifts) and returns the TCP checksum updated for them, incrementally
     * ({@code partial}: a partial checksum covers no option, it is returned unchanged).
     */
    public static int shiftSackBlocks(MemorySegment seg, long tcp, int headerLength, int delta, int checksum,
                                      boolean partial) {
        long end = tcp + headerLength;
        for (long opt = option(seg, tcp + TcpView.MIN_HEADER_LENGTH, end); opt >= 0;
             opt = option(seg, opt + length(seg, opt), end)) {
            int kind = Byte.toUnsignedInt(seg.get(ValueLayout.JAVA_BYTE, opt));
            int len = length(seg, opt);
            if (kind == KIND_SACK) {
                for (long edge = opt + 2; edge + 4 <= opt + len; edge += 4) {
                    int old = seg.get(NET_INT, edge);
                    int shifted = old + delta;
                    seg.set(NET_INT, edge, shifted);
                    if (!partial) {
                        checksum = Checksum.update32(checksum, old, shifted);
                    }
                }
            }
        }
        return checksum;
    }
}
