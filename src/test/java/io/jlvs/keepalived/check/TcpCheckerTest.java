package io.jlvs.keepalived.check;

import io.jlvs.keepalived.config.CheckerConfig;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;

/** TCP_CHECK against a real listening socket on loopback, and against the same port once it is closed. */
class TcpCheckerTest {
    @Test
    void shouldPassWhileThePortListensAndFailOnceItIsClosed() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
            TcpChecker c = new TcpChecker(new CheckerConfig.Tcp(Conn.TIMING, Conn.local(port)));
            assertThat(c.check(0).success()).isTrue();
        }
        TcpChecker c = new TcpChecker(new CheckerConfig.Tcp(Conn.TIMING, Conn.local(port)));
        HealthChecker.Result r = c.check(0);
        assertThat(r.success()).isFalse();
        assertThat(r.detail()).contains("[127.0.0.1]:" + port);
    }

    @Test
    void shouldFailWithinTheConnectTimeoutWhenTheServerDoesNotAnswer() throws Exception {
        // a listener that never accepts: once its queue is full, the kernel drops further SYNs unanswered
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            java.util.List<java.net.Socket> fillers = new java.util.ArrayList<>();
            try {
                for (int i = 0; i < 4; i++) {
                    java.net.Socket f = new java.net.Socket();
                    try {
                        f.connect(s.getLocalSocketAddress(), 200);
                    } catch (java.io.IOException e) {
                        // the queue is full already
                    }
                    fillers.add(f);
                }
                TcpChecker c = new TcpChecker(new CheckerConfig.Tcp(Conn.TIMING, Conn.to("127.0.0.1", s.getLocalPort(), 300)));
                long t0 = System.nanoTime();
                assertThat(c.check(0).success()).isFalse();
                assertThat((System.nanoTime() - t0) / 1_000_000L).isBetween(250L, 3000L);
            } finally {
                for (java.net.Socket f : fillers) {
                    f.close();
                }
            }
        }
    }

    @Test
    void shouldFailWithoutConnectingWhenTheRealServerHasNoPort() throws Exception {
        TcpChecker c = new TcpChecker(new CheckerConfig.Tcp(Conn.TIMING, Conn.local(0)));
        assertThat(c.check(0).detail()).contains("connect_port");
    }
}
