package io.jlvs.testkit;

import static io.jlvs.testkit.Ipv6Captures.A_MAC;
import static io.jlvs.testkit.Ipv6Captures.B_MAC;
import static io.jlvs.testkit.Ipv6Captures.CAPTURED_ECHO;
import static io.jlvs.testkit.Ipv6Captures.CAPTURED_NA;
import static io.jlvs.testkit.Ipv6Captures.CAPTURED_NS;
import static io.jlvs.testkit.Ipv6Captures.CAPTURED_PARTIAL_RST;
import static io.jlvs.testkit.Ipv6Captures.CAPTURED_PORT_UNREACH;
import static io.jlvs.testkit.Ipv6Captures.CAPTURED_SYN;
import static io.jlvs.testkit.Ipv6Captures.CAPTURED_UDP;
import static io.jlvs.testkit.Ipv6Captures.capturedSecondFragment;
import static io.jlvs.testkit.PacketBuilder.unhex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The IPv6 frames of {@link PacketBuilder} against frames Linux sent ({@link Ipv6Captures}). */
class PacketBuilderIpv6Test {
    @Test
    void shouldMatchLinuxWhenBuildingNeighborSolicitation() {
        PacketBuilder.assertSameBytes(unhex(CAPTURED_NS),
                PacketBuilder.neighborSolicitation(A_MAC, "fe80::1", "fe80::2").build());
    }

    @Test
    void shouldMatchLinuxWhenBuildingNeighborAdvertisement() {
        PacketBuilder.assertSameBytes(unhex(CAPTURED_NA),
                PacketBuilder.neighborAdvertisement(B_MAC, "fe80::2", A_MAC, "fe80::1").build());
    }

    @Test
    void shouldMatchLinuxWhenBuildingEchoRequest() {
        byte[] built = PacketBuilder.ethernet(A_MAC, B_MAC).ipv6("fe80::1", "fe80::2").flowLabel(0x3f27c)
                .icmpv6Echo(0x1234, 1).payload("abcdefgh").build();

        PacketBuilder.assertSameBytes(unhex(CAPTURED_ECHO), built);
    }

    @Test
    void shouldMatchLinuxWhenBuildingUdp() {
        byte[] built = PacketBuilder.ethernet(A_MAC, B_MAC).ipv6("2001:db8::1", "2001:db8::2").flowLabel(0x87962)
                .udp(5353, 53).payload("abc").build();

        PacketBuilder.assertSameBytes(unhex(CAPTURED_UDP), built);
    }

    @Test
    void shouldMatchLinuxWhenBuildingPortUnreachableQuotingDatagram() {
        byte[] quoted = Arrays.copyOfRange(unhex(CAPTURED_UDP), 14, 14 + 51);
        byte[] built = PacketBuilder.ethernet(B_MAC, A_MAC).ipv6("2001:db8::2", "2001:db8::1").flowLabel(0x6f313)
                .icmpv6(1, 4, 0).payload(quoted).build();

        PacketBuilder.assertSameBytes(unhex(CAPTURED_PORT_UNREACH), built);
    }

    @Test
    void shouldMatchLinuxWhenBuildingTcpSynWithOptions() {
        byte[] built = PacketBuilder.ethernet(A_MAC, B_MAC).ipv6("2001:db8::1", "2001:db8::2").flowLabel(0xda8a)
                .tcp(40000, 80).flags(0x02).seq(0x86d42785).window(64800)
                .tcpOptions(unhex("02 04 05 a0 04 02 08 0a 69 f4 a2 9e 00 00 00 00 01 03 03 0a")).build();

        PacketBuilder.assertSameBytes(unhex(CAPTURED_SYN), built);
    }

    @Test
    void shouldMatchLinuxPartialChecksumWhenBuildingWithTxOffload() {
        PacketBuilder b = PacketBuilder.ethernet(B_MAC, A_MAC).ipv6("2001:db8::2", "2001:db8::1").flowLabel(0xbe332)
                .tcp(80, 40000).flags(0x14).seq(0).ack(0x86d42786).window(0).partialChecksum();
        byte[] frame = b.build();

        PacketBuilder.assertSameBytes(unhex(CAPTURED_PARTIAL_RST), Arrays.copyOfRange(frame, 10, frame.length));
        // virtio_net_hdr: NEEDS_CSUM, csum_start 54 (Ethernet + IPv6), csum_offset 16.
        assertThat(Arrays.copyOf(frame, 10)).containsExactly(unhex("01 00 00 00 00 00 36 00 10 00"));
        assertThat(b.l4Offset()).isEqualTo(10 + 54);
    }

    @Test
    void shouldMatchLinuxWhenBuildingLastFragment() {
        byte[] data = new byte[96];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (0xa0 + i);
        }
        PacketBuilder b = PacketBuilder.ethernet(A_MAC, B_MAC).ipv6("2001:db8::1", "2001:db8::2").flowLabel(0xa2fb)
                .fragmentHeader(181, false, 0xf7d33674).protocol(17).payload(data);

        PacketBuilder.assertSameBytes(capturedSecondFragment(), b.build());
        assertThat(b.extLength()).isEqualTo(8);
        assertThat(b.l4Offset()).isEqualTo(14 + 48);
    }

    @Test
    void shouldChainNextHeadersWhenExtensionHeadersAreStacked() {
        PacketBuilder b = PacketBuilder.ethernet(A_MAC, B_MAC).ipv6("2001:db8::1", "2001:db8::2")
                .hopByHopOptions().routingHeader(4, 0).fragmentHeader(0, true, 7).destinationOptions()
                .udp(1, 2).payload("x");
        byte[] f = b.build();

        assertThat(f[14 + 6]).isEqualTo((byte) 0);           // IPv6 -> hop-by-hop
        assertThat(f[54]).isEqualTo((byte) 43);              // hop-by-hop -> routing
        assertThat(f[55]).isZero();                          // 8 bytes
        assertThat(f[62]).isEqualTo((byte) 44);              // routing -> fragment
        assertThat(f[70]).isEqualTo((byte) 60);              // fragment -> destination options
        assertThat(f[78]).isEqualTo((byte) 17);              // destination options -> UDP
        assertThat(b.l4Offset()).isEqualTo(14 + 40 + 32);
        assertThat(f).hasSize(14 + 40 + 32 + 9);
        assertThat(((f[18] & 0xff) << 8) | (f[19] & 0xff)).isEqualTo(32 + 9);
    }

    @Test
    void shouldOmitOptionWhenSolicitingFromUnspecifiedAddress() {
        byte[] f = PacketBuilder.neighborSolicitation(A_MAC, "::", "fe80::2").build();

        assertThat(f).hasSize(14 + 40 + 24);
        assertThat(Arrays.copyOfRange(f, 22, 38)).containsOnly(0);
    }

    @Test
    void shouldRefuseBodyWhenExtensionHeaderIsNotMultipleOfEight() {
        assertThatThrownBy(() -> PacketBuilder.ethernet(A_MAC, B_MAC).extensionHeader(60, new byte[5]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PacketBuilder.ip6("192.0.2.1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldGiveHalvesWhenParsingIpv6Literal() {
        assertThat(PacketBuilder.ip6Hi("2001:db8::1")).isEqualTo(0x2001_0db8_0000_0000L);
        assertThat(PacketBuilder.ip6Lo("2001:db8::1")).isEqualTo(1L);
        assertThat(PacketBuilder.ip6Hi("fe80::1:2:3:4")).isEqualTo(0xfe80_0000_0000_0000L);
        assertThat(PacketBuilder.ip6Lo("fe80::1:2:3:4")).isEqualTo(0x0001_0002_0003_0004L);
    }
}
