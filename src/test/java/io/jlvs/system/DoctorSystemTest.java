package io.jlvs.system;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jlvs.app.Testbed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code jlvs doctor} and {@code jlvs explain} on the demo topology: a DR service (VIP:80) and a NAT service
 * (VIP:8080 to the real servers' port 80) on the same two real servers. Doctor passes every step on the healthy
 * bed and names each injected fault (a real server down, one without arp_ignore, one without its route back);
 * explain follows a real connection and schedules a new one without sending or changing anything.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DoctorSystemTest {
    private static final String DR = Testbed.VIP + ":80";
    private static final String NAT = Testbed.VIP + ":8080";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SERVER = Pattern.compile("<h1>(rs\\d)</h1>");

    private Testbed bed;
    private Process director;

    @BeforeAll
    void setUp() throws IOException {
        SystemTestSupport.requireEnvironment();
        bed = Testbed.create();
        director = bed.startDirector();
        bed.awaitDirector(director, Duration.ofSeconds(60));
        for (String[] args : List.of(new String[] {"-A", "-t", DR, "-s", "rr"},
                new String[] {"-a", "-t", DR, "-r", Testbed.RS1_IP, "-g"},
                new String[] {"-a", "-t", DR, "-r", Testbed.RS2_IP, "-g"},
                new String[] {"-A", "-t", NAT, "-s", "wlc"},
                new String[] {"-a", "-t", NAT, "-r", Testbed.RS1_IP + ":80", "-m"},
                new String[] {"-a", "-t", NAT, "-r", Testbed.RS2_IP + ":80", "-m", "-w", "2"})) {
            Testbed.Result r = bed.ipvsadm(args);
            assertThat(r.exitCode()).as(() -> String.join(" ", args) + ": " + r.output()).isZero();
        }
    }

    @AfterAll
    void tearDown() {
        if (bed != null) {
            bed.close();
        }
    }

    private record Run(int exitCode, JsonNode result, String text) {
        List<JsonNode> failures() {
            List<JsonNode> out = new ArrayList<>();
            result.path("checks").forEach(c -> {
                if (c.path("status").asText().equals("FAIL")) {
                    out.add(c);
                }
            });
            return out;
        }
    }

    private Run doctor() throws IOException {
        Testbed.Result r = bed.jlvs("doctor", "--json", "--timeout-ms", "1000");
        String json = r.output().substring(Math.max(0, r.output().indexOf('{')));
        JsonNode n = JSON.readTree(json);
        System.out.println("[DoctorSystemTest] doctor exit " + r.exitCode() + ", failures: " + failuresText(n));
        return new Run(r.exitCode(), n, r.output());
    }

    private static String failuresText(JsonNode n) {
        StringBuilder sb = new StringBuilder();
        n.path("checks").forEach(c -> {
            if (!c.path("status").asText().equals("PASS") && !c.path("status").asText().equals("SKIP")) {
                sb.append("\n  ").append(c.path("status").asText()).append(' ').append(c.path("name").asText())
                        .append(" [").append(c.path("target").asText()).append("] ").append(c.path("reason").asText());
            }
        });
        return sb.length() == 0 ? "none" : sb.toString();
    }

    private void execOk(String ns, String... cmd) {
        Testbed.Result r = bed.exec(ns, cmd);
        assertThat(r.exitCode()).as(() -> String.join(" ", cmd) + ": " + r.output()).isZero();
    }

    @Test
    @Order(1)
    void shouldPassEveryStepWhenTheTopologyIsHealthy() throws IOException {
        Run run = doctor();

        assertThat(run.failures()).as(run.text()).isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(run.result().path("ok").asBoolean()).isTrue();
        List<String> passed = new ArrayList<>();
        run.result().path("checks").forEach(c -> {
            if (c.path("status").asText().equals("PASS")) {
                passed.add(c.path("name").asText());
            }
        });
        assertThat(passed).contains("director", "kernel guard", "route to real server", "real server answers",
                "real server ARP", "real server takes the VIP", "real server routes back", "scheduler spread");
    }

    @Test
    @Order(2)
    void shouldNameTheServerWhenARealServerIsDown() throws IOException {
        String dir = bed.runDir().resolve("rs2").toString();
        execOk(bed.rs2(), "nginx", "-p", dir, "-c", dir + "/nginx.conf", "-s", "stop");
        try {
            awaitClosed(Testbed.RS2_IP);
            Run run = doctor();

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.failures()).anySatisfy(c -> {
                assertThat(c.path("name").asText()).isEqualTo("real server answers");
                assertThat(c.path("target").asText()).contains(Testbed.RS2_IP + ":80");
                assertThat(c.path("reason").asText()).contains("nothing listens on " + Testbed.RS2_IP + ":80");
            });
            assertThat(run.failures()).allSatisfy(c -> assertThat(c.path("target").asText()).contains(Testbed.RS2_IP));
        } finally {
            execOk(bed.rs2(), "nginx", "-p", dir, "-e", dir + "/error.log", "-c", dir + "/nginx.conf");
        }
    }

    private void awaitClosed(String ip) {
        for (int i = 0; i < 50; i++) {
            if (!bed.exec(bed.lb(), "curl", "-sS", "--max-time", "1", "http://" + ip + "/").ok()) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Test
    @Order(3)
    void shouldNameArpIgnoreWhenARealServerAnswersArpForTheVip() throws IOException {
        execOk(bed.rs1(), "sysctl", "-qw", "net.ipv4.conf.all.arp_ignore=0", "net.ipv4.conf.eth0.arp_ignore=0");
        try {
            Run run = doctor();

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.failures()).singleElement().satisfies(c -> {
                assertThat(c.path("name").asText()).isEqualTo("real server ARP");
                assertThat(c.path("target").asText()).contains(Testbed.RS1_IP);
                assertThat(c.path("reason").asText()).contains("answers ARP for the VIP " + Testbed.VIP);
                assertThat(c.path("fix").asText()).contains("jlvs realserver start --vip " + Testbed.VIP);
            });
        } finally {
            execOk(bed.rs1(), "sysctl", "-qw", "net.ipv4.conf.all.arp_ignore=1", "net.ipv4.conf.eth0.arp_ignore=1");
        }
    }

    @Test
    @Order(4)
    void shouldNameTheMissingRouteWhenANatRealServerCannotRouteBack() throws IOException {
        execOk(bed.rs1(), "ip", "route", "del", "default");
        try {
            Run run = doctor();

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.failures()).singleElement().satisfies(c -> {
                assertThat(c.path("name").asText()).isEqualTo("real server routes back");
                assertThat(c.path("target").asText()).contains("TCP " + NAT).contains(Testbed.RS1_IP);
                assertThat(c.path("fix").asText()).contains("ip route replace default via " + Testbed.LB_SERVER_SIDE_IP);
            });
        } finally {
            execOk(bed.rs1(), "ip", "route", "add", "default", "via", Testbed.LB_SERVER_SIDE_IP);
        }
        assertThat(doctor().exitCode()).as("healthy again").isZero();
    }

    @Test
    @Order(5)
    void shouldExplainTheConnectionCurlMadeAndANewOneWithoutSendingAnything() throws IOException {
        Testbed.Result curl = bed.curl("http://" + DR + "/", "--local-port", "45123");
        assertThat(curl.exitCode()).as(curl.output()).isZero();
        Matcher m = SERVER.matcher(curl.output());
        assertThat(m.find()).isTrue();
        String rip = m.group(1).equals("rs1") ? Testbed.RS1_IP : Testbed.RS2_IP;
        int before = bed.ipvsadm("-Lcn").output().split("\n").length;

        JsonNode existing = explain("-p", "tcp", "-s", Testbed.CLIENT_IP + ":45123", "-d", DR, "--not-syn");
        JsonNode fresh = explain("-p", "tcp", "-s", Testbed.CLIENT_IP + ":45999", "-d", DR);
        JsonNode nat = explain("-p", "tcp", "-s", Testbed.CLIENT_IP + ":46000", "-d", NAT);
        JsonNode kernel = explain("-p", "tcp", "-s", Testbed.CLIENT_IP + ":46001", "-d", Testbed.VIP + ":22");

        assertThat(existing.path("verdict").asText()).isEqualTo("FORWARD");
        assertThat(existing.path("decidedBy").asText()).isEqualTo("connection");
        assertThat(existing.path("realserver").asText()).isEqualTo(rip + ":80");
        assertThat(fresh.path("decidedBy").asText()).isEqualTo("scheduler");
        assertThat(fresh.path("method").asText()).isEqualTo("Route");
        assertThat(nat.path("method").asText()).isEqualTo("Masq");
        assertThat(nat.path("exact").asBoolean()).as("wlc decides from the counts").isTrue();
        assertThat(nat.path("rewrite").toString()).contains("IPv4 destination " + Testbed.VIP);
        assertThat(kernel.path("verdict").asText()).isEqualTo("KERNEL");
        assertThat(bed.ipvsadm("-Lcn").output().split("\n").length).as("no connection made").isEqualTo(before);

        Testbed.Result text = bed.jlvs("explain", "-s", Testbed.CLIENT_IP + ":45999", "-d", DR);
        System.out.println("[DoctorSystemTest] jlvs explain:\n" + text.output());
        assertThat(text.output()).contains("verdict: FORWARD to").contains("why:").contains("rewrite:");
    }

    private JsonNode explain(String... args) throws IOException {
        List<String> argv = new ArrayList<>(List.of("explain", "--json"));
        argv.addAll(List.of(args));
        Testbed.Result r = bed.jlvs(argv.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.output()).isZero();
        return JSON.readTree(r.output().substring(r.output().indexOf('{')));
    }
}
