package io.jlvs.bgp;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BirdSupervisorTest {
    /** The backoffs the supervisor asked to wait, without waiting (time is passed in, not slept). */
    private final java.util.concurrent.BlockingQueue<Long> backoffsMs = new java.util.concurrent.LinkedBlockingQueue<>();

    @Test
    void shouldRestartTheDaemonWithDoublingBackoffWhenItEnds() throws Exception {
        // a daemon that dies at once: started again after 1 s, then after 2 s more, then 4 s
        try (BirdSupervisor s = new BirdSupervisor(List.of("/bin/sh", "-c", "exit 3"), backoffsMs::add)) {
            s.start();

            assertThat(s.awaitStarts(3, 10_000)).isTrue();
            assertThat(List.of(backoffsMs.take(), backoffsMs.take())).containsExactly(1000L, 2000L);
        }
    }

    @Test
    void shouldStopTheDaemonWhenClosed() throws Exception {
        BirdSupervisor s = new BirdSupervisor(List.of("/bin/sleep", "60"), backoffsMs::add);
        s.start();
        assertThat(s.awaitStarts(1, 10_000)).isTrue();
        assertThat(s.running()).isTrue();

        s.close();

        assertThat(s.awaitStopped(10_000)).isTrue();
        assertThat(s.running()).isFalse();
        assertThat(s.starts()).isEqualTo(1);
        assertThat(backoffsMs).isEmpty();
    }

    @Test
    void shouldStartBirdUnderPdeathsigWhenSetprivExists() {
        BirdSupervisor s = new BirdSupervisor(java.nio.file.Path.of("/run/jlvs/bird-1.conf"),
                java.nio.file.Path.of("/run/jlvs/bird-1.ctl"));

        if (java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/bin/setpriv"))) {
            assertThat(s.command()).startsWith("/usr/bin/setpriv", "--pdeathsig", "KILL", "--");
        }
        assertThat(s.command()).endsWith("-f", "-c", "/run/jlvs/bird-1.conf", "-s", "/run/jlvs/bird-1.ctl");
    }
}
