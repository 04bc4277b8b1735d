package io.jlvs.packet;

import static io.jlvs.testkit.Ipv6Captures.CAPTURED_ECHO;
import static io.jlvs.testkit.Ipv6Captures.CAPTURED_FIRST_FRAGMENT_HEAD;
import static io.jlvs.testkit.Ipv6Captures.CAPTURED_NS;
import static io.jlvs.testkit.Ipv6Captures.CAPTURED_PARTIAL_RST;
import static io.jlvs.testkit.Ipv6Captures.CAPTURED_PORT_UNREACH;
import static io.jlvs.testkit.Ipv6Captures.CAPTURED_SYN;
import static io.jlvs.testkit.Ipv6Captures.CAPTURED_UDP;
import static io.jlvs.testkit.PacketBuilder.ip6Hi;
import static io.jlvs.testkit.PacketBuilder.ip6Lo;
import static io.jlvs.testkit.PacketBuilder.unhex;
import static org.assertj.core.api.Assertions.assertThat;

import io.jlvs.testkit.PacketBuilder;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The IPv6 half of {@link Checksum}: against checksums Linux computed (Ipv6Captures) and full recomputation. */
class ChecksumIpv6Test {
    private static final long DOC = ip6Hi("2001:db8::1");
    private static final long LL = ip6Hi("fe80::1");
    /** 2001:db8::/32 with the remaining 32 high bits from the property's input: every test address stays in it. */
    private static final long DOC_PREFIX = 0x2001_0db8_0000_0000L;
    private static final ValueLayout.OfShort BE16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private static MemorySegment seg(String hex) {
        return MemorySegment.ofArray(unhex(hex));
    }

    private static long doc(int hiLow) {
        return DOC_PREFIX | (hiLow & 0xffff_ffffL);
    }

    // ---------------------------------------------------------------------------------------------- known vectors

    @Test
    void shouldSumPseudoHeaderWordByWordWhenGivenAddresses() {
        // 2001:db8::1 -> 2001:db8::2, UDP, 11 bytes: 2 * (0x2001 + 0x0db8) + 1 + 2 + 11 + 17.
        long sum = Checksum.pseudoHeaderIpv6(DOC, 1, DOC, 2, Ipv6View.NEXT_UDP, 11);

        assertThat(Checksum.fold(sum)).isEqualTo(2 * (0x2001 + 0x0db8) + 1 + 2 + 11 + 17);
    }

    @Test
    void shouldCountUpperLengthAsThirtyTwoBitsWhenAboveSixtyFourKilobytes() {
        long small = Checksum.pseudoHeaderIpv6(DOC, 1, DOC, 2, 6, 0x1_0003);

        assertThat(Checksum.fold(small)).isEqualTo(Checksum.fold(Checksum.pseudoHeaderIpv6(DOC, 1, DOC, 2, 6, 4)));
    }

    @Test
    void shouldMatchLinuxWhenComputingUdpChecksum() {
        MemorySegment s = seg(CAPTURED_UDP);

        assertThat(Checksum.udpIpv6(s, 54, 11, DOC, 1, DOC, 2)).isEqualTo(0xcae2);
        assertThat(Checksum.l4Ipv6(s, 54, 11, DOC, 1, DOC, 2, Ipv6View.NEXT_UDP)).isEqualTo(0xcae2);
        assertThat(Checksum.l4Ipv6Valid(s, 54, 11, DOC, 1, DOC, 2, Ipv6View.NEXT_UDP)).isTrue();
        assertThat(Checksum.l4Ipv6Valid(s, 54, 11, DOC, 1, DOC, 3, Ipv6View.NEXT_UDP)).isFalse();
    }

    @Test
    void shouldMatchLinuxWhenComputingChecksumOfFragmentedDatagram() {
        // The first fragment's UDP header holds 0x01f9 for the whole 1544-byte datagram: header + 6 x (0..255).
        byte[] head = unhex(CAPTURED_FIRST_FRAGMENT_HEAD);
        byte[] datagram = new byte[8 + 1536];
        System.arraycopy(head, 62, datagram, 0, 8);
        for (int i = 0; i < 1536; i++) {
            datagram[8 + i] = (byte) i;
        }

        assertThat(Checksum.udpIpv6(MemorySegment.ofArray(datagram), 0, datagram.length, DOC, 1, DOC, 2))
                .isEqualTo(0x01f9);
    }

    @Test
    void shouldMatchLinuxWhenComputingTcpChecksumWithOptions() {
        MemorySegment s = seg(CAPTURED_SYN);

        assertThat(Checksum.l4Ipv6(s, 54, 40, DOC, 1, DOC, 2, Ipv6View.NEXT_TCP)).isEqualTo(0x97fe);
        assertThat(Checksum.l4Ipv6Valid(s, 54, 40, DOC, 1, DOC, 2, Ipv6View.NEXT_TCP)).isTrue();
    }

    @Test
    void shouldMatchLinuxWhenComputingIcmpv6Checksums() {
        assertThat(Checksum.icmpv6(seg(CAPTURED_ECHO), 54, 16, LL, 1, LL, 2)).isEqualTo(0xdee5);
        assertThat(Checksum.icmpv6(seg(CAPTURED_PORT_UNREACH), 54, 59, DOC, 2, DOC, 1)).isEqualTo(0xb877);
        long group = NeighborDiscoveryView.solicitedNodeLo(2);
        assertThat(Checksum.icmpv6(seg(CAPTURED_NS), 54, 32, LL, 1, NeighborDiscoveryView.SOLICITED_NODE_HI, group))
                .isEqualTo(0x7a97);
    }

    @Test
    void shouldEqualLinuxPartialChecksumWhenFoldingPseudoHeader() {
        // With TX offload Linux left the folded pseudo-header sum in the RST's field: 2001:db8::2 -> ::1, TCP, 20.
        MemorySegment s = seg(CAPTURED_PARTIAL_RST);

        int partial = Checksum.fold(Checksum.pseudoHeaderIpv6(DOC, 2, DOC, 1, Ipv6View.NEXT_TCP, 20));

        assertThat(partial).isEqualTo(0x5b8f);
        assertThat(new TcpView().wrap(s, 54).checksum()).isEqualTo(0x5b8f);
        assertThat(Checksum.l4Ipv6Valid(s, 54, 20, DOC, 2, DOC, 1, Ipv6View.NEXT_TCP)).isFalse();
        // What the device does: sum from csum_start, field included, complement. tcpdump said 0x0971.
        assertThat(Checksum.finish(Checksum.sum(s, 54, 20, 0))).isEqualTo(0x0971);
        assertThat(Checksum.l4Ipv6(s, 54, 20, DOC, 2, DOC, 1, Ipv6View.NEXT_TCP)).isEqualTo(0x0971);
    }

    @Test
    void shouldIgnoreFieldContentWhenComputing() {
        byte[] bytes = unhex(CAPTURED_SYN);
        bytes[54 + 16] = 0x12;
        bytes[54 + 17] = 0x34;

        assertThat(Checksum.l4Ipv6(MemorySegment.ofArray(bytes), 54, 40, DOC, 1, DOC, 2, 6)).isEqualTo(0x97fe);
    }

    @Test
    void shouldRejectZeroUdpChecksumWhenOverIpv6() {
        byte[] bytes = unhex(CAPTURED_UDP);
        bytes[54 + 6] = 0;
        bytes[54 + 7] = 0;

        assertThat(Checksum.l4Ipv6Valid(MemorySegment.ofArray(bytes), 54, 11, DOC, 1, DOC, 2, 17)).isFalse();
    }

    @Test
    void shouldStoreFfffWhenUdpChecksumComputesToZero() {
        // A 2-byte payload equal to the checksum of the zero-payload datagram makes the sum -0.
        PacketBuilder zero = PacketBuilder.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02")
                .ipv6("2001:db8::1", "2001:db8::2").udp(1000, 2000).payload(new byte[2]);
        byte[] z = zero.build();
        byte[] payload = {z[zero.l4Offset() + 6], z[zero.l4Offset() + 7]};
        PacketBuilder b = PacketBuilder.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02")
                .ipv6("2001:db8::1", "2001:db8::2").udp(1000, 2000).payload(payload);
        MemorySegment s = MemorySegment.ofArray(b.build());

        assertThat(Checksum.l4Ipv6(s, b.l4Offset(), 10, DOC, 1, DOC, 2, 17)).isZero();
        assertThat(Checksum.udpIpv6(s, b.l4Offset(), 10, DOC, 1, DOC, 2)).isEqualTo(0xffff);
        assertThat(new UdpView().wrap(s, b.l4Offset()).checksum()).isEqualTo(0xffff);
        assertThat(Checksum.l4Ipv6Valid(s, b.l4Offset(), 10, DOC, 1, DOC, 2, 17)).isTrue();
    }

    @Test
    void shouldUpdateLinuxChecksumWhenAddressIsRewritten() {
        // NAT of the captured SYN to 2001:db8::3: the incremental update equals a full computation.
        MemorySegment s = seg(CAPTURED_SYN);
        TcpView tcp = new TcpView().wrap(s, 54);
        Ipv6View ip = new Ipv6View().wrap(s, 14);

        ip.dstLo(3);
        tcp.checksum(Checksum.update128(tcp.checksum(), DOC, 2, DOC, 3));

        assertThat(tcp.checksum()).isEqualTo(Checksum.l4Ipv6(s, 54, 40, DOC, 1, DOC, 3, 6));
        assertThat(Checksum.l4Ipv6Valid(s, 54, 40, ip.srcHi(), ip.srcLo(), ip.dstHi(), ip.dstLo(), 6)).isTrue();
    }

    // ---------------------------------------------------------------------------------------------- properties

    @Property(tries = 500)
    void shouldMatchFullRecomputationWhenUpdatingOneHundredTwentyEightBits(
            @ForAll @Size(min = 18, max = 60) byte[] raw, @ForAll @IntRange(max = 100) int seed,
            @ForAll long newHi, @ForAll long newLo) {
        byte[] data = Arrays.copyOf(raw, raw.length & ~1);
        data[0] |= 0x40; // real headers never sum to zero (see ChecksumTest)
        long offset = 2 + 2L * (seed % ((data.length - 16) / 2));
        MemorySegment s = MemorySegment.ofArray(data);
        int before = Checksum.finish(Checksum.sum(s, 0, data.length, 0));
        long oldHi = s.get(Ipv6View.U64, offset);
        long oldLo = s.get(Ipv6View.U64, offset + 8);

        s.set(Ipv6View.U64, offset, newHi);
        s.set(Ipv6View.U64, offset + 8, newLo);
        int full = Checksum.finish(Checksum.sum(s, 0, data.length, 0));

        assertThat(Checksum.update128(before, oldHi, oldLo, newHi, newLo)).isEqualTo(full);
    }

    @Property(tries = 300)
    void shouldMatchFullRecomputationWhenNatRewritesTcpDestinationAndPort(
            @ForAll int srcHi, @ForAll long srcLo, @ForAll int dstHi, @ForAll long dstLo,
            @ForAll int newHi, @ForAll long newLo, @ForAll @IntRange(max = 0xffff) int dport,
            @ForAll @IntRange(max = 0xffff) int newDport, @ForAll @Size(max = 64) byte[] payload,
            @ForAll boolean withExtensionHeaders) {
        PacketBuilder b = PacketBuilder.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02")
                .ipv6(doc(srcHi), srcLo, doc(dstHi), dstLo);
        if (withExtensionHeaders) {
            b.hopByHopOptions().fragmentHeader(0, false, 1).destinationOptions();
        }
        b.tcp(40000, dport).flags(TcpView.ACK).seq((int) srcLo).payload(payload);
        MemorySegment s = MemorySegment.ofArray(b.build());
        Ipv6View ip = new Ipv6View().wrap(s, b.l3Offset());
        TcpView tcp = new TcpView().wrap(s, b.l4Offset());
        assertThat(Checksum.l4Ipv6Valid(s, b.l4Offset(), b.l4Length(), ip.srcHi(), ip.srcLo(), ip.dstHi(), ip.dstLo(),
                Ipv6View.NEXT_TCP)).isTrue();

        long oldHi = ip.dstHi();
        long oldLo = ip.dstLo();
        ip.dstAddr(doc(newHi), newLo);
        int csum = Checksum.update128(tcp.checksum(), oldHi, oldLo, doc(newHi), newLo);
        int oldPort = tcp.dstPort();
        tcp.dstPort(newDport).checksum(Checksum.update16(csum, oldPort, newDport));

        assertThat(tcp.checksum()).isEqualTo(Checksum.l4Ipv6(s, b.l4Offset(), b.l4Length(),
                doc(srcHi), srcLo, doc(newHi), newLo, Ipv6View.NEXT_TCP));
    }

    @Property(tries = 300)
    void shouldMatchFullRecomputationWhenNatRewritesUdpSourceAndPort(
            @ForAll int srcHi, @ForAll long srcLo, @ForAll long dstLo, @ForAll int newHi, @ForAll long newLo,
            @ForAll @IntRange(max = 0xffff) int newSport, @ForAll @Size(max = 64) byte[] payload) {
        PacketBuilder b = PacketBuilder.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02")
                .ipv6(doc(srcHi), srcLo, DOC, dstLo).udp(8080, 53).payload(payload);
        MemorySegment s = MemorySegment.ofArray(b.build());
        Ipv6View ip = new Ipv6View().wrap(s, b.l3Offset());
        UdpView udp = new UdpView().wrap(s, b.l4Offset());

        ip.srcAddr(doc(newHi), newLo);
        int csum = Checksum.update128(udp.checksum(), doc(srcHi), srcLo, doc(newHi), newLo);
        csum = Checksum.update16(csum, udp.srcPort(), newSport);
        udp.srcPort(newSport).checksum(Checksum.udpNonZero(csum));

        assertThat(udp.checksum())
                .isEqualTo(Checksum.udpIpv6(s, b.l4Offset(), b.l4Length(), doc(newHi), newLo, DOC, dstLo));
        assertThat(Checksum.l4Ipv6Valid(s, b.l4Offset(), b.l4Length(), doc(newHi), newLo, DOC, dstLo, 17)).isTrue();
    }

    @Property(tries = 300)
    void shouldMatchFullRecomputationWhenIcmpv6ErrorSourceIsRewritten(
            @ForAll int srcHi, @ForAll long srcLo, @ForAll long newLo, @ForAll @Size(max = 80) byte[] quoted) {
        PacketBuilder b = PacketBuilder.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02")
                .ipv6(doc(srcHi), srcLo, DOC, 1).icmpv6(Icmpv6View.TYPE_DEST_UNREACH, 4, 0).payload(quoted);
        MemorySegment s = MemorySegment.ofArray(b.build());
        Icmpv6View icmp = new Icmpv6View().wrap(s, b.l4Offset());

        icmp.checksum(Checksum.update128(icmp.checksum(), doc(srcHi), srcLo, doc(srcHi), newLo));

        assertThat(icmp.checksum()).isEqualTo(icmp.computeChecksum(b.l4Length(), doc(srcHi), newLo, DOC, 1));
    }

    @Property(tries = 300)
    void shouldMatchFreshPseudoHeaderSumWhenUpdatingPartialChecksum(
            @ForAll int srcHi, @ForAll long srcLo, @ForAll int dstHi, @ForAll long dstLo,
            @ForAll int newSrcHi, @ForAll long newSrcLo, @ForAll int newDstHi, @ForAll long newDstLo,
            @ForAll boolean udp, @ForAll @IntRange(max = 0xffff) int newPort, @ForAll @Size(max = 64) byte[] payload) {
        PacketBuilder b = PacketBuilder.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02")
                .ipv6(doc(srcHi), srcLo, doc(dstHi), dstLo);
        b = udp ? b.udp(4000, 53) : b.tcp(40000, 80);
        b.payload(payload).partialChecksum();
        MemorySegment s = MemorySegment.ofArray(b.build());
        int proto = udp ? Ipv6View.NEXT_UDP : Ipv6View.NEXT_TCP;
        long fieldAt = b.l4Offset() + (udp ? UdpView.CHECKSUM_OFFSET : TcpView.CHECKSUM_OFFSET);
        int partial = Short.toUnsignedInt(s.get(BE16, fieldAt));

        partial = Checksum.updatePartial128(partial, doc(srcHi), srcLo, doc(newSrcHi), newSrcLo);
        partial = Checksum.updatePartial128(partial, doc(dstHi), dstLo, doc(newDstHi), newDstLo);
        s.set(BE16, fieldAt, (short) partial);
        // A port rewrite leaves the partial checksum alone.
        s.set(BE16, b.l4Offset() + 2L, (short) newPort);

        assertThat(partial).isEqualTo(Checksum.fold(Checksum.pseudoHeaderIpv6(doc(newSrcHi), newSrcLo, doc(newDstHi),
                newDstLo, proto, b.l4Length())));
        // What the device does with NEEDS_CSUM: sum from csum_start to the end, field included, and complement.
        int completed = Checksum.finish(Checksum.sum(s, b.l4Offset(), b.l4Length(), 0));
        int full = Checksum.l4Ipv6(s, b.l4Offset(), b.l4Length(), doc(newSrcHi), newSrcLo, doc(newDstHi), newDstLo,
                proto);
        assertThat(completed).isEqualTo(full);
    }

    @Property(tries = 200)
    void shouldAgreeWithBuilderWhenFramesAreAnyLength(
            @ForAll @Size(max = 300) byte[] payload, @ForAll @IntRange(min = 0, max = 2) int kind, @ForAll long lo) {
        PacketBuilder b = PacketBuilder.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02")
                .ipv6(LL, lo, DOC, ~lo).payload(payload);
        int proto = switch (kind) {
            case 0 -> { b.tcp(1, 2); yield 6; }
            case 1 -> { b.udp(1, 2); yield 17; }
            default -> { b.icmpv6Echo(1, 2); yield 58; }
        };
        MemorySegment s = MemorySegment.ofArray(b.build());

        assertThat(Checksum.l4Ipv6Valid(s, b.l4Offset(), b.l4Length(), LL, lo, DOC, ~lo, proto)).isTrue();
        assertThat(Checksum.l4Ipv6Valid(s, b.l4Offset(), b.l4Length(), LL, lo ^ 1, DOC, ~lo, proto)).isFalse();
        assertThat(ip6Lo("2001:db8::1")).isEqualTo(1);
    }
}
