package io.jlvs.packet;

import static io.jlvs.testkit.Ipv6Captures.CAPTURED_NA;
import static io.jlvs.testkit.Ipv6Captures.CAPTURED_NS;
import static io.jlvs.testkit.PacketBuilder.ip6Hi;
import static io.jlvs.testkit.PacketBuilder.ip6Lo;
import static io.jlvs.testkit.PacketBuilder.unhex;
import static org.assertj.core.api.Assertions.assertThat;

import io.jlvs.testkit.PacketBuilder;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class NeighborDiscoveryViewTest {
    private static final long LL = ip6Hi("fe80::1");
    private static final long A_MAC = 0x0200_0000_0001L;
    private static final long B_MAC = 0x0200_0000_0002L;

    private final NeighborDiscoveryView view = new NeighborDiscoveryView();

    private static MemorySegment seg(byte[] bytes) {
        return MemorySegment.ofArray(bytes);
    }

    /** The ICMPv6 message of an ND frame built by the builder, patched, as a segment of its own. */
    private static MemorySegment message(PacketBuilder b, int patchAt, int value) {
        byte[] f = b.build();
        byte[] m = Arrays.copyOfRange(f, b.l4Offset(), f.length);
        if (patchAt >= 0) {
            m[patchAt] = (byte) value;
        }
        return seg(m);
    }

    // ---------------------------------------------------------------------------------------------- reading

    @Test
    void shouldReadTargetAndSourceMacWhenWrappingCapturedSolicitation() {
        MemorySegment s = seg(unhex(CAPTURED_NS));
        view.wrap(s, 54);

        assertThat(NeighborDiscoveryView.validate(s, 54, 32)).isEqualTo(PacketError.OK);
        assertThat(view.isSolicitation()).isTrue();
        assertThat(view.isAdvertisement()).isFalse();
        assertThat(view.targetHi()).isEqualTo(LL);
        assertThat(view.targetLo()).isEqualTo(2);
        assertThat(view.flags()).isZero();
        assertThat(view.sourceLinkLayerAddress(32)).isEqualTo(A_MAC);
        assertThat(view.targetLinkLayerAddress(32)).isEqualTo(NeighborDiscoveryView.NO_MAC);
        Ipv6View ip = new Ipv6View().wrap(s, 14);
        assertThat(ip.hopLimit()).isEqualTo(NeighborDiscoveryView.REQUIRED_HOP_LIMIT);
        assertThat(new Icmpv6View().wrap(s, 54).checksumValid(32, ip.srcHi(), ip.srcLo(), ip.dstHi(), ip.dstLo()))
                .isTrue();
    }

    @Test
    void shouldReadFlagsAndTargetMacWhenWrappingCapturedAdvertisement() {
        MemorySegment s = seg(unhex(CAPTURED_NA));
        view.wrap(s, 54);

        assertThat(NeighborDiscoveryView.validate(s, 54, 32)).isEqualTo(PacketError.OK);
        assertThat(view.isAdvertisement()).isTrue();
        assertThat(view.router()).isFalse();
        assertThat(view.solicited()).isTrue();
        assertThat(view.override()).isTrue();
        assertThat(view.targetLo()).isEqualTo(2);
        assertThat(view.targetLinkLayerAddress(32)).isEqualTo(B_MAC);
        assertThat(view.sourceLinkLayerAddress(32)).isEqualTo(NeighborDiscoveryView.NO_MAC);
    }

    @Test
    void shouldAddressSolicitedNodeGroupWhenLinuxSolicits() {
        MemorySegment s = seg(unhex(CAPTURED_NS));
        Ipv6View ip = new Ipv6View().wrap(s, 14);
        long targetLo = view.wrap(s, 54).targetLo();

        assertThat(ip.dstHi()).isEqualTo(NeighborDiscoveryView.SOLICITED_NODE_HI);
        assertThat(ip.dstLo()).isEqualTo(NeighborDiscoveryView.solicitedNodeLo(targetLo));
        assertThat(new EthernetView().wrap(s, 0).dstMac()).isEqualTo(Ipv6View.multicastMac(ip.dstLo()));
        assertThat(NeighborDiscoveryView.solicitedNodeLo(ip6Lo("2001:db8::aabb:ccdd:eeff")))
                .isEqualTo(ip6Lo("ff02::1:ffdd:eeff"));
    }

    @Test
    void shouldFindOptionAfterOthersWhenSeveralArePresent() {
        // A nonce option (type 14, 8 bytes) first, then the source link-layer address.
        PacketBuilder b = PacketBuilder.neighborSolicitation("02:00:00:00:00:01", "fe80::1", "fe80::2")
                .noLinkLayerOption().payload(unhex("0e 01 01 02 03 04 05 06 01 01 02 00 00 00 00 07"));
        MemorySegment m = message(b, -1, 0);
        view.wrap(m, 0);

        assertThat(NeighborDiscoveryView.validate(m, 0, 40)).isEqualTo(PacketError.OK);
        assertThat(view.sourceLinkLayerAddress(40)).isEqualTo(0x0200_0000_0007L);
        assertThat(view.sourceLinkLayerAddress(32)).isEqualTo(NeighborDiscoveryView.NO_MAC);
    }

    @Test
    void shouldFindNoMacWhenSolicitationComesFromUnspecifiedAddress() {
        PacketBuilder b = PacketBuilder.neighborSolicitation("02:00:00:00:00:01", "::", "fe80::2");
        MemorySegment m = message(b, -1, 0);

        assertThat(NeighborDiscoveryView.validate(m, 0, 24)).isEqualTo(PacketError.OK);
        assertThat(view.wrap(m, 0).sourceLinkLayerAddress(24)).isEqualTo(NeighborDiscoveryView.NO_MAC);
    }

    @Test
    void shouldStopAtMalformedOptionWhenSearching() {
        PacketBuilder b = PacketBuilder.neighborSolicitation("02:00:00:00:00:01", "fe80::1", "fe80::2")
                .noLinkLayerOption().payload(unhex("0e 00 00 00 00 00 00 00 01 01 02 00 00 00 00 07"));
        MemorySegment m = message(b, -1, 0);

        assertThat(view.wrap(m, 0).sourceLinkLayerAddress(40)).isEqualTo(NeighborDiscoveryView.NO_MAC);
    }

    // ---------------------------------------------------------------------------------------------- writing

    @Test
    void shouldWriteLinuxBytesWhenInitialisingSolicitation() {
        byte[] captured = unhex(CAPTURED_NS);
        MemorySegment out = seg(new byte[32]);
        long groupLo = NeighborDiscoveryView.solicitedNodeLo(2);

        view.wrap(out, 0).initSolicitation(LL, 2, A_MAC)
                .updateChecksum(NeighborDiscoveryView.LENGTH_WITH_LL_OPTION, LL, 1,
                        NeighborDiscoveryView.SOLICITED_NODE_HI, groupLo);

        PacketBuilder.assertSameBytes(Arrays.copyOfRange(captured, 54, 86), PacketBuilder.bytes(out));
    }

    @Test
    void shouldWriteLinuxBytesWhenInitialisingAdvertisement() {
        byte[] captured = unhex(CAPTURED_NA);
        MemorySegment out = seg(new byte[32]);
        int flags = NeighborDiscoveryView.FLAG_SOLICITED | NeighborDiscoveryView.FLAG_OVERRIDE;

        view.wrap(out, 0).initAdvertisement(flags, LL, 2, B_MAC).updateChecksum(32, LL, 2, LL, 1);

        PacketBuilder.assertSameBytes(Arrays.copyOfRange(captured, 54, 86), PacketBuilder.bytes(out));
    }

    @Test
    void shouldClearChecksumAndKeepNothingStaleWhenReinitialising() {
        MemorySegment out = seg(unhex(CAPTURED_NA)).asSlice(54);
        view.wrap(out, 0).initSolicitation(LL, 2, A_MAC);

        assertThat(new Icmpv6View().wrap(out, 0).checksum()).isZero();
        assertThat(view.flags()).isZero();
        assertThat(view.type()).isEqualTo(Icmpv6View.TYPE_NEIGHBOR_SOLICIT);
        assertThat(view.sourceLinkLayerAddress(32)).isEqualTo(A_MAC);
    }

    @Test
    void shouldSetEachFlagAloneWhenToggled() {
        MemorySegment out = seg(new byte[32]);
        view.wrap(out, 0).initAdvertisement(0, LL, 2, B_MAC);

        view.router(true);
        assertThat(view.flags()).isEqualTo(NeighborDiscoveryView.FLAG_ROUTER);
        view.solicited(true).override(true).router(false);
        assertThat(view.flags()).isEqualTo(0x6000_0000);
        view.solicited(false);
        assertThat(view.override()).isTrue();
        assertThat(view.solicited()).isFalse();
        view.target(ip6Hi("2001:db8::5"), 5);
        assertThat(view.targetHi()).isEqualTo(0x2001_0db8_0000_0000L);
    }

    // ---------------------------------------------------------------------------------------------- validate

    @Test
    void shouldReportTruncatedWhenShorterThanTwentyFourBytes() {
        MemorySegment s = seg(unhex(CAPTURED_NS));

        assertThat(NeighborDiscoveryView.validate(s, 54, 23)).isEqualTo(PacketError.TRUNCATED_ICMPV6);
        assertThat(NeighborDiscoveryView.validate(s, 54 + 9, 32)).isEqualTo(PacketError.TRUNCATED_ICMPV6);
    }

    @Test
    void shouldReportBadNdWhenRfc4861SaysDiscard() {
        PacketBuilder ns = PacketBuilder.neighborSolicitation("02:00:00:00:00:01", "fe80::1", "fe80::2");

        assertThat(NeighborDiscoveryView.validate(message(ns, -1, 0), 0, 32)).isEqualTo(PacketError.OK);
        // Code 1.
        assertThat(NeighborDiscoveryView.validate(message(ns, 1, 1), 0, 32)).isEqualTo(PacketError.BAD_ND);
        // Not a solicitation or advertisement.
        assertThat(NeighborDiscoveryView.validate(message(ns, 0, 128), 0, 32)).isEqualTo(PacketError.BAD_ND);
        assertThat(NeighborDiscoveryView.validate(message(ns, 0, 133), 0, 32)).isEqualTo(PacketError.BAD_ND);
        // Multicast target (ff..).
        assertThat(NeighborDiscoveryView.validate(message(ns, 8, 0xff), 0, 32)).isEqualTo(PacketError.BAD_ND);
        // Option of length 0.
        assertThat(NeighborDiscoveryView.validate(message(ns, 25, 0), 0, 32)).isEqualTo(PacketError.BAD_ND);
        // Option longer than the message.
        assertThat(NeighborDiscoveryView.validate(message(ns, 25, 2), 0, 32)).isEqualTo(PacketError.BAD_ND);
        // A lone byte where an option should start.
        assertThat(NeighborDiscoveryView.validate(message(ns, -1, 0), 0, 25)).isEqualTo(PacketError.BAD_ND);
    }

    @Test
    void shouldNotAllocateWhenReadingMessage() {
        MemorySegment s = seg(unhex(CAPTURED_NA));
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long[] sink = new long[1];
        Runnable round = () -> {
            for (int i = 0; i < 10_000; i++) {
                if (NeighborDiscoveryView.validate(s, 54, 32) == PacketError.OK) {
                    view.wrap(s, 54);
                    sink[0] += view.targetLo() + view.targetLinkLayerAddress(32) + (view.solicited() ? 1 : 0);
                }
            }
        };
        for (int warm = 0; warm < 20; warm++) {
            round.run();
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        round.run();

        // thousands of operations: one allocation each would be tens of KiB; the JIT may still allocate a few
        // hundred bytes once (a deoptimisation, an OSR compile) in the measured round
        assertThat(threads.getCurrentThreadAllocatedBytes() - before).isLessThan(1024);
        assertThat(sink[0]).isNotZero();
    }
}
