package io.jlvs.system;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SyncFailoverSystemTest} in NAT: the real servers sit on an inside segment and route back through a
 * floating gateway, a second address of the same VRRP instance on the directors' inside interface:
 * <pre>
 *                  ┌── eth0 d1 198.18.9.11 (VRRP 150) eth1 198.19.9.11 ──┐
 *   cl 198.18.9.2 ── br0                                                 br1 ── rs1 198.19.9.21, rs2 198.19.9.22
 *                  └── eth0 d2 198.18.9.12 (VRRP 100) eth1 198.19.9.12 ──┘      (default via 198.19.9.1)
 *   one vrrp_instance: VIP 198.18.9.100/32 dev eth0, gateway 198.19.9.1/32 dev eth1
 * </pre>
 * </pre>
 * The directors keep {@code ip_forward=0}: jlvs translates both directions itself. Under wrk, a download and idle
 * connections, d1's keepalived (with its director) is killed with {@code kill -9}; d2 takes both addresses, and the
 * synced connections go on through it. The download is paced by nginx ({@code limit_rate}), not by the client, so
 * after the kill the real server's retransmission is the first packet of that flow d2 sees: d2 has no client frame
 * for it and must find the client by its own routes (connected network, then ARP) — without that the reply is
 * dropped as {@code no_route} and the download stalls until curl's timeout (checked by hand with
 * {@code Director.clientRoutes} returning no routes: wrk and the idle connections pass, the download stops at
 * 160 KiB). d2 resolves the client while still a backup, when the synced connections arrive, and a reply that
 * still finds the client unresolved waits for it instead of being dropped: a dropped one cost a wrk connection
 * the real server's doubled retransmission timeout (12.6 s after a 6.2 s one, seen once in CI as wrk timeouts).
 * d2's {@code jlvs status} is printed; its {@code neighbour_unresolved} count is expected to be 0.
 */
class NatSyncFailoverSystemTest {
    private static final String VIP = VrrpBed.VIP;
    private static final String GATEWAY = VrrpBed.INSIDE_GATEWAY;
    private static final String RS_PREFIX = "198.19.9.2";
    private static final int IDLE_CONNECTIONS = 3;
    private static final int WRK_CONNECTIONS = 8;
    private static final int WRK_SECONDS = 16;
    private static final Pattern WRK_REQUESTS = Pattern.compile("(\\d+) requests in (\\S+),");
    private static final Pattern WRK_MAX_LATENCY = Pattern.compile("Latency\\s+\\S+\\s+\\S+\\s+(\\S+)");
    private VrrpBed bed;
    private final List<Process> clients = new ArrayList<>();

    private static String config(String routerId, int priority) {
        return """
                global_defs {
                  router_id %1$s
                  lvs_sync_daemon eth0 VI_1
                }
                vrrp_instance VI_1 {
                  state BACKUP
                  interface eth0
                  virtual_router_id 53
                  priority %2$d
                  advert_int 1
                  virtual_ipaddress {
                    %3$s/32 dev eth0
                    %4$s/32 dev eth1
                  }
                }
                virtual_server %3$s 80 {
                  delay_loop 2
                  lb_algo rr
                  lb_kind NAT
                  protocol TCP
                  real_server 198.19.9.21 80 {
                    weight 1
                    TCP_CHECK {
                      connect_timeout 1
                    }
                  }
                  real_server 198.19.9.22 80 {
                    weight 1
                    TCP_CHECK {
                      connect_timeout 1
                    }
                  }
                }
                """.formatted(routerId, priority, VIP, GATEWAY);
    }

    @AfterEach
    void tearDown() {
        for (Process p : clients) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        if (bed != null) {
            bed.close();
            try {
                Files.deleteIfExists(bed.dir.resolve("download.bin"));
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    @Test
    void shouldKeepNatConnectionsWhenMasterDirectorIsKilledAndRealServerSpeaksFirstToBackup() throws Exception {
        VrrpBed.requireEnvironment(false);
        SystemTestSupport.requireEnvironment();
        bed = new VrrpBed("nf");
        try {
            run();
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + "\n" + bed.logs(), e);
        }
    }

    private void run() throws Exception {
        bed.addInsideNetwork();
        bed.addNatRealServer("rs1", "198.19.9.21", "02:00:c6:13:09:15");
        bed.addNatRealServer("rs2", "198.19.9.22", "02:00:c6:13:09:16");
        VrrpBed.sh("ip", "netns", "exec", bed.ns("cl"), "sysctl", "-qw", "net.ipv4.tcp_rmem=4096 32768 65536");
        for (String d : List.of("d1", "d2")) {
            assertThat(VrrpBed.sh("ip", "netns", "exec", bed.ns(d), "sysctl", "-n", "net.ipv4.ip_forward").strip())
                    .as("kernel forwarding off on " + d).isEqualTo("0");
        }
        VrrpBed.Proc d1 = bed.startJlvsKeepalived("d1", "d1-keepalived", config("D1", 150));
        bed.awaitVipOn("d1", Duration.ofSeconds(20));
        assertThat(bed.hasAddress("d1", "eth1", GATEWAY)).isTrue();
        VrrpBed.await("both real servers in d1's table", Duration.ofSeconds(20),
                () -> ipvsadm("d1", "-Ln").matches("(?s).*198\\.19\\.9\\.21:80\\s+Masq.*")
                        && ipvsadm("d1", "-Ln").matches("(?s).*198\\.19\\.9\\.22:80\\s+Masq.*"));

        Path go = bed.dir.resolve("go");
        List<Path> idleOut = new ArrayList<>();
        for (int i = 0; i < IDLE_CONNECTIONS; i++) {
            Path out = bed.dir.resolve("idle" + i + ".out");
            idleOut.add(out);
            clients.add(client(bed.dir.resolve("idle" + i + ".log"), "bash", "-c", """
                    exec 3<>/dev/tcp/%s/80 || exit 1
                    while [ ! -e %s ]; do sleep 0.05; done
                    printf 'GET / HTTP/1.1\\r\\nHost: vip\\r\\nConnection: close\\r\\n\\r\\n' >&3
                    timeout 20 cat <&3 > %s
                    """.formatted(VIP, go, out)));
        }
        VrrpBed.await("idle connections established on d1", Duration.ofSeconds(10),
                () -> establishedClientPorts("d1").size() >= IDLE_CONNECTIONS);
        List<String> idleOnD1 = establishedClientPorts("d1");

        VrrpBed.Proc d2 = bed.startJlvsKeepalived("d2", "d2-keepalived", config("D2", 100));
        VrrpBed.await("the idle connections in d2's table (bulk resync)", Duration.ofSeconds(20),
                () -> establishedClientPorts("d2").containsAll(idleOnD1));
        assertThat(ipvsadm("d2", "-Ln", "--daemon")).contains("backup sync daemon (mcast=eth0, syncid=53)");
        Path wrkLog = bed.dir.resolve("wrk.log");
        Process wrk = client(wrkLog, "wrk", "-t", "2", "-c", Integer.toString(WRK_CONNECTIONS),
                "-d", WRK_SECONDS + "s", "--timeout", "10s", "http://" + VIP + "/");
        clients.add(wrk);
        Path download = bed.dir.resolve("download.bin");
        Process curl = client(bed.dir.resolve("curl.log"), "curl", "-sS", "--max-time", "45",
                "-o", download.toString(), "-w", "%{http_code} %{size_download} %{time_total}\n",
                "http://" + VIP + "/slow/1m.bin");
        clients.add(curl);

        VrrpBed.await("wrk's and curl's connections in d2's table", Duration.ofSeconds(10),
                () -> establishedClientPorts("d2").size() >= IDLE_CONNECTIONS + WRK_CONNECTIONS + 1);
        assertThat(bed.hasAddress("d2", VIP)).isFalse();
        assertThat(bed.neighbour("rs1", GATEWAY)).isEqualTo(VrrpBed.D1_INSIDE_MAC);
        Thread.sleep(1_000);

        long killedAtNs = System.nanoTime();
        bed.kill9(d1);
        VrrpBed.await("VIP and gateway on d2", Duration.ofSeconds(8),
                () -> bed.hasAddress("d2", VIP) && bed.hasAddress("d2", "eth1", GATEWAY));
        long takeoverMs = (System.nanoTime() - killedAtNs) / 1_000_000;
        VrrpBed.await("d2's sync daemon turned master", Duration.ofSeconds(5),
                () -> ipvsadm("d2", "-Ln", "--daemon").contains("master sync daemon"));
        VrrpBed.await("client's ARP entry for the VIP pointing at d2", Duration.ofSeconds(5),
                () -> bed.clientNeighbour(VIP).equals(VrrpBed.D2_MAC));
        for (String rs : List.of("rs1", "rs2")) {
            VrrpBed.await(rs + "'s ARP entry for the gateway pointing at d2", Duration.ofSeconds(5),
                    () -> bed.neighbour(rs, GATEWAY).equals(VrrpBed.D2_INSIDE_MAC));
        }

        Files.writeString(go, "go");
        for (Path out : idleOut) {
            VrrpBed.await("an answer on an idle connection through d2", Duration.ofSeconds(10),
                    () -> read(out).contains("<h1>rs"));
        }

        assertThat(wrk.waitFor(WRK_SECONDS + 20, TimeUnit.SECONDS)).as("wrk finished").isTrue();
        assertThat(curl.waitFor(45, TimeUnit.SECONDS)).as("curl finished").isTrue();
        String wrkOut = read(wrkLog);
        assertThat(wrkOut).as("wrk socket errors").doesNotContain("Socket errors").doesNotContain("Non-2xx");
        Matcher requests = WRK_REQUESTS.matcher(wrkOut);
        assertThat(requests.find()).as(wrkOut).isTrue();
        String curlOut = read(bed.dir.resolve("curl.log")).strip();
        assertThat(curlOut).startsWith("200 1048576 ");
        assertThat(Files.mismatch(download, bed.dir.resolve("rs1/www/1m.bin")) == -1
                || Files.mismatch(download, bed.dir.resolve("rs2/www/1m.bin")) == -1).as("download intact").isTrue();
        String d2Stats = ipvsadm("d2", "-Ln", "--stats");
        String d2Status = VrrpBed.sh("ip", "netns", "exec", bed.ns("d2"),
                io.jlvs.app.Testbed.jlvsHome().resolve("bin/jlvs").toString(), "status");
        Matcher latency = WRK_MAX_LATENCY.matcher(wrkOut);
        System.out.println("NAT connection sync failover: kill -9 -> VIP and gateway on d2 " + takeoverMs + " ms; wrk "
                + requests.group(1) + " requests in " + requests.group(2) + ", 0 socket errors, max latency "
                + (latency.find() ? latency.group(1) : "?") + "; " + IDLE_CONNECTIONS + " bulk-resynced idle + "
                + WRK_CONNECTIONS + " wrk + 1 download connections kept; download " + curlOut + " s\n" + wrkOut
                + "\n" + d2Stats + "\n" + d2Status);
        // d2 forwarded the flows it learnt by sync and scheduled no connection anew
        assertThat(statsColumn(d2Stats, 3)).as("InPkts on d2").isGreaterThan(1_000);
        assertThat(statsColumn(d2Stats, 4)).as("OutPkts on d2").isGreaterThan(1_000);
        assertThat(statsColumn(d2Stats, 2)).as("Conns scheduled by d2").isZero();
        Matcher unresolved = Pattern.compile("\"neighbour_unresolved\"\\s*:\\s*(\\d+)").matcher(d2Status);
        assertThat(unresolved.find() ? Long.parseLong(unresolved.group(1)) : 0L)
                .as("frames d2 dropped for want of a MAC (resolved ahead, else held)").isZero();
        bed.term(d2);
    }

    private Process client(Path log, String... cmd) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", bed.ns("cl")));
        full.addAll(List.of(cmd));
        return new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private String ipvsadm(String role, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", bed.ns(role),
                io.jlvs.app.Testbed.jlvsHome().resolve("bin/ipvsadm").toString()));
        cmd.addAll(List.of(args));
        try {
            return VrrpBed.sh(cmd.toArray(String[]::new));
        } catch (RuntimeException e) {
            return "";
        }
    }

    /** Client ip:port of the ESTABLISHED entries to VIP:80 in the role's {@code ipvsadm -Lnc}. */
    private List<String> establishedClientPorts(String role) {
        List<String> out = new ArrayList<>();
        for (String line : ipvsadm(role, "-Lnc").split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 6 && f[0].equals("TCP") && f[2].equals("ESTABLISHED") && f[4].equals(VIP + ":80")) {
                out.add(f[3]);
            }
        }
        return out;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }

    /** Sum of one column of {@code ipvsadm -Ln --stats} over the real servers (2 Conns, 3 InPkts, 4 OutPkts). */
    private static long statsColumn(String stats, int index) {
        long sum = 0;
        for (String line : stats.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length > index && f[0].equals("->") && f[1].startsWith(RS_PREFIX)) {
                String v = f[index];
                long mult = v.endsWith("K") ? 1_000 : v.endsWith("M") ? 1_000_000 : v.endsWith("G") ? 1_000_000_000 : 1;
                sum += Long.parseLong(mult == 1 ? v : v.substring(0, v.length() - 1)) * mult;
            }
        }
        return sum;
    }
}
