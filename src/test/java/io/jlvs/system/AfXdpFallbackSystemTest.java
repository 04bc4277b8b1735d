package io.jlvs.system;

import io.jlvs.app.Testbed;
import io.jlvs.io.xdp.XdpProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code jlvs director --transport af_xdp} on an interface whose driver has no native XDP (a bridge):
 * with {@code --xdp-mode drv} the director falls back to AF_PACKET and says why (the kernel's own text)
 * in its log, {@code jlvs status} and {@code jlvs doctor}; with {@code --xdp-mode auto} it runs AF_XDP in
 * generic (SKB) mode instead; with {@code --workers 2} on its single receive queue it falls back to AF_PACKET
 * and says the interface has too few queues.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AfXdpFallbackSystemTest {
    private final String ns = Testbed.randomPrefix() + "xf";
    private final Path log = Path.of("/tmp", ns + "-director.log");

    @BeforeAll
    void build() throws Exception {
        SystemTestSupport.requireEnvironment();
        assumeTrue(XdpProbe.isAvailable(), "AF_XDP " + XdpProbe.describe());
        sh("ip", "netns", "add", ns);
        sh("ip", "-n", ns, "link", "set", "lo", "up");
        sh("ip", "-n", ns, "link", "add", "br0", "type", "bridge");
        sh("ip", "-n", ns, "addr", "add", "198.18.6.1/24", "dev", "br0");
        sh("ip", "-n", ns, "link", "set", "br0", "up");
    }

    @AfterAll
    void tearDown() throws Exception {
        if (Files.exists(Path.of("/run/netns", ns))) {
            for (String pid : run("ip", "netns", "pids", ns).split("\\s+")) {
                if (!pid.isBlank()) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            run("ip", "netns", "del", ns);
        }
        Files.deleteIfExists(log);
    }

    @Test
    void shouldFallBackToAfPacketAndSayWhyWhenDriverModeIsRefused() throws Exception {
        Process director = startDirector("--xdp-mode", "drv");
        try {
            String status = awaitStatus(director);
            assertThat(status).contains("\"transport\" : \"af_packet")
                    .contains("\"af_xdp_fallback\"").contains("driver mode on br0");
            String doctor = run("ip", "netns", "exec", ns, jlvs(), "doctor");
            assertThat(doctor).containsPattern("WARN\\s+transport").contains("asked for");
            assertThat(Files.readString(log)).contains("transport: af_packet (af_xdp asked for;");
        } finally {
            stop(director);
        }
    }

    @Test
    void shouldRunInGenericModeWhenDriverModeIsRefusedAndModeIsAuto() throws Exception {
        Process director = startDirector("--xdp-mode", "auto");
        try {
            String status = awaitStatus(director);
            assertThat(status).contains("\"transport\" : \"af_xdp").contains("\"xdp_mode\" : \"skb\"")
                    .doesNotContain("af_xdp_fallback");
            assertThat(run("ip", "-d", "-n", ns, "link", "show", "br0")).contains("xdpgeneric");
        } finally {
            stop(director);
        }
        assertThat(run("ip", "-d", "-n", ns, "link", "show", "br0")).doesNotContain("xdpgeneric");
    }

    @Test
    void shouldFallBackToAfPacketWhenInterfaceHasFewerQueuesThanWorkers() throws Exception {
        Process director = startDirector("--xdp-mode", "auto", "--workers", "2");
        try {
            String status = awaitStatus(director);
            assertThat(status).contains("\"transport\" : \"af_packet")
                    .contains("AF_XDP with 2 workers needs 2 receive queues on every served interface, and br0 has 1");
            assertThat(run("ip", "-d", "-n", ns, "link", "show", "br0")).as("nothing left attached")
                    .doesNotContain("xdpgeneric");
        } finally {
            stop(director);
        }
    }

    private Process startDirector(String... extra) throws IOException {
        List<String> argv = new java.util.ArrayList<>(List.of("ip", "netns", "exec", ns, jlvs(), "director",
                "-i", "br0", "--transport", "af_xdp"));
        argv.addAll(List.of(extra));
        return new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private String awaitStatus(Process director) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String last = "";
        while (System.nanoTime() < deadline && director.isAlive()) {
            last = run("ip", "netns", "exec", ns, jlvs(), "status");
            if (last.contains("\"transport\"")) {
                return last;
            }
            Thread.sleep(300);
        }
        throw new IOException("director did not answer: " + last + "\nlog:\n" + Files.readString(log));
    }

    private void stop(Process director) throws Exception {
        director.destroy();
        if (!director.waitFor(20, TimeUnit.SECONDS)) {
            director.destroyForcibly();
        }
        // the control socket may linger a moment; wait until no process is left in the namespace
        for (int i = 0; i < 50 && !run("ip", "netns", "pids", ns).isBlank(); i++) {
            Thread.sleep(100);
        }
    }

    private static String jlvs() {
        return Testbed.jlvsHome().resolve("bin/jlvs").toString();
    }

    private static void sh(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }
}
