package io.jlvs.io.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Builds the classic-BPF program of a {@code PACKET_FANOUT_CBPF} group: it returns the index of the
 * worker that owns a frame's flow (the kernel takes it modulo the number of workers), so both
 * directions of a flow reach the same worker. The worker is a hash of the flow's <em>client</em>
 * side, which the program finds by the same matches as the socket filter ({@link SocketFilter}):
 *
 * <pre>
 *   to a service or marked network (dst matches)  client = source address [+ source port]
 *   from a NAT real server (src matches)         client = destination address [+ destination port]
 *   to a FULLNAT local address (dst matches)      worker = (dst port - portLow) / portsPerWorker
 *   ICMP error to a VIP                           client = the quoted packet's destination (the reply it quotes)
 *   ICMP error from a NAT real server             client = the quoted packet's source
 *   a non-first IPv4 fragment                     address matches only, client address only
 *   ARP, IPv6, anything else                      worker 0
 * </pre>
 *
 * The hash ({@link #workerFor}, mirrored exactly by the program) takes the client address under a
 * mask and, when {@link Key#tcpPorts}, a TCP client port. Ports spread one busy client's connections
 * over all workers; they are left out for UDP and for every fragment (a later fragment carries no
 * port), and altogether when a service is persistent (its template is per client address, under the
 * persistence netmask, and must live on one worker). A fragmented TCP segment therefore lands on the
 * client address's worker, which may not own the flow (it is counted as a fragment drop there); TCP
 * is not fragmented on a path with working PMTU discovery. Non-first fragments of replies to a FULLNAT
 * local address go to worker 0, and so do all non-first fragments when the matches are so many that
 * both paths would not fit in the kernel's 4096 instructions (about 250 services).
 *
 * <p>Loads use {@code SKF_NET_OFF} (relative to the network header), so the program is right whatever
 * the skb's data pointer is. Layout:
 * <pre>
 *   ld #proto ; jeq #IPv4 else ret #0
 *   X = 4*([ip]&amp;0xf) ; ldh [ip+6] ; jset #0x1fff → fragment path
 *   per match: address, protocol, ports as the socket filter; hit → ja client-is-src | client-is-dst | lport tail
 *   ret #0
 *   fragment path: per match address and protocol only; hit → ja src-address | dst-address tail ; ret #0
 *   tails: [ICMP: X += quoted IHL] ; load client address (&amp; mask) [+ port * C2] ;
 *          a *= C1 ; a ^= a &gt;&gt; 16 ; ret a
 * </pre>
 */
public final class FanoutFilter {
    private FanoutFilter() {}

    /**
     * What the hash takes of the client.
     *
     * @param addrMask client address mask (-1: the whole address; a persistence netmask keeps a client net together)
     * @param tcpPorts whether unfragmented TCP adds the client port
     */
    public record Key(int addrMask, boolean tcpPorts) {
        public static final Key ADDRESS_AND_TCP_PORT = new Key(-1, true);
    }

    static final int C1 = 0x9E3779B1;
    static final int C2 = 0x01000193;
    static final int NET = 0xfff00000;          // SKF_NET_OFF
    private static final int SKF_AD_PROTOCOL = 0xfffff000;
    /** The kernel's limit on a classic BPF program (BPF_MAXINSNS). */
    static final int MAX_INSNS = 4096;

    /**
     * The worker every IPv6 flow belongs to: the program answers 0 for any frame that is not IPv4 (its first
     * test), so one worker holds the whole IPv6 connection table.
     */
    public static int workerForIpv6() {
        return 0;
    }

    /** The worker a flow belongs to: what the program computes for its frames. */
    public static int workerFor(Key key, boolean tcp, int clientIpv4, int clientPort, int workers) {
        int h = clientIpv4 & key.addrMask();
        if (key.tcpPorts() && tcp) {
            h += (clientPort & 0xffff) * C2;
        }
        h *= C1;
        h ^= h >>> 16;
        return Integer.remainderUnsigned(h, workers);
    }

    /** The worker whose local port range holds {@code port}. */
    public static int workerForLocalPort(int port, int portLow, int portsPerWorker, int workers) {
        return Integer.remainderUnsigned(Integer.divideUnsigned(port - portLow, portsPerWorker), workers);
    }

    /**
     * @param toService      destination matches: services, marking rules (client = source)
     * @param fromReal       source matches: NAT real servers (client = destination)
     * @param toLocal        destination matches: FULLNAT local addresses (worker = port range)
     * @param portsPerWorker size of each worker's local port range, starting at {@code portLow}
     */
    public static MemorySegment build(List<SocketFilter.Match> toService, List<SocketFilter.Match> fromReal,
                                      List<SocketFilter.Match> toLocal, Key key, int portLow, int portsPerWorker,
                                      Arena arena) {
        List<SocketFilter.Insn> p = program(toService, fromReal, toLocal, key, portLow, portsPerWorker, true);
        if (p.size() > MAX_INSNS) {
            // too many matches for both paths: later fragments all go to worker 0 (documented above)
            p = program(toService, fromReal, toLocal, key, portLow, portsPerWorker, false);
        }
        return SocketFilter.encode(p, arena);
    }

    private static List<SocketFilter.Insn> program(List<SocketFilter.Match> toService, List<SocketFilter.Match> fromReal,
                                                   List<SocketFilter.Match> toLocal, Key key, int portLow,
                                                   int portsPerWorker, boolean fragmentPath) {
        if (toService.size() + fromReal.size() + toLocal.size() > SocketFilter.MAX_MATCHES) {
            throw new IllegalArgumentException("too many matches for the fanout program");
        }
        Asm a = new Asm();
        Label ipv4 = new Label();
        Label fragment = new Label();
        Label unfragmented = new Label();
        Label srcTail = new Label();
        Label dstTail = new Label();
        Label lportTail = new Label();
        Label srcAddr = new Label();
        Label dstAddr = new Label();
        a.op(0x20, SKF_AD_PROTOCOL);                      // ld #proto
        a.jump(0x15, 0x0800, ipv4, null);                 // jeq #IPv4
        a.op(0x06, 0);                                    // ret #0
        a.bind(ipv4);
        a.op(0x30, NET);                                  // ldb [ip+0]
        a.op(0x54, 0xf);                                  // and #0xf
        a.op(0x64, 2);                                    // lsh #2
        a.op(0x07, 0);                                    // tax: X = IHL
        a.op(0x28, NET + 6);                              // ldh [ip+6]
        a.jump(0x45, 0x1fff, null, unfragmented);         // jset #offset → fragment path
        a.ja(fragment);
        a.bind(unfragmented);
        for (SocketFilter.Match m : toService) {
            block(a, m, true, srcTail);
        }
        for (SocketFilter.Match m : toLocal) {
            block(a, m, true, lportTail);
        }
        for (SocketFilter.Match m : fromReal) {
            block(a, m, true, dstTail);
        }
        a.op(0x06, 0);
        a.bind(fragment);
        Set<SocketFilter.Match> seen = new LinkedHashSet<>();
        for (SocketFilter.Match m : fragmentPath ? toService : List.<SocketFilter.Match>of()) {
            SocketFilter.Match addrOnly = new SocketFilter.Match(false, m.ipv4(), m.mask(), m.protocol(), 0, 65535);
            if (seen.add(addrOnly)) {
                block(a, addrOnly, false, srcAddr);
            }
        }
        for (SocketFilter.Match m : fragmentPath ? fromReal : List.<SocketFilter.Match>of()) {
            SocketFilter.Match addrOnly = new SocketFilter.Match(true, m.ipv4(), m.mask(), m.protocol(), 0, 65535);
            if (seen.add(addrOnly)) {
                block(a, addrOnly, false, dstAddr);
            }
        }
        a.op(0x06, 0);
        // client = source (quoted destination in an ICMP error)
        a.bind(srcTail);
        clientTail(a, key, 12, 0, 16, 2);
        // client = destination (quoted source in an ICMP error)
        a.bind(dstTail);
        clientTail(a, key, 16, 2, 12, 0);
        a.bind(srcAddr);
        a.op(0x20, NET + 12);
        mix(a, key);
        a.bind(dstAddr);
        a.op(0x20, NET + 16);
        mix(a, key);
        a.bind(lportTail);
        a.op(0x48, NET + 2);                              // ldh [x+ip+2]: the local port
        a.op(0x14, portLow);                              // sub #low
        a.op(0x34, Math.max(1, portsPerWorker));          // div #per
        a.op(0x16, 0);                                    // ret a
        return a.assemble();
    }

    /** A match as in the socket filter, network-header relative; a hit jumps to {@code hit}. */
    private static void block(Asm a, SocketFilter.Match m, boolean ports, Label hit) {
        Label miss = new Label();
        a.op(0x20, NET + (m.source() ? 12 : 16));          // ld [saddr|daddr]
        if (m.mask() != -1) {
            a.op(0x54, m.mask());
        }
        a.jump(0x15, m.ipv4() & m.mask(), null, miss);
        a.op(0x30, NET + 9);                               // ldb [proto]
        if (m.protocol() != 0) {
            a.jump(0x15, m.protocol(), null, miss);
        } else {
            Label port = new Label();
            a.jump(0x15, 6, port, null);
            a.jump(0x15, 17, null, miss);
            a.bind(port);
        }
        if (ports && !(m.portLow() == 0 && m.portHigh() == 65535)) {
            a.op(0x48, NET + (m.source() ? 0 : 2));         // ldh [x+sport|dport]
            if (m.portLow() == m.portHigh()) {
                a.jump(0x15, m.portLow(), null, miss);
            } else {
                a.jump(0x35, m.portLow(), null, miss);
                a.jump(0x25, m.portHigh(), miss, null);
            }
        }
        a.ja(hit);
        a.bind(miss);
    }

    /**
     * The client's hash; X holds the IPv4 header length.
     *
     * @param addr      the client address's offset in the IPv4 header
     * @param port      the client port's offset in the transport header
     * @param icmpAddr  in an ICMP error, the client address's offset in the quoted IPv4 header
     * @param icmpPort  and its port's offset in the quoted transport header
     */
    private static void clientTail(Asm a, Key key, int addr, int port, int icmpAddr, int icmpPort) {
        Label icmp = new Label();
        Label notIcmp = new Label();
        Label addressOnly = new Label();
        a.op(0x30, NET + 9);                               // ldb [proto]
        a.jump(0x15, 1, null, notIcmp);
        a.ja(icmp);
        a.bind(notIcmp);
        if (key.tcpPorts()) {
            a.jump(0x15, 6, null, addressOnly);
            a.op(0x28, NET + 6);                           // ldh [ip+6]
            a.jump(0x45, 0x3fff, addressOnly, null);       // a first fragment: as its later ones
            a.op(0x48, NET + port);                        // ldh [x+port]
            a.op(0x24, C2);                                // mul #C2
            a.op(0x07, 0);                                 // tax
            a.op(0x20, NET + addr);                        // ld [addr]
            a.op(0x54, key.addrMask());
            a.op(0x0c, 0);                                 // add x
            mixOnly(a);
        }
        a.bind(addressOnly);
        a.op(0x20, NET + addr);
        mix(a, key);
        // ICMP error: the quoted IPv4 header starts 8 bytes into the ICMP message
        a.bind(icmp);
        Label quotedAddressOnly = new Label();
        if (key.tcpPorts()) {
            a.op(0x50, NET + 8 + 9);                       // ldb [x+quoted proto]
            a.jump(0x15, 6, null, quotedAddressOnly);
            a.op(0x03, 0);                                 // stx M[0]: outer IHL
            a.op(0x50, NET + 8);                           // ldb [x+quoted version/IHL]
            a.op(0x54, 0xf);
            a.op(0x64, 2);
            a.op(0x0c, 0);                                 // add x
            a.op(0x07, 0);                                 // tax: X = outer + quoted IHL
            a.op(0x48, NET + 8 + icmpPort);                // ldh [x+quoted port]
            a.op(0x24, C2);
            a.op(0x02, 1);                                 // st M[1]
            a.op(0x61, 0);                                 // ldx M[0]
            a.op(0x40, NET + 8 + icmpAddr);                // ld [x+quoted addr]
            a.op(0x54, key.addrMask());
            a.op(0x61, 1);                                 // ldx M[1]
            a.op(0x0c, 0);                                 // add x
            mixOnly(a);
        }
        a.bind(quotedAddressOnly);
        a.op(0x40, NET + 8 + icmpAddr);
        mix(a, key);
    }

    private static void mix(Asm a, Key key) {
        a.op(0x54, key.addrMask());                        // and #mask
        mixOnly(a);
    }

    /** a *= C1 ; a ^= a >>> 16 ; ret a */
    private static void mixOnly(Asm a) {
        a.op(0x24, C1);
        a.op(0x07, 0);                                     // tax
        a.op(0x74, 16);                                    // rsh #16
        a.op(0xac, 0);                                     // xor x
        a.op(0x16, 0);                                     // ret a
    }

    /** A jump target. */
    private static final class Label {
        int pc = -1;
    }

    /** A tiny assembler: instructions with symbolic jump targets, resolved once the layout is known. */
    private static final class Asm {
        private record Pending(int code, int k, Label jt, Label jf) {}

        private final List<Pending> code = new ArrayList<>();

        void op(int opcode, int k) {
            code.add(new Pending(opcode, k, null, null));
        }

        /** Conditional jump; a null target is the next instruction. */
        void jump(int opcode, int k, Label jt, Label jf) {
            code.add(new Pending(opcode, k, jt, jf));
        }

        void ja(Label target) {
            code.add(new Pending(0x05, 0, target, null));
        }

        void bind(Label l) {
            l.pc = code.size();
        }

        List<SocketFilter.Insn> assemble() {
            List<SocketFilter.Insn> out = new ArrayList<>(code.size());
            for (int pc = 0; pc < code.size(); pc++) {
                Pending p = code.get(pc);
                if (p.code() == 0x05) {
                    out.add(new SocketFilter.Insn(0x05, 0, 0, offset(pc, p.jt())));
                } else if ((p.code() & 0x07) == 0x05) {
                    int jt = p.jt() == null ? 0 : offset(pc, p.jt());
                    int jf = p.jf() == null ? 0 : offset(pc, p.jf());
                    if (jt > 255 || jf > 255) {
                        throw new IllegalStateException("fanout program: conditional jump too long at " + pc);
                    }
                    out.add(new SocketFilter.Insn(p.code(), jt, jf, p.k()));
                } else {
                    out.add(new SocketFilter.Insn(p.code(), 0, 0, p.k()));
                }
            }
            return out;
        }

        private static int offset(int pc, Label l) {
            if (l.pc <= pc) {
                throw new IllegalStateException("fanout program: unbound or backward label at " + pc);
            }
            return l.pc - pc - 1;
        }
    }
}
