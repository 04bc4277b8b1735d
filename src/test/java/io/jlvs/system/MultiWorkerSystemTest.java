package io.jlvs.system;

import com.fasterxml.jackson.databind.JsonNode;
import io.jlvs.app.Testbed;
import io.jlvs.control.ControlProtocol;
import io.jlvs.io.linux.FanoutFilter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code jlvs director --workers 2}: two workers behind one PACKET_FANOUT group per interface. DR, then
 * NAT (whose replies must reach the worker that owns the flow by the client hash), then FULLNAT (whose
 * replies reach it by the local port's range): curl reaches both servers, wrk sees no socket error,
 * both workers carried frames, and {@code ipvsadm -Lnc} lists the connections of both, each once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiWorkerSystemTest {
    static final String SERVICE = Testbed.VIP + ":80";
    static final String URL = "http://" + Testbed.VIP + "/";
    static final Pattern SERVER = Pattern.compile("<h1>(rs\\d)</h1>");
    static final Pattern WRK_REQUESTS = Pattern.compile("(\\d+) requests in (\\S+),");
    static final Pattern WRK_SOCKET_ERRORS =
            Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    static final Pattern WRK_NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
    /** ipvsadm -Lnc: "TCP 01:56  FIN_WAIT    198.18.0.2:12306   198.18.0.100:80    198.19.0.12:80". */
    static final Pattern CONN_ROW = Pattern.compile("(?m)^TCP\\s+\\S+\\s+\\S+\\s+(\\d+\\.\\d+\\.\\d+\\.\\d+):(\\d+)\\s");

    Testbed bed;
    Process director;

    @BeforeAll
    void startDirectorWithTwoWorkers() throws IOException {
        SystemTestSupport.requireEnvironment();
        bed = Testbed.create();
        director = bed.startDirector("--workers", "2");
        bed.awaitDirector(director, Duration.ofSeconds(60));
    }

    @AfterAll
    void tearDownBed() {
        if (bed != null) {
            bed.close();
        }
    }

    @Test
    @Order(1)
    void shouldForwardDirectRoutingOnBothWorkers() throws IOException {
        configure("-g");
        checkForwarding("DR");
    }

    @Test
    @Order(2)
    void shouldForwardNatAndItsRepliesOnTheOwningWorker() throws IOException {
        ipvsadmOk("-D", "-t", SERVICE);
        configure("-m");
        checkForwarding("NAT");
    }

    @Test
    @Order(3)
    void shouldForwardFullNatWithRepliesSteeredByEachWorkersLocalPortRange() throws IOException {
        ipvsadmOk("-D", "-t", SERVICE);
        configure("--fullnat");
        Testbed.Result r = bed.jlvs("laddr", "add", "-t", SERVICE, "-z", "198.19.0.100");
        assertThat(r.exitCode()).as(r.output()).isZero();
        checkForwarding("FULLNAT");
    }

    private void configure(String method) {
        ipvsadmOk("-A", "-t", SERVICE, "-s", "rr");
        ipvsadmOk("-a", "-t", SERVICE, "-r", Testbed.RS1_IP, method);
        ipvsadmOk("-a", "-t", SERVICE, "-r", Testbed.RS2_IP, method);
    }

    private void checkForwarding(String what) throws IOException {
        JsonNode before = status();
        // round robin is per worker (each has its own cursor), so over 10 requests both servers answer
        Set<String> answered = new LinkedHashSet<>();
        for (int i = 1; i <= 10; i++) {
            Testbed.Result r = bed.curl(URL);
            int n = i;
            assertThat(r.exitCode()).as(() -> what + " curl #" + n + ": " + r.output() + diagnostics()).isZero();
            Matcher m = SERVER.matcher(r.output());
            assertThat(m.find()).as(() -> what + " curl #" + n + " answered no server page: " + r.output()).isTrue();
            answered.add(m.group(1));
        }
        assertThat(answered).as(what + ": servers that answered").containsExactlyInAnyOrder("rs1", "rs2");

        Testbed.Result r = bed.exec(Duration.ofSeconds(30), bed.cl(), "wrk", "-t2", "-c32", "-d5s", URL);
        assertThat(r.exitCode()).as(() -> "wrk: " + r.output() + diagnostics()).isZero();
        Matcher requests = WRK_REQUESTS.matcher(r.output());
        assertThat(requests.find()).as(() -> "wrk printed no request count: " + r.output()).isTrue();
        long socketErrors = 0;
        Matcher errors = WRK_SOCKET_ERRORS.matcher(r.output());
        if (errors.find()) {
            for (int g = 1; g <= 4; g++) {
                socketErrors += Long.parseLong(errors.group(g));
            }
        }
        Matcher non2xx = WRK_NON_2XX.matcher(r.output());
        long bad = non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0;
        assertThat(socketErrors).as(() -> what + " wrk socket errors: " + r.output() + diagnostics()).isZero();
        assertThat(bad).as(() -> what + " wrk non-2xx: " + r.output()).isZero();
        assertThat(Long.parseLong(requests.group(1))).isGreaterThanOrEqualTo(100);

        JsonNode after = status();
        System.out.println("[MultiWorkerSystemTest] " + what + " wrk: " + requests.group(1) + " requests in "
                + requests.group(2) + "; workers: " + after.get("workers"));
        assertThat(after.get("workers")).hasSize(2);
        for (int w = 0; w < 2; w++) {
            long rx = after.get("workers").get(w).get("rx_frames").asLong()
                    - before.get("workers").get(w).get("rx_frames").asLong();
            int worker = w;
            assertThat(rx).as(() -> what + ": frames worker-" + worker + " carried during wrk" + diagnostics())
                    .isGreaterThan(100);
        }
        assertThat(after.get("drops").get("neighbour_unresolved") == null ? 0
                : after.get("drops").get("neighbour_unresolved").asLong())
                .as("worker 1 resolves real servers through the shared neighbour table").isZero();

        // ipvsadm -Lnc: connections of both workers, told apart by the fanout hash of their client
        Testbed.Result list = bed.ipvsadm("-Lnc");
        assertThat(list.exitCode()).as(list.output()).isZero();
        int[] perWorker = new int[2];
        Set<String> flows = new LinkedHashSet<>();
        Matcher row = CONN_ROW.matcher(list.output());
        while (row.find()) {
            int client = Dotted.ipv4(row.group(1));
            int port = Integer.parseInt(row.group(2));
            assertThat(flows.add(row.group(1) + ":" + port)).as(what + ": a flow on one worker only, "
                    + row.group(1) + ":" + port + " listed twice").isTrue();
            perWorker[FanoutFilter.workerFor(FanoutFilter.Key.ADDRESS_AND_TCP_PORT, true, client, port, 2)]++;
        }
        System.out.println("[MultiWorkerSystemTest] " + what + " -Lnc rows by owning worker: " + perWorker[0] + " + "
                + perWorker[1]);
        assertThat(perWorker[0]).as(what + ": -Lnc rows of worker-0\n" + list.output()).isPositive();
        assertThat(perWorker[1]).as(what + ": -Lnc rows of worker-1").isPositive();
    }

    /** Dotted quad to int. */
    static final class Dotted {
        static int ipv4(String dotted) {
            String[] p = dotted.split("\\.");
            return Integer.parseInt(p[0]) << 24 | Integer.parseInt(p[1]) << 16 | Integer.parseInt(p[2]) << 8
                    | Integer.parseInt(p[3]);
        }
    }

    private JsonNode status() throws IOException {
        Testbed.Result r = bed.jlvs("status");
        assertThat(r.exitCode()).as(r.output()).isZero();
        return ControlProtocol.JSON.readTree(r.output());
    }

    void ipvsadmOk(String... args) {
        Testbed.Result r = bed.ipvsadm(args);
        assertThat(r.exitCode()).as(() -> "ipvsadm " + String.join(" ", args) + ": " + r.output()).isZero();
    }

    String diagnostics() {
        return "\n--- jlvs status:\n" + bed.jlvs("status").output() + "\n--- director log:\n"
                + bed.logTail(director, 30);
    }
}
