package io.jlvs.sync;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Consumer;

/**
 * The IPVS connection-sync message formats ({@code ip_vs_sync.c}); jlvs sends version 1 and reads
 * both, as the kernel does.
 * <pre>
 * v1 header (8):  | 0 reserved=0 | 1 syncid | 2-3 size (whole message) | 4 nr_conns | 5 version=1 | 6-7 spare=0 |
 * v1 IPv4 conn (36): | 0 type=0 | 1 protocol | 2-3 ver(4 bits)=0, size(12 bits)=36 |
 *                   | 4-7 flags | 8-9 state | 10-11 cport | 12-13 vport | 14-15 dport |
 *                   | 16-19 fwmark | 20-23 timeout (s) | 24-27 caddr | 28-31 vaddr | 32-35 daddr |
 * v1 IPv6 conn (72): | 0 type=1 (STYPE_F_INET6) | 1-23 as IPv4 (size=72) |
 *                   | 24-39 caddr | 40-55 vaddr | 56-71 daddr |
 * (either may be followed by options, type/length/data, within its size; jlvs reads and writes
 *  IPVS_OPT_SEQ_DATA (type 1, length 24) when flags has IN_SEQ/OUT_SEQ, and skips others:
 *  | in_seq: init_seq, delta, previous_delta (4 each) | out_seq: the same |; the entry is padded to 4 bytes)
 * v0 header (4):  | 0 nr_conns | 1 syncid | 2-3 size |
 * v0 conn (24):   | 0 reserved | 1 protocol | 2-3 cport | 4-5 vport | 6-7 dport | 8-11 caddr | 12-15 vaddr |
 *                 | 16-19 daddr | 20-21 flags | 22-23 state |  (+24 bytes of sequence data if flags has IN_SEQ/OUT_SEQ)
 * </pre>
 * All fields in network order. As the kernel's {@code ip_vs_process_message}, a v1 entry of an unknown
 * type, a version other than 0 or a size too small for its type ends the message. A resync request (jlvs's own extension, asking a master for its whole
 * table) is a v1 header with no entries and spare = {@link #RESYNC_MAGIC}: a kernel backup reads a
 * message whose spare is not 0 as version 0 with 0 connections, and ignores it.
 */
public final class SyncCodec {
    private SyncCodec() {}

    public static final int HEADER_V1 = 8;
    public static final int CONN_V1_IPV4 = 36;
    public static final int CONN_V1_IPV6 = 72;
    /** Type bit of an IPv6 entry ({@code STYPE_F_INET6}). */
    public static final int TYPE_INET6 = 1;
    public static final int RESYNC_MAGIC = 0x4a4c; // "JL"
    /** Flags the backup keeps from a v1 message: forwarding method, NOOUTPUT, INACTIVE, SEQ bits, NO_CPORT, TEMPLATE. */
    public static final int ACCEPTED_FLAGS = 0x7 | 0x80 | 0x100 | 0x200 | 0x400 | 0x800 | 0x1000;
    private static final int SEQ_FLAGS = 0x200 | 0x400;
    private static final int HASHED = 0x40;

    /** Writes a v1 header; entries follow with {@link #putEntry}; then {@link #finish}. */
    public static void begin(ByteBuffer b, int syncId) {
        b.clear().order(ByteOrder.BIG_ENDIAN);
        b.put((byte) 0).put((byte) syncId).putShort((short) 0).put((byte) 0).put((byte) 1).putShort((short) 0);
    }

    /** Whether {@code e} still fits the message being written. */
    public static boolean fits(ByteBuffer b, SyncEntry e) {
        return b.remaining() >= paddedSize(e);
    }

    /** {@code IPVS_OPT_SEQ_DATA}: type, then length 24 (two {@code struct ip_vs_seq}). */
    public static final int OPT_SEQ_DATA = 1;
    private static final int SEQ_DATA_LENGTH = 24;

    /** The entry's size field: the fixed part, plus the sequence option when it has one (unpadded). */
    private static int size(SyncEntry e) {
        return (e.ipv6() ? CONN_V1_IPV6 : CONN_V1_IPV4) + ((e.flags() & SEQ_FLAGS) != 0 ? 2 + SEQ_DATA_LENGTH : 0);
    }

    private static int paddedSize(SyncEntry e) {
        return (size(e) + 3) & ~3;
    }

    public static void putEntry(ByteBuffer b, SyncEntry e) {
        b.put((byte) (e.ipv6() ? TYPE_INET6 : 0)).put((byte) e.protocol()).putShort((short) size(e));
        b.putInt(e.flags() & ~HASHED & 0xffff).putShort((short) e.state()).putShort((short) e.cport())
                .putShort((short) e.vport()).putShort((short) e.dport()).putInt(e.fwmark()).putInt(e.timeoutS());
        if (e.ipv6()) {
            b.putLong(e.caddrHi()).putLong(e.caddrLo()).putLong(e.vaddrHi()).putLong(e.vaddrLo())
                    .putLong(e.daddrHi()).putLong(e.daddrLo());
        } else {
            b.putInt(e.caddr()).putInt(e.vaddr()).putInt(e.daddr());
        }
        if ((e.flags() & SEQ_FLAGS) != 0) {
            b.put((byte) OPT_SEQ_DATA).put((byte) SEQ_DATA_LENGTH);
            b.putInt(0).putInt(0).putInt(0); // in_seq: jlvs never changes the client's numbers
            b.putInt(0).putInt(e.outSeqDelta()).putInt(e.outSeqDelta()); // out_seq from the first byte on
            for (int pad = paddedSize(e) - size(e); pad > 0; pad--) {
                b.put((byte) 0);
            }
        }
        b.put(4, (byte) (Byte.toUnsignedInt(b.get(4)) + 1));
    }

    /** Sets the size field; the message is {@code b.flip()}ped and ready to send. */
    public static void finish(ByteBuffer b) {
        b.putShort(2, (short) b.position());
        b.flip();
    }

    public static int count(ByteBuffer b) {
        return Byte.toUnsignedInt(b.get(4));
    }

    public static void resyncRequest(ByteBuffer b, int syncId) {
        begin(b, syncId);
        b.putShort(6, (short) RESYNC_MAGIC);
        finish(b);
    }

    /** What decoding a message found. */
    public enum Result { OK, RESYNC_REQUEST, BAD_LENGTH, OTHER_SYNCID, BAD_ENTRY }

    /**
     * Decodes one message (v0 or v1), passing each acceptable entry (IPv4 or IPv6) to {@code sink}. {@code mySyncId}
     * 0 accepts every syncid. Malformed entries end the message (counted by the caller from the result).
     */
    public static Result decode(ByteBuffer b, int mySyncId, Consumer<SyncEntry> sink) {
        b.order(ByteOrder.BIG_ENDIAN);
        int len = b.remaining();
        if (len < 4) {
            return Result.BAD_LENGTH;
        }
        int base = b.position();
        int size = Short.toUnsignedInt(b.getShort(base + 2));
        if (size != len) {
            return Result.BAD_LENGTH;
        }
        int syncId = Byte.toUnsignedInt(b.get(base + 1));
        if (mySyncId != 0 && syncId != mySyncId) {
            return Result.OTHER_SYNCID;
        }
        boolean v1 = len >= HEADER_V1 && b.get(base) == 0 && b.get(base + 5) == 1 && b.getShort(base + 6) == 0;
        if (!v1 && len >= HEADER_V1 && b.get(base) == 0 && b.get(base + 5) == 1
                && Short.toUnsignedInt(b.getShort(base + 6)) == RESYNC_MAGIC) {
            return Result.RESYNC_REQUEST;
        }
        return v1 ? decodeV1(b, base, len, sink) : decodeV0(b, base, len, sink);
    }

    private static Result decodeV1(ByteBuffer b, int base, int len, Consumer<SyncEntry> sink) {
        int n = Byte.toUnsignedInt(b.get(base + 4));
        int p = base + HEADER_V1;
        for (int i = 0; i < n; i++) {
            if (p + 4 > base + len) {
                return Result.BAD_ENTRY;
            }
            int type = Byte.toUnsignedInt(b.get(p));
            int verSize = Short.toUnsignedInt(b.getShort(p + 2));
            int entrySize = verSize & 0xfff;
            boolean ipv6 = (type & TYPE_INET6) != 0;
            if ((!ipv6 && type != 0) || (verSize >>> 12) != 0 || entrySize < (ipv6 ? CONN_V1_IPV6 : CONN_V1_IPV4)
                    || p + entrySize > base + len) {
                return Result.BAD_ENTRY;
            }
            SyncEntry e = entryV1(b, p, ipv6);
            long delta = outSeqDelta(b, p + (ipv6 ? CONN_V1_IPV6 : CONN_V1_IPV4), p + entrySize);
            if (delta == NO_SEQ_DATA && (e.flags() & SEQ_FLAGS) != 0) {
                e = new SyncEntry(e.ipv6(), e.protocol(), e.flags() & ~SEQ_FLAGS, e.state(), e.cport(), e.vport(),
                        e.dport(), e.fwmark(), e.timeoutS(), e.caddrHi(), e.caddrLo(), e.vaddrHi(), e.vaddrLo(),
                        e.daddrHi(), e.daddrLo()); // SEQ flags without their data: nothing to shift by
            } else if ((e.flags() & SEQ_FLAGS) != 0) {
                e = new SyncEntry(e.ipv6(), e.protocol(), e.flags(), e.state(), e.cport(), e.vport(), e.dport(),
                        e.fwmark(), e.timeoutS(), e.caddrHi(), e.caddrLo(), e.vaddrHi(), e.vaddrLo(), e.daddrHi(),
                        e.daddrLo(), (int) delta);
            }
            sink.accept(e);
            p += (entrySize + 3) & ~3;
        }
        return Result.OK;
    }

    /** The fixed part of a v1 entry at {@code p}; the two types differ only in address width. */
    private static SyncEntry entryV1(ByteBuffer b, int p, boolean ipv6) {
        int protocol = Byte.toUnsignedInt(b.get(p + 1));
        int flags = b.getInt(p + 4) & ACCEPTED_FLAGS;
        int state = Short.toUnsignedInt(b.getShort(p + 8));
        int cport = Short.toUnsignedInt(b.getShort(p + 10));
        int vport = Short.toUnsignedInt(b.getShort(p + 12));
        int dport = Short.toUnsignedInt(b.getShort(p + 14));
        int fwmark = b.getInt(p + 16);
        int timeoutS = b.getInt(p + 20);
        if (!ipv6) {
            return new SyncEntry(protocol, flags, state, cport, vport, dport, fwmark, timeoutS, b.getInt(p + 24),
                    b.getInt(p + 28), b.getInt(p + 32));
        }
        return SyncEntry.ipv6(protocol, flags, state, cport, vport, dport, fwmark, timeoutS, b.getLong(p + 24),
                b.getLong(p + 32), b.getLong(p + 40), b.getLong(p + 48), b.getLong(p + 56), b.getLong(p + 64));
    }

    private static final long NO_SEQ_DATA = Long.MIN_VALUE;

    /** The out_seq delta of an IPVS_OPT_SEQ_DATA option among {@code [from, end)}, or {@link #NO_SEQ_DATA}. */
    private static long outSeqDelta(ByteBuffer b, int from, int end) {
        int p = from;
        while (p + 2 <= end) {
            int type = Byte.toUnsignedInt(b.get(p));
            int length = Byte.toUnsignedInt(b.get(p + 1));
            if (p + 2 + length > end) {
                break;
            }
            if (type == OPT_SEQ_DATA && length == SEQ_DATA_LENGTH) {
                return b.getInt(p + 2 + 12 + 4);
            }
            p += 2 + length;
        }
        return NO_SEQ_DATA;
    }

    private static Result decodeV0(ByteBuffer b, int base, int len, Consumer<SyncEntry> sink) {
        int n = Byte.toUnsignedInt(b.get(base));
        int p = base + 4;
        for (int i = 0; i < n; i++) {
            if (p + 24 > base + len) {
                return Result.BAD_ENTRY;
            }
            int flags = Short.toUnsignedInt(b.getShort(p + 20));
            sink.accept(new SyncEntry(Byte.toUnsignedInt(b.get(p + 1)), flags & ACCEPTED_FLAGS,
                    Short.toUnsignedInt(b.getShort(p + 22)), Short.toUnsignedInt(b.getShort(p + 2)),
                    Short.toUnsignedInt(b.getShort(p + 4)), Short.toUnsignedInt(b.getShort(p + 6)), 0, 0,
                    b.getInt(p + 8), b.getInt(p + 12), b.getInt(p + 16)));
            p += 24 + ((flags & SEQ_FLAGS) != 0 ? 24 : 0);
        }
        return Result.OK;
    }
}
