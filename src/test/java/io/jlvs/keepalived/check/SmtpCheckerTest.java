package io.jlvs.keepalived.check;

import io.jlvs.keepalived.config.CheckerConfig;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** SMTP_CHECK against a scripted SMTP server on loopback. */
class SmtpCheckerTest {
    private static HealthChecker.Result dialogue(String greeting, String heloReply, AtomicReference<String> helo)
            throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread server = Thread.ofVirtual().start(() -> {
                try (Socket c = s.accept()) {
                    BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.US_ASCII));
                    OutputStream out = c.getOutputStream();
                    out.write(greeting.getBytes(StandardCharsets.US_ASCII));
                    helo.set(in.readLine());
                    out.write(heloReply.getBytes(StandardCharsets.US_ASCII));
                    in.readLine();
                    out.write("221 bye\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (Exception e) {
                    // the checker may hang up first
                }
            });
            SmtpChecker c = new SmtpChecker(new CheckerConfig.Smtp(Conn.TIMING, Conn.local(s.getLocalPort()), "probe.test"));
            HealthChecker.Result r = c.check(0);
            server.join();
            return r;
        }
    }

    @Test
    void shouldPassOnGreeting220AndHelo250() throws Exception {
        AtomicReference<String> helo = new AtomicReference<>();
        assertThat(dialogue("220-mx ESMTP\r\n220 ready\r\n", "250 hello\r\n", helo).success()).isTrue();
        assertThat(helo.get()).isEqualTo("HELO probe.test");
    }

    @Test
    void shouldFailOnABadGreetingOrHeloReply() throws Exception {
        assertThat(dialogue("554 go away\r\n", "250 ok\r\n", new AtomicReference<>()).success()).isFalse();
        assertThat(dialogue("220 ready\r\n", "500 what\r\n", new AtomicReference<>()).success()).isFalse();
    }

    @Test
    void shouldFailWhenNothingListens() throws Exception {
        SmtpChecker c = new SmtpChecker(new CheckerConfig.Smtp(Conn.TIMING, Conn.local(Conn.closedTcpPort()), "x"));
        assertThat(c.check(0).success()).isFalse();
    }
}
