package io.jlvs.keepalived;

import io.jlvs.app.KeepalivedCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code jlvs keepalived --reload}: a SIGHUP to the pid in keepalived's pid file, nothing else. */
class KeepalivedCommandTest {
    @TempDir
    Path dir;

    @Test
    void shouldSendSighupToThePidInThePidFileWhenAskedToReload() throws Exception {
        Path mark = dir.resolve("hup");
        // a stand-in for a running keepalived: notes the SIGHUP and ends
        Process p = new ProcessBuilder("bash", "-c",
                "trap 'echo hup > " + mark + "; exit 0' HUP; echo ready; while :; do sleep 0.05; done").start();
        try {
            assertThat(new String(p.getInputStream().readNBytes(6))).isEqualTo("ready\n");
            Path pidFile = dir.resolve("keepalived.pid");
            Files.writeString(pidFile, p.pid() + "\n");
            int exit = new CommandLine(new KeepalivedCommand()).execute("--reload", "-p", pidFile.toString());
            assertThat(exit).isZero();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("the process ended on SIGHUP").isTrue();
            assertThat(Files.readString(mark)).isEqualTo("hup\n");
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void shouldFailWithoutSignallingWhenThePidFileHasNoPid() throws Exception {
        Path pidFile = dir.resolve("keepalived.pid");
        Files.writeString(pidFile, "not a pid\n");
        assertThat(new CommandLine(new KeepalivedCommand()).execute("--reload", "-p", pidFile.toString())).isEqualTo(1);
        assertThat(new CommandLine(new KeepalivedCommand()).execute("--reload", "-p", dir.resolve("none").toString()))
                .isEqualTo(1);
    }
}
