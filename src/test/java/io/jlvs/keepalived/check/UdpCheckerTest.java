package io.jlvs.keepalived.check;

import io.jlvs.keepalived.config.CheckerConfig;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;

/** UDP_CHECK against a UDP echo on loopback, and against a closed port (ICMP port unreachable). */
class UdpCheckerTest {
    private static UdpChecker udp(int port, String payload, boolean require, String reply, String mask, int min, int max) {
        return new UdpChecker(new CheckerConfig.Udp(Conn.TIMING, Conn.to("127.0.0.1", port, 500), payload, require,
                reply, mask, min, max));
    }

    @Test
    void shouldPassWhenAnEchoAnswersWithTheRequiredReply() throws Exception {
        try (DatagramSocket echo = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    byte[] b = new byte[1500];
                    DatagramPacket p = new DatagramPacket(b, b.length);
                    echo.receive(p);
                    echo.send(new DatagramPacket(b, p.getLength(), p.getSocketAddress()));
                } catch (java.io.IOException e) {
                    // closed by the test
                }
            });
            assertThat(udp(echo.getLocalPort(), "ab120f03", true, "ab12", "0000", 0, 255).check(0).success()).isTrue();
            t.join();
        }
    }

    @Test
    void shouldFailWhenTheReplyDiffersOutsideTheWildcards() {
        UdpChecker c = udp(1, null, true, "ab12", "000f", 0, 255);
        assertThat(c.matches(new byte[] {(byte) 0xab, 0x1f}, 2)).isTrue();
        assertThat(c.matches(new byte[] {(byte) 0xab, 0x22}, 2)).isFalse();
        assertThat(udp(1, null, true, "ab", null, 4, 255).matches(new byte[] {(byte) 0xab, 0}, 2)).isFalse();
    }

    @Test
    void shouldFailOnPortUnreachableAndPassOnSilenceWhenNoReplyIsRequired() throws Exception {
        int port;
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
            assertThat(udp(port, null, false, null, null, 0, 255).check(0).success()).isTrue();
        }
        assertThat(udp(port, null, false, null, null, 0, 255).check(0).success()).isFalse();
    }

    @Test
    void shouldSendKeepalivedsFillerWhenNoPayloadIsSet() {
        assertThat(new String(UdpChecker.DEFAULT_PAYLOAD, java.nio.charset.StandardCharsets.US_ASCII))
                .isEqualTo("keepalived check - keepalived ch");
    }
}
