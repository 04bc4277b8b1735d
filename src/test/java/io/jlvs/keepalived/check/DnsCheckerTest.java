package io.jlvs.keepalived.check;

import io.jlvs.keepalived.config.CheckerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** DNS_CHECK against a tiny UDP responder on loopback that answers with a chosen RCODE. */
class DnsCheckerTest {
    private DatagramSocket server;
    private Thread responder;
    private final AtomicInteger rcode = new AtomicInteger(0);
    private final AtomicReference<byte[]> lastQuery = new AtomicReference<>();

    @BeforeEach
    void start() throws Exception {
        server = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        responder = Thread.ofVirtual().start(() -> {
            byte[] b = new byte[512];
            while (!server.isClosed()) {
                try {
                    DatagramPacket p = new DatagramPacket(b, b.length);
                    server.receive(p);
                    byte[] q = java.util.Arrays.copyOf(b, p.getLength());
                    lastQuery.set(q);
                    // first a reply with a wrong ID (must be ignored), then the real one
                    byte[] wrong = q.clone();
                    wrong[0] ^= 0x55;
                    wrong[2] |= (byte) 0x80;
                    server.send(new DatagramPacket(wrong, wrong.length, p.getSocketAddress()));
                    byte[] r = q.clone();
                    r[2] |= (byte) 0x80;
                    r[3] = (byte) ((r[3] & 0xf0) | rcode.get());
                    server.send(new DatagramPacket(r, r.length, p.getSocketAddress()));
                } catch (java.io.IOException e) {
                    return;
                }
            }
        });
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        responder.join();
    }

    private DnsChecker checker(int type, String name) {
        return new DnsChecker(new CheckerConfig.Dns(Conn.TIMING, Conn.local(server.getLocalPort()), type, name));
    }

    @Test
    void shouldPassOnAMatchingResponseWithRcodeZero() {
        assertThat(checker(6, "example.com").check(0).success()).isTrue();
        byte[] q = lastQuery.get();
        assertThat(q[2] & 0x01).isEqualTo(1);
        assertThat(q).endsWith(7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 6, 0, 1);
    }

    @Test
    void shouldFailWhenTheServerAnswersWithAnError() {
        rcode.set(2);
        HealthChecker.Result r = checker(1, "").check(0);
        assertThat(r.success()).isFalse();
        assertThat(r.detail()).contains("rcode = 2");
    }

    @Test
    void shouldQueryTheRootWhenNameIsEmptyOrDot() {
        assertThat(DnsChecker.query(0x1234, "", 6)).containsExactly(0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 1);
        assertThat(DnsChecker.query(0x1234, ".", 6)).containsExactly(0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 1);
    }
}
