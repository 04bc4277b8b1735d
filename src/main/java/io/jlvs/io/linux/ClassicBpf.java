package io.jlvs.io.linux;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A classic-BPF program decoded once and run in user space on an Ethernet frame, with the kernel's
 * meaning: a load outside the frame ends the program with 0, {@code SKF_NET_OFF} loads are relative to the
 * network header (14 bytes in), {@code SKF_AD_PROTOCOL} is the EtherType and {@code SKF_AD_PKTTYPE} the
 * caller's packet type.
 *
 * <p>Why: with several workers on AF_XDP, a frame arrives on whichever receive queue the NIC (or veth)
 * chose, and the worker that drives that queue must find the flow's owner exactly as the kernel's
 * {@code PACKET_FANOUT_CBPF} group does for the AF_PACKET path. Running the very same {@link FanoutFilter}
 * program here makes both paths agree by construction. It covers the opcodes jlvs's generators emit;
 * {@link #decode} refuses any other. {@link #run} allocates nothing; the scratch memory {@code M[]} is the
 * caller's (one per thread).
 */
public final class ClassicBpf {
    /** {@code struct sock_filter} size in bytes. */
    static final int INSN_BYTES = 8;
    private static final int NET_OFF = 0xfff00000;
    private static final int AD_PROTOCOL = 0xfffff000;
    private static final int AD_PKTTYPE = 0xfffff004;
    private static final int ETHERNET = 14;
    /** An out-of-frame load: the program ends with 0. */
    private static final long OUT = -1L;

    private final short[] code;
    private final byte[] jt;
    private final byte[] jf;
    private final int[] k;

    private ClassicBpf(short[] code, byte[] jt, byte[] jf, int[] k) {
        this.code = code;
        this.jt = jt;
        this.jf = jf;
        this.k = k;
    }

    /**
     * Decodes a {@code struct sock_filter[]}.
     *
     * @throws IllegalArgumentException for an opcode this interpreter does not run, a jump out of the
     *     program or a last instruction that is not a return
     */
    public static ClassicBpf decode(MemorySegment program) {
        int n = (int) (program.byteSize() / INSN_BYTES);
        if (n == 0 || n > SocketFilter.BPF_MAXINSNS) {
            throw new IllegalArgumentException("classic BPF: program of " + n + " instructions");
        }
        short[] code = new short[n];
        byte[] jt = new byte[n];
        byte[] jf = new byte[n];
        int[] k = new int[n];
        for (int pc = 0; pc < n; pc++) {
            long o = (long) INSN_BYTES * pc;
            code[pc] = program.get(JAVA_SHORT, o);
            jt[pc] = program.get(JAVA_BYTE, o + 2);
            jf[pc] = program.get(JAVA_BYTE, o + 3);
            k[pc] = program.get(JAVA_INT, o + 4);
            int c = Short.toUnsignedInt(code[pc]);
            if (!known(c)) {
                throw new IllegalArgumentException("classic BPF: opcode 0x" + Integer.toHexString(c) + " at " + pc);
            }
            long last = c == 0x05 ? pc + 1L + Integer.toUnsignedLong(k[pc])
                    : (c & 0x07) == 0x05 ? pc + 1L + Math.max(Byte.toUnsignedInt(jt[pc]), Byte.toUnsignedInt(jf[pc]))
                    : pc;
            if (last >= n) {
                throw new IllegalArgumentException("classic BPF: jump out of the program at " + pc);
            }
            if (c == 0x34 && k[pc] == 0) {
                throw new IllegalArgumentException("classic BPF: division by zero at " + pc);
            }
        }
        int lastCode = Short.toUnsignedInt(code[n - 1]);
        if (lastCode != 0x06 && lastCode != 0x16) {
            throw new IllegalArgumentException("classic BPF: the last instruction is not a return");
        }
        return new ClassicBpf(code, jt, jf, k);
    }

    private static boolean known(int c) {
        return switch (c) {
            case 0x20, 0x28, 0x30, 0x40, 0x48, 0x50, 0xb1, 0x61, 0x02, 0x03, 0x07, 0x87, 0x0c, 0x04, 0x14, 0x24,
                 0x34, 0x54, 0x64, 0x74, 0xac, 0x05, 0x15, 0x45, 0x35, 0x25, 0x06, 0x16 -> true;
            default -> false;
        };
    }

    /** Instructions in the program. */
    public int length() {
        return code.length;
    }

    /**
     * Runs the program on the Ethernet frame at {@code frame[offset, offset + length)}.
     *
     * @param pkttype what {@code SKF_AD_PKTTYPE} loads (0 = PACKET_HOST)
     * @param mem     16 ints of scratch memory
     * @return the program's return value (a socket filter's accepted length, a fanout program's worker)
     */
    public int run(MemorySegment frame, long offset, int length, int pkttype, int[] mem) {
        int a = 0;
        int x = 0;
        int pc = 0;
        while (true) {
            int c = code[pc] & 0xffff;
            int kk = k[pc];
            long v;
            switch (c) {
                case 0x20 -> {                                                      // ld [k] / #proto / #pkttype
                    v = kk == AD_PKTTYPE ? pkttype : kk == AD_PROTOCOL ? load(frame, offset, length, 12, 2)
                            : load(frame, offset, length, kk, 4);
                    if (v == OUT) {
                        return 0;
                    }
                    a = (int) v;
                }
                case 0x28, 0x30 -> {                                                // ldh [k] / ldb [k]
                    v = load(frame, offset, length, kk, c == 0x28 ? 2 : 1);
                    if (v == OUT) {
                        return 0;
                    }
                    a = (int) v;
                }
                case 0x40, 0x48, 0x50 -> {                                          // ld/ldh/ldb [x + k]
                    v = load(frame, offset, length, x + kk, c == 0x40 ? 4 : c == 0x48 ? 2 : 1);
                    if (v == OUT) {
                        return 0;
                    }
                    a = (int) v;
                }
                case 0xb1 -> {                                                      // ldxb 4*([k]&0xf)
                    v = load(frame, offset, length, kk, 1);
                    if (v == OUT) {
                        return 0;
                    }
                    x = 4 * ((int) v & 0xf);
                }
                case 0x61 -> x = mem[kk & 15];                                      // ldx M[k]
                case 0x02 -> mem[kk & 15] = a;                                      // st M[k]
                case 0x03 -> mem[kk & 15] = x;                                      // stx M[k]
                case 0x07 -> x = a;                                                 // tax
                case 0x87 -> a = x;                                                 // txa
                case 0x0c -> a += x;                                                // add x
                case 0x04 -> a += kk;                                               // add #k
                case 0x14 -> a -= kk;                                               // sub #k
                case 0x24 -> a *= kk;                                               // mul #k
                case 0x34 -> a = Integer.divideUnsigned(a, kk);                     // div #k
                case 0x54 -> a &= kk;                                               // and #k
                case 0x64 -> a <<= kk;                                              // lsh #k
                case 0x74 -> a >>>= kk;                                             // rsh #k
                case 0xac -> a ^= x;                                                // xor x
                case 0x05 -> pc += kk;                                              // ja
                case 0x15 -> pc += a == kk ? jt[pc] & 0xff : jf[pc] & 0xff;          // jeq
                case 0x45 -> pc += (a & kk) != 0 ? jt[pc] & 0xff : jf[pc] & 0xff;    // jset
                case 0x35 -> pc += Integer.compareUnsigned(a, kk) >= 0 ? jt[pc] & 0xff : jf[pc] & 0xff; // jge
                case 0x25 -> pc += Integer.compareUnsigned(a, kk) > 0 ? jt[pc] & 0xff : jf[pc] & 0xff;  // jgt
                case 0x06 -> {
                    return kk;                                                      // ret #k
                }
                case 0x16 -> {
                    return a;                                                       // ret a
                }
                default -> throw new IllegalStateException("classic BPF: opcode 0x" + Integer.toHexString(c));
            }
            pc++;
        }
    }

    /** A big-endian load of {@code size} bytes at {@code off} (absolute, or SKF_NET_OFF-relative); OUT if outside. */
    private static long load(MemorySegment f, long base, int length, int off, int size) {
        long at;
        if (off < 0 && off >= NET_OFF && off < NET_OFF + 0x10000) {
            at = (long) off - NET_OFF + ETHERNET;
        } else if (off >= 0) {
            at = off;
        } else {
            return OUT;
        }
        if (at + size > length) {
            return OUT;
        }
        return switch (size) {
            case 1 -> Byte.toUnsignedInt(f.get(JAVA_BYTE, base + at));
            case 2 -> (Byte.toUnsignedInt(f.get(JAVA_BYTE, base + at)) << 8) | Byte.toUnsignedInt(f.get(JAVA_BYTE, base + at + 1));
            default -> Integer.toUnsignedLong((Byte.toUnsignedInt(f.get(JAVA_BYTE, base + at)) << 24)
                    | (Byte.toUnsignedInt(f.get(JAVA_BYTE, base + at + 1)) << 16)
                    | (Byte.toUnsignedInt(f.get(JAVA_BYTE, base + at + 2)) << 8)
                    | Byte.toUnsignedInt(f.get(JAVA_BYTE, base + at + 3)));
        };
    }
}
