package io.jlvs.system;

import io.jlvs.app.Testbed;

import java.time.Duration;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the SYN-proxy variants of the forwarding tests check beyond their base class: a new connection per
 * request for a few seconds (every one a handshake the director completes itself, with the request held
 * until the real server answers), no socket error, and counters that prove the proxy opened them.
 */
final class SynProxyChecks {
    private SynProxyChecks() {
    }

    static void shouldOpenEveryConnectionThroughProxy(Testbed bed, String url, String name, Supplier<String> diagnostics) {
        Testbed.Result r = bed.exec(Duration.ofSeconds(30), bed.cl(), "wrk", "-t2", "-c16", "-d5s",
                "-H", "Connection: close", url);
        assertThat(r.exitCode()).as(() -> "wrk: " + r.output() + diagnostics.get()).isZero();
        Wrk w = Wrk.parse(r.output());
        String status = bed.jlvs("status").output();
        long opened = number(status, "syn_proxy_opened");
        long cookies = number(status, "syn_proxy_cookies");
        System.out.printf("[%s] wrk -c16 -d5s Connection: close: %d requests (%s req/s), socket errors %d, "
                        + "non-2xx %d; syn_proxy_cookies %d, syn_proxy_opened %d, syn_cookie_invalid %d, syn_proxy_wait %d%n",
                name, w.requests(), w.ratePerSecond(), w.socketErrors(), w.non2xx(), cookies, opened,
                number(status, "syn_cookie_invalid"), number(status, "syn_proxy_wait"));
        assertThat(w.socketErrors()).as(() -> "wrk socket errors: " + r.output() + diagnostics.get()).isZero();
        assertThat(w.non2xx()).as(() -> r.output()).isZero();
        assertThat(w.requests()).as(() -> r.output() + diagnostics.get()).isGreaterThanOrEqualTo(100);
        assertThat(opened).as("connections the proxy opened cover wrk's: " + status).isGreaterThanOrEqualTo(w.requests());
        assertThat(cookies).as(status).isGreaterThanOrEqualTo(opened);
        assertThat(status).containsPattern("\"syn_proxy\"\\s*:\\s*\"always\"");
        assertThat(number(status, "syn_cookie_invalid")).as(status).isZero();
    }

    static long number(String status, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*(\\d+)").matcher(status);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }
}
