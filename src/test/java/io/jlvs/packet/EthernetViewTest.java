package io.jlvs.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jlvs.testkit.PacketBuilder;
import java.lang.foreign.MemorySegment;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class EthernetViewTest {
    private final EthernetView view = new EthernetView();

    @Test
    void shouldReadMacsAndTypeWhenWrappingBuiltFrame() {
        byte[] frame = PacketBuilder.ethernet("02:00:c6:12:00:01", "02:00:c6:12:00:02")
                .ipv4("192.0.2.1", "192.0.2.2").udp(1, 2).build();

        view.wrap(MemorySegment.ofArray(frame), 0);

        assertThat(view.dstMac()).isEqualTo(0x0200_c612_0002L);
        assertThat(view.srcMac()).isEqualTo(0x0200_c612_0001L);
        assertThat(view.etherType()).isEqualTo(EthernetView.ETHERTYPE_IPV4);
    }

    @Test
    void shouldWriteNetworkOrderWhenSettingFields() {
        byte[] bytes = new byte[16];
        view.wrap(MemorySegment.ofArray(bytes), 2);

        view.dstMac(0xffee_ddcc_bbaaL).srcMac(0x0102_0304_0506L).etherType(EthernetView.ETHERTYPE_VLAN);

        assertThat(PacketBuilder.hex(bytes)).isEqualTo("00 00 ff ee dd cc bb aa 01 02 03 04 05 06 81 00");
        assertThat(view.offset()).isEqualTo(2);
        assertThat(view.dstMac()).isEqualTo(0xffee_ddcc_bbaaL);
        assertThat(view.srcMac()).isEqualTo(0x0102_0304_0506L);
        assertThat(view.etherType()).isEqualTo(0x8100);
    }

    @Test
    void shouldNotDisturbNeighboursWhenRewritingDestinationMac() {
        byte[] frame = PacketBuilder.ethernet("02:00:c6:12:00:01", "02:00:c6:12:00:02")
                .ipv4("192.0.2.1", "192.0.2.2").udp(1, 2).build();
        byte[] expected = frame.clone();
        expected[5] = 0x09;

        view.wrap(MemorySegment.ofArray(frame), 0).dstMac(0x0200_c612_0009L);

        PacketBuilder.assertSameBytes(expected, frame);
    }

    @Test
    void shouldFormatAndParseWhenGivenMacText() {
        assertThat(EthernetView.macToString(0x0200_c612_0001L)).isEqualTo("02:00:c6:12:00:01");
        assertThat(EthernetView.macToString(EthernetView.BROADCAST_MAC)).isEqualTo("ff:ff:ff:ff:ff:ff");
        assertThat(EthernetView.parseMac("02:00:C6:12:0:1")).isEqualTo(0x0200_c612_0001L);
        assertThat(EthernetView.parseMac("ff:ff:ff:ff:ff:ff")).isEqualTo(EthernetView.BROADCAST_MAC);
    }

    @Test
    void shouldThrowWhenMacTextIsMalformed() {
        for (String bad : new String[] {"", "02:00:c6:12:00", "02:00:c6:12:00:01:02", "02:00:c6:12:00:1g",
            "02:00:c6:12::01", "002:00:c6:12:00:01"}) {
            assertThatThrownBy(() -> EthernetView.parseMac(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Property(tries = 200)
    void shouldRoundTripWhenFormattingAnyMac(@ForAll long raw) {
        long mac = raw & 0xffff_ffff_ffffL;

        assertThat(EthernetView.parseMac(EthernetView.macToString(mac))).isEqualTo(mac);
    }

    @Test
    void shouldSeeGroupBitWhenMacIsMulticastOrBroadcast() {
        assertThat(EthernetView.isMulticast(EthernetView.BROADCAST_MAC)).isTrue();
        assertThat(EthernetView.isMulticast(EthernetView.parseMac("01:00:5e:00:00:12"))).isTrue();
        assertThat(EthernetView.isMulticast(EthernetView.parseMac("02:00:c6:12:00:01"))).isFalse();
    }

    @Test
    void shouldReturnTruncatedWhenFewerThanFourteenBytes() {
        MemorySegment seg = MemorySegment.ofArray(new byte[14]);

        assertThat(EthernetView.validate(seg, 0, 14)).isEqualTo(PacketError.OK);
        assertThat(EthernetView.validate(seg, 0, 13)).isEqualTo(PacketError.TRUNCATED_ETHERNET);
        assertThat(EthernetView.validate(seg, 1, 14)).isEqualTo(PacketError.TRUNCATED_ETHERNET);
    }
}
