package io.jlvs.monitor;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.eclipse.jetty.http.HttpTester;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Coverage-guided fuzzing of the monitor's HTTP side (docs/fuzzing.md): raw request bytes, written over real
 * loopback connections into the real {@link MonitorServer} (Jetty, TLS and plain HTTP detected on one port)
 * whose {@link MonitorApp} edits a {@link FakeDirector}.
 *
 * <p>Input: up to {@value #MAX_CONNECTIONS} chunks separated by a line {@code %%}; each chunk is what one
 * connection sends (one request, several pipelined ones, or garbage), over TLS, or over plain HTTP when it
 * starts with {@code !}. The client half-closes after writing and reads until the server closes. Before it
 * is sent, a chunk's placeholders are replaced, so that the fuzzer can reach what needs a secret:
 * {@code $OPS}/{@code $OPC} an operator's session id and CSRF token, {@code $VWS}/{@code $VWC} a viewer's,
 * {@code $NEWS}/{@code $NEWC} those of the last session a login of this input started, and {@code $CL} (its first, in the
 * head) the length of what follows the chunk's first blank line, for Content-Length.
 *
 * <p>Oracles: no response is a 5xx (the director never fails here, so a 5xx is an unhandled exception), but
 * for Jetty's own 505 and 501 refusing a protocol it does not serve; no edit reaches the director unless its
 * request carried a live operator session id and that session's CSRF token; every edit made has its audit
 * line ({@code result=ok}, the new weight); after the input, the server still answers a well-formed request
 * (through the parser and the app: their redirect to HTTPS).
 */
class MonitorHttpFuzzTest {
    private static final int MAX_CONNECTIONS = 8;
    private static final int MAX_CHUNK_BYTES = 16 * 1024;
    private static final int READ_TIMEOUT_MS = 10_000;
    private static final byte[] SEPARATOR = "\n%%\n".getBytes(StandardCharsets.ISO_8859_1);
    private static final Pattern NEW_SESSION = Pattern.compile(MonitorApp.SESSION_COOKIE + "=([A-Za-z0-9_-]+)");
    private static final Pattern AUDIT_CHANGE = Pattern.compile(
            "user=(\\S+) action=(weight|quiesce) .* to=(\\d+) result=ok ");
    private static final Pattern EDIT = Pattern.compile(" w(\\d+)$");

    /** Held, so that the levels stay set: the audit logger writes a line per login, Jetty warns on bad requests. */
    private static final List<Logger> QUIET = List.of(Logger.getLogger("jlvs.audit"), Logger.getLogger("jlvs.monitor"),
            Logger.getLogger("org.eclipse.jetty"));

    static {
        QUIET.forEach(l -> l.setLevel(Level.OFF));
    }

    /** One server for the whole run: starting Jetty with TLS per input would dwarf the input itself. */
    private static Harness harness;

    @FuzzTest(maxDuration = "3m")
    // libFuzzer dictionary syntax: line breaks as \xNN
    @DictionaryEntries({"GET ", "POST ", "HEAD ", "PUT ", " HTTP/1.1\\x0D\\x0A", " HTTP/1.0\\x0D\\x0A", "\\x0D\\x0A\\x0D\\x0A", "Host: ",
        "Cookie: ", "Content-Type: ", "Content-Length: ", "Transfer-Encoding: chunked", "Connection: ", "Origin: ",
        "Authorization: Bearer ", "Expect: 100-continue", "application/x-www-form-urlencoded", "multipart/form-data",
        MonitorApp.SESSION_COOKIE + "=", MonitorApp.LOGIN_COOKIE + "=", "/login", "/logout", "/services",
        "/connections", "/director", "/api/stats", "/metrics", "/action/weight", "/action/quiesce",
        "/static/monitor.js", "/static/monitor.css", "/favicon.ico", "csrf=", "user=", "password=", "weight=",
        "service=", "realserver=", "msg=", "tcp%7C198.18.0.100%7C80", "198.19.0.11%7C80", "198.19.0.12%7C8080",
        "fwm|1|2", "$OPS", "$OPC", "$VWS", "$VWC", "$NEWS", "$NEWC", "$CL", "\\x0A%%\\x0A", "olga", "operator-pw", "vic",
        "viewer-pw", "scrape-token-0123456789", "https://lb", "%0d%0a", "%2F", "%00", ";", "..", "//"})
    void fuzzRequests(byte[] input) throws Exception {
        Harness h = harness();
        // the harness's own client connections; Jazzer's SSRF detector would take them for the code under test's
        BugDetectors.allowNetworkConnections((host, port) -> port == h.server.port()
                && (host.equals("127.0.0.1") || host.equals("localhost")));
        h.reset();
        List<byte[]> chunks = split(input);
        for (byte[] chunk : chunks.subList(0, Math.min(chunks.size(), MAX_CONNECTIONS))) {
            h.send(chunk);
        }
        HttpTester.Response probe = h.probe();
        assertThat(probe).as("the server answers a well-formed request after the input").isNotNull();
        assertThat(probe.getStatus()).as("GET /login after the input").isEqualTo(301);
        assertThat(probe.get("Location")).isEqualTo("https://lb/login");
    }

    /** The harness itself: a seed with the operator's session and token changes the director, one without does not. */
    @Test
    void shouldEditAndAuditOnlyWhenSeedCarriesOperatorSessionAndToken() throws Exception {
        Harness h = harness();
        h.reset();
        h.send(seed("seed-weight-as-operator"));
        h.send(seed("seed-weight-as-viewer"));
        h.send(seed("seed-weight-refused"));

        assertThat(h.director.edits).containsExactly("TCP 198.18.0.100:80 198.19.0.11:80 w3");
        assertThat(Files.readString(h.auditFile)).contains("user=olga action=weight").contains("to=3 result=ok")
                .contains("user=vic action=weight result=\"refused: role viewer\"");
    }

    @Test
    void shouldReachWeightChangeWhenInputLogsInFirst() throws Exception {
        Harness h = harness();
        h.reset();
        for (byte[] chunk : split(seed("seed-login-then-weight"))) {
            h.send(chunk);
        }

        assertThat(h.director.edits).containsExactly("TCP 198.18.0.100:80 198.19.0.11:80 w5");
    }

    private static byte[] seed(String name) throws IOException {
        try (InputStream in = MonitorHttpFuzzTest.class.getResourceAsStream("MonitorHttpFuzzTestInputs/fuzzRequests/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    private static synchronized Harness harness() throws Exception {
        if (harness == null) {
            harness = new Harness();
        }
        return harness;
    }

    static List<byte[]> split(byte[] input) {
        List<byte[]> chunks = new ArrayList<>();
        int from = 0;
        for (int i = 0; i + SEPARATOR.length <= input.length; i++) {
            if (java.util.Arrays.equals(input, i, i + SEPARATOR.length, SEPARATOR, 0, SEPARATOR.length)) {
                chunks.add(java.util.Arrays.copyOfRange(input, from, i));
                from = i + SEPARATOR.length;
                i = from - 1;
            }
        }
        chunks.add(java.util.Arrays.copyOfRange(input, from, input.length));
        chunks.removeIf(c -> c.length == 0);
        return chunks;
    }

    /** The server, its fake director and audit file, two standing sessions, a client that trusts anything. */
    private static final class Harness {
        private final Path dir = Files.createTempDirectory("jlvs-monitor-fuzz");
        private final AtomicLong nowMs = new AtomicLong(1_000_000);
        private final SessionStore sessions = new SessionStore(SessionStore.DEFAULT_IDLE_TIMEOUT_MS,
                SessionStore.DEFAULT_MAX_AGE_MS);
        private final FakeDirector director;
        private final Path auditFile = dir.resolve("audit.log");
        private final MonitorServer server;
        private final SSLContext tls;
        private SessionStore.Session operator;
        private SessionStore.Session viewer;
        /** Session ids the input's logins started, last one last. */
        private final LinkedHashSet<String> started = new LinkedHashSet<>();

        Harness() throws Exception {
            UserStore users = new UserStore(dir.resolve("users"));
            PasswordHasher hasher = new PasswordHasher(1000); // few rounds: a login per input must stay cheap
            users.add("olga", Role.OPERATOR, hasher.hash("operator-pw".toCharArray()));
            users.add("vic", Role.VIEWER, hasher.hash("viewer-pw".toCharArray()));
            director = new FakeDirector(PrometheusExpositionTest.services(), PrometheusExpositionTest.status());
            MonitorApp app = new MonitorApp(new MonitorApp.Config(users, sessions,
                    new LoginThrottle(LoginThrottle.DEFAULT_MAX_FAILURES, LoginThrottle.DEFAULT_WINDOW_MS),
                    new AuditLog(auditFile), director, "scrape-token-0123456789", nowMs::get));
            // kept under target/ between runs: keytool is a JVM of its own, slower than the whole replay
            Path keys = Path.of("target", "monitor-fuzz-keystore");
            TlsCertificates.Keystore ks = TlsCertificates.loadOrCreate(keys.resolve("monitor.p12"),
                    keys.resolve("monitor.pw"), List.of("127.0.0.1", "localhost"));
            server = new MonitorServer(new InetSocketAddress("127.0.0.1", 0), ks, app);
            server.start();
            tls = SSLContext.getInstance("TLSv1.3");
            tls.init(null, new TrustManager[] {new TrustAll()}, null);
            Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        }

        /** A clean slate: old sessions and login failures expire, the director's table and the audit file restart. */
        void reset() throws IOException {
            nowMs.addAndGet(SessionStore.DEFAULT_MAX_AGE_MS + LoginThrottle.DEFAULT_WINDOW_MS);
            director.services = new ArrayList<>(PrometheusExpositionTest.services());
            director.edits.clear();
            Files.write(auditFile, new byte[0]);
            operator = sessions.create("olga", Role.OPERATOR, nowMs.get());
            viewer = sessions.create("vic", Role.VIEWER, nowMs.get());
            started.clear();
        }

        /** Sends one chunk on its own connection and checks what it did. */
        void send(byte[] chunk) throws IOException {
            boolean plain = chunk[0] == '!';
            byte[] request = substitute(plain ? java.util.Arrays.copyOfRange(chunk, 1, chunk.length) : chunk);
            String requestText = new String(request, StandardCharsets.ISO_8859_1);
            List<SessionStore.Session> operators = liveOperators();
            int editsBefore = director.edits.size();
            long auditBefore = Files.size(auditFile);

            byte[] answer = exchange(plain, request);

            for (HttpTester.Response r : responses(answer)) {
                if (r.getStatus() >= 500 && !protocolRefusal(r)) {
                    fail("status %d for\n%s\nanswer:\n%s%s", r.getStatus(), requestText, r, r.getContent());
                }
                for (String cookie : r.getValuesList("Set-Cookie")) {
                    Matcher m = NEW_SESSION.matcher(cookie);
                    if (m.lookingAt()) {
                        started.remove(m.group(1));
                        started.add(m.group(1));
                    }
                }
            }
            List<String> edits = List.copyOf(director.edits.subList(editsBefore, director.edits.size()));
            if (edits.isEmpty()) {
                return;
            }
            boolean authorised = operators.stream().anyMatch(s -> requestText.contains(s.id())
                    && requestText.contains(s.csrfToken()));
            if (!authorised) {
                fail("the director was changed (%s) by a request without a live operator session and its CSRF "
                        + "token:\n%s", edits, requestText);
            }
            List<Matcher> audited = new ArrayList<>();
            for (String line : newAuditLines(auditBefore)) {
                Matcher m = AUDIT_CHANGE.matcher(line);
                if (m.find()) {
                    audited.add(m);
                }
            }
            assertThat(audited).as("audit lines (result=ok) for the edits %s of\n%s", edits, requestText)
                    .hasSameSizeAs(edits);
            for (int i = 0; i < edits.size(); i++) {
                Matcher e = EDIT.matcher(edits.get(i));
                assertThat(e.find()).isTrue();
                assertThat(audited.get(i).group(3)).as("audited weight of %s", edits.get(i)).isEqualTo(e.group(1));
                assertThat(audited.get(i).group(1)).isEqualTo("olga");
            }
        }

        /**
         * Jetty's own answer to a request it cannot parse as one it serves (HTTP/0.1, a transfer coding it does not
         * implement): 505 or 501, before the app, so without the headers the app puts on every answer.
         */
        private static boolean protocolRefusal(HttpTester.Response r) {
            return (r.getStatus() == 505 || r.getStatus() == 501) && r.get("Content-Security-Policy") == null;
        }

        /** A plain-HTTP GET, which the app answers with its redirect to HTTPS (no TLS handshake: cheap per input). */
        HttpTester.Response probe() throws IOException {
            byte[] answer = exchange(true, "GET /login HTTP/1.1\r\nHost: lb\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            List<HttpTester.Response> rs = responses(answer);
            return rs.isEmpty() ? null : rs.getFirst();
        }

        /** The standing operator and every operator session this input's logins started, still live now. */
        private List<SessionStore.Session> liveOperators() {
            List<String> ids = new ArrayList<>(started);
            ids.add(operator.id());
            List<SessionStore.Session> live = new ArrayList<>();
            for (String id : ids) {
                Optional<SessionStore.Session> s = sessions.touch(id, nowMs.get()); // the clock stands still within an input
                s.filter(x -> x.role() == Role.OPERATOR).ifPresent(live::add);
            }
            return live;
        }

        private List<String> newAuditLines(long from) throws IOException {
            byte[] all = Files.readAllBytes(auditFile);
            String added = new String(all, (int) Math.min(from, all.length), all.length - (int) Math.min(from, all.length),
                    StandardCharsets.UTF_8);
            return added.lines().toList();
        }

        private byte[] substitute(byte[] chunk) {
            String s = new String(chunk, StandardCharsets.ISO_8859_1);
            String news = started.isEmpty() ? "none" : started.getLast();
            String newc = sessions.touch(news, nowMs.get()).map(SessionStore.Session::csrfToken).orElse("none");
            s = s.replace("$OPS", operator.id()).replace("$OPC", operator.csrfToken())
                    .replace("$VWS", viewer.id()).replace("$VWC", viewer.csrfToken())
                    .replace("$NEWS", news).replace("$NEWC", newc);
            int blank = s.indexOf("\r\n\r\n");
            int cl = s.indexOf("$CL");
            if (cl >= 0 && (blank < 0 || cl < blank)) { // in the head only; a body keeps it as it is
                int bodyFrom = blank < 0 ? s.length() : blank + 4;
                s = s.substring(0, cl) + (s.length() - bodyFrom) + s.substring(cl + 3);
            }
            byte[] out = s.getBytes(StandardCharsets.ISO_8859_1);
            return out.length > MAX_CHUNK_BYTES ? java.util.Arrays.copyOf(out, MAX_CHUNK_BYTES) : out;
        }

        /** Writes the request on a new connection, half-closes, reads until the server closes. */
        private byte[] exchange(boolean plain, byte[] request) throws IOException {
            Socket socket = plain ? new Socket() : tls.getSocketFactory().createSocket();
            try (socket) {
                socket.connect(new InetSocketAddress("127.0.0.1", server.port()), READ_TIMEOUT_MS);
                socket.setSoTimeout(READ_TIMEOUT_MS);
                if (socket instanceof SSLSocket ssl) {
                    ssl.setEnabledProtocols(new String[] {"TLSv1.3"}); // half-close needs 1.3
                    ssl.startHandshake();
                }
                OutputStream out = socket.getOutputStream();
                try {
                    out.write(request);
                    out.flush();
                    socket.shutdownOutput();
                } catch (IOException e) {
                    // the server may close early (a request line it refuses); what it answered is still there
                }
                ByteArrayOutputStream answer = new ByteArrayOutputStream();
                InputStream in = socket.getInputStream();
                byte[] buf = new byte[8192];
                try {
                    for (int n; (n = in.read(buf)) >= 0; ) {
                        answer.write(buf, 0, n);
                    }
                } catch (SocketTimeoutException e) {
                    fail("no end of answer within %d ms to:\n%s\nanswer so far:\n%s", READ_TIMEOUT_MS,
                            new String(request, StandardCharsets.ISO_8859_1), answer.toString(StandardCharsets.ISO_8859_1));
                } catch (IOException e) {
                    // a reset after the answer: keep what came
                }
                return answer.toByteArray();
            }
        }

        private static List<HttpTester.Response> responses(byte[] answer) {
            List<HttpTester.Response> rs = new ArrayList<>();
            HttpTester.Input in = HttpTester.from(ByteBuffer.wrap(answer));
            while (true) {
                HttpTester.Response r;
                try {
                    r = HttpTester.parseResponse(in);
                } catch (IOException | RuntimeException e) {
                    break; // after a HEAD answer the rest cannot be told apart; the statuses read so far count
                }
                if (r == null) {
                    break;
                }
                rs.add(r);
            }
            return rs;
        }
    }

    /** The monitor's certificate is self-signed, made for this run. */
    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
