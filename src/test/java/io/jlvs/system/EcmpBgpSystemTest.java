package io.jlvs.system;

import io.jlvs.app.Testbed;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Three jlvs directors announce one VIP by BGP to a BIRD router that spreads the flows over them by ECMP
 * (L4 hash); two nginx real servers in direct routing; mh on every director ({@link EcmpBed}). Under a
 * keep-alive {@code wrk} load: a director stopped with SIGTERM, another killed with SIGKILL, a third
 * drained: no socket error, no non-2xx answer, because the flows the router moves land on a director
 * that picks them up mid-way (sloppy TCP) and sends them to the same real server (mh). A director that
 * comes back takes new flows. Prints the figures (withdrawal times) for docs/scale-out.md.
 */
class EcmpBgpSystemTest {
    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in");
    private static final Pattern SOCKET_ERRORS =
            Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");

    /** What one wrk run came to. */
    record Load(long requests, long socketErrors, long non2xx, String output) {}

    @Test
    void shouldLoseNoFlowWhenDirectorsStopDieDrainAndComeBack() throws Exception {
        SystemTestSupport.requireEnvironment();
        boolean haveBird = Testbed.missingTools("bird").isEmpty();
        if (!haveBird && "true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("EcmpBgpSystemTest needs BIRD 2 (apt-get install bird2); CI=true");
        }
        assumeTrue(haveBird, "EcmpBgpSystemTest needs BIRD 2 (apt-get install bird2)");
        Map<String, String> figures = new LinkedHashMap<>();
        try (EcmpBed bed = new EcmpBed()) {
            try {
                run(bed, figures);
            } catch (AssertionError | Exception e) {
                System.out.println("ecmp: figures so far " + figures + "\n" + bed.logs());
                throw e;
            }
        }
        System.out.println("ecmp figures: " + figures);
    }

    private void run(EcmpBed bed, Map<String, String> figures) throws Exception {
        bed.startRouterBird();
        bed.startDirectors(EcmpBed.DIRECTORS);
        figures.put("all three announced (ms after the last director answered)",
                "" + awaitHops(bed, 3, Duration.ofSeconds(30)));
        assertReachable(bed);
        Testbed.Result doctor = bed.jlvs("d1", "doctor", "--timeout-ms", "500");
        assertThat(doctor.output()).as(doctor.output()).contains("PASS  bgp session: peer 198.18.21.1 AS 65000")
                .contains("PASS  bgp announcement: VIPs");

        // 1. SIGTERM: withdraw, keep forwarding 1.5 s, stop
        EcmpBed.Proc wrk = startWrk(bed, 7);
        EcmpBed.sleep(2000);
        long t0 = System.nanoTime();
        bed.signal("d1", "TERM");
        figures.put("SIGTERM d1: route withdrawn (ms)", "" + awaitHops(bed, 2, Duration.ofSeconds(10), t0));
        bed.awaitExit("d1");
        assertNoStalledFlow("SIGTERM of d1", bed, t0, figures);
        Load term = awaitWrk(wrk);
        figures.put("SIGTERM d1: wrk", describe(term));
        assertNoErrors("SIGTERM of d1", term);
        bed.startDirectors("d1");
        awaitHops(bed, 3, Duration.ofSeconds(30));

        // 2. SIGKILL: BIRD dies with the JVM (pdeathsig), the router sees the session drop
        wrk = startWrk(bed, 7);
        EcmpBed.sleep(2000);
        t0 = System.nanoTime();
        bed.signal("d2", "KILL");
        figures.put("SIGKILL d2: route withdrawn (ms)", "" + awaitHops(bed, 2, Duration.ofSeconds(10), t0));
        bed.awaitExit("d2");
        VrrpBed.await("no process left in d2 (BIRD killed with the director)", Duration.ofSeconds(5),
                () -> bed.pidsIn("d2").isEmpty());
        assertNoStalledFlow("SIGKILL of d2", bed, t0, figures);
        Load kill = awaitWrk(wrk);
        figures.put("SIGKILL d2: wrk", describe(kill));
        assertNoErrors("SIGKILL of d2", kill);
        bed.startDirectors("d2");
        awaitHops(bed, 3, Duration.ofSeconds(30));

        // 3. drain: the router moves d3's share away, the others pick the flows up (`jlvs drain` takes ~2 s
        // to start its JVM, so this run is longer)
        wrk = startWrk(bed, 9);
        EcmpBed.sleep(2000);
        t0 = System.nanoTime();
        Testbed.Result drain = bed.jlvs("d3", "drain");
        long returnedNs = System.nanoTime();
        assertThat(drain.ok()).as(drain.output()).isTrue();
        assertThat(drain.output()).contains("announcements withdrawn");
        figures.put("drain d3: `jlvs drain` ran (ms, JVM start included)", "" + (returnedNs - t0) / 1_000_000L);
        figures.put("drain d3: route withdrawn (ms after it returned)",
                "" + awaitHops(bed, 2, Duration.ofSeconds(10), returnedNs));
        assertNoStalledFlow("drain of d3", bed, returnedNs, figures);
        Load drained = awaitWrk(wrk);
        figures.put("drain d3: wrk", describe(drained));
        assertNoErrors("drain of d3", drained);
        Testbed.Result idle = bed.jlvs("d3", "drain", "--wait", "--timeout-s", "20");
        assertThat(idle.output()).as(idle.output()).contains("the director is idle");

        // no new flow reaches the drained director; the restarted ones take their part
        Map<String, Long> before = conns(bed);
        Load after = awaitWrk(startWrk(bed, 3));
        assertNoErrors("load after the drain", after);
        Map<String, Long> delta = delta(before, conns(bed));
        figures.put("new connections per director after the drain of d3", delta.toString());
        assertThat(delta.get("d3")).as("new connections on the drained d3").isZero();
        assertThat(delta.get("d1")).as("new connections on the restarted d1").isPositive();
        assertThat(delta.get("d2")).as("new connections on the restarted d2").isPositive();

        Testbed.Result undo = bed.jlvs("d3", "drain", "--undo");
        assertThat(undo.ok()).as(undo.output()).isTrue();
        figures.put("drain --undo d3: announced again (ms)", "" + awaitHops(bed, 3, Duration.ofSeconds(10)));
        before = conns(bed);
        Load back = awaitWrk(startWrk(bed, 3));
        assertNoErrors("load after drain --undo", back);
        delta = delta(before, conns(bed));
        figures.put("new connections per director after drain --undo", delta.toString());
        assertThat(delta.get("d3")).as("new connections on d3 once announced again").isPositive();

        // 4. BIRD dies under a running director: the supervisor starts it again, the VIP comes back
        ProcessHandle bird = bed.director("d3").process().children()
                .filter(h -> h.info().command().orElse("").endsWith("bird")).findFirst()
                .orElseThrow(() -> new AssertionError("no BIRD child of director d3"));
        t0 = System.nanoTime();
        bird.destroyForcibly();
        awaitHops(bed, 2, Duration.ofSeconds(10), t0);
        figures.put("BIRD of d3 killed: announced again by a new BIRD (ms)",
                "" + awaitHops(bed, 3, Duration.ofSeconds(20), t0));
        assertThat(bed.call("d3", "{\"op\":\"status\"}").path("bgp").path("bird_starts").asInt())
                .as("BIRD starts on d3").isEqualTo(2);
        assertReachable(bed);

        // 5. BGP from keepalived.conf: d1 comes back as bin/keepalived whose bgp_speaker block drives the
        // director it starts in-process
        bed.signal("d1", "TERM");
        bed.awaitExit("d1");
        awaitHops(bed, 2, Duration.ofSeconds(10));
        java.nio.file.Path conf = bed.dir.resolve("d1-keepalived.conf");
        java.nio.file.Files.writeString(conf, """
                bgp_speaker {
                    router_id %1$s
                    local_as 65001
                    neighbor %2$s 65000
                    withdraw_delay_ms 1500
                }
                virtual_server %3$s 80 {
                    lb_algo mh
                    lb_kind DR
                    protocol TCP
                    real_server %4$s 80 {
                        weight 1
                    }
                    real_server %5$s 80 {
                        weight 1
                    }
                }
                """.formatted(EcmpBed.directorIp("d1"), EcmpBed.ROUTER, EcmpBed.VIP, EcmpBed.realServerIp("rs1"),
                EcmpBed.realServerIp("rs2")));
        t0 = System.nanoTime();
        bed.start("d1", "d1-keepalived", Testbed.jlvsHome().resolve("bin/keepalived").toString(), "-n", "-l", "-D",
                "-f", conf.toString(), "-p", bed.dir.resolve("d1-keepalived.pid").toString());
        figures.put("d1 as keepalived with bgp_speaker: announced (ms after its start)",
                "" + awaitHops(bed, 3, Duration.ofSeconds(40), t0));
        assertReachable(bed);
    }

    /**
     * wrk counts a request as a timeout only when it completes late: a flow that stalls for good (a director
     * dropping the segments of a flow it has no connection for) never shows in its errors. So, 2 s after the
     * event, every one of the client's connections to the VIP must still move: its bytes_acked grows over
     * the next second.
     */
    private static void assertNoStalledFlow(String event, EcmpBed bed, long eventNs, Map<String, String> figures) {
        EcmpBed.sleep(Math.max(0, 2000 - (System.nanoTime() - eventNs) / 1_000_000L));
        Map<Integer, Long> first = ackedByPort(bed);
        EcmpBed.sleep(1000);
        Map<Integer, Long> second = ackedByPort(bed);
        List<Integer> stalled = first.keySet().stream()
                .filter(port -> second.getOrDefault(port, -1L) <= first.get(port)).sorted().toList();
        figures.put(event + ": stalled flows", stalled.size() + " of " + first.size());
        assertThat(first).as(event + ": the client's connections").hasSize(32);
        assertThat(stalled).as(event + ": client ports whose flow stalled").isEmpty();
    }

    private static final Pattern SS_FLOW = Pattern.compile("198\\.18\\.20\\.2:(\\d+)\\s+198\\.18\\.22\\.100:80");
    private static final Pattern SS_ACKED = Pattern.compile("bytes_acked:(\\d+)");

    /** {@code ss -tin} on the client: bytes acked per client port of each established flow to the VIP. */
    private static Map<Integer, Long> ackedByPort(EcmpBed bed) {
        String out = bed.exec("cl", "ss", "-tin", "state", "established", "dst", EcmpBed.VIP).output();
        Map<Integer, Long> m = new LinkedHashMap<>();
        Integer port = null;
        for (String line : out.lines().toList()) {
            Matcher f = SS_FLOW.matcher(line);
            if (f.find()) {
                port = Integer.parseInt(f.group(1));
                continue;
            }
            Matcher a = SS_ACKED.matcher(line);
            if (port != null) {
                m.put(port, a.find() ? Long.parseLong(a.group(1)) : 0L);
                port = null;
            }
        }
        return m;
    }

    private static void assertReachable(EcmpBed bed) {
        Testbed.Result r = bed.exec("cl", "curl", "-sS", "--max-time", "5", "http://" + EcmpBed.VIP + "/");
        assertThat(r.output()).as("curl through the VIP: " + r.output()).containsPattern("<h1>rs[12]</h1>");
    }

    private static long awaitHops(EcmpBed bed, int n, Duration timeout) {
        return awaitHops(bed, n, timeout, System.nanoTime());
    }

    /** Waits until the router's route to the VIP has {@code n} next hops; ms since {@code sinceNs}. */
    private static long awaitHops(EcmpBed bed, int n, Duration timeout, long sinceNs) {
        VrrpBed.await(n + " next hops to the VIP on the router (now " + bed.nextHops() + ")", timeout,
                () -> bed.nextHops().size() == n);
        return (System.nanoTime() - sinceNs) / 1_000_000L;
    }

    /**
     * Keep-alive load from the client: 32 connections, each a flow the router hashes to a director. A request
     * unanswered for 2 s counts as a timeout error; each event happens 2 s into a 7 s run, so a flow stuck
     * by the event (a director that drops what it has no connection for) shows as errors before the end.
     */
    private static EcmpBed.Proc startWrk(EcmpBed bed, int seconds) throws IOException {
        return bed.start("cl", "wrk", "wrk", "-t2", "-c32", "-d" + seconds + "s", "--timeout", "2s",
                "http://" + EcmpBed.VIP + "/");
    }

    private static Load awaitWrk(EcmpBed.Proc wrk) throws InterruptedException {
        if (!wrk.process().waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            wrk.process().destroyForcibly();
        }
        String out = EcmpBed.log(wrk);
        Matcher m = REQUESTS.matcher(out);
        long requests = m.find() ? Long.parseLong(m.group(1)) : -1;
        long errors = 0;
        Matcher e = SOCKET_ERRORS.matcher(out);
        if (e.find()) {
            for (int g = 1; g <= 4; g++) {
                errors += Long.parseLong(e.group(g));
            }
        }
        Matcher x = NON_2XX.matcher(out);
        return new Load(requests, errors, x.find() ? Long.parseLong(x.group(1)) : 0, out);
    }

    private static void assertNoErrors(String event, Load load) {
        assertThat(load.requests()).as(event + ": wrk made requests\n" + load.output()).isPositive();
        assertThat(load.socketErrors()).as(event + ": socket errors\n" + load.output()).isZero();
        assertThat(load.non2xx()).as(event + ": non-2xx answers\n" + load.output()).isZero();
    }

    private static String describe(Load l) {
        return l.requests() + " requests, " + l.socketErrors() + " socket errors, " + l.non2xx() + " non-2xx";
    }

    /** Each director's total connection count for the VIP service (what {@code ipvsadm -Ln --stats} shows). */
    private static Map<String, Long> conns(EcmpBed bed) throws IOException {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String d : EcmpBed.DIRECTORS) {
            m.put(d, bed.call(d, "{\"op\":\"services\"}").path(0).path("stats").path("conns").asLong(-1));
        }
        return m;
    }

    private static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String d : List.of(EcmpBed.DIRECTORS)) {
            m.put(d, after.get(d) - before.get(d));
        }
        return m;
    }
}
