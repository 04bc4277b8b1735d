package io.jlvs.system;

import io.jlvs.app.Testbed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 4 end to end: persistence keeps one client on one server, a firewall-mark service keeps ports 80
 * and 443 of one client together, and {@code ipvsadm -e -w 0} stops new connections to a server while an
 * open one finishes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SchedulingSystemTest {
    static final String SERVICE = Testbed.VIP + ":80";
    static final String URL = "http://" + Testbed.VIP + "/";
    static final Pattern SERVER = Pattern.compile("<h1>(rs\\d)</h1>");
    Testbed bed;
    Process director;

    @BeforeAll
    void start() throws IOException {
        SystemTestSupport.requireEnvironment();
        bed = Testbed.create();
        director = bed.startDirector();
        bed.awaitDirector(director, Duration.ofSeconds(60));
    }

    @AfterAll
    void stop() {
        if (bed != null) {
            bed.close();
        }
    }

    void ok(Testbed.Result r) {
        assertThat(r.exitCode()).as(r.output()).isZero();
    }

    String server() {
        Testbed.Result r = bed.curl(URL);
        Matcher m = SERVER.matcher(r.output());
        assertThat(m.find()).as(r.output()).isTrue();
        return m.group(1);
    }

    @Test
    void shouldKeepOneClientOnOneServerWhenPersistent() {
        ok(bed.ipvsadm("-C"));
        ok(bed.ipvsadm("-A", "-t", SERVICE, "-s", "rr", "-p", "300"));
        ok(bed.ipvsadm("-a", "-t", SERVICE, "-r", Testbed.RS1_IP, "-g"));
        ok(bed.ipvsadm("-a", "-t", SERVICE, "-r", Testbed.RS2_IP, "-g"));
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            answers.add(server());
        }
        System.out.println("[SchedulingSystemTest] persistent answers: " + answers);
        assertThat(answers).containsOnly(answers.getFirst());
        assertThat(bed.ipvsadm("-Lnc").output()).contains("ASSURED");
    }

    @Test
    void shouldSendPorts80And443ToOneServerWhenFwmarkService() {
        ok(bed.ipvsadm("-C"));
        ok(bed.jlvs("fwmark", "add", "--dst", Testbed.VIP, "--proto", "tcp", "--dport", "80,443", "--mark", "1"));
        try {
            ok(bed.ipvsadm("-A", "-f", "1", "-s", "rr", "-p", "300"));
            ok(bed.ipvsadm("-a", "-f", "1", "-r", Testbed.RS1_IP, "-g"));
            ok(bed.ipvsadm("-a", "-f", "1", "-r", Testbed.RS2_IP, "-g"));
            String first = server();
            // nothing listens on 443: the real server refuses, but the connection entry shows where it went
            bed.curl("http://" + Testbed.VIP + ":443/", "-m", "2");
            String ip = first.equals("rs1") ? Testbed.RS1_IP : Testbed.RS2_IP;
            String conns = bed.ipvsadm("-Lnc").output();
            System.out.println("[SchedulingSystemTest] fwmark connections:\n" + conns);
            assertThat(conns).containsPattern("TCP .*" + Pattern.quote(Testbed.VIP + ":443") + "\\s+"
                    + Pattern.quote(ip + ":443"));
            assertThat(server()).isEqualTo(first);
        } finally {
            bed.jlvs("fwmark", "del", "--dst", Testbed.VIP, "--proto", "tcp", "--dport", "80,443", "--mark", "1");
            bed.ipvsadm("-C");
        }
    }

    @Test
    void shouldStopNewConnectionsButFinishOpenOneWhenWeightZero() throws Exception {
        ok(bed.ipvsadm("-C"));
        ok(bed.ipvsadm("-A", "-t", SERVICE, "-s", "rr"));
        ok(bed.ipvsadm("-a", "-t", SERVICE, "-r", Testbed.RS1_IP, "-g"));
        ok(bed.ipvsadm("-a", "-t", SERVICE, "-r", Testbed.RS2_IP, "-g"));
        // a slow download stays open across the change (1 MiB at 256 KiB/s: about 4 s)
        Process download = bed.startInBackground(bed.cl(), "curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download}",
                "--limit-rate", "256k", "http://" + Testbed.VIP + Testbed.BIG_FILE);
        Thread.sleep(1000);
        ok(bed.ipvsadm("-e", "-t", SERVICE, "-r", Testbed.RS1_IP, "-g", "-w", "0"));
        ok(bed.ipvsadm("-e", "-t", SERVICE, "-r", Testbed.RS2_IP, "-g", "-w", "1"));
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            answers.add(server());
        }
        System.out.println("[SchedulingSystemTest] after -w 0 on rs1: " + answers);
        assertThat(answers).containsOnly("rs2");
        assertThat(download.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(download.exitValue()).isZero();
        assertThat(bed.logTail(download, 2)).contains("200 " + Testbed.BIG_FILE_BYTES);
    }
}
