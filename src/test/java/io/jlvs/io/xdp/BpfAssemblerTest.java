package io.jlvs.io.xdp;

import org.junit.jupiter.api.Test;

import static io.jlvs.io.xdp.BpfAssembler.ADD;
import static io.jlvs.io.xdp.BpfAssembler.B;
import static io.jlvs.io.xdp.BpfAssembler.H;
import static io.jlvs.io.xdp.BpfAssembler.JEQ;
import static io.jlvs.io.xdp.BpfAssembler.JGT;
import static io.jlvs.io.xdp.BpfAssembler.R0;
import static io.jlvs.io.xdp.BpfAssembler.R1;
import static io.jlvs.io.xdp.BpfAssembler.R10;
import static io.jlvs.io.xdp.BpfAssembler.R2;
import static io.jlvs.io.xdp.BpfAssembler.R3;
import static io.jlvs.io.xdp.BpfAssembler.R6;
import static io.jlvs.io.xdp.BpfAssembler.W;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Encodings checked against the bytes clang/llvm-objdump and the kernel's insn macros give. */
class BpfAssemblerTest {
    private static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return out;
    }

    @Test
    void shouldEncodeMovAndExitWhenReturningXdpPass() {
        // BPF_MOV64_IMM(BPF_REG_0, XDP_PASS); BPF_EXIT_INSN()  = b7 00 00 00 02 00 00 00 / 95 00 ...
        byte[] code = new BpfAssembler().movImm(R0, 2).exit().assemble();
        assertArrayEquals(bytes(0xb7, 0x00, 0, 0, 2, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0), code);
    }

    @Test
    void shouldPutSourceInHighNibbleWhenMovingRegister() {
        // BPF_MOV64_REG(BPF_REG_6, BPF_REG_1) = bf 16 00 00 00 00 00 00
        assertArrayEquals(bytes(0xbf, 0x16, 0, 0, 0, 0, 0, 0), new BpfAssembler().movReg(R6, R1).assemble());
    }

    @Test
    void shouldEncodeLoadsAndStoresWithSignedOffsets() {
        byte[] code = new BpfAssembler()
                .load(W, R2, R1, 4)          // r2 = *(u32 *)(r1 + 4)      61 12 04 00 00 00 00 00
                .load(H, R3, R2, 12)         // r3 = *(u16 *)(r2 + 12)     69 23 0c 00 ...
                .store(B, R10, -4, R3)       // *(u8 *)(r10 - 4) = r3      73 3a fc ff ...
                .storeImm(H, R10, -2, 0x1234) // *(u16 *)(r10 - 2) = 0x1234 6a 0a fe ff 34 12 00 00
                .assemble();
        assertArrayEquals(bytes(
                0x61, 0x12, 0x04, 0x00, 0, 0, 0, 0,
                0x69, 0x23, 0x0c, 0x00, 0, 0, 0, 0,
                0x73, 0x3a, 0xfc, 0xff, 0, 0, 0, 0,
                0x6a, 0x0a, 0xfe, 0xff, 0x34, 0x12, 0, 0), code);
    }

    @Test
    void shouldEncodeAluImmediateWhenAddingNegativeConstant() {
        // BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, -8) = 07 02 00 00 f8 ff ff ff
        assertArrayEquals(bytes(0x07, 0x02, 0, 0, 0xf8, 0xff, 0xff, 0xff),
                new BpfAssembler().aluImm(ADD, R2, -8).assemble());
    }

    @Test
    void shouldResolveForwardAndBackwardJumpsWhenLabelsAreUsed() {
        BpfAssembler a = new BpfAssembler();
        a.label("top");
        a.jumpReg(JGT, R2, R3, "out");   // 0: 2d 32 02 00 (skip 2)
        a.jumpImm(JEQ, R2, 8, "top");    // 1: 15 02 fe ff 08 00 00 00 (back 2)
        a.jump("out");                   // 2: 05 00 00 00 (0)
        a.label("out");
        a.exit();
        byte[] code = a.assemble();
        assertArrayEquals(bytes(0x2d, 0x32, 0x02, 0x00, 0, 0, 0, 0), java.util.Arrays.copyOfRange(code, 0, 8));
        assertArrayEquals(bytes(0x15, 0x02, 0xfe, 0xff, 8, 0, 0, 0), java.util.Arrays.copyOfRange(code, 8, 16));
        assertArrayEquals(bytes(0x05, 0x00, 0x00, 0x00, 0, 0, 0, 0), java.util.Arrays.copyOfRange(code, 16, 24));
    }

    @Test
    void shouldEmitTwoSlotsWithPseudoSourceWhenLoadingMapFd() {
        // BPF_LD_MAP_FD(BPF_REG_1, 7) = 18 11 00 00 07 00 00 00 / 00 00 00 00 00 00 00 00
        byte[] code = new BpfAssembler().loadMapFd(R1, 7).assemble();
        assertArrayEquals(bytes(0x18, 0x11, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), code);
    }

    @Test
    void shouldSplitImmediateWhenLoadingSixtyFourBits() {
        byte[] code = new BpfAssembler().loadImm64(R2, 0x1122334455667788L).assemble();
        assertEquals(0x5566778800000218L, BpfAssembler.word(code, 0));
        assertEquals(0x1122334400000000L, BpfAssembler.word(code, 1));
    }

    @Test
    void shouldEncodeHelperCallWhenRedirecting() {
        // BPF_EMIT_CALL(BPF_FUNC_redirect_map) = 85 00 00 00 33 00 00 00
        assertArrayEquals(bytes(0x85, 0, 0, 0, 0x33, 0, 0, 0),
                new BpfAssembler().call(BpfAssembler.FN_REDIRECT_MAP).assemble());
    }

    @Test
    void shouldRefuseWhenLabelIsUndefined() {
        BpfAssembler a = new BpfAssembler().jump("nowhere");
        assertThrows(IllegalArgumentException.class, a::assemble);
    }

    @Test
    void shouldEndWithExitsWhenBuildingSteeringProgram() {
        byte[] code = XdpProgram.build(3, 4);
        assertEquals(0, code.length % 8);
        assertEquals(0x95, code[code.length - 8] & 0xff);
    }
}
