package io.jlvs.io.xdp;

import static io.jlvs.io.xdp.BpfAssembler.ADD;
import static io.jlvs.io.xdp.BpfAssembler.AND;
import static io.jlvs.io.xdp.BpfAssembler.B;
import static io.jlvs.io.xdp.BpfAssembler.FN_MAP_LOOKUP_ELEM;
import static io.jlvs.io.xdp.BpfAssembler.FN_REDIRECT_MAP;
import static io.jlvs.io.xdp.BpfAssembler.H;
import static io.jlvs.io.xdp.BpfAssembler.JEQ;
import static io.jlvs.io.xdp.BpfAssembler.JGT;
import static io.jlvs.io.xdp.BpfAssembler.JLT;
import static io.jlvs.io.xdp.BpfAssembler.JNE;
import static io.jlvs.io.xdp.BpfAssembler.JSET;
import static io.jlvs.io.xdp.BpfAssembler.LSH;
import static io.jlvs.io.xdp.BpfAssembler.R0;
import static io.jlvs.io.xdp.BpfAssembler.R1;
import static io.jlvs.io.xdp.BpfAssembler.R10;
import static io.jlvs.io.xdp.BpfAssembler.R2;
import static io.jlvs.io.xdp.BpfAssembler.R3;
import static io.jlvs.io.xdp.BpfAssembler.R4;
import static io.jlvs.io.xdp.BpfAssembler.R6;
import static io.jlvs.io.xdp.BpfAssembler.R7;
import static io.jlvs.io.xdp.BpfAssembler.R8;
import static io.jlvs.io.xdp.BpfAssembler.R9;
import static io.jlvs.io.xdp.BpfAssembler.W;

/**
 * The XDP program jlvs loads on each served interface: it steers the IPv4 frames jlvs serves into
 * the AF_XDP socket of the receive queue they arrived on and passes everything else to the kernel
 * ({@code XDP_PASS}), so the director's own traffic, ARP, IPv6 and anything jlvs does not serve are
 * untouched (the AF_PACKET tap still sees those, so ARP for the VIPs is answered as before).
 *
 * <p>What is served is one hash map, {@code jlvs_steer}, filled by the control plane from the same
 * matches as the socket filter. Its 8-byte key is the frame's own bytes:
 * <pre>
 *  0               1               2               3
 * +-------------------------------------------------------------+
 * |        address (network order: destination or source)       |
 * +---------------+---------------+-----------------------------+
 * |   protocol    |  direction    |   port (network order)      |
 * +---------------+---------------+-----------------------------+
 * direction 0 = (daddr, dport): a service        port 0 = any port
 *           1 = (saddr, sport): a NAT real server's replies
 *           2 = (daddr, protocol 0, port 0): a local address of the director; frames to it are never
 *               steered by their source (health-check replies from real servers stay with the kernel)
 * </pre>
 * Logic:
 * <pre>
 *  not Ethernet + IPv4 with a whole header, or a non-first fragment  → PASS
 *  ports = TCP/UDP with 4 bytes of L4 header ? (sport, dport) : (0, 0)
 *  (daddr, proto, 0, dport) or (daddr, proto, 0, 0) in jlvs_steer   → redirect
 *  (daddr, 0, 2, 0) in jlvs_steer                                    → PASS
 *  (saddr, proto, 1, sport) or (saddr, proto, 1, 0) in jlvs_steer   → redirect
 *  else                                                              → PASS
 *  redirect = bpf_redirect_map(jlvs_xsks, ctx->rx_queue_index, XDP_PASS)
 *             (no socket on that queue: the flags' low bits make it PASS)
 * </pre>
 */
public final class XdpProgram {
    private XdpProgram() {}

    public static final int XDP_DROP = 1;
    public static final int XDP_PASS = 2;
    public static final int XDP_REDIRECT = 4;
    public static final int DIR_DEST = 0;
    public static final int DIR_SOURCE = 1;
    public static final int DIR_LOCAL = 2;
    public static final int KEY_BYTES = 8;
    public static final int VALUE_BYTES = 4;
    /** GPL-compatible: bpf_redirect_map is available to every license, but say it plainly. */
    public static final String LICENSE = "Dual BSD/GPL";

    // struct xdp_md
    private static final int MD_DATA = 0;
    private static final int MD_DATA_END = 4;
    private static final int MD_RX_QUEUE = 16;
    // the key on the stack at r10 - 8
    private static final int KEY = -8;

    /** The program for a steering map and an XSKMAP (both by file descriptor). */
    public static byte[] build(int steerMapFd, int xsksMapFd) {
        return build(steerMapFd, xsksMapFd, XDP_PASS);
    }

    /**
     * @param missAction what a steered frame gets when no socket is bound to its queue: XDP_PASS in
     *     service; tests pass XDP_DROP so that "steered" and "passed" give different verdicts
     */
    public static byte[] build(int steerMapFd, int xsksMapFd, int missAction) {
        BpfAssembler a = new BpfAssembler();
        a.movReg(R6, R1);                                  // r6 = ctx
        a.load(W, R7, R6, MD_DATA);                        // r7 = data
        a.load(W, R8, R6, MD_DATA_END);                    // r8 = data_end
        a.movReg(R2, R7).aluImm(ADD, R2, 34);              // Ethernet (14) + minimal IPv4 (20)
        a.jumpReg(JGT, R2, R8, "pass");
        a.load(H, R2, R7, 12);                             // ethertype, as stored (0x0800 reads 0x0008)
        a.jumpImm(JNE, R2, 0x0008, "pass");
        a.load(B, R2, R7, 14);                             // version/IHL
        a.movReg(R3, R2).aluImm(AND, R3, 0xf0);
        a.jumpImm(JNE, R3, 0x40, "pass");
        a.aluImm(AND, R2, 0x0f).aluImm(LSH, R2, 2);        // header length
        a.jumpImm(JLT, R2, 20, "pass");
        a.load(H, R3, R7, 20);                             // flags + fragment offset (network order)
        a.jumpImm(JSET, R3, 0xff1f, "pass");               // offset != 0: a later fragment
        a.load(B, R9, R7, 23);                             // r9 = protocol
        // ports: r3 = sport, r4 = dport, or 0 when not TCP/UDP or truncated
        a.movImm(R3, 0).movImm(R4, 0);
        a.jumpImm(JEQ, R9, 6, "ports");
        a.jumpImm(JNE, R9, 17, "lookup");
        a.label("ports");
        a.aluReg(ADD, R2, R7).aluImm(ADD, R2, 14);         // r2 = L4 header
        a.movReg(R1, R2).aluImm(ADD, R1, 4);
        a.jumpReg(JGT, R1, R8, "lookup");
        a.load(H, R3, R2, 0);
        a.load(H, R4, R2, 2);
        a.label("lookup");
        a.movReg(R8, R3);                                  // r8 = sport (data_end no longer needed)
        // (daddr, proto, DEST, dport)
        a.load(W, R2, R7, 30).store(W, R10, KEY, R2);
        a.store(B, R10, KEY + 4, R9);
        a.storeImm(B, R10, KEY + 5, DIR_DEST);
        a.store(H, R10, KEY + 6, R4);
        lookup(a, steerMapFd, "redirect");
        a.storeImm(H, R10, KEY + 6, 0);                    // (daddr, proto, DEST, any port)
        lookup(a, steerMapFd, "redirect");
        a.storeImm(B, R10, KEY + 4, 0);                    // (daddr, 0, LOCAL, 0): the director's own
        a.storeImm(B, R10, KEY + 5, DIR_LOCAL);
        lookup(a, steerMapFd, "pass");
        // (saddr, proto, SOURCE, sport)
        a.load(W, R2, R7, 26).store(W, R10, KEY, R2);
        a.store(B, R10, KEY + 4, R9);
        a.storeImm(B, R10, KEY + 5, DIR_SOURCE);
        a.store(H, R10, KEY + 6, R8);
        lookup(a, steerMapFd, "redirect");
        a.storeImm(H, R10, KEY + 6, 0);
        lookup(a, steerMapFd, "redirect");
        a.label("pass");
        a.movImm(R0, XDP_PASS).exit();
        a.label("redirect");
        a.loadMapFd(R1, xsksMapFd);
        a.load(W, R2, R6, MD_RX_QUEUE);
        a.movImm(R3, missAction);
        a.call(FN_REDIRECT_MAP);
        a.exit();
        return a.assemble();
    }

    /** {@code if (bpf_map_lookup_elem(steer, r10 - 8)) goto found}; clobbers r0..r5. */
    private static void lookup(BpfAssembler a, int mapFd, String found) {
        a.loadMapFd(R1, mapFd);
        a.movReg(R2, R10).aluImm(ADD, R2, KEY);
        a.call(FN_MAP_LOOKUP_ELEM);
        a.jumpImm(JNE, R0, 0, found);
    }
}
