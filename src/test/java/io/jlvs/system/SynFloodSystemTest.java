package io.jlvs.system;

import io.jlvs.app.Testbed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A spoofed-source SYN flood ({@link SynFlood}: 198.19.128.0/17, from the client's namespace, as fast as one
 * thread sends) while {@code wrk} opens a new connection per request through the VIP and a rate-limited
 * download runs: first with direct routing (the guard forwards SYNs without state under pressure and
 * adopts the handshake's ACK), then with NAT (the SYN proxy answers SYNs with cookies under pressure). The figures
 * (legitimate requests/s with and without the flood, flood rate, director RSS, guard counters) are printed
 * for docs/reliability.md. The director runs with a 131072-entry table: pressure from 8192 half-open
 * entries, cap at 32768.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SynFloodSystemTest {
    static final String SERVICE = Testbed.VIP + ":80";
    static final String URL = "http://" + Testbed.VIP + "/";
    static final String LB_CLIENT_MAC = "02:00:c6:12:00:01";
    static final int TABLE = 131072;
    static final int FLOOD_S = 7;
    /**
     * The paced flood: what the director absorbs on the 2-core bed next to wrk, nginx and the generator, and
     * still 10 times what a 131072-entry table survives without the guard (SYN_RECV lives 60 s).
     */
    static final int PACED_PPS = 20_000;
    private static final Pattern WRK_REQUESTS = Pattern.compile("(\\d+) requests in (\\S+),");
    private static final Pattern WRK_RATE = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
    private static final Pattern WRK_SOCKET_ERRORS =
            Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern FLOOD_SENT = Pattern.compile("sent (\\d+) frames in (\\d+) ms");

    Testbed bed;
    Process director;

    record Wrk(long requests, double rate, long socketErrors, String output) {}

    @BeforeAll
    void startDirector() throws IOException {
        SystemTestSupport.requireEnvironment();
        bed = Testbed.create();
        director = bed.startDirector("--conn-table-size", Integer.toString(TABLE));
        bed.awaitDirector(director, Duration.ofSeconds(60));
        ipvsadmOk("-A", "-t", SERVICE, "-s", "rr");
        ipvsadmOk("-a", "-t", SERVICE, "-r", Testbed.RS1_IP, "-g");
        ipvsadmOk("-a", "-t", SERVICE, "-r", Testbed.RS2_IP, "-g");
    }

    @AfterAll
    void tearDown() {
        if (bed != null) {
            bed.close();
        }
    }

    @Test
    @Order(1)
    void shouldServeNewConnectionsStatelesslyAndKeepDownloadWhenDirectRoutingIsFlooded() throws Exception {
        Figures f = floodWhileServing("DR", PACED_PPS);

        assertThat(f.status).containsPattern("\"syn_stateless\"\\s*:\\s*[1-9]");
        assertThat(f.status).containsPattern("\"ack_adopted\"\\s*:\\s*[1-9]");
        assertThat(f.during.socketErrors()).as(() -> "wrk during the flood: " + f.during.output())
                .isLessThanOrEqualTo(f.during.requests() / 100);
    }

    @Test
    @Order(2)
    void shouldServeNewConnectionsThroughSynProxyAndKeepDownloadWhenNatIsFlooded() throws Exception {
        ipvsadmOk("-e", "-t", SERVICE, "-r", Testbed.RS1_IP, "-m");
        ipvsadmOk("-e", "-t", SERVICE, "-r", Testbed.RS2_IP, "-m");

        Figures f = floodWhileServing("NAT", PACED_PPS);

        assertThat(f.status).as("the proxy answered the flood").containsPattern("\"syn_proxy_cookies\"\\s*:\\s*[1-9]");
        assertThat(f.status).as("and opened the legitimate connections").containsPattern(
                "\"syn_proxy_opened\"\\s*:\\s*[1-9]");
        assertThat(f.during.requests()).as(() -> "NAT still serves new connections: " + f.during.output())
                .isGreaterThan(0);
        assertThat(f.during.socketErrors()).as(() -> "wrk during the flood: " + f.during.output())
                .isLessThanOrEqualTo(f.during.requests() / 100);
    }

    @Test
    @Order(3)
    void shouldKeepDownloadWhenFloodedAsFastAsTheBedCanSend() throws Exception {
        floodWhileServing("NAT-unpaced", 0); // the limit here is packets/s (rings, CPU), not the table
    }

    record Figures(Wrk calm, Wrk during, String status) {}

    private Figures floodWhileServing(String mode, int pps) throws Exception {
        Wrk calm = wrk();
        Path download = bed.runDir().resolve("download-" + mode + ".bin");
        // ~7 s for 1 MiB: the connection is established before the flood and lives through it
        Process curl = bed.startInBackground(bed.cl(), "curl", "-sS", "--noproxy", "*", "--limit-rate", "150k",
                "-o", download.toString(), "-w", "%{http_code} %{size_download}\n", URL + Testbed.BIG_FILE.substring(1));
        Thread.sleep(500);
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = codeSource(SynFlood.class) + ":" + codeSource(io.jlvs.io.linux.Libc.class);
        Process flood = bed.startInBackground(bed.cl(), java, "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC",
                "-cp", cp, SynFlood.class.getName(), "eth0", LB_CLIENT_MAC, Testbed.VIP, "80", Integer.toString(FLOOD_S),
                Integer.toString(pps));
        Thread.sleep(1500); // JVM start and the table filling up
        Wrk during = wrk();
        long rssKb = rssKb(director.pid());
        String status = bed.jlvs("status").output();
        assertThat(flood.waitFor(30, TimeUnit.SECONDS)).as("flood ended").isTrue();
        String floodLog = bed.logTail(flood, 5);
        Matcher sent = FLOOD_SENT.matcher(floodLog);
        assertThat(sent.find()).as(() -> "flood printed no count: " + floodLog).isTrue();
        long floodPps = Long.parseLong(sent.group(1)) * 1000 / Math.max(1, Long.parseLong(sent.group(2)));
        assertThat(curl.waitFor(30, TimeUnit.SECONDS)).as("download ended").isTrue();
        String curlOut = bed.logTail(curl, 3).strip();
        System.out.printf("[SynFloodSystemTest] %s (%s): new-connection req/s calm %.0f, during flood %.0f (%.0f%%); "
                        + "wrk socket errors calm %d, during %d; flood %d SYN/s; director RSS %d MiB; download: %s%n"
                        + "  status: %s%n",
                mode, pps == 0 ? "unpaced" : pps + " SYN/s asked", calm.rate(), during.rate(), 100 * during.rate() / Math.max(1, calm.rate()), calm.socketErrors(),
                during.socketErrors(), floodPps, rssKb / 1024, curlOut, nonZero(status));
        assertThat(curlOut).as("the download established before the flood survives it").isEqualTo("200 " + Testbed.BIG_FILE_BYTES);
        assertThat(Files.size(download)).isEqualTo(Testbed.BIG_FILE_BYTES);
        assertThat(floodPps).as("the flood ran").isGreaterThan(1000);
        return new Figures(calm, during, status);
    }

    private Wrk wrk() {
        Testbed.Result r = bed.exec(Duration.ofSeconds(30), bed.cl(), "wrk", "-t2", "-c16", "-d5s",
                "-H", "Connection: close", URL);
        assertThat(r.exitCode()).as(r::output).isZero();
        Matcher requests = WRK_REQUESTS.matcher(r.output());
        assertThat(requests.find()).as(r::output).isTrue();
        Matcher rate = WRK_RATE.matcher(r.output());
        assertThat(rate.find()).as(r::output).isTrue();
        long errors = 0;
        Matcher e = WRK_SOCKET_ERRORS.matcher(r.output());
        if (e.find()) {
            for (int g = 1; g <= 4; g++) {
                errors += Long.parseLong(e.group(g));
            }
        }
        return new Wrk(Long.parseLong(requests.group(1)), Double.parseDouble(rate.group(1)), errors, r.output());
    }

    /** The non-zero numbers of {@code jlvs status}, "name=value …". */
    private static String nonZero(String status) {
        StringBuilder sb = new StringBuilder();
        Matcher m = Pattern.compile("\"(\\w+)\"\\s*:\\s*([1-9]\\d*)").matcher(status);
        while (m.find()) {
            sb.append(m.group(1)).append('=').append(m.group(2)).append(' ');
        }
        return sb.toString().strip();
    }

    private static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }

    static String codeSource(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private void ipvsadmOk(String... args) {
        Testbed.Result r = bed.ipvsadm(args);
        assertThat(r.exitCode()).as(() -> "ipvsadm " + String.join(" ", args) + ": " + r.output()).isZero();
    }
}
