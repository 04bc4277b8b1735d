package io.jlvs.io.xdp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * A small assembler for the eBPF instructions jlvs's XDP program needs: 64-bit ALU, loads and
 * stores, conditional jumps to named labels, helper calls, exit and the two-slot {@code ld_imm64}
 * that loads a map by file descriptor ({@code BPF_PSEUDO_MAP_FD}). Control plane only.
 *
 * <pre>
 * struct bpf_insn (8 bytes, little endian)
 *  0               1               2               3
 * +---------------+-------+-------+-------------------------------+
 * | opcode        |src_reg|dst_reg|        offset (s16)           |
 * +---------------+-------+-------+-------------------------------+
 * |                       immediate (s32)                         |
 * +---------------------------------------------------------------+
 * opcode = operation | source (K: imm, X: src_reg) | class   (ALU, JMP)
 *        = mode | size | class                                (LD, LDX, ST, STX)
 * </pre>
 * The register byte holds {@code dst_reg} in its low nibble and {@code src_reg} in its high one.
 */
public final class BpfAssembler {
    // registers
    public static final int R0 = 0, R1 = 1, R2 = 2, R3 = 3, R4 = 4, R5 = 5, R6 = 6, R7 = 7, R8 = 8, R9 = 9, R10 = 10;

    // instruction classes
    static final int LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03, ALU = 0x04, JMP = 0x05, ALU64 = 0x07;
    // sizes and modes
    public static final int W = 0x00, H = 0x08, B = 0x10, DW = 0x18;
    static final int IMM = 0x00, MEM = 0x60;
    // ALU operations
    public static final int ADD = 0x00, SUB = 0x10, MUL = 0x20, OR = 0x40, AND = 0x50, LSH = 0x60, RSH = 0x70,
            XOR = 0xa0, MOV = 0xb0;
    // jump operations
    public static final int JA = 0x00, JEQ = 0x10, JGT = 0x20, JGE = 0x30, JSET = 0x40, JNE = 0x50, JLT = 0xa0,
            JLE = 0xb0;
    static final int CALL = 0x80, EXIT = 0x90;
    static final int K = 0x00, X = 0x08;
    /** {@code src_reg} of an {@code ld_imm64} whose immediate is a map's file descriptor. */
    public static final int PSEUDO_MAP_FD = 1;

    // helper function ids (include/uapi/linux/bpf.h, enum bpf_func_id)
    public static final int FN_MAP_LOOKUP_ELEM = 1;
    public static final int FN_REDIRECT_MAP = 51;

    private final List<long[]> insns = new ArrayList<>(); // {code, dst, src, off, imm}
    private final Map<String, Integer> labels = new HashMap<>();
    private final Map<Integer, String> fixups = new HashMap<>();

    private BpfAssembler emit(int code, int dst, int src, int off, int imm) {
        insns.add(new long[] {code, dst, src, off, imm});
        return this;
    }

    /** {@code dst = imm} (64-bit). */
    public BpfAssembler movImm(int dst, int imm) {
        return emit(ALU64 | MOV | K, dst, 0, 0, imm);
    }

    /** {@code dst = src} (64-bit). */
    public BpfAssembler movReg(int dst, int src) {
        return emit(ALU64 | MOV | X, dst, src, 0, 0);
    }

    /** {@code dst op= imm} (64-bit), {@code op} one of ADD, SUB, AND, OR, LSH, RSH, … */
    public BpfAssembler aluImm(int op, int dst, int imm) {
        return emit(ALU64 | op | K, dst, 0, 0, imm);
    }

    /** {@code dst op= src} (64-bit). */
    public BpfAssembler aluReg(int op, int dst, int src) {
        return emit(ALU64 | op | X, dst, src, 0, 0);
    }

    /** {@code dst = *(size *)(src + off)}, {@code size} one of W, H, B, DW. */
    public BpfAssembler load(int size, int dst, int src, int off) {
        return emit(LDX | MEM | size, dst, src, off, 0);
    }

    /** {@code *(size *)(dst + off) = src}. */
    public BpfAssembler store(int size, int dst, int off, int src) {
        return emit(STX | MEM | size, dst, src, off, 0);
    }

    /** {@code *(size *)(dst + off) = imm}. */
    public BpfAssembler storeImm(int size, int dst, int off, int imm) {
        return emit(ST | MEM | size, dst, 0, off, imm);
    }

    /** {@code if (dst op imm) goto label}. */
    public BpfAssembler jumpImm(int op, int dst, int imm, String label) {
        fixups.put(insns.size(), label);
        return emit(JMP | op | K, dst, 0, 0, imm);
    }

    /** {@code if (dst op src) goto label}. */
    public BpfAssembler jumpReg(int op, int dst, int src, String label) {
        fixups.put(insns.size(), label);
        return emit(JMP | op | X, dst, src, 0, 0);
    }

    /** {@code goto label}. */
    public BpfAssembler jump(String label) {
        fixups.put(insns.size(), label);
        return emit(JMP | JA, 0, 0, 0, 0);
    }

    /** Calls helper {@code fn}: arguments in R1..R5, result in R0, R1..R5 clobbered. */
    public BpfAssembler call(int fn) {
        return emit(JMP | CALL, 0, 0, 0, fn);
    }

    public BpfAssembler exit() {
        return emit(JMP | EXIT, 0, 0, 0, 0);
    }

    /** {@code dst = imm64}: two instruction slots; the second carries the upper 32 bits. */
    public BpfAssembler loadImm64(int dst, long imm) {
        emit(LD | DW | IMM, dst, 0, 0, (int) imm);
        return emit(0, 0, 0, 0, (int) (imm >>> 32));
    }

    /** {@code dst = the map with file descriptor fd} (the kernel replaces it by the map's address). */
    public BpfAssembler loadMapFd(int dst, int fd) {
        emit(LD | DW | IMM, dst, PSEUDO_MAP_FD, 0, fd);
        return emit(0, 0, 0, 0, 0);
    }

    /** Names the next instruction. */
    public BpfAssembler label(String name) {
        if (labels.putIfAbsent(name, insns.size()) != null) {
            throw new IllegalArgumentException("label defined twice: label=" + name);
        }
        return this;
    }

    public int size() {
        return insns.size();
    }

    /** The program as {@code struct bpf_insn}s; jump offsets count instructions after the jump. */
    public byte[] assemble() {
        byte[] out = new byte[insns.size() * 8];
        for (int i = 0; i < insns.size(); i++) {
            long[] in = insns.get(i);
            int off = (int) in[3];
            String target = fixups.get(i);
            if (target != null) {
                Integer at = labels.get(target);
                if (at == null) {
                    throw new IllegalArgumentException("jump to an undefined label: label=" + target);
                }
                off = at - i - 1;
            }
            encode(out, i * 8, (int) in[0], (int) in[1], (int) in[2], off, (int) in[4]);
        }
        return out;
    }

    /** The program copied into native memory of {@code arena}. */
    public MemorySegment assemble(Arena arena) {
        byte[] code = assemble();
        MemorySegment seg = arena.allocate(code.length, 8);
        MemorySegment.copy(code, 0, seg, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, code.length);
        return seg;
    }

    static void encode(byte[] out, int at, int code, int dst, int src, int off, int imm) {
        out[at] = (byte) code;
        out[at + 1] = (byte) ((src << 4) | (dst & 0x0f));
        out[at + 2] = (byte) off;
        out[at + 3] = (byte) (off >> 8);
        out[at + 4] = (byte) imm;
        out[at + 5] = (byte) (imm >> 8);
        out[at + 6] = (byte) (imm >> 16);
        out[at + 7] = (byte) (imm >> 24);
    }

    /** One instruction as the little-endian long the kernel reads (for tests and dumps). */
    static long word(byte[] code, int index) {
        return MemorySegment.ofArray(code).get(JAVA_LONG_UNALIGNED, index * 8L);
    }
}
