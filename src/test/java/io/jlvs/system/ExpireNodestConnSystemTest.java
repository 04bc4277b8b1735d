package io.jlvs.system;

import io.jlvs.app.Testbed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code jlvs director --expire-nodest-conn} (IPVS's expire_nodest_conn) on a NAT bed: a slow download holds a
 * connection to one real server; {@code ipvsadm -d} that server, and its connection leaves {@code ipvsadm -Lnc}
 * at once (without the option it would stay, and its packets be dropped, until it timed out); new clients go
 * to the server left. The SYN-on-a-gone-server cases are in {@code ExpireNodestConnTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExpireNodestConnSystemTest {
    static final String SERVICE = Testbed.VIP + ":80";
    static final String URL = "http://" + Testbed.VIP + "/";
    private static final Pattern CONNECTION = Pattern.compile("(?m)^TCP\\s+\\S+\\s+(\\S+)\\s+"
            + Pattern.quote(Testbed.CLIENT_IP) + ":\\d+\\s+\\S+\\s+(\\S+):80\\s*$");

    Testbed bed;
    Process director;

    @BeforeAll
    void start() throws IOException {
        SystemTestSupport.requireEnvironment();
        bed = Testbed.create();
        director = bed.startDirector("--expire-nodest-conn");
        bed.awaitDirector(director, Duration.ofSeconds(60));
        for (String[] args : new String[][] {{"-A", "-t", SERVICE, "-s", "rr"},
                {"-a", "-t", SERVICE, "-r", Testbed.RS1_IP, "-m"}, {"-a", "-t", SERVICE, "-r", Testbed.RS2_IP, "-m"}}) {
            Testbed.Result r = bed.ipvsadm(args);
            assertThat(r.exitCode()).as(r.output()).isZero();
        }
    }

    @AfterAll
    void tearDown() {
        if (bed != null) {
            bed.close();
        }
    }

    @Test
    void shouldExpireConnectionOfDeletedRealServerAtOnceAndServeNewClientsFromTheOther() throws Exception {
        assertThat(bed.jlvs("status").output()).containsPattern("\"expire_nodest_conn\"\\s*:\\s*true");
        Process download = bed.startInBackground(bed.cl(), "curl", "-sS", "--noproxy", "*", "--limit-rate", "50k",
                "-o", "/dev/null", URL + Testbed.BIG_FILE.substring(1));
        try {
            String server = null;
            for (long deadline = System.nanoTime() + 5_000_000_000L; server == null && System.nanoTime() < deadline; ) {
                Matcher m = CONNECTION.matcher(bed.ipvsadm("-Lnc").output());
                if (m.find() && m.group(1).equals("ESTABLISHED")) {
                    server = m.group(2);
                } else {
                    Thread.sleep(100);
                }
            }
            assertThat(server).as("the download's connection in ipvsadm -Lnc").isNotNull();
            String left = server.equals(Testbed.RS1_IP) ? Testbed.RS2_IP : Testbed.RS1_IP;

            Testbed.Result del = bed.ipvsadm("-d", "-t", SERVICE, "-r", server);
            assertThat(del.exitCode()).as(del.output()).isZero();
            Thread.sleep(300); // the workers apply the new table within their next duty cycle

            String after = bed.ipvsadm("-Lnc").output();
            System.out.println("[ExpireNodestConnSystemTest] deleted " + server + "; ipvsadm -Lnc:\n" + after);
            assertThat(after).as("the deleted server's connection is gone at once").doesNotContain(server + ":80");
            for (int i = 0; i < 3; i++) {
                Testbed.Result r = bed.curl(URL);
                assertThat(r.exitCode()).as(r.output()).isZero();
                assertThat(r.output()).contains(left.equals(Testbed.RS1_IP) ? "rs1" : "rs2");
            }
        } finally {
            bed.stop(download);
        }
    }
}
