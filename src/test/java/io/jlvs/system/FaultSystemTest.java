package io.jlvs.system;

import io.jlvs.app.Testbed;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Faults on one NAT bed, in order: a real server that black-holes (nft drops everything in its namespace), one
 * that resets (nft answers port 80 with a TCP reset), an interface of the director going down and up, the
 * director killed with SIGKILL and started again (stale kernel guard removed and logged, rules restored from the
 * state file), and a state file on a full disk (a one-page tmpfs in the director's own mount namespace).
 * As with kernel IPVS (no health checks in the director), a connection scheduled to a dead server fails and its
 * entry stays until its timeout; the other server keeps serving; weight 0 (what keepalived does) takes the dead
 * one out.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultSystemTest {
    static final String SERVICE = Testbed.VIP + ":80";
    static final String URL = "http://" + Testbed.VIP + "/";

    Testbed bed;
    Process director;

    @BeforeAll
    void start() throws IOException {
        SystemTestSupport.requireEnvironment();
        bed = Testbed.create();
        director = bed.startDirector();
        bed.awaitDirector(director, Duration.ofSeconds(60));
        ipvsadmOk("-A", "-t", SERVICE, "-s", "rr");
        ipvsadmOk("-a", "-t", SERVICE, "-r", Testbed.RS1_IP, "-m");
        ipvsadmOk("-a", "-t", SERVICE, "-r", Testbed.RS2_IP, "-m");
    }

    @AfterAll
    void tearDown() {
        if (bed != null) {
            bed.close();
        }
    }

    @Test
    @Order(1)
    void shouldServeThroughOtherServerAndKeepHalfOpenEntryWhenOneBlackHoles() {
        nftOk(bed.rs1(), "add table inet bh");
        nftOk(bed.rs1(), "add chain inet bh in { type filter hook input priority 0; policy drop; }");
        nftOk(bed.rs1(), "add chain inet bh out { type filter hook output priority 0; policy drop; }");

        List<String> answers = curls(6, "2");

        System.out.println("[FaultSystemTest] rs1 black-holed: " + answers);
        assertThat(answers).filteredOn("rs2"::equals).hasSize(3);
        assertThat(answers).filteredOn("timeout"::equals).hasSize(3);
        String conns = bed.ipvsadm("-Lnc").output();
        assertThat(conns).as(conns).containsPattern("SYN_RECV .*" + Testbed.RS1_IP.replace(".", "\\.") + ":80");

        ipvsadmOk("-e", "-t", SERVICE, "-r", Testbed.RS1_IP, "-m", "-w", "0");
        assertThat(curls(4, "3")).as("weight 0 takes the dead server out").containsOnly("rs2");
        nftOk(bed.rs1(), "delete table inet bh");
        ipvsadmOk("-e", "-t", SERVICE, "-r", Testbed.RS1_IP, "-m", "-w", "1");
    }

    @Test
    @Order(2)
    void shouldServeThroughOtherServerAndCloseEntryWhenOneResets() {
        nftOk(bed.rs2(), "add table inet rst");
        nftOk(bed.rs2(), "add chain inet rst in { type filter hook input priority 0; }");
        nftOk(bed.rs2(), "add rule inet rst in tcp dport 80 reject with tcp reset");

        List<String> answers = curls(6, "3");

        System.out.println("[FaultSystemTest] rs2 resets: " + answers);
        assertThat(answers).filteredOn("rs1"::equals).hasSize(3);
        assertThat(answers).filteredOn("reset"::equals).hasSize(3);
        String conns = bed.ipvsadm("-Lnc").output();
        assertThat(conns).as(conns).containsPattern("CLOSE +.*" + Testbed.RS2_IP.replace(".", "\\.") + ":80");
        nftOk(bed.rs2(), "delete table inet rst");
    }

    @Test
    @Order(3)
    void shouldResumeForwardingWhenServerSideInterfaceGoesDownAndUp() throws Exception {
        execOk(bed.lb(), "ip", "link", "set", "eth1", "down");
        Thread.sleep(1000);
        execOk(bed.lb(), "ip", "link", "set", "eth1", "up");
        List<String> answers = new ArrayList<>();
        long deadlineNs = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadlineNs && answers.size() < 4) {
            String a = curls(1, "2").getFirst();
            if (a.startsWith("rs")) {
                answers.add(a);
            }
        }
        System.out.println("[FaultSystemTest] after eth1 down/up: " + answers);
        assertThat(director.isAlive()).as(() -> bed.logTail(director, 30)).isTrue();
        assertThat(answers).as(() -> bed.logTail(director, 30)).containsExactlyInAnyOrder("rs1", "rs2", "rs1", "rs2");
    }

    @Test
    @Order(4)
    void shouldRemoveStaleGuardAndRestoreRulesWhenRestartedAfterKill9() throws Exception {
        director.destroyForcibly(); // SIGKILL: no shutdown hook runs
        assertThat(director.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(bed.exec(bed.lb(), "nft", "list", "table", "netdev", "jlvs").ok())
                .as("the killed director left its guard").isTrue();

        director = bed.startDirector();
        bed.awaitDirector(director, Duration.ofSeconds(60));

        String log = bed.logTail(director, 40);
        System.out.println("[FaultSystemTest] restart after kill -9:\n" + log);
        assertThat(log).contains("removed a stale kernel guard").contains("restored 1 service(s) from state file");
        assertThat(bed.ipvsadm("-Ln").output()).contains(Testbed.RS1_IP + ":80").contains(Testbed.RS2_IP + ":80");
        assertThat(curls(2, "3")).containsExactlyInAnyOrder("rs1", "rs2");
    }

    @Test
    @Order(5)
    void shouldLogDiskFullAndKeepLastCompleteStateFileWhenStateDiskIsFull() throws Exception {
        bed.stop(director);
        Path dir = bed.runDir().resolve("tiny");
        Files.createDirectories(dir);
        // a one-page tmpfs seen only by this director (ip netns exec gives it its own mount namespace)
        String launcher = Testbed.jlvsHome().resolve("bin/jlvs").toString();
        director = bed.startInBackground(bed.lb(), "sh", "-c", "mount -t tmpfs -o size=4k tmpfs " + dir
                + " && exec " + launcher + " director --state-file " + dir + "/rules");
        bed.awaitDirector(director, Duration.ofSeconds(60));
        ipvsadmOk("-A", "-t", SERVICE, "-s", "rr");
        String mnt = "--mount=/proc/" + director.pid() + "/ns/mnt";
        String saved = bed.exec(bed.lb(), "nsenter", mnt, "cat", dir + "/rules").output();
        assertThat(saved).contains("-A -t " + SERVICE + " -s rr");
        bed.exec(bed.lb(), "nsenter", mnt, "dd", "if=/dev/zero", "of=" + dir + "/filler", "bs=1k", "count=64");

        ipvsadmOk("-a", "-t", SERVICE, "-r", Testbed.RS1_IP, "-m");

        Thread.sleep(300);
        String log = bed.logTail(director, 20);
        System.out.println("[FaultSystemTest] state file on a full disk:\n" + log);
        assertThat(log).contains("state file " + dir + "/rules not written").contains("disk full");
        assertThat(bed.exec(bed.lb(), "nsenter", mnt, "cat", dir + "/rules").output()).isEqualTo(saved);
        assertThat(bed.exec(bed.lb(), "nsenter", mnt, "ls", "-A", dir.toString()).output().strip().split("\\s+"))
                .containsExactlyInAnyOrder("filler", "rules");
        assertThat(bed.ipvsadm("-Ln").output()).as("the running table changed all the same")
                .contains(Testbed.RS1_IP + ":80");
    }

    /** {@code n} curls, each "rs1", "rs2", "timeout", "reset" or curl's message. */
    private List<String> curls(int n, String maxTimeS) {
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Testbed.Result r = bed.exec(Duration.ofSeconds(20), bed.cl(), "curl", "-sS", "--noproxy", "*",
                    "--max-time", maxTimeS, URL);
            String o = r.output();
            answers.add(o.contains("<h1>rs1</h1>") ? "rs1" : o.contains("<h1>rs2</h1>") ? "rs2"
                    : r.exitCode() == 28 ? "timeout" : o.contains("reset") || r.exitCode() == 7 || r.exitCode() == 56
                    ? "reset" : o.strip());
        }
        return answers;
    }

    private void nftOk(String ns, String command) {
        execOk(ns, "nft", command);
    }

    private void execOk(String ns, String... cmd) {
        Testbed.Result r = bed.exec(ns, cmd);
        assertThat(r.exitCode()).as(() -> String.join(" ", cmd) + ": " + r.output()).isZero();
    }

    private void ipvsadmOk(String... args) {
        Testbed.Result r = bed.ipvsadm(args);
        assertThat(r.exitCode()).as(() -> "ipvsadm " + String.join(" ", args) + ": " + r.output()).isZero();
    }
}
