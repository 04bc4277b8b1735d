package io.jlvs.packet;

import static io.jlvs.testkit.PacketBuilder.unhex;
import static org.assertj.core.api.Assertions.assertThat;

import io.jlvs.testkit.PacketBuilder;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class IcmpViewTest {
    /** Echo request id 0x1234 seq 1 carrying "ping"; checksum worked out by hand: 0x06fa. */
    private static final String ECHO = "08 00 06 fa 12 34 00 01 70 69 6e 67";

    private final IcmpView view = new IcmpView();

    @Test
    void shouldReadEchoFieldsWhenWrappingKnownMessage() {
        view.wrap(MemorySegment.ofArray(unhex(ECHO)), 0);

        assertThat(view.type()).isEqualTo(IcmpView.TYPE_ECHO_REQUEST);
        assertThat(view.code()).isZero();
        assertThat(view.checksum()).isEqualTo(0x06fa);
        assertThat(view.identifier()).isEqualTo(0x1234);
        assertThat(view.sequence()).isEqualTo(1);
        assertThat(view.restOfHeader()).isEqualTo(0x1234_0001);
        assertThat(view.checksumValid(12)).isTrue();
        assertThat(view.computeChecksum(12)).isEqualTo(0x06fa);
    }

    @Test
    void shouldMatchHandComputedBytesWhenBuilderMakesEcho() {
        PacketBuilder b = PacketBuilder.ethernet("02:00:c6:12:00:01", "02:00:c6:12:00:02")
                .ipv4("192.0.2.1", "192.0.2.2").icmpEcho(0x1234, 1).payload("ping");
        byte[] frame = b.build();

        PacketBuilder.assertSameBytes(unhex(ECHO), Arrays.copyOfRange(frame, b.l4Offset(), frame.length));
        assertThat(new Ipv4View().wrap(MemorySegment.ofArray(frame), 14).protocol()).isEqualTo(Ipv4View.PROTO_ICMP);
    }

    @Test
    void shouldKeepChecksumValidWhenTurningRequestIntoReply() {
        MemorySegment seg = MemorySegment.ofArray(unhex(ECHO));
        view.wrap(seg, 0);

        view.type(IcmpView.TYPE_ECHO_REPLY).updateChecksum(12);

        assertThat(view.checksumValid(12)).isTrue();
        assertThat(view.checksum()).isEqualTo(Checksum.update16(0x06fa, 0x0800, 0x0000));
    }

    @Test
    void shouldReadMtuWhenMessageIsFragmentationNeeded() {
        view.wrap(MemorySegment.ofArray(new byte[8]), 0)
                .type(IcmpView.TYPE_DEST_UNREACH).code(IcmpView.CODE_FRAG_NEEDED).restOfHeader(1400);

        assertThat(view.type()).isEqualTo(3);
        assertThat(view.code()).isEqualTo(4);
        assertThat(view.nextHopMtu()).isEqualTo(1400);
    }

    @Test
    void shouldReturnTruncatedWhenFewerThanEightBytes() {
        MemorySegment seg = MemorySegment.ofArray(unhex(ECHO));

        assertThat(IcmpView.validate(seg, 0, 12)).isEqualTo(PacketError.OK);
        assertThat(IcmpView.validate(seg, 0, 7)).isEqualTo(PacketError.TRUNCATED_ICMP);
        assertThat(IcmpView.validate(seg, 5, 8)).isEqualTo(PacketError.TRUNCATED_ICMP);
    }
}
