package io.jlvs.packet;

import static io.jlvs.testkit.Ipv6Captures.CAPTURED_ECHO;
import static io.jlvs.testkit.Ipv6Captures.CAPTURED_PORT_UNREACH;
import static io.jlvs.testkit.PacketBuilder.ip6Hi;
import static io.jlvs.testkit.PacketBuilder.ip6Lo;
import static io.jlvs.testkit.PacketBuilder.unhex;
import static org.assertj.core.api.Assertions.assertThat;

import io.jlvs.testkit.PacketBuilder;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class Icmpv6ViewTest {
    private static final long LL = ip6Hi("fe80::1");
    private static final long DOC = ip6Hi("2001:db8::1");

    private final Icmpv6View view = new Icmpv6View();

    @Test
    void shouldReadEchoFieldsWhenWrappingCapturedRequest() {
        view.wrap(MemorySegment.ofArray(unhex(CAPTURED_ECHO)), 54);

        assertThat(view.type()).isEqualTo(Icmpv6View.TYPE_ECHO_REQUEST);
        assertThat(view.code()).isZero();
        assertThat(view.checksum()).isEqualTo(0xdee5);
        assertThat(view.identifier()).isEqualTo(0x1234);
        assertThat(view.sequence()).isEqualTo(1);
        assertThat(view.restOfHeader()).isEqualTo(0x1234_0001);
        assertThat(view.isError()).isFalse();
        assertThat(view.bodyOffset()).isEqualTo(62);
    }

    @Test
    void shouldVerifyAndRecomputeLinuxChecksumWhenAddressesAreGiven() {
        view.wrap(MemorySegment.ofArray(unhex(CAPTURED_ECHO)), 54);

        assertThat(view.checksumValid(16, LL, 1, LL, 2)).isTrue();
        assertThat(view.checksumValid(16, LL, 2, LL, 1)).isTrue(); // the pseudo-header sum does not see the order
        assertThat(view.checksumValid(16, LL, 1, LL, 3)).isFalse();
        assertThat(view.computeChecksum(16, LL, 1, LL, 2)).isEqualTo(0xdee5);

        view.checksum(0xabcd);
        assertThat(view.checksumValid(16, LL, 1, LL, 2)).isFalse();
        assertThat(view.computeChecksum(16, LL, 1, LL, 2)).isEqualTo(0xdee5);
        view.updateChecksum(16, LL, 1, LL, 2);
        assertThat(view.checksum()).isEqualTo(0xdee5);
    }

    @Test
    void shouldPointBodyAtQuotedPacketWhenMessageIsAnError() {
        MemorySegment s = MemorySegment.ofArray(unhex(CAPTURED_PORT_UNREACH));
        view.wrap(s, 54);

        assertThat(view.type()).isEqualTo(Icmpv6View.TYPE_DEST_UNREACH);
        assertThat(view.code()).isEqualTo(Icmpv6View.CODE_PORT_UNREACH);
        assertThat(view.isError()).isTrue();
        assertThat(view.checksumValid(59, DOC, 2, DOC, 1)).isTrue();
        Ipv6View quoted = new Ipv6View().wrap(s, view.bodyOffset());
        assertThat(quoted.srcLo()).isEqualTo(1);
        assertThat(quoted.dstLo()).isEqualTo(2);
        assertThat(quoted.nextHeader()).isEqualTo(Ipv6View.NEXT_UDP);
        assertThat(new UdpView().wrap(s, view.bodyOffset() + 40).dstPort()).isEqualTo(53);
    }

    @Test
    void shouldReadThirtyTwoBitMtuWhenPacketIsTooBig() {
        PacketBuilder b = PacketBuilder.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02")
                .ipv6("2001:db8::1", "2001:db8::2").icmpv6(Icmpv6View.TYPE_PACKET_TOO_BIG, 0, 0x0001_0500)
                .payload(new byte[48]);
        view.wrap(MemorySegment.ofArray(b.build()), b.l4Offset());

        assertThat(view.mtu()).isEqualTo(0x0001_0500);
        assertThat(view.isError()).isTrue();
        assertThat(view.checksumValid(b.l4Length(), DOC, 1, DOC, 2)).isTrue();
    }

    @Test
    void shouldReadPointerWhenParameterProblem() {
        PacketBuilder b = PacketBuilder.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02")
                .ipv6("2001:db8::1", "2001:db8::2")
                .icmpv6(Icmpv6View.TYPE_PARAM_PROBLEM, Icmpv6View.CODE_UNKNOWN_NEXT_HEADER, 40);
        view.wrap(MemorySegment.ofArray(b.build()), b.l4Offset());

        assertThat(view.pointer()).isEqualTo(40);
        assertThat(view.code()).isEqualTo(1);
    }

    @Test
    void shouldCallOnlyTypesBelow128ErrorsWhenClassifying() {
        assertThat(Icmpv6View.isError(Icmpv6View.TYPE_DEST_UNREACH)).isTrue();
        assertThat(Icmpv6View.isError(Icmpv6View.TYPE_PACKET_TOO_BIG)).isTrue();
        assertThat(Icmpv6View.isError(Icmpv6View.TYPE_TIME_EXCEEDED)).isTrue();
        assertThat(Icmpv6View.isError(Icmpv6View.TYPE_PARAM_PROBLEM)).isTrue();
        assertThat(Icmpv6View.isError(127)).isTrue();
        assertThat(Icmpv6View.isError(Icmpv6View.TYPE_ECHO_REQUEST)).isFalse();
        assertThat(Icmpv6View.isError(Icmpv6View.TYPE_NEIGHBOR_SOLICIT)).isFalse();
    }

    @Test
    void shouldWriteFieldsWhenSet() {
        MemorySegment s = MemorySegment.ofArray(new byte[8]);
        view.wrap(s, 0).type(3).code(1).checksum(0xbeef).restOfHeader(0x01020304);

        assertThat(PacketBuilder.hex(PacketBuilder.bytes(s))).isEqualTo("03 01 be ef 01 02 03 04");
    }

    @Test
    void shouldReportTruncatedWhenFewerThanEightBytes() {
        MemorySegment s = MemorySegment.ofArray(new byte[12]);

        assertThat(Icmpv6View.validate(s, 0, 8)).isEqualTo(PacketError.OK);
        assertThat(Icmpv6View.validate(s, 0, 7)).isEqualTo(PacketError.TRUNCATED_ICMPV6);
        assertThat(Icmpv6View.validate(s, 5, 8)).isEqualTo(PacketError.TRUNCATED_ICMPV6);
    }

    @Test
    void shouldAgreeWithBuilderWhenMessageIsAnyEcho() {
        for (int len = 0; len < 40; len++) {
            PacketBuilder b = PacketBuilder.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02")
                    .ipv6("fe80::1", "2001:db8::9").icmpv6EchoReply(len, len * 7).payloadLength(len);
            view.wrap(MemorySegment.ofArray(b.build()), b.l4Offset());

            assertThat(view.checksumValid(b.l4Length(), LL, 1, DOC, 9)).as("length %d", len).isTrue();
            assertThat(view.computeChecksum(b.l4Length(), LL, 1, DOC, 9)).isEqualTo(view.checksum());
        }
        assertThat(ip6Lo("2001:db8::9")).isEqualTo(9);
    }
}
