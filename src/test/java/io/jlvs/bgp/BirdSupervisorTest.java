package io.jlvs.bgp;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BirdSupervisorTest {
    static void awaitTrue(java.util.function.BooleanSupplier condition, long timeoutMs) throws InterruptedException {
        long end = System.nanoTime() + timeoutMs * 1_000_000L;
        while (!condition.getAsBoolean() && System.nanoTime() < end) {
            Thread.sleep(20);
        }
    }

    @Test
    void shouldRestartTheDaemonWhenItEnds() throws Exception {
        // a daemon that dies at once: started again after 1 s, then after 2 s more
        try (BirdSupervisor s = new BirdSupervisor(List.of("/bin/sh", "-c", "exit 3"))) {
            s.start();
            awaitTrue(() -> s.starts() >= 2, 5000);

            assertThat(s.starts()).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void shouldStopTheDaemonWhenClosed() throws Exception {
        BirdSupervisor s = new BirdSupervisor(List.of("/bin/sleep", "60"));
        s.start();
        awaitTrue(s::running, 5000);
        assertThat(s.running()).isTrue();

        s.close();

        assertThat(s.running()).isFalse();
        Thread.sleep(1500);
        assertThat(s.starts()).isEqualTo(1);
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
