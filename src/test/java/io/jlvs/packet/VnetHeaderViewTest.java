package io.jlvs.packet;

import static io.jlvs.testkit.PacketBuilder.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.jlvs.testkit.PacketBuilder;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class VnetHeaderViewTest {
    private final VnetHeaderView view = new VnetHeaderView();

    @Test
    void shouldWriteLittleEndianWhenHostIsLittleEndian() {
        assumeThat(ByteOrder.nativeOrder()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        byte[] bytes = new byte[VnetHeaderView.LENGTH];
        view.wrap(MemorySegment.ofArray(bytes), 0);

        view.flags(VnetHeaderView.F_NEEDS_CSUM).gsoType(VnetHeaderView.GSO_TCPV4 | VnetHeaderView.GSO_ECN)
                .hdrLen(0x0142).gsoSize(1448).csumStart(34).csumOffset(16);

        assertThat(PacketBuilder.hex(bytes)).isEqualTo("01 81 42 01 a8 05 22 00 10 00");
        assertThat(view.flags()).isEqualTo(1);
        assertThat(view.needsCsum()).isTrue();
        assertThat(view.gsoType()).isEqualTo(0x81);
        assertThat(view.hdrLen()).isEqualTo(0x0142);
        assertThat(view.gsoSize()).isEqualTo(1448);
        assertThat(view.csumStart()).isEqualTo(34);
        assertThat(view.csumOffset()).isEqualTo(16);
    }

    @Test
    void shouldZeroEveryFieldWhenCleared() {
        byte[] bytes = new byte[12];
        Arrays.fill(bytes, (byte) 0x5a);
        view.wrap(MemorySegment.ofArray(bytes), 1);

        view.clear();

        assertThat(PacketBuilder.hex(bytes)).isEqualTo("5a 00 00 00 00 00 00 00 00 00 00 5a");
        assertThat(view.needsCsum()).isFalse();
        assertThat(view.gsoType()).isEqualTo(VnetHeaderView.GSO_NONE);
    }

    @Test
    void shouldDescribePartialChecksumWhenBuiltAsOffloadingLocalSender() {
        PacketBuilder b = PacketBuilder.ethernet("02:00:c6:12:00:01", "02:00:c6:12:00:02")
                .ipv4("192.0.2.1", "198.51.100.10").tcp(40000, 80).payload("hello").partialChecksum();
        MemorySegment seg = MemorySegment.ofArray(b.build());

        view.wrap(seg, 0);
        TcpView tcp = new TcpView().wrap(seg, b.l4Offset());

        assertThat(b.ethOffset()).isEqualTo(VnetHeaderView.LENGTH);
        assertThat(view.flags()).isEqualTo(VnetHeaderView.F_NEEDS_CSUM);
        assertThat(view.gsoType()).isEqualTo(VnetHeaderView.GSO_NONE);
        assertThat(view.csumStart()).isEqualTo(34);
        assertThat(view.csumOffset()).isEqualTo(TcpView.CHECKSUM_OFFSET);
        assertThat(tcp.checksum()).isEqualTo(Checksum.fold(Checksum.pseudoHeaderIpv4(
                ip("192.0.2.1"), ip("198.51.100.10"), Ipv4View.PROTO_TCP, b.l4Length())));
    }

    @Test
    void shouldCarryGsoFieldsWhenBuiltAsSuperFrame() {
        PacketBuilder b = PacketBuilder.ethernet("02:00:c6:12:00:01", "02:00:c6:12:00:02")
                .ipv4("192.0.2.1", "198.51.100.10").df(true).tcp(40000, 80).flags(TcpView.ACK)
                .payloadLength(3000).partialChecksum().gso(VnetHeaderView.GSO_TCPV4, 1448);

        view.wrap(MemorySegment.ofArray(b.build()), 0);

        assertThat(view.gsoType()).isEqualTo(VnetHeaderView.GSO_TCPV4);
        assertThat(view.gsoSize()).isEqualTo(1448);
        assertThat(view.hdrLen()).isEqualTo(14 + 20 + 20);
        assertThat(view.needsCsum()).isTrue();
    }

    @Test
    void shouldKeepExplicitFieldsWhenHeaderGivenInFull() {
        PacketBuilder b = PacketBuilder.ethernet("02:00:c6:12:00:01", "02:00:c6:12:00:02")
                .ipv4("192.0.2.1", "198.51.100.10").udp(1, 2)
                .vnetHeader(VnetHeaderView.F_DATA_VALID, VnetHeaderView.GSO_NONE, 0, 0, 0);

        view.wrap(MemorySegment.ofArray(b.build()), 0);

        assertThat(view.flags()).isEqualTo(VnetHeaderView.F_DATA_VALID);
        assertThat(view.csumStart()).isZero();
        assertThat(view.hdrLen()).isZero();
    }
}
