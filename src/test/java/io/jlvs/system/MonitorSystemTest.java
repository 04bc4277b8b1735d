package io.jlvs.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import io.jlvs.app.Testbed;
import io.jlvs.monitor.PrometheusTextParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The HTTPS monitor end to end: a {@link Testbed} with a DR service, {@code bin/jlvs monitor} in the director's
 * namespace, and a real browser, Debian's headless Chromium driven by Playwright (which never downloads a browser
 * here: it starts {@code /usr/lib/chromium/chromium} inside the client's namespace through a wrapper script).
 * Then {@code /metrics} parsed by Prometheus' own Python parser (Debian's python3-prometheus-client) and by a
 * strict Java one, compared with {@code ipvsadm -Ln --stats --exact}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MonitorSystemTest {
    private static final String SERVICE = Testbed.VIP + ":80";
    private static final String LISTEN = Testbed.LB_CLIENT_SIDE_IP + ":8443";
    private static final String BASE = "https://" + LISTEN;
    private static final String OPERATOR_PW = "op-password-1";
    private static final Pattern STATS_SERVICE = Pattern.compile("(?m)^TCP\\s+(\\S+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s*$");
    private static final Pattern STATS_DEST = Pattern.compile("(?m)^\\s+->\\s+(\\S+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s*$");
    private static final List<String> FIELDS = List.of("connections_total", "in_packets_total", "out_packets_total",
            "in_bytes_total", "out_bytes_total");

    private Testbed bed;
    private Process director;
    private Process monitor;
    private Path dir;
    private Playwright playwright;
    private Browser browser;
    private Page page;

    @BeforeAll
    void setUp() throws IOException {
        SystemTestSupport.requireEnvironment();
        requireBrowser();
        bed = Testbed.create();
        director = bed.startDirector();
        bed.awaitDirector(director, Duration.ofSeconds(60));
        ipvsadmOk("-A", "-t", SERVICE, "-s", "rr");
        ipvsadmOk("-a", "-t", SERVICE, "-r", Testbed.RS1_IP, "-g");
        ipvsadmOk("-a", "-t", SERVICE, "-r", Testbed.RS2_IP, "-g");
        dir = bed.runDir().resolve("monitor");
        Files.createDirectories(dir);
        addUser("olga", "operator", OPERATOR_PW);
        addUser("vic", "viewer", "viewer-password-1");
        monitor = bed.startInBackground(bed.lb(), jlvs(), "monitor", "--listen", LISTEN, "--users", file("users"),
                "--keystore", file("monitor.p12"), "--metrics-token-file", file("metrics-token"), "--audit-log",
                file("audit.log"));
        awaitMonitor();
        playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                .setExecutablePath(chromiumInClientNamespace())
                .setArgs(List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage")));
    }

    @AfterAll
    void tearDown() {
        if (browser != null) {
            browser.close();
        }
        if (playwright != null) {
            playwright.close();
        }
        if (bed != null) {
            bed.close();
        }
    }

    private static void requireBrowser() {
        String missing = Files.isExecutable(chromium()) ? null : "chromium (apt-get install chromium)";
        if (!Files.isExecutable(Path.of("/usr/bin/python3"))) {
            missing = "python3";
        }
        if (missing == null) {
            return;
        }
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("the monitor system test needs " + missing + "; CI=true, so this is a failure, not a skip");
        }
        assumeTrue(false, "the monitor system test needs " + missing);
    }

    private static Path chromium() {
        Path real = Path.of("/usr/lib/chromium/chromium");
        return Files.isExecutable(real) ? real : Path.of("/usr/bin/chromium");
    }

    private Path chromiumInClientNamespace() throws IOException {
        Path wrapper = dir.resolve("chromium-in-client-ns");
        Files.writeString(wrapper, "#!/bin/sh\nexec ip netns exec " + bed.cl() + " " + chromium() + " \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        return wrapper;
    }

    private String file(String name) {
        return dir.resolve(name).toString();
    }

    private static String jlvs() {
        return Testbed.jlvsHome().resolve("bin/jlvs").toString();
    }

    private void addUser(String name, String role, String password) {
        Testbed.Result r = bed.exec(bed.lb(), "sh", "-c", "printf '%s\\n' '" + password + "' | " + jlvs()
                + " user add " + name + " --role " + role + " --password-stdin --users " + file("users"));
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    private void awaitMonitor() throws IOException {
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Testbed.Result last = null;
        while (System.nanoTime() < deadlineNs) {
            if (!monitor.isAlive()) {
                throw new IOException("the monitor ended: " + bed.logTail(monitor, 30));
            }
            last = bed.curl(BASE + "/login", "-k", "-o", "/dev/null", "-w", "%{http_code}");
            if (last.output().strip().equals("200")) {
                return;
            }
            sleep(300);
        }
        throw new IOException("the monitor did not answer: " + (last == null ? "" : last.output()) + "\n"
                + bed.logTail(monitor, 30));
    }

    private void ipvsadmOk(String... args) {
        Testbed.Result r = bed.ipvsadm(args);
        assertThat(r.exitCode()).as(() -> "ipvsadm " + String.join(" ", args) + ": " + r.output()).isZero();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Page login(BrowserContext context, String user, String password) {
        Page p = context.newPage();
        p.navigate(BASE + "/login");
        p.fill("#user", user);
        p.fill("#password", password);
        p.click("#login");
        p.waitForLoadState();
        return p;
    }

    private BrowserContext context() {
        return browser.newContext(new Browser.NewContextOptions().setIgnoreHTTPSErrors(true));
    }

    // ---------------------------------------------------------------- tests

    @Test
    @Order(1)
    void shouldRedirectToHttpsWhenClientSpeaksPlainHttp() {
        Testbed.Result r = bed.curl("http://" + LISTEN + "/services", "-o", "/dev/null", "-w",
                "%{http_code} %{redirect_url}");

        assertThat(r.output().strip()).isEqualTo("301 " + BASE + "/services");
    }

    @Test
    @Order(2)
    void shouldRefuseEveryPageWhenBrowserHasNoSession() {
        try (BrowserContext ctx = context()) {
            Page p = ctx.newPage();
            for (String path : List.of("/", "/services", "/connections", "/director")) {
                p.navigate(BASE + path);
                assertThat(p.url()).as(path).isEqualTo(BASE + "/login");
                assertThat(p.content()).as(path).doesNotContain(Testbed.RS1_IP);
            }
        }
        assertThat(bed.curl(BASE + "/api/stats", "-k", "-o", "/dev/null", "-w", "%{http_code}").output().strip())
                .isEqualTo("401");
    }

    @Test
    @Order(3)
    void shouldShowErrorAndNoSessionWhenPasswordIsWrong() {
        try (BrowserContext ctx = context()) {
            Page p = login(ctx, "olga", "not-the-password");

            assertThat(p.url()).isEqualTo(BASE + "/login");
            assertThat(p.textContent("#login-error")).contains("Wrong user name or password");
            p.navigate(BASE + "/services");
            assertThat(p.url()).isEqualTo(BASE + "/login");
        }
    }

    @Test
    @Order(4)
    void shouldShowLiveTableAndAChartThatChangesUnderLoadWhenLoggedIn() throws Exception {
        BrowserContext ctx = context();
        page = login(ctx, "olga", OPERATOR_PW);
        assertThat(page.url()).isEqualTo(BASE + "/services");
        String section = "section.service[data-service=\"TCP " + SERVICE + "\"]";
        assertThat(page.locator(section + " tr[data-realserver=\"" + Testbed.RS1_IP + ":80\"]").count()).isEqualTo(1);
        assertThat(page.locator(section + " tr[data-realserver=\"" + Testbed.RS2_IP + ":80\"]").count()).isEqualTo(1);
        page.evaluate("() => { window.jlvsNoReload = true; }");
        String conns0 = page.textContent(section + " table.stats [data-field=conns]").strip();

        Process wrk = bed.startInBackground(bed.cl(), "wrk", "-t1", "-c8", "-d5s", "http://" + Testbed.VIP + "/");
        String cpsChart = section + " figure[data-series=cps]";
        long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(25);
        String max = "";
        int points = 0;
        while (System.nanoTime() < deadlineNs) {
            max = page.textContent(cpsChart + " [data-max]").strip();
            String pts = page.getAttribute(cpsChart + " polyline", "points");
            points = pts == null || pts.isBlank() ? 0 : pts.trim().split("\\s+").length;
            if (!max.equals("max 0") && points >= 2) {
                break;
            }
            sleep(500);
        }
        assertThat(wrk.waitFor(30, TimeUnit.SECONDS)).isTrue();
        System.out.println("[MonitorSystemTest] cps chart: " + max + ", " + points + " points");
        assertThat(max).as("the CPS chart's scale under load").isNotEqualTo("max 0");
        assertThat(points).as("chart points drawn without reload").isGreaterThanOrEqualTo(2);
        String conns1 = page.textContent(section + " table.stats [data-field=conns]").strip();
        assertThat(Long.parseLong(conns1)).as("the Conns cell, updated in place").isGreaterThan(Long.parseLong(conns0));
        assertThat(page.evaluate("() => window.jlvsNoReload === true")).as("no reload happened").isEqualTo(true);
        Path shot = bed.runDir().getParent().resolve("monitor-services.png");
        page.screenshot(new Page.ScreenshotOptions().setPath(shot).setFullPage(true));
        System.out.println("[MonitorSystemTest] screenshot: " + shot);
    }

    @Test
    @Order(5)
    void shouldChangeWeightAndAuditWhenOperatorSubmitsTheForm() throws IOException {
        String row = "section.service tr[data-realserver=\"" + Testbed.RS2_IP + ":80\"]";
        page.fill(row + " input[name=weight]", "3");
        page.click(row + " form[action=\"/action/weight\"] button");
        page.waitForLoadState();
        if (page.locator("#notice").count() == 0) {
            fail("no notice after submitting the weight form; at " + page.url() + ":\n" + page.content()
                    + "\naudit log:\n" + Files.readString(dir.resolve("audit.log")) + "\nmonitor log:\n"
                    + bed.logTail(monitor, 30));
        }

        assertThat(page.textContent("#notice")).contains("Weight 3 set on " + Testbed.RS2_IP + ":80");
        assertThat(bed.ipvsadm("-Ln").output()).containsPattern("(?m)^  -> " + Pattern.quote(Testbed.RS2_IP + ":80")
                + "\\s+Route\\s+3\\s");
        assertThat(Files.readString(dir.resolve("audit.log"))).contains("user=olga action=weight service=\"TCP "
                + SERVICE + "\" realserver=" + Testbed.RS2_IP + ":80 from=1 to=3 result=ok");
    }

    @Test
    @Order(6)
    void shouldMatchIpvsadmStatsWhenMetricsAreParsedByPrometheusParsers() throws Exception {
        Map<String, long[]> ipvsadm = stableStats();
        String token = Files.readString(dir.resolve("metrics-token")).strip();
        Testbed.Result scrape = bed.curl(BASE + "/metrics", "-k", "-H", "Authorization: Bearer " + token);
        assertThat(scrape.exitCode()).as(scrape.output()).isZero();
        String text = scrape.output();
        assertThat(same(stableStats(), ipvsadm)).as("no traffic moved the counters during the scrape").isTrue();

        PrometheusTextParser.Exposition java = PrometheusTextParser.parse(text);
        Map<String, Double> python = pythonParse(text);
        for (Map.Entry<String, long[]> e : ipvsadm.entrySet()) {
            String key = e.getKey();
            boolean service = !key.startsWith("-> ");
            Map<String, String> labels = new HashMap<>();
            labels.put("service", "TCP " + SERVICE);
            if (!service) {
                labels.put("realserver", key.substring(3));
                labels.put("method", "Route");
            }
            for (int f = 0; f < FIELDS.size(); f++) {
                String name = (service ? "jlvs_service_" : "jlvs_realserver_") + FIELDS.get(f);
                double expected = e.getValue()[f];
                assertThat(java.value(name, labels)).as(name + labels).isEqualTo(expected);
                assertThat(python.get(seriesKey(name, labels))).as("python: " + name + labels).isEqualTo(expected);
            }
        }
        assertThat(ipvsadm.get("TCP " + SERVICE)[0]).as("connections counted").isPositive();
        assertThat(ipvsadm.get("TCP " + SERVICE)[1]).as("packets counted").isGreaterThan(100);
        assertThat(java.value("jlvs_up", Map.of())).isEqualTo(1);
        assertThat(java.family("jlvs_dataplane_drops_total")).isNotEmpty();
        assertThat(java.value("jlvs_vrrp_configured", Map.of())).isZero();
    }

    @Test
    @Order(7)
    void shouldRefuseMetricsWhenTokenIsMissing() {
        assertThat(bed.curl(BASE + "/metrics", "-k", "-o", "/dev/null", "-w", "%{http_code}").output().strip())
                .isEqualTo("401");
    }

    /** {@code ipvsadm -Ln --stats --exact}, read until two readings a second apart agree (the load has ended). */
    private Map<String, long[]> stableStats() {
        Map<String, long[]> previous = null;
        for (int i = 0; i < 20; i++) {
            Testbed.Result r = bed.ipvsadm("-Ln", "--stats", "--exact");
            assertThat(r.exitCode()).as(r.output()).isZero();
            Map<String, long[]> now = new HashMap<>();
            Matcher s = STATS_SERVICE.matcher(r.output());
            while (s.find()) {
                now.put("TCP " + s.group(1), longs(s));
            }
            Matcher d = STATS_DEST.matcher(r.output());
            while (d.find()) {
                now.put("-> " + d.group(1), longs(d));
            }
            if (previous != null && same(previous, now)) {
                return now;
            }
            previous = now;
            sleep(1000);
        }
        throw new AssertionError("ipvsadm --stats kept changing");
    }

    private static long[] longs(Matcher m) {
        long[] v = new long[5];
        for (int i = 0; i < 5; i++) {
            v[i] = Long.parseLong(m.group(i + 2));
        }
        return v;
    }

    private static boolean same(Map<String, long[]> a, Map<String, long[]> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        return a.keySet().stream().allMatch(k -> java.util.Arrays.equals(a.get(k), b.get(k)));
    }

    private static String seriesKey(String name, Map<String, String> labels) {
        return name + new java.util.TreeMap<>(labels);
    }

    /** Every sample as Prometheus' own Python parser reads it. */
    private Map<String, Double> pythonParse(String text) throws Exception {
        Path in = dir.resolve("metrics.txt");
        Files.writeString(in, text, StandardCharsets.UTF_8);
        String script = """
                import json, sys
                from prometheus_client.parser import text_string_to_metric_families
                out = []
                for fam in text_string_to_metric_families(open(sys.argv[1]).read()):
                    for s in fam.samples:
                        out.append([s.name, s.labels, s.value])
                print(json.dumps(out))
                """;
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", script, in.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        Map<String, Double> out = new HashMap<>();
        for (JsonNode s : new ObjectMapper().readTree(output)) {
            Map<String, String> labels = new HashMap<>();
            s.get(1).properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
            out.put(seriesKey(s.get(0).asText(), labels), s.get(2).asDouble());
        }
        return out;
    }
}
