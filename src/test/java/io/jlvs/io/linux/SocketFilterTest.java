package io.jlvs.io.linux;

import io.jlvs.packet.TcpView;
import io.jlvs.testkit.PacketBuilder;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import static io.jlvs.testkit.PacketBuilder.ip;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the generated socket filter on frames with a small classic-BPF interpreter (the opcodes the
 * generator uses), so what reaches user space is checked without a kernel.
 */
class SocketFilterTest {
    static final int HOST = 0;
    static final int OUTGOING = 4;

    /** Executes a cBPF program on a frame; returns the accepted byte count (0 = refused) or, for a fanout program, its value. */
    static int run(MemorySegment prog, byte[] frame, int pkttype) {
        try {
            return execute(prog, frame, pkttype);
        } catch (OutOfFrame e) {
            return 0; // a load beyond the frame ends the program with 0, as in the kernel
        }
    }

    private static final class OutOfFrame extends RuntimeException {
        OutOfFrame() {
            super(null, null, false, false);
        }
    }

    private static int execute(MemorySegment prog, byte[] frame, int pkttype) {
        int a = 0;
        int x = 0;
        int[] mem = new int[16];
        int pc = 0;
        int n = (int) (prog.byteSize() / 8);
        while (pc < n) {
            long o = 8L * pc;
            int code = Short.toUnsignedInt(prog.get(JAVA_SHORT, o));
            int jt = Byte.toUnsignedInt(prog.get(JAVA_BYTE, o + 2));
            int jf = Byte.toUnsignedInt(prog.get(JAVA_BYTE, o + 3));
            int k = prog.get(JAVA_INT, o + 4);
            pc++;
            switch (code) {
                case 0x20 -> a = k == 0xfffff004 ? pkttype : k == 0xfffff000 ? word(frame, 12, 2)
                        : word(frame, k, 4);                                         // ld [k] / #pkttype / #proto
                case 0x28 -> a = word(frame, k, 2);                                 // ldh [k]
                case 0x30 -> a = word(frame, k, 1);                                 // ldb [k]
                case 0x40 -> a = word(frame, x + k, 4);                             // ld [x + k]
                case 0x48 -> a = word(frame, x + k, 2);                             // ldh [x + k]
                case 0x50 -> a = word(frame, x + k, 1);                             // ldb [x + k]
                case 0xb1 -> x = 4 * (word(frame, k, 1) & 0xf);                     // ldxb 4*([k]&0xf)
                case 0x61 -> x = mem[k];                                            // ldx M[k]
                case 0x02 -> mem[k] = a;                                            // st M[k]
                case 0x03 -> mem[k] = x;                                            // stx M[k]
                case 0x07 -> x = a;                                                 // tax
                case 0x87 -> a = x;                                                 // txa
                case 0x0c -> a += x;                                                // add x
                case 0x04 -> a += k;                                                // add #k
                case 0x14 -> a -= k;                                                // sub #k
                case 0x24 -> a *= k;                                                // mul #k
                case 0x34 -> a = Integer.divideUnsigned(a, k);                      // div #k
                case 0x54 -> a &= k;                                                // and #k
                case 0x64 -> a <<= k;                                               // lsh #k
                case 0x74 -> a >>>= k;                                              // rsh #k
                case 0xac -> a ^= x;                                                // xor x
                case 0x05 -> pc += k;                                               // ja
                case 0x15 -> pc += a == k ? jt : jf;                                // jeq
                case 0x45 -> pc += (a & k) != 0 ? jt : jf;                          // jset
                case 0x35 -> pc += Integer.compareUnsigned(a, k) >= 0 ? jt : jf;    // jge
                case 0x25 -> pc += Integer.compareUnsigned(a, k) > 0 ? jt : jf;     // jgt
                case 0x06 -> {
                    return k;                                                        // ret #k
                }
                case 0x16 -> {
                    return a;                                                        // ret a
                }
                default -> throw new IllegalStateException("opcode " + Integer.toHexString(code));
            }
        }
        throw new IllegalStateException("fell off the program");
    }

    /** SKF_NET_OFF: a load relative to the network header, 14 bytes into an Ethernet frame. */
    static final int NET_OFF = 0xfff00000;

    /** A load beyond the frame ends the program with 0 in the kernel. */
    static int word(byte[] f, int off, int size) {
        if (off < 0 && off >= NET_OFF && off < NET_OFF + 0x10000) {
            off = off - NET_OFF + 14;
        }
        if (off < 0 || off + size > f.length) {
            throw new OutOfFrame();
        }
        int v = 0;
        for (int i = 0; i < size; i++) {
            v = (v << 8) | (f[off + i] & 0xff);
        }
        return v;
    }

    static byte[] tcp(String src, String dst, int sport, int dport) {
        return PacketBuilder.ethernet("02:00:c6:12:00:02", "02:00:c6:12:00:01").ipv4(src, dst).tcp(sport, dport)
                .flags(TcpView.SYN).build();
    }

    final Arena arena = Arena.ofConfined();
    final MemorySegment prog = SocketFilter.build(List.of(
            new SocketFilter.Match(false, ip("198.18.0.100"), 6, 80),
            new SocketFilter.Match(true, ip("198.19.0.11"), 6, 8080),
            new SocketFilter.Match(false, ip("198.18.1.0"), ip("255.255.255.0"), 0, 1000, 2000)), arena);

    @Test
    void shouldPassServiceTrafficAndRefuseTheRest() {
        assertThat(run(prog, tcp("198.18.0.2", "198.18.0.100", 40000, 80), HOST)).isPositive();
        assertThat(run(prog, tcp("198.18.0.2", "198.18.0.100", 40000, 81), HOST)).isZero();
        assertThat(run(prog, tcp("198.18.0.2", "198.18.0.101", 40000, 80), HOST)).isZero();
        assertThat(run(prog, tcp("198.19.0.11", "198.18.0.2", 8080, 40000), HOST)).isPositive();
        assertThat(run(prog, tcp("198.19.0.12", "198.18.0.2", 8080, 40000), HOST)).isZero();
    }

    @Test
    void shouldMatchNetworksPortRangesAndAnyProtocolWhenMarking() {
        assertThat(run(prog, tcp("198.18.0.2", "198.18.1.77", 40000, 1500), HOST)).isPositive();
        assertThat(run(prog, tcp("198.18.0.2", "198.18.1.77", 40000, 999), HOST)).isZero();
        assertThat(run(prog, tcp("198.18.0.2", "198.18.1.77", 40000, 2001), HOST)).isZero();
        byte[] udp = PacketBuilder.ethernet("02:00:c6:12:00:02", "02:00:c6:12:00:01").ipv4("198.18.0.2", "198.18.1.5")
                .udp(5000, 2000).build();
        assertThat(run(prog, udp, HOST)).isPositive();
    }

    @Test
    void shouldPassArpAndLaterFragmentsAndRefuseOwnFrames() {
        assertThat(run(prog, PacketBuilder.arpRequest("02:00:c6:12:00:02", "198.18.0.2", "198.18.0.100").build(),
                HOST)).isPositive();
        byte[] later = PacketBuilder.ethernet("02:00:c6:12:00:02", "02:00:c6:12:00:01").ipv4("198.18.0.2",
                "198.18.0.100").id(9).fragmentOffset(3).protocol(17).payload("abcdefgh").build();
        assertThat(run(prog, later, HOST)).isPositive();
        assertThat(run(prog, tcp("198.18.0.2", "198.18.0.100", 40000, 80), OUTGOING)).isZero();
        byte[] ipv6 = PacketBuilder.ethernet("02:00:c6:12:00:02", "02:00:c6:12:00:01").etherType(0x86dd)
                .payload("x").build();
        assertThat(run(prog, ipv6, HOST)).isZero();
    }

    @Test
    void shouldKeepEveryJumpInRangeWhenManyServices() {
        List<SocketFilter.Match> many = new java.util.ArrayList<>();
        for (int i = 0; i < SocketFilter.MAX_MATCHES; i++) {
            many.add(new SocketFilter.Match(false, ip("198.18.0.0") + i, 6, 80));
        }
        MemorySegment big = SocketFilter.build(many, arena);
        assertThat(big.byteSize() / 8).isLessThanOrEqualTo(4096);
        assertThat(run(big, tcp("198.18.0.2", "198.18.1.143", 1, 80), HOST)).isPositive(); // the 400th
    }

    static byte[] tcp6(String src, String dst, int sport, int dport) {
        return PacketBuilder.ethernet("02:00:c6:12:00:02", "02:00:c6:12:00:01").ipv6(src, dst).tcp(sport, dport)
                .flags(TcpView.SYN).build();
    }

    static SocketFilter.Match6 match6(boolean source, String addr, int proto, int low, int high) {
        return new SocketFilter.Match6(source, PacketBuilder.ip6Hi(addr), PacketBuilder.ip6Lo(addr), proto, low, high);
    }

    final MemorySegment prog6 = SocketFilter.build(List.of(new SocketFilter.Match(false, ip("198.18.0.100"), 6, 80)),
            List.of(match6(false, "2001:db8:1::100", 6, 80, 80), match6(true, "2001:db8:2::11", 6, 8080, 8080),
                    match6(false, "2001:db8:2::100", 0, 1024, 65535)), arena);

    @Test
    void shouldPassIpv6ServiceTrafficAndNatRepliesAndRefuseTheRest() {
        assertThat(run(prog6, tcp6("2001:db8:1::2", "2001:db8:1::100", 40000, 80), HOST)).isPositive();
        assertThat(run(prog6, tcp6("2001:db8:1::2", "2001:db8:1::100", 40000, 81), HOST)).isZero();
        assertThat(run(prog6, tcp6("2001:db8:1::2", "2001:db8:1::101", 40000, 80), HOST)).isZero();
        assertThat(run(prog6, tcp6("2001:db8:1::2", "2001:db9:1::100", 40000, 80), HOST)).isZero();
        assertThat(run(prog6, tcp6("2001:db8:2::11", "2001:db8:1::2", 8080, 40000), HOST)).isPositive();
        assertThat(run(prog6, tcp6("2001:db8:2::12", "2001:db8:1::2", 8080, 40000), HOST)).isZero();
        assertThat(run(prog6, tcp6("2001:db8:1::2", "2001:db8:1::100", 40000, 80), OUTGOING)).isZero();
        byte[] udp = PacketBuilder.ethernet("02:00:c6:12:00:02", "02:00:c6:12:00:01").ipv6("2001:db8:2::12",
                "2001:db8:2::100").udp(53, 2000).build();
        assertThat(run(prog6, udp, HOST)).as("FULLNAT reply to a local port, any protocol").isPositive();
        assertThat(run(prog6, tcp("198.18.0.2", "198.18.0.100", 40000, 80), HOST)).as("IPv4 still").isPositive();
        assertThat(run(prog6, tcp("198.18.0.2", "198.18.0.100", 40000, 81), HOST)).isZero();
    }

    @Test
    void shouldPassNeighbourDiscoveryAndExtensionHeadersWhenIpv6IsServed() {
        byte[] ns = PacketBuilder.neighborSolicitation("02:00:c6:12:00:02", "2001:db8:1::2", "2001:db8:1::100").build();
        assertThat(run(prog6, ns, HOST)).isPositive();
        byte[] fragment = PacketBuilder.ethernet("02:00:c6:12:00:02", "02:00:c6:12:00:01")
                .ipv6("2001:db8:1::2", "2001:db8:1::100").fragmentHeader(3, false, 7).protocol(17).payload("abcdefgh")
                .build();
        assertThat(run(prog6, fragment, HOST)).isPositive();
        assertThat(run(prog, ns, HOST)).as("no IPv6 service: no IPv6 at all").isZero();
    }

    @Test
    void shouldReachIpv6MatchesBehindManyIpv4Blocks() {
        List<SocketFilter.Match> many = new java.util.ArrayList<>();
        for (int i = 0; i < 300; i++) {
            many.add(new SocketFilter.Match(false, ip("198.18.0.0") + i, 6, 80));
        }
        List<SocketFilter.Match6> many6 = new java.util.ArrayList<>();
        for (int i = 0; i < 60; i++) {
            many6.add(new SocketFilter.Match6(false, PacketBuilder.ip6Hi("2001:db8:1::"), i, 6, 80, 80));
        }
        MemorySegment big = SocketFilter.build(many, many6, arena);
        assertThat(big.byteSize() / 8).isLessThanOrEqualTo(SocketFilter.BPF_MAXINSNS);
        assertThat(run(big, tcp6("2001:db8:1::2", "2001:db8:1::3b", 40000, 80), HOST)).isPositive(); // the 60th
        assertThat(run(big, tcp6("2001:db8:1::2", "2001:db8:1::3c", 40000, 80), HOST)).isZero();
    }

    @Test
    void shouldRefuseWhenProgramWouldExceedTheKernelLimit() {
        List<SocketFilter.Match> many = new java.util.ArrayList<>();
        for (int i = 0; i < SocketFilter.MAX_MATCHES; i++) {
            many.add(new SocketFilter.Match(false, ip("198.18.0.0") + i, 0xffffff00, 0, 1, 2));
        }
        List<SocketFilter.Match6> many6 = new java.util.ArrayList<>();
        for (int i = 0; i < SocketFilter.MAX_MATCHES6; i++) {
            many6.add(new SocketFilter.Match6(false, 1L, i, 0, 1, 2));
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SocketFilter.build(many, many6, arena))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too many services");
    }
}
