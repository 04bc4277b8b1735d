package io.jlvs.system;

import io.jlvs.app.Testbed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code jlvs realserver}: start, stop and status in a bare network namespace, checked with {@code ip} and
 * {@code sysctl}; then real servers prepared by it (instead of the {@link Testbed}'s own setup) serving curl
 * through a DR director, and stopped again.
 *
 * <p>LVS-TUN: this checks {@code --mode tun} only as far as the kernel allows: with the {@code ipip} module (tunl0
 * exists) start brings tunl0 up with the VIP, loose rp_filter and the ARP settings, and stop undoes it; without it
 * start must fail, name the module and change nothing. An end-to-end TUN curl needs both the module and the data
 * plane's IPIP encapsulation, which jlvs does not carry yet.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealserverSystemTest {
    private static final String VIP = Testbed.VIP;
    private static final Pattern SERVER = Pattern.compile("<h1>(rs\\d)</h1>");

    private String ns;

    @BeforeAll
    void createNamespace() throws IOException {
        SystemTestSupport.requireEnvironment();
        ns = Testbed.randomPrefix() + "rs";
        Testbed.Result r = run("ip", "netns", "add", ns);
        assertThat(r.exitCode()).as(r.output()).isZero();
        run("ip", "-n", ns, "link", "set", "lo", "up");
    }

    @AfterAll
    void deleteNamespace() {
        if (ns != null) {
            realserver(ns, "stop", "--vip", VIP);
            run("ip", "netns", "del", ns);
        }
    }

    private static String jlvs() {
        return Testbed.jlvsHome().resolve("bin/jlvs").toString();
    }

    /** Runs a command and waits (30 s at most), output and error together. */
    private static Testbed.Result run(String... argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Testbed.Result(Testbed.TIMED_OUT, out);
            }
            return new Testbed.Result(p.exitValue(), out);
        } catch (IOException e) {
            return new Testbed.Result(127, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Testbed.Result(Testbed.TIMED_OUT, "interrupted");
        }
    }

    private static Testbed.Result realserver(String namespace, String... args) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", namespace, jlvs(), "realserver"));
        argv.addAll(List.of(args));
        return run(argv.toArray(String[]::new));
    }

    private static String sysctl(String namespace, String key) {
        return run("ip", "netns", "exec", namespace, "sysctl", "-n", key).output().strip();
    }

    private static String loAddresses(String namespace) {
        return run("ip", "-n", namespace, "-o", "addr", "show", "dev", "lo").output();
    }

    @Test
    void shouldSetUpAndRestoreDirectRoutingWhenStartedAndStoppedInANamespace() {
        Testbed.Result start = realserver(ns, "start", "--vip", VIP);
        assertThat(start.exitCode()).as(start.output()).isZero();
        assertThat(loAddresses(ns)).contains("inet " + VIP + "/32").contains("lo:jlvs");
        for (String dev : List.of("all", "lo")) {
            assertThat(sysctl(ns, "net.ipv4.conf." + dev + ".arp_ignore")).isEqualTo("1");
            assertThat(sysctl(ns, "net.ipv4.conf." + dev + ".arp_announce")).isEqualTo("2");
        }
        assertThat(run("ip", "-n", ns, "route", "get", VIP).output()).as("the host route").startsWith("local " + VIP);

        Testbed.Result again = realserver(ns, "start", "--vip", VIP);
        assertThat(again.exitCode()).as(again.output()).isZero();
        assertThat(again.output()).contains("was there already").doesNotContain("->");
        assertThat(realserver(ns, "status", "--vip", VIP).exitCode()).isZero();

        Testbed.Result stop = realserver(ns, "stop", "--vip", VIP);
        assertThat(stop.exitCode()).as(stop.output()).isZero();
        assertThat(loAddresses(ns)).doesNotContain(VIP);
        for (String dev : List.of("all", "lo")) {
            assertThat(sysctl(ns, "net.ipv4.conf." + dev + ".arp_ignore")).isEqualTo("0");
            assertThat(sysctl(ns, "net.ipv4.conf." + dev + ".arp_announce")).isEqualTo("0");
        }
        Testbed.Result status = realserver(ns, "status", "--vip", VIP);
        assertThat(status.exitCode()).isEqualTo(1);
        assertThat(status.output()).contains("PROBLEM: VIP " + VIP + " is not on lo");
        assertThat(realserver(ns, "stop", "--vip", VIP).exitCode()).as("stop is idempotent").isZero();
    }

    @Test
    void shouldPrepareTunl0OrNameTheMissingModuleWhenStartingTunnelMode() {
        boolean ipip = run("ip", "-n", ns, "link", "show", "tunl0").exitCode() == 0;

        Testbed.Result start = realserver(ns, "start", "--vip", VIP, "--mode", "tun");

        if (!ipip) {
            assertThat(start.exitCode()).isEqualTo(1);
            assertThat(start.output()).contains("tunl0 does not exist").contains("ipip");
            assertThat(sysctl(ns, "net.ipv4.conf.all.arp_ignore")).as("nothing changed").isEqualTo("0");
            System.out.println("[RealserverSystemTest] this kernel has no ipip module: TUN start fails cleanly");
            return;
        }
        try {
            assertThat(start.exitCode()).as(start.output()).isZero();
            assertThat(run("ip", "-n", ns, "-o", "addr", "show", "dev", "tunl0").output()).contains("inet " + VIP + "/32");
            assertThat(run("ip", "-n", ns, "link", "show", "tunl0").output()).contains(",UP");
            assertThat(sysctl(ns, "net.ipv4.conf.tunl0.rp_filter")).isEqualTo("2");
        } finally {
            realserver(ns, "stop", "--vip", VIP);
        }
        assertThat(run("ip", "-n", ns, "-o", "addr", "show", "dev", "tunl0").output()).doesNotContain(VIP);
    }

    @Test
    void shouldServeCurlThroughDirectRoutingWhenRealServersArePreparedByRealserverStart() throws IOException {
        try (Testbed bed = Testbed.create()) {
            for (String rs : List.of(bed.rs1(), bed.rs2())) {
                // undo the test bed's own real-server setup: jlvs realserver is to do it
                bed.exec(rs, "ip", "addr", "del", VIP + "/32", "dev", "lo");
                bed.exec(rs, "sysctl", "-qw", "net.ipv4.conf.all.arp_ignore=0", "net.ipv4.conf.all.arp_announce=0",
                        "net.ipv4.conf.eth0.arp_ignore=0", "net.ipv4.conf.eth0.arp_announce=0");
                Testbed.Result r = realserver(rs, "start", "--vip", VIP);
                assertThat(r.exitCode()).as(r.output()).isZero();
            }
            Process director = bed.startDirector();
            bed.awaitDirector(director, Duration.ofSeconds(60));
            String service = VIP + ":80";
            for (String[] args : List.of(new String[] {"-A", "-t", service, "-s", "rr"},
                    new String[] {"-a", "-t", service, "-r", Testbed.RS1_IP, "-g"},
                    new String[] {"-a", "-t", service, "-r", Testbed.RS2_IP, "-g"})) {
                Testbed.Result r = bed.ipvsadm(args);
                assertThat(r.exitCode()).as(r.output()).isZero();
            }
            List<String> answers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Testbed.Result r = bed.curl("http://" + VIP + "/");
                assertThat(r.exitCode()).as(r.output()).isZero();
                Matcher m = SERVER.matcher(r.output());
                assertThat(m.find()).as(r.output()).isTrue();
                answers.add(m.group(1));
            }
            System.out.println("[RealserverSystemTest] DR curl answers: " + answers);
            assertThat(answers).contains("rs1", "rs2");

            Testbed.Result stop = realserver(bed.rs2(), "stop", "--vip", VIP);
            assertThat(stop.exitCode()).as(stop.output()).isZero();
            assertThat(sysctl(bed.rs2(), "net.ipv4.conf.all.arp_ignore")).isEqualTo("0");
            int failed = 0;
            for (int i = 0; i < 2; i++) {
                Testbed.Result r = bed.curl("http://" + VIP + "/", "--max-time", "2");
                if (!r.ok()) {
                    failed++;
                } else {
                    assertThat(r.output()).contains("<h1>rs1</h1>");
                }
            }
            assertThat(failed).as("rs2 without the VIP no longer takes its turn").isEqualTo(1);
            realserver(bed.rs1(), "stop", "--vip", VIP);
        }
    }
}
