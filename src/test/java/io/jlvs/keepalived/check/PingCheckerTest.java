package io.jlvs.keepalived.check;

import io.jlvs.keepalived.config.CheckerConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** PING_CHECK through the ICMP datagram socket, against loopback and an address nobody answers. */
class PingCheckerTest {
    @Test
    void shouldPassWhenLoopbackAnswersTheEcho() throws Exception {
        PingChecker c = new PingChecker(new CheckerConfig.Ping(Conn.TIMING, Conn.to("127.0.0.1", 0, 1000)));
        HealthChecker.Result r = c.check(0);
        assertThat(r.success()).as(r.detail()).isTrue();
    }

    @Test
    void shouldFailWhenTheEchoCannotBeSent() throws Exception {
        // a ping socket refuses broadcast destinations (no SO_BROADCAST)
        PingChecker c = new PingChecker(new CheckerConfig.Ping(Conn.TIMING, Conn.to("255.255.255.255", 0, 300)));
        long t0 = System.nanoTime();
        HealthChecker.Result r = c.check(0);
        assertThat(r.success()).isFalse();
        assertThat(r.detail()).startsWith("ICMP connection to [255.255.255.255] failed");
        assertThat((System.nanoTime() - t0) / 1_000_000L).isLessThan(3000);
    }

    @Test
    void shouldComputeTheInternetChecksum() {
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            var seg = arena.allocate(8);
            seg.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 8);
            assertThat(PingChecker.checksum(seg)).isEqualTo((short) 0xf7ff);
        }
    }
}
