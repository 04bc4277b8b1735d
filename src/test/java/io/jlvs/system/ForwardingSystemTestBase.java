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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One forwarding method end to end, as the seeds configure it: a {@link Testbed}, {@code bin/jlvs director}
 * in its director namespace, {@code ipvsadm -A -t VIP:80 -s rr} with both real servers, then real clients
 * (curl, wrk) through the VIP, and a clean stop. The methods run in order on one bed; the last one stops
 * the director.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class ForwardingSystemTestBase {
    static final String SERVICE = Testbed.VIP + ":80";
    static final String URL = "http://" + Testbed.VIP + "/";
    private static final Pattern SERVER = Pattern.compile("<h1>(rs\\d)</h1>");
    private static final Pattern GUARD_TABLE = Pattern.compile("(?m)^table netdev jlvs$");
    private static final int REQUESTS = 6;

    Testbed bed;
    Process director;

    /** The ipvsadm forwarding option: {@code -g} or {@code -m}. */
    abstract String methodOption();

    /** The forwarding column of {@code ipvsadm -Ln}: {@code Route} or {@code Masq}. */
    abstract String methodListName();

    /** Extra {@code jlvs director} options (a transport, say). */
    String[] directorOptions() {
        return new String[0];
    }

    /** Whether consecutive connections alternate strictly (one round-robin cursor: one worker). */
    boolean roundRobinIsGlobal() {
        return true;
    }

    /** The bed (a multi-queue one, say). */
    Testbed createBed() throws IOException {
        return Testbed.create();
    }

    /** Runs on the fresh bed before the director starts. */
    void prepareBed() throws IOException {
    }

    @BeforeAll
    void startDirectorWithSeedService() throws IOException {
        SystemTestSupport.requireEnvironment();
        bed = createBed();
        prepareBed();
        director = bed.startDirector(directorOptions());
        bed.awaitDirector(director, Duration.ofSeconds(60));
        ipvsadmOk("-A", "-t", SERVICE, "-s", "rr");
        ipvsadmOk("-a", "-t", SERVICE, "-r", Testbed.RS1_IP, methodOption());
        ipvsadmOk("-a", "-t", SERVICE, "-r", Testbed.RS2_IP, methodOption());
    }

    @AfterAll
    void tearDownBed() {
        if (bed != null) {
            bed.close();
        }
    }

    @Test
    @Order(1)
    void shouldAlternateBetweenBothServersWhenCurlingTheVip() {
        List<String> answers = new ArrayList<>();
        for (int i = 1; i <= REQUESTS; i++) {
            Testbed.Result r = bed.curl(URL);
            int n = i;
            assertThat(r.exitCode()).as(() -> "curl #" + n + " " + URL + ": " + r.output() + diagnostics()).isZero();
            Matcher m = SERVER.matcher(r.output());
            assertThat(m.find()).as(() -> "curl #" + n + " answered no server page: " + r.output()).isTrue();
            answers.add(m.group(1));
        }
        System.out.println("[" + getClass().getSimpleName() + "] curl answers: " + String.join(" ", answers));
        String first = answers.getFirst();
        assertThat(first).isIn("rs1", "rs2");
        if (!roundRobinIsGlobal()) {
            assertThat(answers).as("round robin per worker: both servers answer").contains("rs1", "rs2");
            return;
        }
        String second = first.equals("rs1") ? "rs2" : "rs1";
        List<String> alternating = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            alternating.add(i % 2 == 0 ? first : second);
        }
        assertThat(answers).as("round robin answers").containsExactlyElementsOf(alternating);
    }

    @Test
    @Order(2)
    void shouldServeWithoutSocketErrorsWhenWrkLoadsTheVipForTenSeconds() {
        Testbed.Result r = bed.exec(Duration.ofSeconds(40), bed.cl(), "wrk", "-t2", "-c32", "-d10s", URL);
        assertThat(r.exitCode()).as(() -> "wrk: " + r.output() + diagnostics()).isZero();
        Wrk w = Wrk.parse(r.output());
        assertThat(w.requests()).as(() -> "wrk printed no request count: " + r.output()).isNotNegative();
        long count = w.requests();
        long socketErrors = w.socketErrors();
        long bad = w.non2xx();
        System.out.printf("[%s] wrk -t2 -c32 -d10s: %d requests in %s (%s req/s), socket errors %d, non-2xx %d%n",
                getClass().getSimpleName(), count, w.duration(), w.ratePerSecond(),
                socketErrors, bad);
        assertThat(socketErrors).as(() -> "wrk socket errors: " + r.output() + diagnostics()).isZero();
        assertThat(bad).as(() -> "wrk non-2xx/3xx responses: " + r.output()).isZero();
        assertThat(count).as(() -> "wrk requests: " + r.output() + diagnostics()).isGreaterThanOrEqualTo(100);
    }

    @Test
    @Order(3)
    void shouldListServiceAndBothServersWhenIpvsadmListsNumerically() {
        Testbed.Result r = bed.ipvsadm("-Ln");
        System.out.println("[" + getClass().getSimpleName() + "] ipvsadm -Ln:\n" + r.output());
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).containsPattern("(?m)^TCP  " + Pattern.quote(SERVICE) + " rr\\s*$");
        for (String rip : List.of(Testbed.RS1_IP, Testbed.RS2_IP)) {
            assertThat(r.output()).containsPattern("(?m)^  -> " + Pattern.quote(rip + ":80") + "\\s+"
                    + methodListName() + "\\s+1\\s+\\d+\\s+\\d+\\s*$");
        }
    }

    @Test
    @Order(4)
    void shouldDeliverTheWholeFileWhenClientFetchesOneMebibyte() throws IOException {
        Path download = bed.runDir().resolve("download.bin");
        Testbed.Result r = bed.curl(URL.replaceFirst("/$", "") + Testbed.BIG_FILE, "-o", download.toString(),
                "-w", "%{http_code} %{size_download}");
        assertThat(r.exitCode()).as(() -> "curl " + Testbed.BIG_FILE + ": " + r.output() + diagnostics()).isZero();
        assertThat(r.output().strip()).isEqualTo("200 " + Testbed.BIG_FILE_BYTES);
        Path rs1 = bed.runDir().resolve("rs1/www").resolve(Testbed.BIG_FILE.substring(1));
        Path rs2 = bed.runDir().resolve("rs2/www").resolve(Testbed.BIG_FILE.substring(1));
        assertThat(Files.mismatch(download, rs1) == -1 || Files.mismatch(download, rs2) == -1)
                .as("the download is byte for byte one of the servers' files").isTrue();
    }

    @Test
    @Order(5)
    void shouldRemoveGuardAndControlSocketWhenDirectorGetsSigterm() throws IOException {
        Path socket = bed.controlSocket();
        assertThat(socket).as("control socket while running").exists();
        assertThat(bed.exec(bed.lb(), "nft", "list", "tables").output()).as("guard while running")
                .containsPattern(GUARD_TABLE);
        int exit = bed.stop(director);
        assertThat(exit).as(() -> "director exit after SIGTERM (143: ended by the signal, hooks ran); log:\n"
                + bed.logTail(director, 20)).isIn(0, 143);
        Testbed.Result tables = bed.exec(bed.lb(), "nft", "list", "tables");
        assertThat(tables.exitCode()).as(tables.output()).isZero();
        assertThat(tables.output()).as("nftables tables after stop").doesNotContainPattern(GUARD_TABLE);
        assertThat(socket).as("control socket after stop").doesNotExist();
    }

    void ipvsadmOk(String... args) {
        Testbed.Result r = bed.ipvsadm(args);
        assertThat(r.exitCode()).as(() -> "ipvsadm " + String.join(" ", args) + ": " + r.output()).isZero();
    }

    /** What the lead needs when traffic does not pass: counters, the guard, the director's log. */
    String diagnostics() {
        return "\n--- jlvs status:\n" + bed.jlvs("status").output()
                + "\n--- nft list ruleset (director):\n" + bed.exec(bed.lb(), "nft", "list", "ruleset").output()
                + "\n--- director log:\n" + bed.logTail(director, 30);
    }
}
