package io.jlvs.keepalived;

import io.jlvs.control.DestInfo;
import io.jlvs.control.Ipvs;
import io.jlvs.control.IpvsException;
import io.jlvs.control.ServiceInfo;
import io.jlvs.keepalived.check.HealthChecker;
import io.jlvs.keepalived.check.ProcessRunner;
import io.jlvs.keepalived.config.Accounts;
import io.jlvs.keepalived.config.ConfigLoader;
import io.jlvs.keepalived.config.KeepalivedConfig;
import io.jlvs.keepalived.config.Script;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The table follows health as keepalived drives IPVS: the engine against the in-process director
 * ({@link Ipvs}), scripted checkers and a manual clock, so every retry and delay is exact and nothing sleeps.
 */
class CheckEngineTest {
    @TempDir
    Path dir;

    private final Ipvs ipvs = new Ipvs();
    private final ManualScheduler clock = new ManualScheduler();
    private final Health health = new Health();
    private final List<List<String>> scripts = Collections.synchronizedList(new ArrayList<>());
    private final ProcessRunner recorder = new ProcessRunner() {
        @Override
        public int run(Script script, long timeoutUs) {
            scripts.add(script.argv());
            return 0;
        }

        @Override
        public void start(Script script) {
            scripts.add(script.argv());
        }
    };

    private static final Accounts ROOT = new Accounts() {
        @Override
        public int[] user(String name) {
            return name.equals("root") ? new int[] {0, 0} : null;
        }

        @Override
        public OptionalInt group(String name) {
            return OptionalInt.empty();
        }
    };

    private KeepalivedConfig config(String text) throws Exception {
        Files.writeString(dir.resolve("k.conf"), text);
        ConfigLoader.Result r = ConfigLoader.load(new ConfigLoader.Options("k.conf", dir, false, "vm", ROOT, 0,
                n -> true, n -> n.equals("lo")));
        assertThat(r.usableForStart()).as(() -> r.diagnostics().toString()).isTrue();
        return r.config();
    }

    private CheckEngine engine(java.util.concurrent.Executor probes) {
        return new CheckEngine(ipvs, clock, probes, recorder, new Notifier(recorder, Log.NONE), Log.NONE, new Random(7),
                health);
    }

    private CheckEngine engine() {
        return engine(Runnable::run);
    }

    /** address:port → weight of every destination of the only service. */
    private Map<String, Integer> table() throws IpvsException {
        Map<String, Integer> out = new LinkedHashMap<>();
        List<ServiceInfo> s = ipvs.services();
        if (s.isEmpty()) {
            return out;
        }
        for (DestInfo d : s.getFirst().dests()) {
            out.put(d.config().address().getHostAddress() + ":" + d.config().port(), d.config().weight());
        }
        return out;
    }

    private static String dr(String vsExtra, String rs2Extra) {
        return "virtual_server 198.18.0.100 80 {\n    delay_loop 2\n    lb_algo rr\n    lb_kind DR\n    protocol TCP\n"
                + vsExtra + "\n    real_server 198.19.0.11 80 {\n        weight 3\n        TCP_CHECK {\n"
                + "            connect_timeout 1\n            retry 2\n            delay_before_retry 1\n        }\n    }\n"
                + "    real_server 198.19.0.12 80 {\n        weight 3\n" + rs2Extra + "\n        TCP_CHECK {\n"
                + "            connect_timeout 1\n            retry 2\n            delay_before_retry 1\n        }\n    }\n}\n";
    }

    @Test
    void shouldAddServiceAndEveryServerBeforeAnyCheckRunsWhenStarting() throws Exception {
        engine().start(config(dr("", "")));
        assertThat(ipvs.services()).hasSize(1);
        assertThat(ipvs.services().getFirst().config().scheduler()).isEqualTo("rr");
        assertThat(table()).containsOnly(Map.entry("198.19.0.11:80", 3), Map.entry("198.19.0.12:80", 3));
        assertThat(health.attempts).isEmpty();
    }

    @Test
    void shouldRemoveServerOnlyAfterRetryPlusOneFailedAttemptsWhenItWasUp() throws Exception {
        CheckEngine e = engine();
        e.start(config(dr("", "")));
        clock.advanceSeconds(1.9);
        assertThat(health.attemptsFor("198.19.0.12")).isEqualTo(1);
        health.set("198.19.0.12", false);
        clock.advanceSeconds(2);
        assertThat(health.attemptsFor("198.19.0.12")).isEqualTo(2);
        assertThat(table()).containsKey("198.19.0.12:80");
        clock.advanceSeconds(1);
        assertThat(health.attemptsFor("198.19.0.12")).isEqualTo(3);
        assertThat(table()).containsKey("198.19.0.12:80");
        clock.advanceSeconds(1);
        assertThat(health.attemptsFor("198.19.0.12")).isEqualTo(4);
        assertThat(table()).containsOnlyKeys("198.19.0.11:80");
        health.set("198.19.0.12", true);
        clock.advanceSeconds(2);
        assertThat(table()).containsOnly(Map.entry("198.19.0.11:80", 3), Map.entry("198.19.0.12:80", 3));
    }

    @Test
    void shouldTakeServerDownAtTheFirstFailureWhenItIsTheFirstResult() throws Exception {
        health.set("198.19.0.12", false);
        engine().start(config(dr("", "")));
        clock.advanceSeconds(3.5);
        assertThat(health.attemptsFor("198.19.0.12")).isEqualTo(1);
        assertThat(table()).containsOnlyKeys("198.19.0.11:80");
    }

    @Test
    void shouldSetWeightZeroInsteadOfRemovingWhenInhibitOnFailure() throws Exception {
        health.set("198.19.0.12", false);
        engine().start(config(dr("", "        inhibit_on_failure")));
        clock.advanceSeconds(3.5);
        assertThat(table()).containsOnly(Map.entry("198.19.0.11:80", 3), Map.entry("198.19.0.12:80", 0));
        health.set("198.19.0.12", true);
        clock.advanceSeconds(2);
        assertThat(table()).containsOnly(Map.entry("198.19.0.11:80", 3), Map.entry("198.19.0.12:80", 3));
    }

    @Test
    void shouldKeepAlphaServerOutUntilItsCheckPasses() throws Exception {
        health.set("198.19.0.12", false);
        engine().start(config(dr("    alpha", "")));
        assertThat(table()).isEmpty();
        clock.advanceSeconds(3.5);
        assertThat(table()).containsOnlyKeys("198.19.0.11:80");
        health.set("198.19.0.12", true);
        clock.advanceSeconds(2);
        assertThat(table()).containsOnlyKeys("198.19.0.11:80", "198.19.0.12:80");
    }

    @Test
    void shouldInstallSorryServerWhenQuorumIsLostAndRemoveItWhenRegained() throws Exception {
        engine().start(config(dr("    quorum 4\n    sorry_server 198.19.0.99 80", "")));
        assertThat(table()).containsOnlyKeys("198.19.0.11:80", "198.19.0.12:80");
        health.set("198.19.0.12", false);
        clock.advanceSeconds(6);
        assertThat(table()).containsOnly(Map.entry("198.19.0.99:80", 1));
        health.set("198.19.0.12", true);
        clock.advanceSeconds(3);
        assertThat(table()).containsOnly(Map.entry("198.19.0.11:80", 3), Map.entry("198.19.0.12:80", 3));
    }

    @Test
    void shouldRunNotifyAndQuorumScriptsWithExactlyTheirConfiguredArguments() throws Exception {
        String text = dr("    quorum 4\n    quorum_up \"/usr/bin/echo up\"\n    quorum_down \"/usr/bin/echo down\"",
                "        notify_down \"/usr/bin/echo rs2 'is down'\"");
        engine().start(config(text));
        assertThat(scripts).containsExactly(List.of("/usr/bin/echo", "up"));
        health.set("198.19.0.12", false);
        clock.advanceSeconds(6);
        assertThat(scripts).containsExactly(List.of("/usr/bin/echo", "up"), List.of("/usr/bin/echo", "rs2", "is down"),
                List.of("/usr/bin/echo", "down"));
    }

    @Test
    void shouldSetWeightFromMiscDynamicExitStatus() throws Exception {
        String text = "virtual_server 198.18.0.100 80 {\n    delay_loop 2\n    lb_algo wrr\n    lb_kind DR\n"
                + "    protocol TCP\n    real_server 198.19.0.11 80 {\n        weight 10\n        MISC_CHECK {\n"
                + "            misc_path \"/usr/bin/true rs1\"\n            misc_dynamic\n        }\n    }\n}\n";
        engine().start(config(text));
        health.exitStatus.put("rs1", 12);
        clock.advanceSeconds(3.5);
        assertThat(table()).containsOnly(Map.entry("198.19.0.11:80", 10));
        health.exitStatus.put("rs1", 255);
        clock.advanceSeconds(2);
        assertThat(table()).containsOnly(Map.entry("198.19.0.11:80", 253));
        health.exitStatus.put("rs1", 0);
        clock.advanceSeconds(2);
        assertThat(table()).containsOnly(Map.entry("198.19.0.11:80", 10));
        health.exitStatus.put("rs1", 1);
        clock.advanceSeconds(2);
        assertThat(table()).isEmpty();
    }

    @Test
    void shouldRemoveEverythingItInstalledWhenStopped() throws Exception {
        CheckEngine e = engine();
        e.start(config(dr("", "")));
        e.stop();
        assertThat(ipvs.services()).isEmpty();
        int before = health.attempts.size();
        clock.advanceSeconds(10);
        assertThat(health.attempts).hasSize(before);
    }

    @Test
    void shouldChangeOnlyTheChangedWeightWhenReloaded() throws Exception {
        CheckEngine e = engine();
        e.start(config(dr("", "")));
        clock.advanceSeconds(3);
        List<io.jlvs.control.ConfigSnapshot> snapshots = Collections.synchronizedList(new ArrayList<>());
        ipvs.subscribe(snapshots::add);
        snapshots.clear();
        e.reload(config(dr("", "").replaceFirst("weight 3", "weight 5")));
        assertThat(table()).containsOnly(Map.entry("198.19.0.11:80", 5), Map.entry("198.19.0.12:80", 3));
        assertThat(snapshots).hasSize(1);
    }

    @Test
    void shouldKeepDownServerDownAndItsCheckerStateWhenReloadedUnchanged() throws Exception {
        CheckEngine e = engine();
        health.set("198.19.0.12", false);
        e.start(config(dr("", "")));
        clock.advanceSeconds(3.5);
        assertThat(table()).containsOnlyKeys("198.19.0.11:80");
        e.reload(config(dr("", "")));
        assertThat(table()).containsOnlyKeys("198.19.0.11:80");
        assertThat(e.view().getFirst().servers().get(1).checkers().getFirst().up()).isFalse();
    }

    @Test
    void shouldAddNewAndRemoveDroppedServersWhenReloaded() throws Exception {
        CheckEngine e = engine();
        e.start(config(dr("", "")));
        String text = dr("", "").replace("198.19.0.12", "198.19.0.13");
        e.reload(config(text));
        assertThat(table()).containsOnlyKeys("198.19.0.11:80", "198.19.0.13:80");
        e.reload(config(text.replace("80 {\n    delay_loop", "8080 {\n    delay_loop")));
        assertThat(ipvs.services()).hasSize(1);
        assertThat(ipvs.services().getFirst().config().key().port()).isEqualTo(8080);
    }

    @Test
    void shouldNotLetASlowServerDelayTheOthersWhenChecksRunConcurrently() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch other = new CountDownLatch(1);
        CheckEngine.CheckerFactory slow = (c, vs) -> {
            String a = Health.address(c);
            return new HealthChecker() {
                @Override
                public String type() {
                    return c.type();
                }

                @Override
                public Result check(int step) throws InterruptedException {
                    if (a.equals("198.19.0.11")) {
                        release.await();
                        return Result.ok("late");
                    }
                    other.countDown();
                    return Result.failed("refused");
                }
            };
        };
        try (ExecutorService probes = Executors.newVirtualThreadPerTaskExecutor()) {
            CheckEngine e = new CheckEngine(ipvs, clock, probes, recorder, new Notifier(recorder, Log.NONE), Log.NONE,
                    new Random(7), slow);
            e.start(config(dr("", "")));
            clock.advanceSeconds(3.5);
            assertThat(other.await(5, TimeUnit.SECONDS)).isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (table().containsKey("198.19.0.12:80") && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(table()).containsOnlyKeys("198.19.0.11:80");
            release.countDown();
            e.stop();
        }
    }
}
