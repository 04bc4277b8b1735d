package io.jlvs.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import io.jlvs.control.ControlProtocol;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class MonitorAppTest {
    private static final String CLIENT = "192.0.2.7";
    private static final Pattern CSRF_FIELD = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    @TempDir
    Path dir;

    private long nowMs = 1_000_000;
    private FakeDirector director;
    private MonitorApp app;
    private Path auditFile;

    @BeforeEach
    void setUp() throws Exception {
        UserStore users = new UserStore(dir.resolve("users"));
        PasswordHasher hasher = new PasswordHasher(1000);
        users.add("olga", Role.OPERATOR, hasher.hash("operator-pw".toCharArray()));
        users.add("vic", Role.VIEWER, hasher.hash("viewer-pw".toCharArray()));
        director = new FakeDirector(PrometheusExpositionTest.services(), PrometheusExpositionTest.status());
        auditFile = dir.resolve("audit.log");
        app = new MonitorApp(new MonitorApp.Config(users, new SessionStore(60_000, 3_600_000),
                new LoginThrottle(3, 300_000), new AuditLog(auditFile), director, "scrape-token-0123456789",
                () -> nowMs));
    }

    // ---------------------------------------------------------------- helpers

    private WebResponse get(String path, Map<String, String> cookies) {
        return app.handle(new WebRequest("GET", path, Map.of(), cookies, Map.of("host", "lb:8443"), CLIENT, true));
    }

    private WebResponse post(String path, Map<String, String> params, Map<String, String> cookies) {
        return app.handle(new WebRequest("POST", path, params, cookies, Map.of("host", "lb:8443"), CLIENT, true));
    }

    private static String cookie(WebResponse r, String name) {
        for (String c : r.headers("Set-Cookie")) {
            if (c.startsWith(name + "=")) {
                return c.substring(name.length() + 1, c.indexOf(';'));
            }
        }
        return null;
    }

    /** Logs in as the login page would: fetch the form (and its cookie), post it. */
    private WebResponse login(String user, String password) {
        WebResponse page = get("/login", Map.of());
        String token = cookie(page, MonitorApp.LOGIN_COOKIE);
        return post("/login", Map.of("user", user, "password", password, "csrf", token),
                Map.of(MonitorApp.LOGIN_COOKIE, token));
    }

    private Map<String, String> sessionOf(String user, String password) {
        WebResponse r = login(user, password);
        assertThat(r.status()).as(r.bodyText()).isEqualTo(303);
        return Map.of(MonitorApp.SESSION_COOKIE, cookie(r, MonitorApp.SESSION_COOKIE));
    }

    private static String csrf(WebResponse page) {
        Matcher m = CSRF_FIELD.matcher(page.bodyText());
        assertThat(m.find()).as("a CSRF field on the page").isTrue();
        return m.group(1);
    }

    // ---------------------------------------------------------------- transport and access

    @Test
    void shouldRedirectToHttpsWhenRequestIsPlainHttp() {
        WebResponse r = app.handle(new WebRequest("GET", "/services", Map.of(), Map.of(), Map.of("host", "lb:8443"),
                CLIENT, false));

        assertThat(r.status()).isEqualTo(301);
        assertThat(r.header("Location")).isEqualTo("https://lb:8443/services");
        assertThat(r.bodyText()).doesNotContain("198.19.0.11");
    }

    @Test
    void shouldRefuseEveryPageWhenThereIsNoSession() {
        for (String path : List.of("/", "/services", "/connections", "/director")) {
            WebResponse r = get(path, Map.of());
            assertThat(r.status()).as(path).isEqualTo(303);
            assertThat(r.header("Location")).as(path).isEqualTo("/login");
            assertThat(r.bodyText()).as(path).doesNotContain("198.19.0.11");
        }
        assertThat(get("/api/stats", Map.of()).status()).isEqualTo(401);
        assertThat(post("/action/weight", Map.of("weight", "0"), Map.of()).status()).isEqualTo(401);
        assertThat(get("/services", Map.of(MonitorApp.SESSION_COOKIE, "forged")).status()).isEqualTo(303);
    }

    @Test
    void shouldServeStaticFilesWithoutSessionWhenAsked() {
        WebResponse js = get("/static/monitor.js", Map.of());

        assertThat(js.status()).isEqualTo(200);
        assertThat(js.header("Content-Type")).startsWith("application/javascript");
        assertThat(js.bodyText()).contains("/api/stats");
    }

    @Test
    void shouldAnswerFaviconWithoutRedirectWhenBrowserAsksBeforeLogin() {
        WebResponse r = get("/favicon.ico", Map.of());

        assertThat(r.status()).isEqualTo(404);
        assertThat(r.headers("Set-Cookie")).isEmpty();
    }

    @Test
    void shouldReuseLoginTokenWhenBrowserAlreadyHoldsOne() {
        String token = cookie(get("/login", Map.of()), MonitorApp.LOGIN_COOKIE);

        WebResponse again = get("/login", Map.of(MonitorApp.LOGIN_COOKIE, token));

        assertThat(cookie(again, MonitorApp.LOGIN_COOKIE)).isEqualTo(token);
        assertThat(csrf(again)).isEqualTo(token);
    }

    @Test
    void shouldSendSecurityHeadersWhenAnswering() {
        WebResponse r = get("/login", Map.of());

        assertThat(r.header("Content-Security-Policy")).contains("script-src 'self'").contains("frame-ancestors 'none'");
        assertThat(r.header("Strict-Transport-Security")).isNotNull();
        assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(r.header("Cache-Control")).isEqualTo("no-store");
    }

    // ---------------------------------------------------------------- login

    @Test
    void shouldRefuseLoginWhenPasswordIsWrong() throws Exception {
        WebResponse r = login("olga", "wrong");

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.bodyText()).contains("Wrong user name or password");
        assertThat(cookie(r, MonitorApp.SESSION_COOKIE)).isNull();
        assertThat(Files.readString(auditFile)).contains("user=olga action=login from=192.0.2.7 result=\"wrong user or password\"");
    }

    @Test
    void shouldRefuseLoginWhenUserDoesNotExist() {
        assertThat(login("mallory", "operator-pw").status()).isEqualTo(401);
    }

    @Test
    void shouldStartSessionWithSecureCookieWhenPasswordIsRight() throws Exception {
        WebResponse r = login("olga", "operator-pw");

        assertThat(r.status()).isEqualTo(303);
        assertThat(r.header("Location")).isEqualTo("/services");
        String set = r.headers("Set-Cookie").stream().filter(c -> c.startsWith(MonitorApp.SESSION_COOKIE)).findFirst()
                .orElseThrow();
        assertThat(set).contains("Secure").contains("HttpOnly").contains("SameSite=Strict").contains("Path=/");
        assertThat(Files.readString(auditFile)).contains("user=olga action=login from=192.0.2.7 role=operator result=ok");
    }

    @Test
    void shouldRefuseLoginWhenFormTokenIsMissing() {
        WebResponse r = post("/login", Map.of("user", "olga", "password", "operator-pw"), Map.of());

        assertThat(r.status()).isEqualTo(401);
        assertThat(cookie(r, MonitorApp.SESSION_COOKIE)).isNull();
    }

    @Test
    void shouldThrottleLoginsWhenTooManyFailedEvenWithTheRightPassword() {
        for (int i = 0; i < 3; i++) {
            assertThat(login("olga", "guess" + i).status()).isEqualTo(401);
        }

        WebResponse r = login("olga", "operator-pw");

        assertThat(r.status()).isEqualTo(429);
        assertThat(r.header("Retry-After")).isEqualTo("300");
        assertThat(cookie(r, MonitorApp.SESSION_COOKIE)).isNull();
        nowMs += 300_000;
        assertThat(login("olga", "operator-pw").status()).isEqualTo(303);
    }

    @Test
    void shouldEndSessionWhenIdleLongerThanTheTimeout() {
        Map<String, String> session = sessionOf("vic", "viewer-pw");
        assertThat(get("/services", session).status()).isEqualTo(200);

        nowMs += 60_000;

        assertThat(get("/services", session).status()).isEqualTo(303);
    }

    @Test
    void shouldEndSessionWhenLoggingOut() {
        Map<String, String> session = sessionOf("vic", "viewer-pw");
        String token = csrf(get("/services", session));

        WebResponse r = post("/logout", Map.of("csrf", token), session);

        assertThat(r.status()).isEqualTo(303);
        assertThat(get("/services", session).status()).isEqualTo(303);
    }

    // ---------------------------------------------------------------- pages

    @Test
    void shouldShowServicesRealServersWeightsAndChartsWhenLoggedIn() {
        WebResponse r = get("/services", sessionOf("vic", "viewer-pw"));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyText()).contains("data-service=\"TCP 198.18.0.100:80\"").contains("198.19.0.11:80")
                .contains("198.19.0.12:8080").contains("Route").contains("Masq").contains("quiesced")
                .contains("<polyline").contains("not checked").contains("/static/monitor.js");
        assertThat(r.bodyText()).as("viewers get no change forms").doesNotContain("/action/weight");
    }

    @Test
    void shouldOfferWeightAndQuiesceFormsWhenUserIsOperator() {
        WebResponse r = get("/services", sessionOf("olga", "operator-pw"));

        assertThat(r.bodyText()).contains("action=\"/action/weight\"").contains("action=\"/action/quiesce\"");
    }

    @Test
    void shouldShowHealthWhenTheDirectorReportsIt() {
        director.health = List.of(new RealServerHealth.Result("TCP 198.18.0.100:80", "198.19.0.11:80", false,
                "TCP_CHECK refused"));

        WebResponse r = get("/services", sessionOf("vic", "viewer-pw"));

        assertThat(r.bodyText()).contains("down: TCP_CHECK refused");
    }

    @Test
    void shouldEscapeNamesWhenRenderingPages() {
        director.vrrp = List.of(new VrrpStatus.Instance("<script>x</script>", "MASTER", "eth0", 1, 100, List.of()));

        WebResponse r = get("/director", sessionOf("vic", "viewer-pw"));

        assertThat(r.bodyText()).contains("&lt;script&gt;x&lt;/script&gt;").doesNotContain("<script>x");
    }

    @Test
    void shouldShowDataPlaneDropsAndVrrpNotConfiguredWhenOnTheDirectorPage() {
        WebResponse r = get("/director", sessionOf("vic", "viewer-pw"));

        assertThat(r.bodyText()).contains("eth0, eth1").contains("data-drop=\"no_connection\">2<")
                .contains("<p id=\"vrrp\">not configured</p>");
    }

    @Test
    void shouldListConnectionsInDottedFormWhenOnTheConnectionsPage() {
        director.connections = List.of("Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires",
                "TCP C6120002 9C40 C6120064 0050 C613000B 0050 ESTABLISHED     899");

        WebResponse r = get("/connections", sessionOf("vic", "viewer-pw"));

        assertThat(r.bodyText()).contains("198.18.0.2:40000").contains("198.18.0.100:80").contains("198.19.0.11:80")
                .contains("ESTABLISHED").contains("1 entries");
    }

    @Test
    void shouldSayDirectorIsUnavailableWhenItDoesNotAnswer() {
        Map<String, String> session = sessionOf("vic", "viewer-pw");
        director.down = true;

        WebResponse r = get("/services", session);

        assertThat(r.status()).isEqualTo(503);
        assertThat(r.bodyText()).contains("no jlvs director is running");
    }

    @Test
    void shouldServeRatesAsJsonWhenChartsPoll() throws Exception {
        WebResponse r = get("/api/stats", sessionOf("vic", "viewer-pw"));

        JsonNode n = ControlProtocol.JSON.readTree(r.bodyText());
        assertThat(n.at("/services/0/service").asText()).isEqualTo("TCP 198.18.0.100:80");
        assertThat(n.at("/services/0/stats/cps").asLong()).isEqualTo(1);
        assertThat(n.at("/services/0/stats/pps").asLong()).isEqualTo(10);
        assertThat(n.at("/services/0/stats/bps").asLong()).isEqualTo(5500);
        assertThat(n.at("/services/0/realservers/1/state").asText()).isEqualTo("quiesced");
    }

    // ---------------------------------------------------------------- changes

    private Map<String, String> change(String token, String weight) {
        Map<String, String> p = new HashMap<>(Map.of("csrf", token, "service", "tcp|198.18.0.100|80",
                "realserver", "198.19.0.11|80"));
        if (weight != null) {
            p.put("weight", weight);
        }
        return p;
    }

    @Test
    void shouldChangeWeightThroughControlApiAndAuditWhenOperatorPosts() throws Exception {
        Map<String, String> session = sessionOf("olga", "operator-pw");
        String token = csrf(get("/services", session));

        WebResponse r = post("/action/weight", change(token, "3"), session);

        assertThat(r.status()).isEqualTo(303);
        assertThat(URLDecoder.decode(r.header("Location"), StandardCharsets.UTF_8))
                .contains("Weight 3 set on 198.19.0.11:80 of TCP 198.18.0.100:80");
        assertThat(director.edits).containsExactly("TCP 198.18.0.100:80 198.19.0.11:80 w3");
        assertThat(Files.readString(auditFile)).contains("user=olga action=weight service=\"TCP 198.18.0.100:80\" "
                + "realserver=198.19.0.11:80 from=1 to=3 result=ok from_address=192.0.2.7");
    }

    @Test
    void shouldSetWeightZeroWhenOperatorQuiesces() {
        Map<String, String> session = sessionOf("olga", "operator-pw");
        String token = csrf(get("/services", session));

        assertThat(post("/action/quiesce", change(token, null), session).status()).isEqualTo(303);

        assertThat(director.edits).containsExactly("TCP 198.18.0.100:80 198.19.0.11:80 w0");
    }

    @Test
    void shouldRefuseChangeWhenCsrfTokenIsMissingOrWrong() throws Exception {
        Map<String, String> session = sessionOf("olga", "operator-pw");

        assertThat(post("/action/weight", change("forged", "3"), session).status()).isEqualTo(403);
        Map<String, String> noToken = change("x", "3");
        noToken.remove("csrf");
        assertThat(post("/action/weight", noToken, session).status()).isEqualTo(403);
        assertThat(director.edits).isEmpty();
        assertThat(Files.readString(auditFile)).contains("user=olga action=refused path=/action/weight reason=csrf");
    }

    @Test
    void shouldRefuseChangeWhenOriginIsAnotherSite() {
        Map<String, String> session = sessionOf("olga", "operator-pw");
        String token = csrf(get("/services", session));

        WebResponse r = app.handle(new WebRequest("POST", "/action/weight", change(token, "3"), session,
                Map.of("host", "lb:8443", "origin", "https://evil.example"), CLIENT, true));

        assertThat(r.status()).isEqualTo(403);
        assertThat(director.edits).isEmpty();
    }

    @Test
    void shouldRefuseChangeWhenUserIsViewer() throws Exception {
        Map<String, String> session = sessionOf("vic", "viewer-pw");
        String token = csrf(get("/services", session));

        WebResponse r = post("/action/weight", change(token, "3"), session);

        assertThat(r.status()).isEqualTo(403);
        assertThat(director.edits).isEmpty();
        assertThat(Files.readString(auditFile)).contains("user=vic action=weight result=\"refused: role viewer\"");
    }

    @Test
    void shouldRefuseWeightWhenOutOfRange() {
        Map<String, String> session = sessionOf("olga", "operator-pw");
        String token = csrf(get("/services", session));

        assertThat(post("/action/weight", change(token, "70000"), session).status()).isEqualTo(400);
        assertThat(post("/action/weight", change(token, "x"), session).status()).isEqualTo(400);
        assertThat(director.edits).isEmpty();
    }

    // ---------------------------------------------------------------- metrics

    @Test
    void shouldAskForTokenWhenMetricsAreScrapedWithoutOne() {
        WebResponse r = get("/metrics", Map.of());

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate")).startsWith("Bearer");
    }

    @Test
    void shouldServeMetricsWhenBearerTokenIsRight() {
        WebResponse r = app.handle(new WebRequest("GET", "/metrics", Map.of(), Map.of(),
                Map.of("authorization", "Bearer scrape-token-0123456789"), CLIENT, true));

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("text/plain; version=0.0.4");
        PrometheusTextParser.Exposition e = PrometheusTextParser.parse(r.bodyText());
        assertThat(e.value("jlvs_service_connections_total", Map.of("service", "TCP 198.18.0.100:80"))).isEqualTo(17);
        assertThat(app.handle(new WebRequest("GET", "/metrics", Map.of(), Map.of(),
                Map.of("authorization", "Bearer wrong"), CLIENT, true)).status()).isEqualTo(401);
    }

    @Test
    void shouldRoundTripServiceKeysWhenEncodedForForms() {
        for (var s : PrometheusExpositionTest.services()) {
            assertThat(MonitorApp.parseServiceParam(MonitorApp.serviceParam(s.config().key()))).isEqualTo(s.config().key());
        }
        var fwm = io.jlvs.control.ServiceKey.ofFwmark(2, 7);
        assertThat(MonitorApp.parseServiceParam(MonitorApp.serviceParam(fwm))).isEqualTo(fwm);
    }
}
