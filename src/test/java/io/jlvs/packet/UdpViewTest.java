package io.jlvs.packet;

import static io.jlvs.testkit.PacketBuilder.unhex;
import static org.assertj.core.api.Assertions.assertThat;

import io.jlvs.testkit.PacketBuilder;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class UdpViewTest {
    /** 5353 -> 53 carrying "abc", checksum 0x3a18 for 192.0.2.1 -> 198.51.100.10. */
    private static final String DATAGRAM = "14 e9 00 35 00 0b 3a 18 61 62 63";

    private final UdpView view = new UdpView();

    private static PacketBuilder frame() {
        return PacketBuilder.ethernet("02:00:c6:12:00:01", "02:00:c6:12:00:02")
                .ipv4("192.0.2.1", "198.51.100.10").udp(5353, 53);
    }

    @Test
    void shouldReadEveryFieldWhenWrappingKnownDatagram() {
        view.wrap(MemorySegment.ofArray(unhex(DATAGRAM)), 0);

        assertThat(view.srcPort()).isEqualTo(5353);
        assertThat(view.dstPort()).isEqualTo(53);
        assertThat(view.length()).isEqualTo(11);
        assertThat(view.checksum()).isEqualTo(0x3a18);
    }

    @Test
    void shouldMatchHandComputedFrameWhenBuilderMakesSameDatagram() {
        PacketBuilder b = frame().payload("abc");
        byte[] built = b.build();

        PacketBuilder.assertSameBytes(unhex(DATAGRAM),
                Arrays.copyOfRange(built, b.l4Offset(), b.l4Offset() + b.l4Length()));
    }

    @Test
    void shouldRoundTripWhenSettingEachField() {
        view.wrap(MemorySegment.ofArray(new byte[9]), 1);

        view.srcPort(65535).dstPort(0).length(8).checksum(0xffff);

        assertThat(view.offset()).isEqualTo(1);
        assertThat(view.srcPort()).isEqualTo(65535);
        assertThat(view.dstPort()).isZero();
        assertThat(view.length()).isEqualTo(8);
        assertThat(view.checksum()).isEqualTo(0xffff);
    }

    @Test
    void shouldHaveZeroChecksumWhenBuiltWithoutChecksum() {
        PacketBuilder b = frame().udpChecksumZero().payload("x");

        assertThat(view.wrap(MemorySegment.ofArray(b.build()), b.l4Offset()).checksum()).isZero();
    }

    @Test
    void shouldReturnOkWhenLengthFitsAvailableBytes() {
        PacketBuilder b = frame().payload("abc");

        assertThat(UdpView.validate(MemorySegment.ofArray(b.build()), b.l4Offset(), b.l4Length()))
                .isEqualTo(PacketError.OK);
    }

    @Test
    void shouldReturnOkWhenUdpLengthIsShorterThanIpPayload() {
        PacketBuilder b = frame().payload("abcdef").udpLength(9);

        assertThat(UdpView.validate(MemorySegment.ofArray(b.build()), b.l4Offset(), b.l4Length()))
                .isEqualTo(PacketError.OK);
    }

    @Test
    void shouldReturnTruncatedWhenFewerThanEightBytes() {
        PacketBuilder b = frame();

        assertThat(UdpView.validate(MemorySegment.ofArray(b.build()), b.l4Offset(), 7))
                .isEqualTo(PacketError.TRUNCATED_UDP);
    }

    @Test
    void shouldReturnBadLengthWhenLengthIsBelowEight() {
        PacketBuilder b = frame().udpLength(7);

        assertThat(UdpView.validate(MemorySegment.ofArray(b.build()), b.l4Offset(), b.l4Length()))
                .isEqualTo(PacketError.BAD_UDP_LENGTH);
    }

    @Test
    void shouldReturnTruncatedWhenLengthExceedsAvailableBytes() {
        PacketBuilder b = frame().payload("abc").udpLength(12);

        assertThat(UdpView.validate(MemorySegment.ofArray(b.build()), b.l4Offset(), b.l4Length()))
                .isEqualTo(PacketError.TRUNCATED_UDP);
    }
}
