package io.jlvs.app;

import io.jlvs.monitor.AuditLog;
import io.jlvs.monitor.ControlDirectorSource;
import io.jlvs.monitor.LoginThrottle;
import io.jlvs.monitor.MonitorApp;
import io.jlvs.monitor.MonitorServer;
import io.jlvs.monitor.SessionStore;
import io.jlvs.monitor.TlsCertificates;
import io.jlvs.monitor.UserStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code jlvs monitor}: the HTTPS monitor of the director in this network namespace (pages, live charts,
 * Prometheus {@code /metrics}). Runs until SIGTERM.
 */
@Command(name = "monitor", mixinStandardHelpOptions = true,
        description = {"Serves the HTTPS monitor of the director in this network namespace until SIGTERM:",
                "virtual services and real servers with live rate charts, connections, the data plane and VRRP,",
                "and Prometheus metrics at /metrics (bearer token). Plain HTTP is redirected to HTTPS.",
                "Users: jlvs user add NAME --role viewer|operator."})
public final class MonitorCommand implements Callable<Integer> {
    @Option(names = "--listen", defaultValue = "127.0.0.1:8443", paramLabel = "ADDR:PORT",
            description = "Address and port to listen on ([v6]:port for IPv6). Default: ${DEFAULT-VALUE}.")
    String listen;

    @Option(names = "--users", defaultValue = "/etc/jlvs/monitor-users", paramLabel = "FILE",
            description = "Users file (managed by jlvs user). Default: ${DEFAULT-VALUE}.")
    Path users;

    @Option(names = "--keystore", defaultValue = "/etc/jlvs/monitor.p12", paramLabel = "FILE",
            description = {"PKCS#12 keystore with the TLS key and certificate; a self-signed one is made on first "
                    + "start when the file does not exist. Default: ${DEFAULT-VALUE}."})
    Path keystore;

    @Option(names = "--keystore-password-file", paramLabel = "FILE",
            description = "File holding the keystore's password. Default: the keystore's path + .pass.")
    Path keystorePasswordFile;

    @Option(names = "--metrics-token-file", defaultValue = "/etc/jlvs/metrics-token", paramLabel = "FILE",
            description = {"Bearer token /metrics requires (Prometheus: authorization.credentials_file); made on "
                    + "first start when missing. Default: ${DEFAULT-VALUE}."})
    Path metricsTokenFile;

    @Option(names = "--metrics-without-token",
            description = "Serve /metrics without a token (restrict who reaches the port by firewall instead).")
    boolean metricsWithoutToken;

    @Option(names = "--audit-log", defaultValue = "/var/log/jlvs/audit.log", paramLabel = "FILE",
            description = "Where logins and changes are recorded, one line each. Default: ${DEFAULT-VALUE}.")
    Path auditLog;

    @Option(names = "--session-idle-minutes", defaultValue = "15", paramLabel = "N",
            description = "A session ends after N minutes without a request. Default: ${DEFAULT-VALUE}.")
    int sessionIdleMinutes;

    @Option(names = "--session-max-hours", defaultValue = "8", paramLabel = "N",
            description = "A session ends N hours after login in any case. Default: ${DEFAULT-VALUE}.")
    int sessionMaxHours;

    /** Runs this command alone ({@code java -cp … io.jlvs.app.MonitorCommand ARGS}), as {@code jlvs monitor ARGS} does. */
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new MonitorCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        InetSocketAddress address;
        try {
            address = parseListen(listen);
        } catch (IllegalArgumentException e) {
            System.err.println("jlvs monitor: " + e.getMessage());
            return 2;
        }
        UserStore store = new UserStore(users);
        try {
            if (store.list().isEmpty()) {
                System.err.println("jlvs monitor: no user in " + users + "; add one first: jlvs user add NAME "
                        + "--role operator" + (users.equals(UserStore.DEFAULT_PATH) ? "" : " --users " + users));
                return 1;
            }
        } catch (IOException e) {
            System.err.println("jlvs monitor: " + e.getMessage());
            return 1;
        }
        TlsCertificates.Keystore ks;
        String token;
        try {
            Path passFile = keystorePasswordFile != null ? keystorePasswordFile : TlsCertificates.passwordFileOf(keystore);
            boolean existed = keystore.toFile().exists();
            List<String> names = new ArrayList<>(List.of(address.getHostString()));
            names.add(InetAddress.getLocalHost().getHostName());
            ks = TlsCertificates.loadOrCreate(keystore, passFile, names);
            if (!existed) {
                System.err.println("jlvs monitor: made a self-signed certificate in " + keystore + " for "
                        + TlsCertificates.subjectAlternativeNames(ks));
            }
            token = metricsWithoutToken ? null : TlsCertificates.loadOrCreateToken(metricsTokenFile);
        } catch (IOException e) {
            System.err.println("jlvs monitor: " + e.getMessage());
            return 1;
        }
        ControlDirectorSource director = new ControlDirectorSource();
        MonitorApp app = new MonitorApp(new MonitorApp.Config(store,
                new SessionStore(sessionIdleMinutes * 60_000L, sessionMaxHours * 3_600_000L),
                new LoginThrottle(LoginThrottle.DEFAULT_MAX_FAILURES, LoginThrottle.DEFAULT_WINDOW_MS),
                new AuditLog(auditLog), director, token, System::currentTimeMillis));
        MonitorServer server = new MonitorServer(address, ks, app);
        try {
            server.start();
        } catch (Exception e) {
            System.err.println("jlvs monitor: cannot listen on " + listen + ": " + e.getMessage());
            server.close();
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            director.close();
            stopped.countDown();
        }, "jlvs-monitor-shutdown"));
        System.err.println("jlvs monitor: https://" + hostForUrl(address) + ":" + server.port() + "/ (pid "
                + ProcessHandle.current().pid() + ")" + (token == null ? ", /metrics without token"
                : ", /metrics token in " + metricsTokenFile));
        stopped.await();
        return 0;
    }

    private static String hostForUrl(InetSocketAddress a) {
        String h = a.getHostString();
        return h.contains(":") ? "[" + h + "]" : h;
    }

    /** {@code 198.18.0.1:8443}, {@code [::]:8443} or {@code :8443} (every address). */
    static InetSocketAddress parseListen(String text) {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--listen wants ADDR:PORT: listen=" + text);
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--listen: bad port: listen=" + text);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--listen: port out of range: listen=" + text);
        }
        if (host.isEmpty()) {
            host = "0.0.0.0";
        }
        try {
            return new InetSocketAddress(InetAddress.ofLiteral(host), port);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--listen wants an IP address: listen=" + text);
        }
    }
}
