package io.jlvs.packet;

import static io.jlvs.testkit.PacketBuilder.ip;
import static io.jlvs.testkit.PacketBuilder.mac;
import static org.assertj.core.api.Assertions.assertThat;

import io.jlvs.testkit.PacketBuilder;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ArpViewTest {
    private final ArpView view = new ArpView();
    private final EthernetView eth = new EthernetView();

    @Test
    void shouldReadRequestWhenWrappingBuiltWhoHas() {
        byte[] frame = PacketBuilder.arpRequest("02:00:c6:12:00:01", "192.0.2.1", "192.0.2.10").build();
        MemorySegment seg = MemorySegment.ofArray(frame);

        eth.wrap(seg, 0);
        view.wrap(seg, EthernetView.HEADER_LENGTH);

        assertThat(frame).hasSize(42);
        assertThat(eth.etherType()).isEqualTo(EthernetView.ETHERTYPE_ARP);
        assertThat(eth.dstMac()).isEqualTo(EthernetView.BROADCAST_MAC);
        assertThat(view.isEthernetIpv4()).isTrue();
        assertThat(view.htype()).isEqualTo(ArpView.HTYPE_ETHERNET);
        assertThat(view.ptype()).isEqualTo(0x0800);
        assertThat(view.hlen()).isEqualTo(6);
        assertThat(view.plen()).isEqualTo(4);
        assertThat(view.oper()).isEqualTo(ArpView.OP_REQUEST);
        assertThat(view.senderMac()).isEqualTo(mac("02:00:c6:12:00:01"));
        assertThat(view.senderIp()).isEqualTo(ip("192.0.2.1"));
        assertThat(view.targetMac()).isZero();
        assertThat(view.targetIp()).isEqualTo(ip("192.0.2.10"));
    }

    @Test
    void shouldProduceBuilderReplyWhenAnsweringRequestInPlace() {
        byte[] request = PacketBuilder.arpRequest("02:00:c6:12:00:01", "192.0.2.1", "192.0.2.10").build();
        byte[] expected =
                PacketBuilder.arpReply("02:00:c6:12:00:0a", "192.0.2.10", "02:00:c6:12:00:01", "192.0.2.1").build();
        MemorySegment seg = MemorySegment.ofArray(request);
        eth.wrap(seg, 0);
        view.wrap(seg, EthernetView.HEADER_LENGTH);
        long myMac = mac("02:00:c6:12:00:0a");

        long askerMac = view.senderMac();
        int askerIp = view.senderIp();
        int wantedIp = view.targetIp();
        eth.dstMac(askerMac).srcMac(myMac);
        view.oper(ArpView.OP_REPLY).targetMac(askerMac).targetIp(askerIp).senderMac(myMac).senderIp(wantedIp);

        PacketBuilder.assertSameBytes(expected, request);
    }

    @Test
    void shouldWriteFixedPreambleWhenInitialisingEthernetIpv4() {
        byte[] bytes = new byte[ArpView.LENGTH];
        view.wrap(MemorySegment.ofArray(bytes), 0);

        view.initEthernetIpv4(ArpView.OP_REPLY);

        assertThat(PacketBuilder.hex(Arrays.copyOf(bytes, 8))).isEqualTo("00 01 08 00 06 04 00 02");
        assertThat(view.isEthernetIpv4()).isTrue();
    }

    @Test
    void shouldRejectLayoutWhenNotEthernetIpv4() {
        byte[] bytes = new byte[ArpView.LENGTH];
        view.wrap(MemorySegment.ofArray(bytes), 0).initEthernetIpv4(ArpView.OP_REQUEST);

        assertThat(view.ptype(0x86dd).isEthernetIpv4()).isFalse();
        assertThat(view.ptype(0x0800).plen(16).isEthernetIpv4()).isFalse();
        assertThat(view.plen(4).hlen(8).isEthernetIpv4()).isFalse();
        assertThat(view.hlen(6).htype(6).isEthernetIpv4()).isFalse();
    }

    @Test
    void shouldReturnTruncatedWhenFewerThanTwentyEightBytes() {
        byte[] frame = PacketBuilder.arpRequest("02:00:c6:12:00:01", "192.0.2.1", "192.0.2.10").build();
        MemorySegment seg = MemorySegment.ofArray(frame);

        assertThat(ArpView.validate(seg, 14, 28)).isEqualTo(PacketError.OK);
        assertThat(ArpView.validate(seg, 14, 27)).isEqualTo(PacketError.TRUNCATED_ARP);
        assertThat(ArpView.validate(MemorySegment.ofArray(
                PacketBuilder.arpRequest("02:00:c6:12:00:01", "192.0.2.1", "192.0.2.10").truncate(41).build()), 14, 28))
                .isEqualTo(PacketError.TRUNCATED_ARP);
    }
}
