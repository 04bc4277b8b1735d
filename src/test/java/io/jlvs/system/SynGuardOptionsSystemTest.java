package io.jlvs.system;

import io.jlvs.app.Testbed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SYN flood guard's options through a running director: {@code --conn-table-size 4096 --syn-half-open-max 64
 * --syn-pressure-threshold 16 --syn-pressure-timeout-ms 1000 --syn-proxy off}, a NAT service (with the proxy off
 * every NAT SYN takes a half-open entry), and a short spoofed SYN burst ({@link SynFlood}). The guard must act on
 * exactly these numbers; an out-of-range value must stop {@code jlvs director} before it opens anything.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SynGuardOptionsSystemTest {
    static final String SERVICE = Testbed.VIP + ":80";
    static final String URL = "http://" + Testbed.VIP + "/";

    Testbed bed;
    Process director;

    @BeforeAll
    void start() throws IOException {
        SystemTestSupport.requireEnvironment();
        bed = Testbed.create();
        director = bed.startDirector("--conn-table-size", "4096", "--syn-half-open-max", "64",
                "--syn-pressure-threshold", "16", "--syn-pressure-timeout-ms", "1000", "--syn-proxy", "off");
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
    void shouldCapHalfOpenAtTheOptionsAndExpireUnderPressureAfterTheirTimeout() throws Exception {
        String status = bed.jlvs("status").output();
        assertThat(SynProxyChecks.number(status, "half_open_max")).as(status).isEqualTo(64);
        assertThat(SynProxyChecks.number(status, "pressure_threshold")).isEqualTo(16);
        assertThat(SynProxyChecks.number(status, "pressure_timeout_ms")).isEqualTo(1000);
        assertThat(status).containsPattern("\"syn_proxy\"\\s*:\\s*\"off\"");

        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = SynFloodSystemTest.codeSource(SynFlood.class) + ":"
                + SynFloodSystemTest.codeSource(io.jlvs.io.linux.Libc.class);
        Process flood = bed.startInBackground(bed.cl(), java, "--enable-native-access=ALL-UNNAMED",
                "-XX:+UseSerialGC", "-cp", cp, SynFlood.class.getName(), "eth0", SynFloodSystemTest.LB_CLIENT_MAC,
                Testbed.VIP, "80", "3", "500");
        long maxHalfOpen = 0;
        for (long end = System.nanoTime() + 2_500_000_000L; System.nanoTime() < end; ) {
            maxHalfOpen = Math.max(maxHalfOpen, SynProxyChecks.number(bed.jlvs("status").output(), "half_open"));
            Thread.sleep(200);
        }
        assertThat(flood.waitFor(30, TimeUnit.SECONDS)).as("flood ended").isTrue();
        String during = bed.jlvs("status").output();
        long refused = SynProxyChecks.number(during, "syn_half_open_limit");
        System.out.printf("[SynGuardOptionsSystemTest] 500 SYN/s for 3 s: half_open at most %d (cap 64), "
                + "syn_half_open_limit %d%n", maxHalfOpen, refused);
        assertThat(maxHalfOpen).as("the cap is the option's").isBetween(1L, 64L);
        assertThat(refused).as("SYNs beyond the cap were refused").isPositive();

        // entries made under pressure live --syn-pressure-timeout-ms; the 16 made before it keep SYN_RECV's 60 s
        long halfOpen = Long.MAX_VALUE;
        for (long end = System.nanoTime() + 4_000_000_000L; halfOpen > 16 && System.nanoTime() < end; ) {
            Thread.sleep(250);
            halfOpen = SynProxyChecks.number(bed.jlvs("status").output(), "half_open");
        }
        assertThat(halfOpen).as("half-open entries 4 s after the flood").isLessThanOrEqualTo(16);
        Testbed.Result curl = bed.curl(URL);
        assertThat(curl.exitCode()).as(curl.output()).isZero();
    }

    @Test
    void shouldRefuseThresholdAboveCapWithExitTwoAndTheRange() {
        Testbed.Result r = bed.jlvs("director", "--no-state-file", "--syn-half-open-max", "64",
                "--syn-pressure-threshold", "65");

        assertThat(r.exitCode()).as(r.output()).isEqualTo(2);
        assertThat(r.output()).contains("--syn-pressure-threshold must be 1 to the half-open cap "
                + "(--syn-half-open-max 64), not 65");
        assertThat(bed.jlvs("status").output()).as("the running director is untouched")
                .containsPattern("\"half_open_max\"\\s*:\\s*64");
    }
}
