package io.jlvs.io.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Builds the classic-BPF socket filter that keeps everything but jlvs's own traffic in the kernel:
 * ARP, IPv4 to a virtual service (address, protocol, port) and IPv4 from a NAT real server
 * (address, protocol, port); the same for IPv6, plus every ICMPv6 message (Neighbour Discovery for the VIPs and
 * the real servers, errors) and IPv6 packets with extension headers (the forwarder walks them) once any IPv6
 * match exists. Frames the host sends ({@code PACKET_OUTGOING}) and non-first IPv4
 * fragments are refused. One block of 7 to 10 instructions per match keeps every jump short (cBPF jumps
 * are 8-bit); the kernel limit of 4096 instructions allows 400 matches.
 *
 * <pre>
 *   ld   #pkttype ; jeq #OUTGOING, drop
 *   ldh  [12]     ; jeq #ARP, accept ; jeq #IPv4, v4 ; jeq #IPv6, v6, drop
 *   ldh  [20]     ; jset #0x1fff, accept      (a later fragment: no ports; the forwarder places it)
 *   ldxb 4*([14]&amp;0xf)                       (X = IPv4 header length)
 *   per match:  ld [30|26] ; (and mask) ; jeq net ; ldb [23] ; jeq proto ; ldh [x+16|x+14] ;
 *               jeq port | jge low, jgt high ; ret accept     (each miss jumps to the next match)
 *   drop: ret #0
 *   v6:   ldb [20] ; jeq #58|#0|#43|#44|#60, accept    (ICMPv6, extension headers)
 *         per match: ld [22..34|38..50] ; jeq word (4 times) ; ldb [20] ; jeq proto ; ldh [54|56] ; jeq port … ;
 *         ret accept
 *         ret #0
 * </pre>
 * The IPv6 part is reached by an unconditional {@code ja} (32-bit offset), so it may sit behind any number of IPv4
 * blocks.
 */
public final class SocketFilter {
    private SocketFilter() {}

    /**
     * What to let through: a destination (service, marking rule) or source (NAT real server) network,
     * a protocol (0: TCP or UDP) and a port range.
     */
    public record Match(boolean source, int ipv4, int mask, int protocol, int portLow, int portHigh) {
        /** One address, one protocol, one port. */
        public Match(boolean source, int ipv4, int protocol, int port) {
            this(source, ipv4, -1, protocol, port, port);
        }
    }

    /**
     * An IPv6 destination (service) or source (NAT real server) address, a protocol (0: TCP or UDP) and a port
     * range; addresses as two longs, high half first.
     */
    public record Match6(boolean source, long hi, long lo, int protocol, int portLow, int portHigh) {}

    public static final int MAX_MATCHES = 400;
    public static final int MAX_MATCHES6 = 200;
    /** The kernel's limit on a classic BPF program (both families' blocks together must fit). */
    public static final int BPF_MAXINSNS = 4096;
    private static final int ACCEPT_BYTES = 0x40000;
    private static final int SKF_AD_PKTTYPE = 0xfffff000 + 4;

    /** One {@code struct sock_filter}; also used by {@link FanoutFilter}. */
    record Insn(int code, int jt, int jf, int k) {}

    /** The filter program as {@code struct sock_filter[]}, in {@code arena}. */
    public static MemorySegment build(List<Match> matches, Arena arena) {
        return build(matches, List.of(), arena);
    }

    /** The filter program for IPv4 and IPv6 matches, in {@code arena}. */
    public static MemorySegment build(List<Match> matches, List<Match6> matches6, Arena arena) {
        if (matches.size() > MAX_MATCHES || matches6.size() > MAX_MATCHES6) {
            throw new IllegalArgumentException("too many services for the socket filter: " + matches.size()
                    + " IPv4, " + matches6.size() + " IPv6");
        }
        List<Insn> p = new ArrayList<>();
        p.add(new Insn(0x20, 0, 0, SKF_AD_PKTTYPE));            // 0 ld #pkttype
        p.add(new Insn(0x15, 0, 1, 4));                          // 1 jeq #OUTGOING → 2 drop, else 3
        p.add(new Insn(0x06, 0, 0, 0));                          // 2 drop
        p.add(new Insn(0x28, 0, 0, 12));                         // 3 ldh [12]
        p.add(new Insn(0x15, 0, 1, 0x0806));                     // 4 jeq #ARP → 5 accept, else 6
        p.add(new Insn(0x06, 0, 0, ACCEPT_BYTES));               // 5 ret accept
        p.add(new Insn(0x15, 3, 0, 0x0800));                     // 6 jeq #IPv4 → 10, else 7
        p.add(new Insn(0x15, 1, 0, 0x86dd));                     // 7 jeq #IPv6 → 9, else 8
        p.add(new Insn(0x06, 0, 0, 0));                          // 8 drop
        int jumpToV6 = p.size();
        p.add(new Insn(0x05, 0, 0, 0));                          // 9 ja v6 (offset fixed below)
        p.add(new Insn(0x28, 0, 0, 20));                         // 10 ldh [20]
        p.add(new Insn(0x45, 0, 1, 0x1fff));                     // 11 jset #0x1fff → 12, else 13
        p.add(new Insn(0x06, 0, 0, ACCEPT_BYTES));               // 12 a later fragment: no ports to match on
        p.add(new Insn(0xb1, 0, 0, 14));                         // 13 ldxb 4*([14]&0xf)
        for (Match m : matches) {
            List<Insn> block = new ArrayList<>();
            // each test jumps to the block's end (the next block) on mismatch; offsets fixed below
            block.add(new Insn(0x20, 0, 0, m.source() ? 26 : 30));   // ld [saddr|daddr]
            if (m.mask() != -1) {
                block.add(new Insn(0x54, 0, 0, m.mask()));             // and #mask
            }
            block.add(new Insn(0x15, 0, -1, m.ipv4() & m.mask()));    // jeq #net
            block.add(new Insn(0x30, 0, 0, 23));                       // ldb [proto]
            if (m.protocol() != 0) {
                block.add(new Insn(0x15, 0, -1, m.protocol()));        // jeq #proto
            } else {
                block.add(new Insn(0x15, 1, 0, 6));                    // jeq #tcp → port test
                block.add(new Insn(0x15, 0, -1, 17));                  // jeq #udp
            }
            block.add(new Insn(0x48, 0, 0, m.source() ? 14 : 16));    // ldh [x + 14|16]
            if (m.portLow() == m.portHigh()) {
                block.add(new Insn(0x15, 0, -1, m.portLow()));         // jeq #port
            } else {
                block.add(new Insn(0x35, 0, -1, m.portLow()));         // jge #low
                block.add(new Insn(0x25, -1, 0, m.portHigh()));        // jgt #high → next block
            }
            block.add(new Insn(0x06, 0, 0, ACCEPT_BYTES));
            int end = block.size();
            for (int i = 0; i < end; i++) {
                Insn in = block.get(i);
                int skip = end - i - 1;
                p.add(new Insn(in.code(), in.jt() < 0 ? skip : in.jt(), in.jf() < 0 ? skip : in.jf(), in.k()));
            }
        }
        p.add(new Insn(0x06, 0, 0, 0));                          // drop
        p.set(jumpToV6, new Insn(0x05, 0, 0, p.size() - jumpToV6 - 1));
        if (!matches6.isEmpty()) {
            p.add(new Insn(0x30, 0, 0, 20));                     // ldb [next header]
            int[] always = {58, 0, 43, 44, 60};                  // ICMPv6 (ND, errors) and extension headers
            for (int i = 0; i < always.length; i++) {
                p.add(new Insn(0x15, always.length - i, 0, always[i]));
            }
            p.add(new Insn(0x05, 0, 0, 1));                      // ja over the accept
            p.add(new Insn(0x06, 0, 0, ACCEPT_BYTES));
            for (Match6 m : matches6) {
                List<Insn> block = new ArrayList<>();
                int base = m.source() ? 22 : 38;
                long[] halves = {m.hi(), m.lo()};
                for (int w = 0; w < 4; w++) {
                    long half = halves[w / 2];
                    int word = (int) (w % 2 == 0 ? half >>> 32 : half);
                    block.add(new Insn(0x20, 0, 0, base + 4 * w));    // ld [addr word]
                    block.add(new Insn(0x15, 0, -1, word));             // jeq #word
                }
                block.add(new Insn(0x30, 0, 0, 20));                    // ldb [next header]
                if (m.protocol() != 0) {
                    block.add(new Insn(0x15, 0, -1, m.protocol()));
                } else {
                    block.add(new Insn(0x15, 1, 0, 6));
                    block.add(new Insn(0x15, 0, -1, 17));
                }
                block.add(new Insn(0x28, 0, 0, m.source() ? 54 : 56));  // ldh [sport|dport]
                if (m.portLow() == m.portHigh()) {
                    block.add(new Insn(0x15, 0, -1, m.portLow()));
                } else {
                    block.add(new Insn(0x35, 0, -1, m.portLow()));
                    block.add(new Insn(0x25, -1, 0, m.portHigh()));
                }
                block.add(new Insn(0x06, 0, 0, ACCEPT_BYTES));
                int end = block.size();
                for (int i = 0; i < end; i++) {
                    Insn in = block.get(i);
                    int skip = end - i - 1;
                    p.add(new Insn(in.code(), in.jt() < 0 ? skip : in.jt(), in.jf() < 0 ? skip : in.jf(), in.k()));
                }
            }
        }
        p.add(new Insn(0x06, 0, 0, 0));                          // drop (IPv6)
        if (p.size() > BPF_MAXINSNS) {
            throw new IllegalArgumentException("too many services for the socket filter: " + matches.size()
                    + " IPv4 and " + matches6.size() + " IPv6 matches need " + p.size() + " instructions (at most "
                    + BPF_MAXINSNS + ")");
        }
        return encode(p, arena);
    }

    /** A program as {@code struct sock_filter[]}, in {@code arena}. */
    static MemorySegment encode(List<Insn> p, Arena arena) {
        MemorySegment seg = arena.allocate(8L * p.size(), 8);
        for (int i = 0; i < p.size(); i++) {
            Insn in = p.get(i);
            seg.set(JAVA_SHORT, 8L * i, (short) in.code());
            seg.set(JAVA_BYTE, 8L * i + 2, (byte) in.jt());
            seg.set(JAVA_BYTE, 8L * i + 3, (byte) in.jf());
            seg.set(JAVA_INT, 8L * i + 4, in.k());
        }
        return seg;
    }

}
