package io.jlvs.packet;

import static io.jlvs.testkit.Ipv6Captures.CAPTURED_ECHO;
import static io.jlvs.testkit.Ipv6Captures.CAPTURED_FIRST_FRAGMENT_HEAD;
import static io.jlvs.testkit.Ipv6Captures.capturedSecondFragment;
import static io.jlvs.testkit.PacketBuilder.ip6Hi;
import static io.jlvs.testkit.PacketBuilder.ip6Lo;
import static io.jlvs.testkit.PacketBuilder.unhex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jlvs.testkit.PacketBuilder;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Ipv6ViewTest {
    private static final String A = "2001:db8::1";
    private static final String B = "2001:db8::2";

    private final Ipv6View view = new Ipv6View();

    private static PacketBuilder udp() {
        return PacketBuilder.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02").ipv6(A, B).udp(5353, 53).payload("abc");
    }

    private static MemorySegment seg(byte[] frame) {
        return MemorySegment.ofArray(frame);
    }

    // ---------------------------------------------------------------------------------------------- fields

    @Test
    void shouldReadEveryFieldWhenWrappingCapturedEchoRequest() {
        view.wrap(seg(unhex(CAPTURED_ECHO)), 14);

        assertThat(view.version()).isEqualTo(6);
        assertThat(view.trafficClass()).isZero();
        assertThat(view.flowLabel()).isEqualTo(0x3f27c);
        assertThat(view.payloadLength()).isEqualTo(16);
        assertThat(view.totalLength()).isEqualTo(56);
        assertThat(view.nextHeader()).isEqualTo(Ipv6View.NEXT_ICMPV6);
        assertThat(view.hopLimit()).isEqualTo(64);
        assertThat(view.srcHi()).isEqualTo(0xfe80_0000_0000_0000L);
        assertThat(view.srcLo()).isEqualTo(1L);
        assertThat(view.dstHi()).isEqualTo(0xfe80_0000_0000_0000L);
        assertThat(view.dstLo()).isEqualTo(2L);
        assertThat(view.offset()).isEqualTo(14);
    }

    @Test
    void shouldSplitFirstWordWhenTrafficClassAndFlowLabelAreSet() {
        PacketBuilder b = udp().trafficClass(0xb9).flowLabel(0xabcde);
        view.wrap(seg(b.build()), b.l3Offset());

        assertThat(view.version()).isEqualTo(6);
        assertThat(view.trafficClass()).isEqualTo(0xb9);
        assertThat(view.dscp()).isEqualTo(0xb9 >>> 2);
        assertThat(view.ecn()).isEqualTo(1);
        assertThat(view.flowLabel()).isEqualTo(0xabcde);
    }

    @Test
    void shouldLeaveOtherBitsAloneWhenSettingFirstWordFields() {
        PacketBuilder b = udp().trafficClass(0xb9).flowLabel(0xabcde);
        view.wrap(seg(b.build()), b.l3Offset());

        view.trafficClass(0x02);
        assertThat(view.version()).isEqualTo(6);
        assertThat(view.flowLabel()).isEqualTo(0xabcde);
        view.flowLabel(0x12345);
        assertThat(view.trafficClass()).isEqualTo(0x02);
        view.version(4);
        assertThat(view.version()).isEqualTo(4);
        assertThat(view.trafficClass()).isEqualTo(0x02);
        assertThat(view.flowLabel()).isEqualTo(0x12345);
        view.flowLabel(-1);
        assertThat(view.flowLabel()).isEqualTo(0xfffff);
        assertThat(view.trafficClass()).isEqualTo(0x02);
    }

    @Test
    void shouldWriteAddressesInNetworkOrderWhenSet() {
        PacketBuilder b = udp();
        MemorySegment s = seg(b.build());
        view.wrap(s, b.l3Offset());

        view.srcAddr(ip6Hi("fe80::aa:bb"), ip6Lo("fe80::aa:bb"))
                .dstHi(ip6Hi("2001:db8:1::")).dstLo(0x0102_0304_0506_0708L);

        byte[] out = PacketBuilder.bytes(s);
        assertThat(out[b.l3Offset() + 8]).isEqualTo((byte) 0xfe);
        assertThat(out[b.l3Offset() + 23]).isEqualTo((byte) 0xbb);
        assertThat(out[b.l3Offset() + 22]).isEqualTo((byte) 0x00);
        assertThat(out[b.l3Offset() + 21]).isEqualTo((byte) 0xaa);
        assertThat(out[b.l3Offset() + 29]).isEqualTo((byte) 0x01);
        assertThat(out[b.l3Offset() + 39]).isEqualTo((byte) 0x08);
        assertThat(view.srcLo()).isEqualTo(0xaa_00bbL);
        assertThat(view.dstHi()).isEqualTo(0x2001_0db8_0001_0000L);
        view.srcHi(1).srcLo(2).dstAddr(3, 4);
        assertThat(new long[] {view.srcHi(), view.srcLo(), view.dstHi(), view.dstLo()}).containsExactly(1, 2, 3, 4);
    }

    @Test
    void shouldDecrementOnlyHopLimitWhenForwarding() {
        PacketBuilder b = udp().hopLimit(2);
        byte[] before = b.build();
        MemorySegment s = seg(before.clone());
        view.wrap(s, b.l3Offset());

        assertThat(view.decrementHopLimit()).isEqualTo(1);

        byte[] after = PacketBuilder.bytes(s);
        before[b.l3Offset() + 7] = 1;
        PacketBuilder.assertSameBytes(before, after);
        assertThat(view.hopLimit(255).hopLimit()).isEqualTo(255);
        assertThat(view.decrementHopLimit()).isEqualTo(254);
    }

    @Test
    void shouldSetLengthAndNextHeaderWhenWritten() {
        PacketBuilder b = udp();
        view.wrap(seg(b.build()), b.l3Offset());

        view.payloadLength(1234).nextHeader(Ipv6View.NEXT_TCP);

        assertThat(view.payloadLength()).isEqualTo(1234);
        assertThat(view.nextHeader()).isEqualTo(6);
    }

    // ---------------------------------------------------------------------------------------------- validate

    @Test
    void shouldAcceptWhenHeaderAndPayloadAreComplete() {
        PacketBuilder b = udp().padTo(100);
        byte[] f = b.build();

        assertThat(Ipv6View.validate(seg(f), 14, f.length - 14)).isEqualTo(PacketError.OK);
        assertThat(Ipv6View.validate(seg(f), 14, 40 + 11)).isEqualTo(PacketError.OK);
        assertThat(Ipv6View.validate(seg(unhex(CAPTURED_ECHO)), 14, 56)).isEqualTo(PacketError.OK);
    }

    @Test
    void shouldReportTruncatedWhenFewerThanFortyBytes() {
        byte[] f = udp().build();

        assertThat(Ipv6View.validate(seg(f), 14, 39)).isEqualTo(PacketError.TRUNCATED_IPV6);
        assertThat(Ipv6View.validate(seg(f), f.length - 39, 1000)).isEqualTo(PacketError.TRUNCATED_IPV6);
        assertThat(Ipv6View.validate(seg(f), f.length + 1, 1000)).isEqualTo(PacketError.TRUNCATED_IPV6);
        assertThat(Ipv6View.validate(seg(f), -1, 1000)).isEqualTo(PacketError.TRUNCATED_IPV6);
    }

    @Test
    void shouldReportTruncatedWhenPayloadLengthExceedsFrame() {
        byte[] f = udp().ipv6PayloadLength(12).build();

        assertThat(Ipv6View.validate(seg(f), 14, f.length - 14)).isEqualTo(PacketError.TRUNCATED_IPV6);
        byte[] ok = udp().build();
        assertThat(Ipv6View.validate(seg(ok), 14, ok.length - 15)).isEqualTo(PacketError.TRUNCATED_IPV6);
    }

    @Test
    void shouldReportBadVersionWhenVersionIsNotSix() {
        byte[] f = udp().version(4).build();

        assertThat(Ipv6View.validate(seg(f), 14, f.length - 14)).isEqualTo(PacketError.BAD_IPV6_VERSION);
    }

    @Test
    void shouldReportBadPayloadLengthWhenJumbogramIsAnnounced() {
        byte[] f = udp().hopByHopOptions().ipv6PayloadLength(0).build();

        assertThat(Ipv6View.validate(seg(f), 14, f.length - 14)).isEqualTo(PacketError.BAD_IPV6_PAYLOAD_LENGTH);
    }

    @Test
    void shouldAcceptEmptyPayloadWhenNoNextHeader() {
        byte[] f = PacketBuilder.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02").ipv6(A, B).build();

        assertThat(f).hasSize(54);
        assertThat(Ipv6View.validate(seg(f), 14, 40)).isEqualTo(PacketError.OK);
        assertThat(view.wrap(seg(f), 14).nextHeader()).isEqualTo(Ipv6View.NEXT_NONE);
    }

    // ---------------------------------------------------------------------------------------------- extension headers

    @Test
    void shouldFindUpperLayerRightAfterHeaderWhenNoExtensionHeaders() {
        PacketBuilder b = udp();
        byte[] f = b.build();
        view.wrap(seg(f), 14);

        assertThat(view.upperLayerOffset(f.length - 14)).isEqualTo(40);
        assertThat(view.upperLayerProtocol()).isEqualTo(Ipv6View.NEXT_UDP);
        assertThat(view.fragmentHeaderOffset()).isEqualTo(-1);
        assertThat(view.isNonFirstFragment()).isFalse();
    }

    @Test
    void shouldSkipEveryExtensionHeaderWhenChainIsLong() {
        PacketBuilder b = PacketBuilder.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02").ipv6(A, B)
                .hopByHopOptions().destinationOptions().routingHeader(4, 0)
                .extensionHeader(60, new byte[14]).tcp(40000, 80);
        byte[] f = b.build();
        view.wrap(seg(f), 14);

        assertThat(view.upperLayerOffset(f.length - 14)).isEqualTo(40 + 8 + 8 + 8 + 16);
        assertThat(14 + 40 + 40).isEqualTo(b.l4Offset());
        assertThat(view.upperLayerProtocol()).isEqualTo(Ipv6View.NEXT_TCP);
        assertThat(view.fragmentHeaderOffset()).isEqualTo(-1);
    }

    @Test
    void shouldWalkIntoFirstFragmentWhenOffsetIsZero() {
        byte[] head = unhex(CAPTURED_FIRST_FRAGMENT_HEAD);
        view.wrap(seg(head), 14);

        // The captured head is cut after the UDP header: only the walk's own bytes are needed.
        assertThat(view.payloadLength()).isEqualTo(1456);
        assertThat(view.upperLayerOffset(head.length - 14)).isEqualTo(48);
        assertThat(view.upperLayerProtocol()).isEqualTo(Ipv6View.NEXT_UDP);
        assertThat(view.fragmentHeaderOffset()).isEqualTo(40);
        assertThat(view.isNonFirstFragment()).isFalse();
        assertThat(new UdpView().wrap(seg(head), 14 + 48).srcPort()).isEqualTo(5353);
    }

    @Test
    void shouldStopAtFragmentDataWhenOffsetIsNotZero() {
        byte[] f = capturedSecondFragment();
        view.wrap(seg(f), 14);

        assertThat(Ipv6View.validate(seg(f), 14, f.length - 14)).isEqualTo(PacketError.OK);
        assertThat(view.upperLayerOffset(f.length - 14)).isEqualTo(48);
        assertThat(view.upperLayerProtocol()).isEqualTo(Ipv6View.NEXT_UDP);
        assertThat(view.fragmentHeaderOffset()).isEqualTo(40);
        assertThat(view.isNonFirstFragment()).isTrue();
    }

    @Test
    void shouldStopAtFragmentDataEvenWhenItLooksLikeAnotherHeader() {
        // Fragment data starting with bytes that would read as a destination options header.
        byte[] f = PacketBuilder.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02").ipv6(A, B)
                .fragmentHeader(3, true, 9).protocol(Ipv6View.NEXT_DESTINATION_OPTIONS).payload(new byte[16]).build();
        view.wrap(seg(f), 14);

        assertThat(view.upperLayerOffset(f.length - 14)).isEqualTo(48);
        assertThat(view.upperLayerProtocol()).isEqualTo(Ipv6View.NEXT_DESTINATION_OPTIONS);
        assertThat(view.isNonFirstFragment()).isTrue();
    }

    @Test
    void shouldReportProtocolZeroWhenHopByHopIsNotFirst() {
        byte[] f = PacketBuilder.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02").ipv6(A, B)
                .destinationOptions().hopByHopOptions().udp(1, 2).build();
        view.wrap(seg(f), 14);

        assertThat(view.upperLayerOffset(f.length - 14)).isEqualTo(48);
        assertThat(view.upperLayerProtocol()).isEqualTo(Ipv6View.NEXT_HOP_BY_HOP);
    }

    @Test
    void shouldReportTruncatedWhenExtensionHeaderRunsPastPayload() {
        // A 16-byte destination options header: cut by the frame, or by a payload length of 8 or 7.
        byte[] f = PacketBuilder.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02").ipv6(A, B)
                .extensionHeader(60, new byte[14]).udp(1, 2).build();
        MemorySegment s = seg(f);
        view.wrap(s, 14);

        assertThat(view.upperLayerOffset(f.length - 14)).isEqualTo(56);
        assertThat(view.upperLayerOffset(40 + 15)).isEqualTo(PacketError.TRUNCATED_IPV6);
        assertThat(view.upperLayerProtocol()).isEqualTo(-1);
        view.payloadLength(8);
        assertThat(view.upperLayerOffset(f.length - 14)).isEqualTo(PacketError.TRUNCATED_IPV6);
        view.payloadLength(7);
        assertThat(view.upperLayerOffset(f.length - 14)).isEqualTo(PacketError.TRUNCATED_IPV6);
        view.payloadLength(16);
        assertThat(view.upperLayerOffset(f.length - 14)).isEqualTo(56);
    }

    @Test
    void shouldReportTruncatedWhenFragmentHeaderIsCut() {
        byte[] f = capturedSecondFragment();
        view.wrap(seg(f), 14);

        assertThat(view.upperLayerOffset(47)).isEqualTo(PacketError.TRUNCATED_IPV6);
        assertThat(view.upperLayerOffset(48)).isEqualTo(48);
    }

    @Test
    void shouldTreatAuthenticationHeaderAsUpperLayerWhenWalking() {
        byte[] f = PacketBuilder.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02").ipv6(A, B)
                .hopByHopOptions().protocol(Ipv6View.NEXT_AH).payload(new byte[24]).build();
        view.wrap(seg(f), 14);

        assertThat(view.upperLayerOffset(f.length - 14)).isEqualTo(48);
        assertThat(view.upperLayerProtocol()).isEqualTo(Ipv6View.NEXT_AH);
    }

    // ---------------------------------------------------------------------------------------------- addresses

    @ParameterizedTest
    @ValueSource(strings = {
        "2001:db8::1", "2001:db8::", "2001:db8:0:1:1:1:1:1", "2001:db8::1:0:0:1", "2001:db8:1:2:3:4:5:6",
        "fe80::1", "fe80::ff:fe00:1", "2001:db8::c000:201", "2001:db8:0:0:1::", "2001:db8:ab:cd:ef::1"
    })
    void shouldPrintCanonicalFormWhenParsedBack(String text) {
        long[] a = Ipv6View.parseAddr(text);

        assertThat(a).containsExactly(ip6Hi(text), ip6Lo(text));
        assertThat(Ipv6View.addrToString(a[0], a[1])).isEqualTo(text);
    }

    @Test
    void shouldFollowRfc5952WhenPrinting() {
        assertThat(Ipv6View.addrToString(0x2001_0db8_0000_0000L, 0x0001_0000_0000_0001L))
                .isEqualTo("2001:db8::1:0:0:1");   // first of two equal runs
        assertThat(Ipv6View.addrToString(0x2001_0db8_0000_0001L, 0x0000_0000_0000_0001L))
                .isEqualTo("2001:db8:0:1::1");    // the longer run
        assertThat(Ipv6View.addrToString(0x2001_0db8_0000_0001L, 0x0001_0001_0001_0001L))
                .isEqualTo("2001:db8:0:1:1:1:1:1"); // one zero group stays
        assertThat(Ipv6View.addrToString(0x2001_0DB8_ABCD_0000L, 0L)).isEqualTo("2001:db8:abcd::");
    }

    @Test
    void shouldParseEveryFormWhenTextIsValid() {
        assertThat(Ipv6View.parseAddr("2001:0DB8:0000:0000:0000:0000:0000:0001"))
                .containsExactly(0x2001_0db8_0000_0000L, 1L);
        assertThat(Ipv6View.parseAddr("2001:db8::192.0.2.1")).containsExactly(0x2001_0db8_0000_0000L, 0xc000_0201L);
        assertThat(Ipv6View.parseAddr("fe80::")).containsExactly(0xfe80_0000_0000_0000L, 0L);
        assertThat(Ipv6View.parseAddr("::")).containsExactly(0L, 0L);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", ":", "2001:db8::1::2", "2001:db8:1:2:3:4:5:6:7", "2001:db8:::1", "fe80::1%eth0", "2001:db8::12345",
        ":2001:db8::1", "2001:db8::1:", "2001:db8:1:2:3:4:5:6::", "2001:db8:g::1", "2001:db8", "192.0.2.1",
        "2001:db8::1.2.3", "2001:db8:1:2:3:4:5:192.0.2.1", "2001:db8::/32"
    })
    void shouldThrowWhenTextIsNotAnAddress(String text) {
        assertThatThrownBy(() -> Ipv6View.parseAddr(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad IPv");
    }

    @Provide
    Arbitrary<Long> groupsWithZeros() {
        // 64 bits as four 16-bit groups, each zero half the time, so "::" runs of every length and place appear.
        Arbitrary<Long> group = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(0L)),
                Tuple.of(1, Arbitraries.longs().between(1, 0xffff)));
        return group.list().ofSize(4).map(g -> (g.get(0) << 48) | (g.get(1) << 32) | (g.get(2) << 16) | g.get(3));
    }

    @Property(tries = 500)
    void shouldRoundTripWhenPrintingAndParsingAnyDocumentationAddress(
            @ForAll("groupsWithZeros") long hiLow, @ForAll("groupsWithZeros") long lo) {
        long hi = 0x2001_0db8_0000_0000L | (hiLow & 0xffff_ffffL);
        String text = Ipv6View.addrToString(hi, lo);

        assertThat(Ipv6View.parseAddr(text)).containsExactly(hi, lo);
        assertThat(new long[] {ip6Hi(text), ip6Lo(text)}).containsExactly(hi, lo);
        assertThat(text).doesNotContain(":::").doesNotContain(":0:0:0:");
    }

    @Test
    void shouldClassifyAddressesWhenAsked() {
        assertThat(Ipv6View.isMulticast(ip6Hi("ff02::1:ff00:2"))).isTrue();
        assertThat(Ipv6View.isMulticast(ip6Hi("fe80::1"))).isFalse();
        assertThat(Ipv6View.isLinkLocal(ip6Hi("fe80::1"))).isTrue();
        assertThat(Ipv6View.isLinkLocal(ip6Hi("febf:ffff::1"))).isTrue();
        assertThat(Ipv6View.isLinkLocal(0xfec0_0000_0000_0000L)).isFalse(); // just past fe80::/10
        assertThat(Ipv6View.isLinkLocal(ip6Hi("2001:db8::1"))).isFalse();
        assertThat(Ipv6View.isUnspecified(0, 0)).isTrue();
        assertThat(Ipv6View.isUnspecified(0, 1)).isFalse();
        assertThat(Ipv6View.multicastMac(ip6Lo("ff02::1:ff00:2"))).isEqualTo(0x3333_ff00_0002L);
    }

    @Test
    void shouldReadHalvesAtAnyAlignmentWhenHeaderIsOffset() {
        byte[] f = udp().vnetHeader().build();
        MemorySegment s = seg(f);
        view.wrap(s, 10 + 14);

        assertThat(view.srcHi()).isEqualTo(ip6Hi(A));
        assertThat(view.dstLo()).isEqualTo(2L);
        assertThat(s.get(ValueLayout.JAVA_BYTE, 24 + 6)).isEqualTo((byte) 17);
    }
}
