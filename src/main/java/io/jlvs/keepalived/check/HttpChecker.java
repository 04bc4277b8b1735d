package io.jlvs.keepalived.check;

import io.jlvs.keepalived.config.CheckerConfig;
import io.jlvs.keepalived.config.Inet;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * HTTP_GET and SSL_GET (check_http.c): one URL per attempt. The request is keepalived's, byte for byte
 * ({@code GET path HTTP/1.x}, {@code User-Agent: KeepAliveClient}, {@code Connection: close} for 1.0C and 1.1,
 * {@code Host}); the response is read until the server closes, each read bounded by {@code connect_timeout}.
 * Passing means data came back, the status is in the URL's set, the MD5 of the body (up to Content-Length)
 * matches {@code digest}, and the body matches {@code regex} (or not, with {@code regex_no_match}). SSL_GET
 * does not verify the server's certificate, as keepalived does not.
 */
public final class HttpChecker implements HealthChecker {
    /** keepalived keeps at most this much of the head of a response to find the end of the headers. */
    static final int HEADER_LIMIT = 4096;

    private final CheckerConfig.Http config;
    private final Pattern[] regexes;

    public HttpChecker(CheckerConfig.Http config) {
        this.config = config;
        List<CheckerConfig.Url> urls = config.urls();
        this.regexes = new Pattern[urls.size()];
        for (int i = 0; i < urls.size(); i++) {
            String re = urls.get(i).regex();
            regexes[i] = re == null ? null : Pattern.compile(re, Pattern.DOTALL);
        }
    }

    @Override
    public String type() {
        return config.type();
    }

    @Override
    public int steps() {
        return config.urls().size();
    }

    /** The request keepalived sends for one URL. */
    public String request(int step) {
        CheckerConfig.Url url = config.urls().get(step);
        String vhost = url.virtualhost() != null ? url.virtualhost() : config.hostDefault();
        InetSocketAddress dst = Endpoints.destination(config.connection());
        String host;
        if (vhost != null) {
            host = vhost;
        } else if (dst.getAddress() instanceof Inet6Address) {
            host = "[" + Inet.ntop(dst.getAddress()) + "]:" + dst.getPort();
        } else {
            host = Inet.ntop(dst.getAddress()) + ":" + dst.getPort();
        }
        String minor = config.httpProtocol().equals("1.1") ? "1" : "0";
        String close = config.httpProtocol().equals("1.0") ? "" : "Connection: close\r\n";
        return "GET " + url.path() + " HTTP/1." + minor + "\r\nUser-Agent: KeepAliveClient\r\n" + close + "Host: " + host
                + "\r\n\r\n";
    }

    @Override
    public Result check(int step) {
        CheckerConfig.Url url = config.urls().get(step);
        String to = Endpoints.text(config.connection());
        byte[] response;
        try (Socket s = open()) {
            OutputStream out = s.getOutputStream();
            out.write(request(step).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            response = readAll(s.getInputStream());
        } catch (SocketTimeoutException e) {
            return Result.failed("Timeout connecting server " + to + ".");
        } catch (IOException e) {
            return Result.failed("HTTP_CHECK - network unreachable server " + to + ": " + e.getMessage());
        }
        return evaluate(step, url, response, to);
    }

    /** Judges a whole response as keepalived does (exposed for tests). */
    public Result evaluate(int step, CheckerConfig.Url url, byte[] response, String to) {
        int headerEnd = indexOf(response, Math.min(response.length, HEADER_LIMIT));
        if (response.length == 0 || headerEnd < 0) {
            return Result.failed("Read, no data received from server " + to + ".");
        }
        String head = new String(response, 0, headerEnd, StandardCharsets.ISO_8859_1);
        int status = statusCode(head);
        if (status < 100 || status > 599 || !url.statusCodes().contains(status)) {
            return Result.failed("HTTP status code error to server " + to + ".");
        }
        int bodyStart = headerEnd + 4;
        int bodyLen = response.length - bodyStart;
        long contentLength = contentLength(head);
        if (contentLength >= 0 && contentLength < bodyLen) {
            bodyLen = (int) contentLength;
        }
        String what = "HTTP status code";
        if (url.digestHex() != null) {
            try {
                MessageDigest md5 = MessageDigest.getInstance("MD5");
                md5.update(response, bodyStart, bodyLen);
                if (!HexFormat.of().formatHex(md5.digest()).equals(url.digestHex())) {
                    return Result.failed("MD5 digest error to server " + to + ".");
                }
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            what = "MD5 digest";
        }
        if (regexes[step] != null) {
            int from = (int) Math.min(bodyLen, url.regexMinOffset());
            int to2 = url.regexMaxOffset() > 0 ? (int) Math.min(bodyLen, url.regexMaxOffset()) : bodyLen;
            String body = new String(response, bodyStart, bodyLen, StandardCharsets.ISO_8859_1);
            boolean matched = from <= to2 && regexes[step].matcher(body).region(from, to2).find();
            if (matched == url.regexNoMatch()) {
                return Result.failed("Regex match failed server " + to + ".");
            }
            what = "Regex match";
        }
        return Result.ok(what + " success to " + to + " url(" + url.path() + ")");
    }

    private Socket open() throws IOException {
        Socket plain = Endpoints.connect(config.connection());
        if (!config.ssl()) {
            return plain;
        }
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {TRUST_ALL}, null);
            InetSocketAddress dst = Endpoints.destination(config.connection());
            SSLSocket ssl = (SSLSocket) ctx.getSocketFactory().createSocket(plain, dst.getHostString(), dst.getPort(), true);
            SSLParameters p = ssl.getSSLParameters();
            if (config.enableSni() && config.sniName() != null) {
                p.setServerNames(List.of(new SNIHostName(config.sniName())));
            } else {
                p.setServerNames(List.of());
            }
            ssl.setSSLParameters(p);
            ssl.setSoTimeout(Endpoints.timeoutMs(config.connection()));
            ssl.startHandshake();
            return ssl;
        } catch (GeneralSecurityException e) {
            plain.close();
            throw new IOException("TLS: " + e.getMessage(), e);
        } catch (IOException e) {
            plain.close();
            throw e;
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) > 0) {
            b.write(buf, 0, n);
        }
        return b.toByteArray();
    }

    private static int indexOf(byte[] b, int limit) {
        for (int i = 0; i + 3 < limit; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** The three digits after the first blank of the status line, which must be followed by a blank; else 0. */
    static int statusCode(String head) {
        int eol = head.indexOf("\r\n");
        String line = eol >= 0 ? head.substring(0, eol) : head;
        int sp = line.indexOf(' ');
        if (sp < 0 || sp + 4 >= line.length() || line.charAt(sp + 4) != ' ') {
            return 0;
        }
        String code = line.substring(sp + 1, sp + 4);
        if (!code.chars().allMatch(Character::isDigit)) {
            return 0;
        }
        return Integer.parseInt(code);
    }

    static long contentLength(String head) {
        for (String h : head.split("\r\n")) {
            int colon = h.indexOf(':');
            if (colon > 0 && h.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("content-length")) {
                try {
                    return Long.parseLong(h.substring(colon + 1).trim());
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    private static final X509TrustManager TRUST_ALL = new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    };
}
