package io.jlvs.keepalived.check;

import io.jlvs.keepalived.config.CheckerConfig;
import io.jlvs.keepalived.config.Script;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** MISC_CHECK running real scripts: exit statuses, misc_dynamic, timeouts. */
class MiscCheckerTest {
    private static MiscChecker misc(String shell, boolean dynamic, long timeoutMs) {
        return new MiscChecker(new CheckerConfig.Misc(Conn.TIMING, new Script(List.of("/bin/sh", "-c", shell), null, null),
                timeoutMs * 1000, dynamic), 6_000_000, ProcessRunner.SYSTEM);
    }

    @Test
    void shouldPassOnExitZeroAndFailOnAnyOtherStatusWithoutMiscDynamic() throws Exception {
        assertThat(misc("exit 0", false, 5000).check(0)).isEqualTo(new HealthChecker.Result(true,
                "Misc check by [/bin/sh] succeeded (exited with status 0)", 0));
        HealthChecker.Result r = misc("exit 3", false, 5000).check(0);
        assertThat(r.success()).isFalse();
        assertThat(r.exitStatus()).isEqualTo(3);
    }

    @Test
    void shouldTreatTwoTo255AsSuccessWhenMiscDynamic() throws Exception {
        assertThat(misc("exit 12", true, 5000).check(0).success()).isTrue();
        assertThat(misc("exit 12", true, 5000).check(0).exitStatus()).isEqualTo(12);
        assertThat(misc("exit 1", true, 5000).check(0).success()).isFalse();
    }

    @Test
    void shouldKillTheScriptAndFailWhenItOutlivesMiscTimeout() throws Exception {
        long t0 = System.nanoTime();
        HealthChecker.Result r = misc("sleep 30", false, 300).check(0);
        assertThat(r.success()).isFalse();
        assertThat(r.exitStatus()).isEqualTo(-1);
        assertThat((System.nanoTime() - t0) / 1_000_000L).isLessThan(5000);
    }

    @Test
    void shouldUseTheVirtualServersDelayLoopAsTimeoutWhenMiscTimeoutIsZero() throws Exception {
        MiscChecker c = new MiscChecker(new CheckerConfig.Misc(Conn.TIMING, new Script(List.of("/bin/sh", "-c", "sleep 30"),
                null, null), 0, false), 200_000, ProcessRunner.SYSTEM);
        assertThat(c.check(0).exitStatus()).isEqualTo(-1);
    }
}
