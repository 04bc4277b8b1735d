package io.jlvs.io.xdp;

import io.jlvs.testkit.PacketBuilder;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

class PartialChecksumTest {
    private static final int VNET = 10;

    /** The frame as an XSK delivers it: a zeroed virtio_net_hdr in front, the bytes as the sender left them. */
    private static MemorySegment received(PacketBuilder b) {
        byte[] bytes = b.build();
        Arrays.fill(bytes, 0, VNET, (byte) 0);
        return MemorySegment.ofArray(bytes);
    }

    private static void assertMarksAndCompletes(UnaryOperator<PacketBuilder> frame, int l4Start, int fieldOffset) {
        byte[] partial = frame.apply(PacketBuilder.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02")).partialChecksum()
                .build();
        byte[] whole = frame.apply(PacketBuilder.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02")).vnetHeader()
                .build();
        MemorySegment seg = received(frame.apply(PacketBuilder.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02"))
                .partialChecksum());
        int frameLength = partial.length - VNET;
        assertThat(Arrays.copyOfRange(partial, VNET, partial.length)).as("the sender left the checksum partial")
                .isNotEqualTo(Arrays.copyOfRange(whole, VNET, whole.length));

        assertThat(PartialChecksum.markIfPartial(seg, VNET, frameLength, 0)).isTrue();
        // the virtio_net_hdr the kernel gives AF_PACKET for it: NEEDS_CSUM, csum_start, csum_offset (host order)
        byte[] marked = seg.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        assertThat(Arrays.copyOf(marked, VNET)).containsExactly(1, 0, 0, 0, 0, 0, l4Start, 0, fieldOffset, 0);
        assertThat(Arrays.copyOfRange(marked, VNET, marked.length)).as("the frame itself untouched")
                .isEqualTo(Arrays.copyOfRange(partial, VNET, partial.length));

        PartialChecksum.complete(seg, 0, frameLength);
        assertThat(seg.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).as("the frame with its whole checksum")
                .isEqualTo(whole);
    }

    @Test
    void shouldMarkAndCompletePartialTcpChecksumOverIpv4() {
        assertMarksAndCompletes(b -> b.ipv4("198.18.0.2", "198.18.0.100").tcp(40000, 80).payload("GET / HTTP/1.1\r\n"), 34, 16);
    }

    @Test
    void shouldMarkAndCompletePartialUdpChecksumOverIpv4WithOddLength() {
        assertMarksAndCompletes(b -> b.ipv4("198.18.0.2", "198.18.0.100").udp(40000, 53).payload("odd"), 34, 6);
    }

    @Test
    void shouldMarkAndCompletePartialTcpChecksumOverIpv6() {
        assertMarksAndCompletes(b -> b.ipv6("2001:db8::2", "2001:db8::100").tcp(40000, 80).payload("hello"), 54, 16);
    }

    @Test
    void shouldLeaveWholeChecksumsAndFramesWithoutOne() {
        for (PacketBuilder b : new PacketBuilder[] {
            PacketBuilder.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02").vnetHeader()
                    .ipv4("198.18.0.2", "198.18.0.100").tcp(40000, 80).payload("GET"),
            PacketBuilder.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02").vnetHeader()
                    .ipv4("198.18.0.2", "198.18.0.100").udp(40000, 53).udpChecksumZero().payload("no checksum"),
            PacketBuilder.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02").vnetHeader()
                    .ipv4("198.18.0.2", "198.18.0.100").mf(true).tcp(40000, 80).payload("a first fragment"),
            PacketBuilder.arpRequest("02:00:00:00:00:01", "198.18.0.2", "198.18.0.100").vnetHeader()}) {
            byte[] before = b.build();
            MemorySegment seg = received(b);
            assertThat(PartialChecksum.markIfPartial(seg, VNET, before.length - VNET, 0)).isFalse();
            PartialChecksum.complete(seg, 0, before.length - VNET);
            assertThat(seg.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).isEqualTo(before);
        }
    }

    @Test
    void shouldIgnoreTruncatedFrames() {
        byte[] bytes = PacketBuilder.ethernet("02:00:00:00:00:01", "02:00:00:00:00:02").partialChecksum()
                .ipv4("198.18.0.2", "198.18.0.100").tcp(40000, 80).payload("GET").build();
        for (int len = 0; len < bytes.length - VNET; len++) {
            MemorySegment seg = MemorySegment.ofArray(Arrays.copyOf(bytes, VNET + len));
            seg.asSlice(0, VNET).fill((byte) 0);
            assertThat(PartialChecksum.markIfPartial(seg, VNET, len, 0)).isFalse();
        }
    }
}
