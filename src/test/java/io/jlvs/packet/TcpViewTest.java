package io.jlvs.packet;

import static io.jlvs.testkit.PacketBuilder.unhex;
import static org.assertj.core.api.Assertions.assertThat;

import io.jlvs.testkit.PacketBuilder;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class TcpViewTest {
    /**
     * SYN 40000 -> 80, seq 0x12345678, window 64240, MSS 1460 option, "hello"; checksum 0x67e2 for 192.0.2.1 ->
     * 198.51.100.10.
     */
    private static final String SEGMENT =
            "9c 40 00 50 12 34 56 78 00 00 00 00 60 02 fa f0 67 e2 00 00 02 04 05 b4 68 65 6c 6c 6f";

    private final TcpView view = new TcpView();

    private static PacketBuilder frame() {
        return PacketBuilder.ethernet("02:00:c6:12:00:01", "02:00:c6:12:00:02")
                .ipv4("192.0.2.1", "198.51.100.10").tcp(40000, 80);
    }

    @Test
    void shouldReadEveryFieldWhenWrappingKnownSegment() {
        view.wrap(MemorySegment.ofArray(unhex(SEGMENT)), 0);

        assertThat(view.srcPort()).isEqualTo(40000);
        assertThat(view.dstPort()).isEqualTo(80);
        assertThat(view.seq()).isEqualTo(0x12345678);
        assertThat(view.ack()).isZero();
        assertThat(view.dataOffset()).isEqualTo(6);
        assertThat(view.headerLength()).isEqualTo(24);
        assertThat(view.flags()).isEqualTo(TcpView.SYN);
        assertThat(view.hasFlags(TcpView.SYN)).isTrue();
        assertThat(view.hasFlags(TcpView.SYN | TcpView.ACK)).isFalse();
        assertThat(view.window()).isEqualTo(64240);
        assertThat(view.checksum()).isEqualTo(0x67e2);
        assertThat(view.urgentPointer()).isZero();
    }

    @Test
    void shouldRoundTripWhenSettingEachField() {
        view.wrap(MemorySegment.ofArray(new byte[24]), 2);

        view.srcPort(65535).dstPort(1).seq(0xffff_fff0).ack(0x8000_0001).dataOffset(5)
                .flags(TcpView.FIN | TcpView.ACK | TcpView.PSH).window(1024).checksum(0xabcd).urgentPointer(7);

        assertThat(view.offset()).isEqualTo(2);
        assertThat(view.srcPort()).isEqualTo(65535);
        assertThat(view.dstPort()).isEqualTo(1);
        assertThat(view.seq()).isEqualTo(0xffff_fff0);
        assertThat(view.ack()).isEqualTo(0x8000_0001);
        assertThat(view.dataOffset()).isEqualTo(5);
        assertThat(view.flags()).isEqualTo(0x19);
        assertThat(view.hasFlags(TcpView.FIN | TcpView.ACK)).isTrue();
        assertThat(view.window()).isEqualTo(1024);
        assertThat(view.checksum()).isEqualTo(0xabcd);
        assertThat(view.urgentPointer()).isEqualTo(7);
    }

    @Test
    void shouldKeepReservedBitsWhenSettingDataOffset() {
        byte[] bytes = new byte[20];
        bytes[12] = 0x0f;
        view.wrap(MemorySegment.ofArray(bytes), 0);

        view.dataOffset(8);

        assertThat(bytes[12] & 0xff).isEqualTo(0x8f);
        assertThat(view.headerLength()).isEqualTo(32);
    }

    @Test
    void shouldSeeBuilderFieldsWhenWrappingBuiltFrame() {
        PacketBuilder b = frame().flags(TcpView.SYN | TcpView.ACK).seq(7).ack(9).window(512)
                .tcpOptions(unhex("02 04 05 b4")).payload("hello");
        MemorySegment seg = MemorySegment.ofArray(b.build());

        view.wrap(seg, b.l4Offset());

        assertThat(view.flags()).isEqualTo(TcpView.SYN | TcpView.ACK);
        assertThat(view.seq()).isEqualTo(7);
        assertThat(view.ack()).isEqualTo(9);
        assertThat(view.window()).isEqualTo(512);
        assertThat(view.headerLength()).isEqualTo(24);
        assertThat(view.checksum()).isEqualTo(Checksum.tcpUdpIpv4(seg, b.l4Offset(), b.l4Length(),
                0xc0000201, 0xc633640a, Ipv4View.PROTO_TCP));
    }

    @Test
    void shouldReturnOkWhenHeaderFitsAvailableBytes() {
        PacketBuilder b = frame().tcpOptions(new byte[12]);

        assertThat(TcpView.validate(MemorySegment.ofArray(b.build()), b.l4Offset(), b.l4Length()))
                .isEqualTo(PacketError.OK);
    }

    @Test
    void shouldReturnTruncatedWhenFewerThanTwentyBytes() {
        PacketBuilder b = frame();
        MemorySegment seg = MemorySegment.ofArray(b.build());

        assertThat(TcpView.validate(seg, b.l4Offset(), 19)).isEqualTo(PacketError.TRUNCATED_TCP);
        assertThat(TcpView.validate(MemorySegment.ofArray(frame().truncate(14 + 20 + 12).build()), 34, 20))
                .isEqualTo(PacketError.TRUNCATED_TCP);
    }

    @Test
    void shouldReturnBadDataOffsetWhenDataOffsetIsBelowFive() {
        PacketBuilder b = frame().dataOffset(4);

        assertThat(TcpView.validate(MemorySegment.ofArray(b.build()), b.l4Offset(), b.l4Length()))
                .isEqualTo(PacketError.BAD_TCP_DATA_OFFSET);
    }

    @Test
    void shouldReturnTruncatedWhenDataOffsetReachesPastSegment() {
        PacketBuilder b = frame().dataOffset(15).payloadLength(10);

        assertThat(TcpView.validate(MemorySegment.ofArray(b.build()), b.l4Offset(), b.l4Length()))
                .isEqualTo(PacketError.TRUNCATED_TCP);
    }
}
