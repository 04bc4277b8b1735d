package io.jlvs.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jlvs.control.ControlProtocol;
import io.jlvs.control.DestConfig;
import io.jlvs.control.DestInfo;
import io.jlvs.control.IpvsException;
import io.jlvs.control.Protocol;
import io.jlvs.control.ServiceInfo;
import io.jlvs.control.ServiceKey;
import io.jlvs.control.Stats;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The monitor's routes, independent of the HTTP server (which {@link MonitorServer} adapts): login and
 * sessions, CSRF checks, roles, the pages, {@code /api/stats} for the live charts, {@code /metrics}, and the
 * two changes an operator may make (weight, quiesce) through the same control API as {@code ipvsadm}, each
 * with an audit line.
 *
 * <p>Every response over plain HTTP is a redirect to HTTPS; every route but the login page, the static
 * files and {@code /metrics} (which takes a bearer token) needs a session; every POST needs the CSRF token.
 */
public final class MonitorApp {
    static final String SESSION_COOKIE = "__Host-jlvs-session";
    static final String LOGIN_COOKIE = "__Host-jlvs-login";
    /** Rows the connections page shows at most. */
    static final int CONNECTION_ROWS = 1000;
    private static final String HTML = "text/html; charset=utf-8";
    private static final String JSON = "application/json";
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    private static final Map<String, String> STATIC = Map.of(
            "/static/monitor.js", "application/javascript; charset=utf-8",
            "/static/monitor.css", "text/css; charset=utf-8");

    /**
     * Everything the app needs.
     *
     * @param metricsToken the bearer token {@code /metrics} asks for; null leaves it open (allowlist by firewall)
     */
    public record Config(UserStore users, SessionStore sessions, LoginThrottle throttle, AuditLog audit,
                         DirectorSource director, String metricsToken, LongSupplier clockMs) {}

    private final Config config;
    private final Map<String, byte[]> staticFiles = new HashMap<>();

    public MonitorApp(Config config) {
        this.config = config;
        for (String path : STATIC.keySet()) {
            String resource = path.substring("/static/".length());
            try (InputStream in = MonitorApp.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("monitor: resource missing from the jar: " + resource);
                }
                staticFiles.put(path, in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Answers one request; never throws. */
    public WebResponse handle(WebRequest req) {
        WebResponse r;
        try {
            r = route(req);
        } catch (RuntimeException e) {
            System.getLogger("jlvs.monitor").log(System.Logger.Level.ERROR, "monitor: " + req.method() + " "
                    + req.path() + " failed", e);
            r = WebResponse.of(500, "text/plain; charset=utf-8", "internal error\n");
        }
        return secureHeaders(r);
    }

    private WebResponse route(WebRequest req) {
        if (!req.secure()) {
            String host = req.header("host");
            return WebResponse.redirect(301, "https://" + (host == null ? "localhost" : host) + req.path());
        }
        String path = req.path();
        String method = req.method().toUpperCase(Locale.ROOT);
        if (STATIC.containsKey(path) && method.equals("GET")) {
            return WebResponse.of(200, STATIC.get(path), staticFiles.get(path));
        }
        if (path.equals("/favicon.ico")) {
            // answered here: a redirect to the login page would give the browser a new login token behind the form's back
            return WebResponse.of(404, "text/plain; charset=utf-8", "no icon\n");
        }
        if (path.equals("/login")) {
            return method.equals("POST") ? login(req) : loginPage(req, null);
        }
        if (path.equals("/metrics") && method.equals("GET")) {
            return metrics(req);
        }
        Optional<SessionStore.Session> session = config.sessions().touch(req.cookies().get(SESSION_COOKIE), now());
        if (session.isEmpty()) {
            if (path.startsWith("/api/") || !method.equals("GET")) {
                return WebResponse.of(401, JSON, "{\"error\":\"login required\"}");
            }
            return WebResponse.redirect(303, "/login");
        }
        SessionStore.Session s = session.get();
        if (method.equals("POST")) {
            if (!SessionStore.tokensEqual(s.csrfToken(), req.param("csrf")) || !sameOrigin(req)) {
                config.audit().record(now(), s.user(), "refused", kv("path", path, "reason", "csrf", "from",
                        req.remoteAddress()));
                return WebResponse.of(403, "text/plain; charset=utf-8", "CSRF token missing or wrong\n");
            }
            return switch (path) {
                case "/logout" -> logout(s, req);
                case "/action/weight" -> change(s, req, false);
                case "/action/quiesce" -> change(s, req, true);
                default -> WebResponse.of(404, "text/plain; charset=utf-8", "not found\n");
            };
        }
        if (!method.equals("GET")) {
            return WebResponse.of(405, "text/plain; charset=utf-8", "method not allowed\n").with("Allow", "GET, POST");
        }
        return switch (path) {
            case "/" -> WebResponse.redirect(303, "/services");
            case "/services" -> servicesPage(s, req.param("msg"));
            case "/connections" -> connectionsPage(s);
            case "/director" -> directorPage(s);
            case "/api/stats" -> stats();
            default -> WebResponse.of(404, "text/plain; charset=utf-8", "not found\n");
        };
    }

    // ---------------------------------------------------------------- login

    /** The login form; a login token the browser already holds is reused, so two tabs do not undo each other. */
    private WebResponse loginPage(WebRequest req, String message) {
        String held = req.cookies().get(LOGIN_COOKIE);
        String token = held != null && held.matches("[A-Za-z0-9_-]{43}") ? held : SessionStore.randomToken();
        return WebResponse.of(message == null ? 200 : 401, HTML, Pages.login(token, message))
                .with("Set-Cookie", LOGIN_COOKIE + "=" + token + "; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=3600");
    }

    private WebResponse login(WebRequest req) {
        String user = String.valueOf(req.param("user"));
        String password = req.param("password");
        String from = req.remoteAddress();
        long now = now();
        if (!SessionStore.tokensEqual(req.cookies().get(LOGIN_COOKIE), req.param("csrf"))) {
            return loginPage(req, "The login form expired; please try again.");
        }
        long waitMs = config.throttle().retryAfterMs(from, user, now);
        if (waitMs > 0) {
            config.audit().record(now, user, "login", kv("from", from, "result", "throttled"));
            long waitS = (waitMs + 999) / 1000;
            WebResponse r = loginPage(req, "Too many failed logins; try again in " + waitS + " s.");
            return new WebResponse(429, r.headers(), r.body()).with("Retry-After", String.valueOf(waitS));
        }
        Optional<UserStore.User> found;
        try {
            found = config.users().find(user);
        } catch (IOException e) {
            return loginPage(req, "The users file cannot be read: " + e.getMessage());
        }
        // a missing user costs a hash too, so timing does not tell which names exist
        String hash = found.map(UserStore.User::passwordHash).orElse(DUMMY_HASH);
        boolean ok = password != null && PasswordHasher.verify(password.toCharArray(), hash) && found.isPresent();
        if (!ok) {
            config.throttle().failed(from, user, now);
            config.audit().record(now, user, "login", kv("from", from, "result", "wrong user or password"));
            return loginPage(req, "Wrong user name or password.");
        }
        config.throttle().succeeded(from, user);
        SessionStore.Session s = config.sessions().create(user, found.get().role(), now);
        config.audit().record(now, user, "login", kv("from", from, "role", s.role().word(), "result", "ok"));
        return WebResponse.redirect(303, "/services")
                .with("Set-Cookie", SESSION_COOKIE + "=" + s.id() + "; Path=/; Secure; HttpOnly; SameSite=Strict")
                .with("Set-Cookie", LOGIN_COOKIE + "=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0");
    }

    /** A valid hash of a random password, checked when the user does not exist. */
    private static final String DUMMY_HASH = new PasswordHasher().hash(SessionStore.randomToken().toCharArray());

    private WebResponse logout(SessionStore.Session s, WebRequest req) {
        config.sessions().invalidate(s.id());
        config.audit().record(now(), s.user(), "logout", kv("from", req.remoteAddress()));
        return WebResponse.redirect(303, "/login")
                .with("Set-Cookie", SESSION_COOKIE + "=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0");
    }

    /** A POST from a page of ours: the Origin header, when the browser sends one, names this host. */
    private static boolean sameOrigin(WebRequest req) {
        String origin = req.header("origin");
        String host = req.header("host");
        return origin == null || host == null || origin.equals("https://" + host);
    }

    // ---------------------------------------------------------------- changes

    private WebResponse change(SessionStore.Session s, WebRequest req, boolean quiesce) {
        String action = quiesce ? "quiesce" : "weight";
        if (s.role() != Role.OPERATOR) {
            config.audit().record(now(), s.user(), action, kv("result", "refused: role " + s.role().word()));
            return WebResponse.of(403, "text/plain; charset=utf-8", "only operators may change the director\n");
        }
        ServiceKey key;
        InetAddress rsAddress;
        int rsPort;
        int weight;
        try {
            key = parseServiceParam(req.param("service"));
            String[] rs = String.valueOf(req.param("realserver")).split("\\|");
            if (rs.length != 2) {
                throw new IllegalArgumentException("realserver=" + req.param("realserver"));
            }
            rsAddress = InetAddress.ofLiteral(rs[0]);
            rsPort = Integer.parseInt(rs[1]);
            weight = quiesce ? 0 : Integer.parseInt(String.valueOf(req.param("weight")).strip());
            if (weight < 0 || weight > 65535) {
                throw new IllegalArgumentException("weight must be 0..65535: weight=" + weight);
            }
        } catch (IllegalArgumentException e) {
            return WebResponse.of(400, "text/plain; charset=utf-8", "bad request: " + e.getMessage() + "\n");
        }
        String rsText = PrometheusExposition.hostPort(rsAddress, rsPort);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("service", key.toString());
        details.put("realserver", rsText);
        String message;
        try {
            DestInfo current = findDest(key, rsAddress, rsPort);
            DestConfig c = current.config();
            details.put("from", c.weight());
            details.put("to", weight);
            config.director().editDest(key, new DestConfig(c.address(), c.port(), c.method(), weight,
                    c.upperThreshold(), c.lowerThreshold(), c.tunnelType(), c.tunnelPort(), c.tunnelFlags()));
            details.put("result", "ok");
            message = (quiesce ? "Quiesced " : "Weight " + weight + " set on ") + rsText + " of " + key + ".";
        } catch (IpvsException e) {
            details.put("result", "refused: " + e.getMessage());
            message = "Not changed: " + e.getMessage();
        }
        details.put("from_address", req.remoteAddress());
        config.audit().record(now(), s.user(), action, details);
        return WebResponse.redirect(303, "/services?msg=" + URLEncoder.encode(message, StandardCharsets.UTF_8));
    }

    private DestInfo findDest(ServiceKey key, InetAddress address, int port) throws IpvsException {
        for (ServiceInfo s : config.director().services()) {
            if (s.config().key().equals(key)) {
                for (DestInfo d : s.dests()) {
                    if (d.config().address().equals(address) && d.config().port() == port) {
                        return d;
                    }
                }
            }
        }
        throw new IpvsException(io.jlvs.control.Errno.ENOENT, "no such real server: service=" + key
                + ", realserver=" + PrometheusExposition.hostPort(address, port));
    }

    /** A service key as a form field: {@code tcp|198.18.0.100|80} or {@code fwm|1|2} (mark, address family). */
    static String serviceParam(ServiceKey key) {
        if (key.hasFwmark()) {
            return "fwm|" + key.fwmark() + "|" + key.af();
        }
        return key.protocol().serviceDbName() + "|" + key.address().getHostAddress() + "|" + key.port();
    }

    static ServiceKey parseServiceParam(String text) {
        String[] f = String.valueOf(text).split("\\|");
        if (f.length != 3) {
            throw new IllegalArgumentException("service=" + text);
        }
        if (f[0].equals("fwm")) {
            return ServiceKey.ofFwmark(Integer.parseInt(f[2]), Integer.parseInt(f[1]));
        }
        for (Protocol p : Protocol.values()) {
            if (p.serviceDbName().equals(f[0])) {
                return ServiceKey.of(p, InetAddress.ofLiteral(f[1]), Integer.parseInt(f[2]));
            }
        }
        throw new IllegalArgumentException("service=" + text);
    }

    // ---------------------------------------------------------------- pages

    private WebResponse servicesPage(SessionStore.Session s, String message) {
        List<ServiceInfo> services;
        try {
            services = config.director().services();
        } catch (IpvsException e) {
            return WebResponse.of(503, HTML, Pages.unavailable(e.getMessage(), s, "services"));
        }
        Map<String, RealServerHealth.Result> health = new HashMap<>();
        try {
            for (RealServerHealth.Result r : config.director().health()) {
                health.put(r.service() + " " + r.realserver(), r);
            }
        } catch (IpvsException e) {
            // no health column then
        }
        return WebResponse.of(200, HTML, Pages.services(services, health, s, message));
    }

    private WebResponse connectionsPage(SessionStore.Session s) {
        try {
            return WebResponse.of(200, HTML, Pages.connections(config.director().connections(), CONNECTION_ROWS, s));
        } catch (IpvsException e) {
            return WebResponse.of(503, HTML, Pages.unavailable(e.getMessage(), s, "connections"));
        }
    }

    private WebResponse directorPage(SessionStore.Session s) {
        try {
            JsonNode status = config.director().status();
            return WebResponse.of(200, HTML, Pages.director(status, vrrpOrEmpty(), s));
        } catch (IpvsException e) {
            return WebResponse.of(503, HTML, Pages.unavailable(e.getMessage(), s, "director"));
        }
    }

    private List<VrrpStatus.Instance> vrrpOrEmpty() {
        try {
            return config.director().vrrp();
        } catch (IpvsException e) {
            return List.of();
        }
    }

    /** What monitor.js polls: every service's counters and rates, and each real server's. */
    private WebResponse stats() {
        List<ServiceInfo> services;
        try {
            services = config.director().services();
        } catch (IpvsException e) {
            return WebResponse.of(503, JSON, "{\"error\":" + ControlProtocol.JSON.valueToTree(e.getMessage()) + "}");
        }
        ObjectNode root = ControlProtocol.JSON.createObjectNode();
        root.put("timeMs", now());
        ArrayNode list = root.putArray("services");
        for (ServiceInfo s : services) {
            ObjectNode n = list.addObject();
            n.put("service", s.config().key().toString());
            n.put("scheduler", s.config().scheduler());
            stats(n.putObject("stats"), s.stats());
            ArrayNode dests = n.putArray("realservers");
            for (DestInfo d : s.dests()) {
                ObjectNode dn = dests.addObject();
                dn.put("realserver", PrometheusExposition.hostPort(d.config().address(), d.config().port()));
                dn.put("method", d.config().method().listName());
                dn.put("weight", d.config().weight());
                dn.put("state", d.config().weight() == 0 ? "quiesced" : "in service");
                dn.put("active", d.activeConns());
                dn.put("inactive", d.inactiveConns());
                stats(dn.putObject("stats"), d.stats());
            }
        }
        ArrayNode vrrp = root.putArray("vrrp");
        vrrpOrEmpty().forEach(v -> vrrp.add(ControlProtocol.JSON.valueToTree(v)));
        return WebResponse.of(200, JSON, root.toString());
    }

    private static void stats(ObjectNode n, Stats stats) {
        Stats s = stats == null ? Stats.ZERO : stats;
        n.put("conns", s.conns());
        n.put("inpkts", s.inPkts());
        n.put("outpkts", s.outPkts());
        n.put("inbytes", s.inBytes());
        n.put("outbytes", s.outBytes());
        n.put("cps", s.cps());
        n.put("inpps", s.inPps());
        n.put("outpps", s.outPps());
        n.put("inbps", s.inBps());
        n.put("outbps", s.outBps());
        n.put("pps", s.inPps() + s.outPps());
        n.put("bps", s.inBps() + s.outBps());
    }

    // ---------------------------------------------------------------- metrics

    private WebResponse metrics(WebRequest req) {
        if (config.metricsToken() != null) {
            String auth = req.header("authorization");
            boolean tokenOk = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)
                    && SessionStore.tokensEqual(config.metricsToken(), auth.substring(7).strip());
            boolean sessionOk = !tokenOk && config.sessions().touch(req.cookies().get(SESSION_COOKIE), now()).isPresent();
            if (!tokenOk && !sessionOk) {
                return WebResponse.of(401, "text/plain; charset=utf-8", "bearer token required\n")
                        .with("WWW-Authenticate", "Bearer realm=\"jlvs metrics\"");
            }
        }
        List<ServiceInfo> services = null;
        JsonNode status = null;
        try {
            services = config.director().services();
            status = config.director().status();
        } catch (IpvsException e) {
            // jlvs_up 0 says it
        }
        return WebResponse.of(200, PrometheusExposition.CONTENT_TYPE,
                PrometheusExposition.render(services, status, services == null ? List.of() : vrrpOrEmpty()));
    }

    // ---------------------------------------------------------------- helpers

    /** Audit details in the order given. */
    private static Map<String, Object> kv(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
            m.put(String.valueOf(keysAndValues[i]), keysAndValues[i + 1]);
        }
        return m;
    }

    private long now() {
        return config.clockMs().getAsLong();
    }

    private static WebResponse secureHeaders(WebResponse r) {
        return r.with("Content-Security-Policy", CSP)
                .with("X-Content-Type-Options", "nosniff")
                .with("X-Frame-Options", "DENY")
                .with("Referrer-Policy", "same-origin") // "no-referrer" would make form POSTs carry Origin: null
                .with("Cache-Control", "no-store")
                .with("Strict-Transport-Security", "max-age=31536000");
    }
}
