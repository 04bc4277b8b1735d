package io.jlvs.monitor;

import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.DetectorConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The monitor's HTTP server: Jetty 12 (core API, no servlets) with one port that speaks TLS and detects plain
 * HTTP on the same port, which {@link MonitorApp} answers only with a redirect to HTTPS. A small thread pool
 * (the monitor serves a few operators and a scraper), TLS 1.2 and 1.3 only.
 */
public final class MonitorServer implements AutoCloseable {
    private final Server server;
    private final ServerConnector connector;

    public MonitorServer(InetSocketAddress listen, TlsCertificates.Keystore keystore, MonitorApp app) {
        QueuedThreadPool pool = new QueuedThreadPool(16, 2);
        pool.setName("jlvs-monitor");
        pool.setDaemon(true);
        server = new Server(pool);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        // the self-signed certificate names the listen address, not every name a client may use
        http.addCustomizer(new SecureRequestCustomizer(false));
        HttpConnectionFactory http11 = new HttpConnectionFactory(http);
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStorePath(keystore.path().toString());
        tls.setKeyStorePassword(keystore.password());
        tls.setKeyStoreType("PKCS12");
        tls.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        SslConnectionFactory ssl = new SslConnectionFactory(tls, http11.getProtocol());
        ConnectionFactory detector = new DetectorConnectionFactory(ssl);
        connector = new ServerConnector(server, 1, 1, detector, http11);
        connector.setHost(listen.getHostString());
        connector.setPort(listen.getPort());
        server.addConnector(connector);
        server.setHandler(new Adapter(app));
        server.setStopTimeout(2000);
    }

    public void start() throws Exception {
        server.start();
    }

    /** The port bound (useful when 0 asked for any free port). */
    public int port() {
        return connector.getLocalPort();
    }

    public void join() throws InterruptedException {
        server.join();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            // stopping anyway
        }
    }

    /** Jetty request → {@link WebRequest} → {@link MonitorApp} → Jetty response. */
    private static final class Adapter extends Handler.Abstract {
        private final MonitorApp app;

        Adapter(MonitorApp app) {
            this.app = app;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            Map<String, String> params = new HashMap<>();
            Fields fields;
            try {
                fields = Request.getParameters(request);
            } catch (Exception e) {
                fields = Fields.EMPTY;
            }
            for (Fields.Field f : fields) {
                params.putIfAbsent(f.getName(), f.getValue());
            }
            Map<String, String> cookies = new HashMap<>();
            for (HttpCookie c : Request.getCookies(request)) {
                cookies.putIfAbsent(c.getName(), c.getValue());
            }
            Map<String, String> headers = new HashMap<>();
            for (HttpField h : request.getHeaders()) {
                headers.putIfAbsent(h.getName().toLowerCase(Locale.ROOT), h.getValue());
            }
            WebRequest req = new WebRequest(request.getMethod(), request.getHttpURI().getDecodedPath(), params, cookies,
                    headers, Request.getRemoteAddr(request), request.isSecure());
            WebResponse r = app.handle(req);
            response.setStatus(r.status());
            for (Map.Entry<String, String> h : r.headers()) {
                response.getHeaders().add(h.getKey(), h.getValue());
            }
            response.write(true, ByteBuffer.wrap(r.body()), callback);
            return true;
        }
    }
}
