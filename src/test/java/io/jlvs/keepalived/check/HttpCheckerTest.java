package io.jlvs.keepalived.check;

import com.sun.net.httpserver.HttpServer;
import io.jlvs.keepalived.config.CheckerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** HTTP_GET against a real HTTP server on loopback whose status and body change under the checker. */
class HttpCheckerTest {
    private HttpServer server;
    private final AtomicInteger status = new AtomicInteger(200);
    private final AtomicReference<String> body = new AtomicReference<>("hello");
    private final AtomicReference<String> lastHost = new AtomicReference<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        server.createContext("/", ex -> {
            lastHost.set(ex.getRequestHeaders().getFirst("Host"));
            byte[] b = body.get().getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(status.get(), b.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(b);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private HttpChecker checker(List<Integer> codes, String digest, String regex, String host) {
        CheckerConfig.Url url = new CheckerConfig.Url("/healthz", codes, digest, null, regex, false, 0, 0);
        return new HttpChecker(new CheckerConfig.Http(false, Conn.TIMING, Conn.local(server.getAddress().getPort()),
                List.of(url), "1.1", host, false, false, null, false));
    }

    private static List<Integer> range(int from, int to) {
        return java.util.stream.IntStream.rangeClosed(from, to).boxed().toList();
    }

    @Test
    void shouldPassOnAnAcceptedStatusAndFailWhenTheStatusChanges() {
        HttpChecker c = checker(range(200, 299), null, null, null);
        assertThat(c.check(0).success()).isTrue();
        status.set(503);
        HealthChecker.Result r = c.check(0);
        assertThat(r.success()).isFalse();
        assertThat(r.detail()).startsWith("HTTP status code error to");
    }

    @Test
    void shouldCompareTheMd5OfTheBodyWhenDigestIsSet() {
        HttpChecker c = checker(range(200, 299), "5d41402abc4b2a76b9719d911017c592", null, null);
        assertThat(c.check(0).success()).isTrue();
        body.set("hello!");
        assertThat(c.check(0).detail()).startsWith("MD5 digest error to");
    }

    @Test
    void shouldMatchTheBodyWhenRegexIsSet() {
        HttpChecker c = checker(range(200, 299), null, "h.l+o", null);
        assertThat(c.check(0).success()).isTrue();
        body.set("goodbye");
        assertThat(c.check(0).success()).isFalse();
    }

    @Test
    void shouldSendVirtualhostOrAddressAndPortAsHost() {
        checker(range(200, 299), null, null, "www.example.com").check(0);
        assertThat(lastHost.get()).isEqualTo("www.example.com");
        checker(range(200, 299), null, null, null).check(0);
        assertThat(lastHost.get()).isEqualTo("127.0.0.1:" + server.getAddress().getPort());
    }

    @Test
    void shouldSendKeepalivedsRequestByteForByte() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CheckerConfig.Url url = new CheckerConfig.Url("/ping", range(200, 200), null, "site", null, false, 0, 0);
            HttpChecker c = new HttpChecker(new CheckerConfig.Http(false, Conn.TIMING, Conn.local(s.getLocalPort()),
                    List.of(url), "1.0", null, false, false, null, false));
            Thread t = Thread.ofVirtual().start(() -> c.check(0));
            try (Socket peer = s.accept(); InputStream in = peer.getInputStream()) {
                byte[] b = new byte[200];
                int n = in.readNBytes(b, 0, "GET /ping HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: site\r\n\r\n".length());
                assertThat(new String(b, 0, n, StandardCharsets.US_ASCII))
                        .isEqualTo("GET /ping HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: site\r\n\r\n");
            }
            t.join();
        }
    }

    @Test
    void shouldReadStatusOnlyWhenFollowedByABlank() {
        assertThat(HttpChecker.statusCode("HTTP/1.1 200 OK")).isEqualTo(200);
        assertThat(HttpChecker.statusCode("HTTP/1.1 200")).isZero();
        assertThat(HttpChecker.statusCode("HTTP/1.1 2x0 OK")).isZero();
    }
}
