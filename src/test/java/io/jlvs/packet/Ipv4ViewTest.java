package io.jlvs.packet;

import static io.jlvs.testkit.PacketBuilder.ip;
import static io.jlvs.testkit.PacketBuilder.unhex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jlvs.testkit.PacketBuilder;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class Ipv4ViewTest {
    /** A captured UDP packet header 192.168.0.1 -> 192.168.0.199, DF, TTL 64, checksum 0xb861. */
    private static final String CAPTURED = "45 00 00 73 00 00 40 00 40 11 b8 61 c0 a8 00 01 c0 a8 00 c7";

    private final Ipv4View view = new Ipv4View();

    private static PacketBuilder tcpFrame() {
        return PacketBuilder.ethernet("02:00:c6:12:00:01", "02:00:c6:12:00:02")
                .ipv4("198.51.100.7", "192.0.2.10").ttl(64).id(0x1234).tcp(40000, 80).flags(TcpView.SYN);
    }

    @Test
    void shouldReadEveryFieldWhenWrappingCapturedHeader() {
        view.wrap(MemorySegment.ofArray(unhex(CAPTURED)), 0);

        assertThat(view.version()).isEqualTo(4);
        assertThat(view.ihl()).isEqualTo(5);
        assertThat(view.headerLength()).isEqualTo(20);
        assertThat(view.tos()).isZero();
        assertThat(view.totalLength()).isEqualTo(0x73);
        assertThat(view.payloadLength()).isEqualTo(0x73 - 20);
        assertThat(view.identification()).isZero();
        assertThat(view.dontFragment()).isTrue();
        assertThat(view.moreFragments()).isFalse();
        assertThat(view.fragmentOffset()).isZero();
        assertThat(view.isFragment()).isFalse();
        assertThat(view.ttl()).isEqualTo(64);
        assertThat(view.protocol()).isEqualTo(Ipv4View.PROTO_UDP);
        assertThat(view.headerChecksum()).isEqualTo(0xb861);
        assertThat(view.srcAddr()).isEqualTo(0xc0a80001);
        assertThat(view.dstAddr()).isEqualTo(0xc0a800c7);
    }

    @Test
    void shouldComputeB861WhenChecksumFieldHoldsAnything() {
        view.wrap(MemorySegment.ofArray(unhex(CAPTURED)), 0);
        assertThat(view.headerChecksumValid()).isTrue();
        assertThat(view.computeHeaderChecksum()).isEqualTo(0xb861);

        view.headerChecksum(0x1234);

        assertThat(view.headerChecksumValid()).isFalse();
        assertThat(view.computeHeaderChecksum()).isEqualTo(0xb861);
        view.updateHeaderChecksum();
        assertThat(view.headerChecksum()).isEqualTo(0xb861);
        assertThat(view.headerChecksumValid()).isTrue();
    }

    @Test
    void shouldCoverOptionsWhenIhlIsAboveFive() {
        PacketBuilder b = tcpFrame().ipOptions(unhex("01 01 01 00")); // NOP NOP NOP EOL
        MemorySegment seg = MemorySegment.ofArray(b.build());

        view.wrap(seg, b.l3Offset());

        assertThat(view.ihl()).isEqualTo(6);
        assertThat(view.headerLength()).isEqualTo(24);
        assertThat(view.headerChecksumValid()).isTrue();
        seg.set(ValueLayout.JAVA_BYTE, b.l3Offset() + 22L, (byte) 7);
        assertThat(view.headerChecksumValid()).isFalse();
    }

    @Test
    void shouldReadAtOffsetWhenHeaderFollowsEthernetAndVnetHeader() {
        PacketBuilder b = tcpFrame().vnetHeader();
        view.wrap(MemorySegment.ofArray(b.build()), b.l3Offset());

        assertThat(view.offset()).isEqualTo(24);
        assertThat(view.srcAddr()).isEqualTo(ip("198.51.100.7"));
        assertThat(view.dstAddr()).isEqualTo(ip("192.0.2.10"));
        assertThat(view.identification()).isEqualTo(0x1234);
        assertThat(view.protocol()).isEqualTo(Ipv4View.PROTO_TCP);
    }

    @Test
    void shouldRoundTripWhenSettingEachField() {
        view.wrap(MemorySegment.ofArray(new byte[20]), 0);

        view.version(4).ihl(5).tos(0xb8).totalLength(1500).identification(0xfedc).dontFragment(true)
                .moreFragments(true).fragmentOffset(0x1abc).ttl(255).protocol(Ipv4View.PROTO_ICMP)
                .headerChecksum(0xbeef).srcAddr(0xffff_fffe).dstAddr(0x0a00_0001);

        assertThat(view.version()).isEqualTo(4);
        assertThat(view.ihl()).isEqualTo(5);
        assertThat(view.tos()).isEqualTo(0xb8);
        assertThat(view.dscp()).isEqualTo(46);
        assertThat(view.ecn()).isZero();
        assertThat(view.totalLength()).isEqualTo(1500);
        assertThat(view.identification()).isEqualTo(0xfedc);
        assertThat(view.dontFragment()).isTrue();
        assertThat(view.moreFragments()).isTrue();
        assertThat(view.fragmentOffset()).isEqualTo(0x1abc);
        assertThat(view.flagsFragment()).isEqualTo(0x4000 | 0x2000 | 0x1abc);
        assertThat(view.ttl()).isEqualTo(255);
        assertThat(view.protocol()).isEqualTo(1);
        assertThat(view.headerChecksum()).isEqualTo(0xbeef);
        assertThat(view.srcAddr()).isEqualTo(0xffff_fffe);
        assertThat(view.dstAddr()).isEqualTo(0x0a00_0001);

        view.dontFragment(false).moreFragments(false);
        assertThat(view.flagsFragment()).isEqualTo(0x1abc);
        view.version(6).ihl(15);
        assertThat(view.version()).isEqualTo(6);
        assertThat(view.ihl()).isEqualTo(15);
    }

    @Test
    void shouldReportFragmentWhenMoreFragmentsOrOffsetIsSet() {
        view.wrap(MemorySegment.ofArray(unhex(CAPTURED)), 0);
        assertThat(view.isFragment()).isFalse();

        assertThat(view.moreFragments(true).isFragment()).isTrue();
        assertThat(view.moreFragments(false).fragmentOffset(185).isFragment()).isTrue();
        assertThat(view.fragmentOffset(0).dontFragment(true).isFragment()).isFalse();
    }

    @Test
    void shouldReturnNewTtlAndKeepChecksumWhenDecrementingCapturedHeader() {
        view.wrap(MemorySegment.ofArray(unhex(CAPTURED)), 0);

        int ttl = view.decrementTtl();

        assertThat(ttl).isEqualTo(63);
        assertThat(view.ttl()).isEqualTo(63);
        assertThat(view.protocol()).isEqualTo(Ipv4View.PROTO_UDP);
        assertThat(view.headerChecksum()).isEqualTo(0xb961);
        assertThat(view.headerChecksumValid()).isTrue();
    }

    @Property(tries = 300)
    void shouldKeepHeaderChecksumValidWhenDecrementingTtl(
            @ForAll @IntRange(min = 1, max = 255) int ttl, @ForAll int src, @ForAll int dst,
            @ForAll @IntRange(max = 0xffff) int id, @ForAll @IntRange(max = 255) int tos, @ForAll boolean df,
            @ForAll @IntRange(max = 0xff) int protocol) {
        PacketBuilder b = tcpFrame().ipv4(src, dst).ttl(ttl).id(id).tos(tos).df(df).protocol(protocol);
        view.wrap(MemorySegment.ofArray(b.build()), b.l3Offset());

        int newTtl = view.decrementTtl();

        assertThat(newTtl).isEqualTo(ttl - 1);
        assertThat(view.ttl()).isEqualTo(ttl - 1);
        assertThat(view.protocol()).isEqualTo(protocol);
        assertThat(view.headerChecksumValid()).isTrue();
        assertThat(view.headerChecksum()).isEqualTo(view.computeHeaderChecksum());
    }

    @Property(tries = 300)
    void shouldMatchFullRecomputationWhenRewritingAddresses(
            @ForAll int src, @ForAll int dst, @ForAll int newSrc, @ForAll int newDst,
            @ForAll @Size(max = 40) byte[] payload) {
        PacketBuilder b = tcpFrame().ipv4(src, dst).payload(payload);
        view.wrap(MemorySegment.ofArray(b.build()), b.l3Offset());

        view.srcAddrUpdate(newSrc).dstAddrUpdate(newDst);

        assertThat(view.srcAddr()).isEqualTo(newSrc);
        assertThat(view.dstAddr()).isEqualTo(newDst);
        assertThat(view.headerChecksum()).isEqualTo(view.computeHeaderChecksum());
        assertThat(view.headerChecksumValid()).isTrue();
    }

    // ---- validate ----

    @Test
    void shouldReturnOkWhenHeaderAndLengthsAreSound() {
        PacketBuilder b = tcpFrame();
        byte[] frame = b.build();

        assertThat(Ipv4View.validate(MemorySegment.ofArray(frame), b.l3Offset(), frame.length - b.l3Offset()))
                .isEqualTo(PacketError.OK);
    }

    @Test
    void shouldReturnOkWhenFrameCarriesEthernetPadding() {
        PacketBuilder b = PacketBuilder.ethernet("02:00:c6:12:00:01", "02:00:c6:12:00:02")
                .ipv4("198.51.100.7", "192.0.2.10").udp(1, 2).padTo(60);
        byte[] frame = b.build();

        assertThat(frame).hasSize(60);
        assertThat(Ipv4View.validate(MemorySegment.ofArray(frame), 14, 46)).isEqualTo(PacketError.OK);
    }

    @Test
    void shouldReturnTruncatedWhenFewerThanTwentyBytes() {
        byte[] frame = tcpFrame().truncate(14 + 19).build();

        assertThat(Ipv4View.validate(MemorySegment.ofArray(frame), 14, 19)).isEqualTo(PacketError.TRUNCATED_IPV4);
    }

    @Test
    void shouldReturnBadVersionWhenVersionIsNotFour() {
        byte[] frame = tcpFrame().version(6).build();

        assertThat(Ipv4View.validate(MemorySegment.ofArray(frame), 14, frame.length - 14))
                .isEqualTo(PacketError.BAD_IPV4_VERSION);
    }

    @Test
    void shouldReturnBadIhlWhenIhlIsBelowFive() {
        byte[] frame = tcpFrame().ihl(4).build();

        assertThat(Ipv4View.validate(MemorySegment.ofArray(frame), 14, frame.length - 14))
                .isEqualTo(PacketError.BAD_IPV4_IHL);
    }

    @Test
    void shouldReturnTruncatedWhenIhlReachesPastFrame() {
        byte[] frame = tcpFrame().ihl(15).totalLength(60).build();

        assertThat(frame.length - 14).isEqualTo(40);
        assertThat(Ipv4View.validate(MemorySegment.ofArray(frame), 14, frame.length - 14))
                .isEqualTo(PacketError.TRUNCATED_IPV4);
    }

    @Test
    void shouldReturnBadTotalLengthWhenTotalLengthIsBelowHeaderLength() {
        byte[] frame = tcpFrame().totalLength(19).build();

        assertThat(Ipv4View.validate(MemorySegment.ofArray(frame), 14, frame.length - 14))
                .isEqualTo(PacketError.BAD_IPV4_TOTAL_LENGTH);
    }

    @Test
    void shouldReturnTruncatedWhenTotalLengthExceedsFrame() {
        PacketBuilder b = tcpFrame().payloadLength(100);
        byte[] frame = b.truncate(14 + 60).build();

        assertThat(Ipv4View.validate(MemorySegment.ofArray(frame), 14, 60)).isEqualTo(PacketError.TRUNCATED_IPV4);
    }

    @Test
    void shouldCapAvailableBySegmentWhenCallerOverstatesIt() {
        byte[] frame = tcpFrame().truncate(14 + 10).build();

        assertThat(Ipv4View.validate(MemorySegment.ofArray(frame), 14, 1000)).isEqualTo(PacketError.TRUNCATED_IPV4);
        assertThat(Ipv4View.validate(MemorySegment.ofArray(frame), 100, 1000)).isEqualTo(PacketError.TRUNCATED_IPV4);
        assertThat(Ipv4View.validate(MemorySegment.ofArray(frame), -1, 1000)).isEqualTo(PacketError.TRUNCATED_IPV4);
    }

    // ---- text forms ----

    @Test
    void shouldParseAndPrintWhenGivenDottedQuad() {
        assertThat(Ipv4View.parseAddr("192.0.2.1")).isEqualTo(0xc0000201);
        assertThat(Ipv4View.parseAddr("255.255.255.255")).isEqualTo(-1);
        assertThat(Ipv4View.parseAddr("0.0.0.0")).isZero();
        assertThat(Ipv4View.addrToString(0xc0000201)).isEqualTo("192.0.2.1");
        assertThat(Ipv4View.addrToString(-1)).isEqualTo("255.255.255.255");
    }

    @Test
    void shouldThrowWhenDottedQuadIsMalformed() {
        for (String bad : new String[] {"", "1.2.3", "1.2.3.4.5", "1.2.3.256", "1..3.4", "1.2.3.x", "1.2.3.4."}) {
            assertThatThrownBy(() -> Ipv4View.parseAddr(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("bad IPv4 address");
        }
    }
}
