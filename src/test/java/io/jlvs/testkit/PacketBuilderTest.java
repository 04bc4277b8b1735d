package io.jlvs.testkit;

import static io.jlvs.testkit.PacketBuilder.unhex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jlvs.packet.Ipv4View;
import io.jlvs.packet.TcpView;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PacketBuilderTest {
    /** The frame below worked out by hand (outside Java): SYN with MSS option and "hello". */
    private static final String GOLDEN_SYN = """
            02 00 c6 12 00 02 02 00 c6 12 00 01 08 00
            45 00 00 31 04 d2 40 00 40 06 49 b6 c0 00 02 01 c6 33 64 0a
            9c 40 00 50 12 34 56 78 00 00 00 00 60 02 fa f0 67 e2 00 00 02 04 05 b4
            68 65 6c 6c 6f""";

    private static PacketBuilder syn() {
        return PacketBuilder.ethernet("02:00:c6:12:00:01", "02:00:c6:12:00:02")
                .ipv4("192.0.2.1", "198.51.100.10").ttl(64).id(1234).df(true)
                .tcp(40000, 80).flags(TcpView.SYN).seq(0x12345678).ack(0).window(64240)
                .tcpOptions(unhex("02 04 05 b4")).payload("hello");
    }

    @Test
    void shouldMatchHandComputedBytesWhenBuildingSyn() {
        PacketBuilder.assertSameBytes(unhex(GOLDEN_SYN), syn().build());
    }

    @Test
    void shouldReportOffsetsWhenVnetHeaderPrecedesFrame() {
        PacketBuilder b = syn().vnetHeader();
        byte[] frame = b.build();

        assertThat(b.ethOffset()).isEqualTo(10);
        assertThat(b.l3Offset()).isEqualTo(24);
        assertThat(b.l4Offset()).isEqualTo(44);
        assertThat(b.l4Length()).isEqualTo(29);
        assertThat(frame).hasSize(10 + 63);
        PacketBuilder.assertSameBytes(unhex(GOLDEN_SYN), Arrays.copyOfRange(frame, 10, frame.length));
    }

    @Test
    void shouldCutFrameWhenTruncating() {
        assertThat(syn().truncate(20).build()).hasSize(20);
        assertThat(syn().vnetHeader().truncate(20).build()).hasSize(30);
        assertThat(syn().truncate(1000).build()).hasSize(63);
    }

    @Test
    void shouldPadWithZerosWhenFrameIsShort() {
        byte[] frame = PacketBuilder.ethernet("02:00:c6:12:00:01", "02:00:c6:12:00:02")
                .ipv4("192.0.2.1", "198.51.100.10").udp(1, 2).padTo(60).build();

        assertThat(frame).hasSize(60);
        assertThat(Arrays.copyOfRange(frame, 42, 60)).containsOnly(0);
    }

    @Test
    void shouldSpoilOnlyTheChecksumWhenAskedForWrongOne() {
        byte[] good = syn().build();
        byte[] badIp = syn().wrongIpChecksum().build();
        byte[] badTcp = syn().wrongL4Checksum().build();

        assertThat(PacketBuilder.diff(good, badIp)).contains("0010").doesNotContain("0030");
        assertThat((badIp[25] ^ good[25]) & 0xff).isEqualTo(0xff);
        assertThat((badTcp[51] ^ good[51]) & 0xff).isEqualTo(0xff);
        assertThat(new Ipv4View().wrap(MemorySegment.ofArray(badIp), 14).headerChecksumValid()).isFalse();
    }

    @Test
    void shouldMakeSegmentWhenGivenArena() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = syn().toSegment(arena);

            assertThat(PacketBuilder.bytes(seg)).isEqualTo(unhex(GOLDEN_SYN));
        }
    }

    @Test
    void shouldFormatHexWhenGivenBytes() {
        assertThat(PacketBuilder.hex(new byte[] {0x45, 0, (byte) 0xff})).isEqualTo("45 00 ff");
        assertThat(unhex("45:00 ff\n01")).containsExactly(0x45, 0, 0xff, 1);
    }

    @Test
    void shouldPointAtDifferingBytesWhenDiffing() {
        byte[] a = unhex("00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 10 11");
        byte[] b = a.clone();
        b[17] = 0x7f;

        assertThat(PacketBuilder.diff(a, a.clone())).isEmpty();
        assertThat(PacketBuilder.diff(a, b)).isEqualTo("""
                0010 expected 10 11
                0010 actual   10 7f
                                 ^^
                """);
        assertThat(PacketBuilder.diff(a, Arrays.copyOf(a, 17)))
                .startsWith("length differs: expected=18 actual=17").contains("10 --");
        assertThatThrownBy(() -> PacketBuilder.assertSameBytes(a, b))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("^^");
    }
}
