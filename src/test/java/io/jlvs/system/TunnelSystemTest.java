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
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * LVS/TUN end to end ({@code -i}): IPIP, GUE ({@code --tun-type gue --tun-port 6080}, with and without
 * {@code --tun-csum}, with {@code --tun-remcsum}), GRE (with and without {@code --tun-csum}) and IPv6-in-IPv6, through {@code bin/jlvs director}
 * on a {@link Testbed}, to nginx on both real servers, which answer the client directly from the VIP on {@code lo}.
 *
 * <p>This machine's kernel has no {@code ipip}, {@code fou}, {@code ip_gre} or {@code ip6_tunnel}, so each real
 * server runs {@code tun-decap.py} instead of {@code tunl0}: it receives the encapsulated packets on raw and UDP
 * sockets and writes the inner packet to a TUN device {@code jtun0} ({@code rp_filter} off), where the kernel takes
 * it as received. It logs the first packet of each tunnel kind and checksum option, so each case checks what really
 * arrived, and it checks every checksum (outer GRE/GUE, inner TCP), so a wrong one fails the last case.
 * Last, a client's UDP datagram with DF that fits the client's link but not the tunnel gets ICMP "fragmentation
 * needed" (IPv6: "packet too big") back with the MTU minus the tunnel overhead, read from the client socket's error
 * queue.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TunnelSystemTest {
    static final String SERVICE = Testbed.VIP + ":80";
    static final String URL = "http://" + Testbed.VIP + "/";
    static final String SERVICE6 = "[" + Testbed.VIP6 + "]:80";
    static final String URL6 = "http://" + SERVICE6 + "/";
    static final String UDP_SERVICE = Testbed.VIP + ":5353";
    static final String UDP_SERVICE6 = "[" + Testbed.VIP6 + "]:5353";
    static final String TUN_DEV = "jtun0";
    static final int GUE_PORT = 6080;
    private static final Pattern SERVER = Pattern.compile("<h1>(rs\\d)</h1>");

    /**
     * Sends one UDP datagram that makes a packet of 1500 bytes, the client's MTU (1472 bytes over IPv4, 1452 over
     * IPv6), with DF set (IPv6: never fragmented), then reads the socket's error queue: prints
     * {@code icmp origin=O type=T code=C mtu=N from=ADDR} and the socket's path MTU, or {@code none}.
     */
    static final String TOO_BIG = """
            import socket, struct, sys, time
            MSG_ERRQUEUE = 0x2000
            v6 = ":" in sys.argv[1]
            if v6:
                fam, lvl, MTU_DISCOVER, RECVERR, MTU, size = socket.AF_INET6, socket.IPPROTO_IPV6, 23, 25, 24, 1452
            else:
                fam, lvl, MTU_DISCOVER, RECVERR, MTU, size = socket.AF_INET, socket.IPPROTO_IP, 10, 11, 14, 1472
            s = socket.socket(fam, socket.SOCK_DGRAM)
            s.setsockopt(lvl, MTU_DISCOVER, 2)  # IP_PMTUDISC_DO
            s.setsockopt(lvl, RECVERR, 1)
            s.connect((sys.argv[1], int(sys.argv[2])))
            s.send(b"x" * size)
            deadline = time.time() + 3
            while time.time() < deadline:
                try:
                    msg, anc, flags, addr = s.recvmsg(2048, 512, MSG_ERRQUEUE | socket.MSG_DONTWAIT)
                except BlockingIOError:
                    time.sleep(0.05)
                    continue
                for level, kind, data in anc:
                    if level == lvl and kind == RECVERR:
                        errno, origin, typ, code, pad, info, _ = struct.unpack("=IBBBBII", data[:16])
                        offender = socket.inet_ntop(fam, data[24:40] if v6 else data[20:24])
                        print("icmp origin=%d type=%d code=%d mtu=%d from=%s" % (origin, typ, code, info, offender))
                        print("path_mtu=%d" % s.getsockopt(lvl, MTU))
                        sys.exit(0)
            print("none")
            """;

    Testbed bed;
    Process director;
    final Map<String, Process> decaps = new LinkedHashMap<>();

    @BeforeAll
    void startDecapsulatorsAndDirector() throws IOException, InterruptedException {
        SystemTestSupport.requireEnvironment();
        bed = Testbed.create();
        Path script = bed.runDir().resolve("tun-decap.py");
        try (InputStream in = TunnelSystemTest.class.getResourceAsStream("tun-decap.py")) {
            assertThat(in).as("tun-decap.py on the test class path").isNotNull();
            Files.write(script, in.readAllBytes());
        }
        Files.writeString(bed.runDir().resolve("too-big.py"), TOO_BIG);
        for (String rs : List.of("rs1", "rs2")) {
            Process p = bed.startInBackground(bed.ns(rs), "python3", "-u", script.toString(), TUN_DEV, "" + GUE_PORT);
            decaps.put(rs, p);
            awaitLog(p, "ready", Duration.ofSeconds(10));
            execOk(bed.ns(rs), "ip", "link", "set", TUN_DEV, "up");
            // the inner packet comes from the client, whose route is not via jtun0: no reverse-path check
            execOk(bed.ns(rs), "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0",
                    "net.ipv4.conf." + TUN_DEV + ".rp_filter=0", "net.ipv4.conf.eth0.rp_filter=0");
        }
        director = bed.startDirector();
        bed.awaitDirector(director, Duration.ofSeconds(60));
        ipvsadmOk("-A", "-t", SERVICE, "-s", "rr");
        ipvsadmOk("-A", "-t", SERVICE6, "-s", "rr");
        ipvsadmOk("-A", "-u", UDP_SERVICE, "-s", "rr");
        ipvsadmOk("-A", "-u", UDP_SERVICE6, "-s", "rr");
        for (String rs : List.of("rs1", "rs2")) {
            String rip = rs.equals("rs1") ? Testbed.RS1_IP : Testbed.RS2_IP;
            ipvsadmOk("-a", "-t", SERVICE, "-r", rip, "-i");
            ipvsadmOk("-a", "-t", SERVICE6, "-r", "[" + Testbed.rip6(rs) + "]:80", "-i");
            ipvsadmOk("-a", "-u", UDP_SERVICE, "-r", rip, "-i");
            ipvsadmOk("-a", "-u", UDP_SERVICE6, "-r", "[" + Testbed.rip6(rs) + "]:5353", "-i");
        }
    }

    @AfterAll
    void tearDown() {
        if (bed != null) {
            decaps.values().forEach(p -> {
                bed.stop(p);
                System.out.println("[TunnelSystemTest] decapsulator: " + bed.logTail(p, 12).replace("\n", " | "));
            });
            bed.close();
        }
    }

    @Test
    @Order(1)
    void shouldAlternateBetweenBothServersWhenIpip() {
        assertAlternates(URL);
        assertDecapsulated("ipip", "no");
        // the outer header: from the director's inside address, DF copied from the client's TCP
        for (Process p : decaps.values()) {
            assertThat(log(p)).containsPattern("(?m)^first ipip " + Pattern.quote(Testbed.LB_SERVER_SIDE_IP)
                    + " ttl=\\d+ df=1 -> 198\\.19\\.0\\.1[12] inner " + Pattern.quote(Testbed.CLIENT_IP) + " -> "
                    + Pattern.quote(Testbed.VIP) + " ");
        }
        assertWrkClean(URL);
    }

    @Test
    @Order(2)
    void shouldAlternateBetweenBothServersWhenGue() {
        editTunnel("--tun-type", "gue", "--tun-port", "" + GUE_PORT);
        assertAlternates(URL);
        assertDecapsulated("gue", "no");
        assertWrkClean(URL);
        editTunnel("--tun-type", "gue", "--tun-port", "" + GUE_PORT, "--tun-csum");
        assertAlternates(URL);
        assertDecapsulated("gue", "yes");
        // remote checksum offload: the client's partial TCP checksum is left for the real server to complete
        editTunnel("--tun-type", "gue", "--tun-port", "" + GUE_PORT, "--tun-remcsum");
        assertAlternates(URL);
        assertDecapsulated("gue", "yes,remote");
        assertThat(bed.ipvsadm("-Ln", "--tun-info").output()).contains("gue");
    }

    @Test
    @Order(3)
    void shouldAlternateBetweenBothServersWhenGre() {
        editTunnel("--tun-type", "gre");
        assertAlternates(URL);
        assertDecapsulated("gre", "no");
        assertWrkClean(URL);
        editTunnel("--tun-type", "gre", "--tun-csum");
        assertAlternates(URL);
        assertDecapsulated("gre", "yes");
    }

    @Test
    @Order(4)
    void shouldAlternateBetweenBothServersWhenIpv6InIpv6() {
        List<String> answers = curlAnswers(URL6, "-6", "-g");
        assertRoundRobin(answers);
        assertDecapsulated("ip6ip6", "no");
    }

    @Test
    @Order(5)
    void shouldReturnFragmentationNeededWhenDfDatagramDoesNotFitTheTunnel() {
        // origin 2 = ICMP; 3/4 = fragmentation needed; IPIP takes 20 of the director's 1500
        assertThat(sendTooBig(Testbed.VIP)).contains("icmp origin=2 type=3 code=4 mtu=1480").contains("path_mtu=1480");
    }

    @Test
    @Order(6)
    void shouldReturnPacketTooBigWhenIpv6DatagramDoesNotFitTheTunnel() {
        // origin 3 = ICMPv6; type 2 = packet too big; the outer IPv6 header takes 40 of 1500
        assertThat(sendTooBig(Testbed.VIP6)).contains("icmp origin=3 type=2 code=0 mtu=1460")
                .contains("path_mtu=1460");
    }

    private String sendTooBig(String vip) {
        Testbed.Result r = bed.exec(Duration.ofSeconds(10), bed.cl(), "python3",
                bed.runDir().resolve("too-big.py").toString(), vip, "5353");
        System.out.println("[TunnelSystemTest] datagram of 1500 bytes to " + vip + ": "
                + r.output().strip().replace('\n', ' '));
        assertThat(r.exitCode()).as(r.output()).isZero();
        return r.output() + diagnostics();
    }

    @Test
    @Order(7)
    void shouldListTunnelForwardingAndReportNoBadPacketWhenDone() {
        Testbed.Result r = bed.ipvsadm("-Ln");
        System.out.println("[TunnelSystemTest] ipvsadm -Ln:\n" + r.output());
        assertThat(r.output()).containsPattern("(?m)^  -> " + Pattern.quote(Testbed.RS1_IP + ":80")
                + "\\s+Tunnel\\s+1\\s+\\d+\\s+\\d+\\s*$");
        for (Map.Entry<String, Process> e : decaps.entrySet()) {
            assertThat(e.getValue().isAlive()).as("decapsulator on " + e.getKey()).isTrue();
            assertThat(log(e.getValue())).as("decapsulator on " + e.getKey()).doesNotContain("bad ");
        }
        int exit = bed.stop(director);
        assertThat(exit).as(() -> "director exit after SIGTERM; log:\n" + bed.logTail(director, 20)).isIn(0, 143);
    }

    /** Switches both real servers of the TCP service to another tunnel ({@code ipvsadm -e … -i …}). */
    private void editTunnel(String... tunnelOptions) {
        for (String rip : List.of(Testbed.RS1_IP, Testbed.RS2_IP)) {
            List<String> args = new ArrayList<>(List.of("-e", "-t", SERVICE, "-r", rip, "-i"));
            args.addAll(List.of(tunnelOptions));
            ipvsadmOk(args.toArray(String[]::new));
        }
    }

    /** Both decapsulators logged the first packet of this kind (and checksum) from the director. */
    private void assertDecapsulated(String kind, String csum) {
        for (Map.Entry<String, Process> e : decaps.entrySet()) {
            String log = log(e.getValue());
            assertThat(log).as(() -> "decapsulator on " + e.getKey() + diagnostics())
                    .containsPattern("(?m)^first " + kind + " .* csum=" + Pattern.quote(csum) + "$");
        }
    }

    private void assertAlternates(String url) {
        assertRoundRobin(curlAnswers(url));
    }

    private List<String> curlAnswers(String url, String... curlOptions) {
        List<String> answers = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            Testbed.Result r = bed.curl(url, curlOptions);
            int n = i;
            assertThat(r.exitCode()).as(() -> "curl #" + n + " " + url + ": " + r.output() + diagnostics()).isZero();
            Matcher m = SERVER.matcher(r.output());
            assertThat(m.find()).as(() -> "curl #" + n + " answered no server page: " + r.output()).isTrue();
            answers.add(m.group(1));
        }
        System.out.println("[TunnelSystemTest] " + url + " answers: " + String.join(" ", answers));
        return answers;
    }

    private static void assertRoundRobin(List<String> answers) {
        String first = answers.getFirst();
        String second = first.equals("rs1") ? "rs2" : "rs1";
        List<String> alternating = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
            alternating.add(i % 2 == 0 ? first : second);
        }
        assertThat(answers).as("round robin answers").containsExactlyElementsOf(alternating);
    }

    private void assertWrkClean(String url) {
        Testbed.Result r = bed.exec(Duration.ofSeconds(20), bed.cl(), "wrk", "-t1", "-c8", "-d3s", url);
        assertThat(r.exitCode()).as(() -> "wrk: " + r.output() + diagnostics()).isZero();
        Wrk w = Wrk.parse(r.output());
        assertThat(w.requests()).as(() -> "wrk printed no request count: " + r.output()).isNotNegative();
        long count = w.requests();
        long socketErrors = w.socketErrors();
        long bad = w.non2xx();
        System.out.printf("[TunnelSystemTest] wrk -t1 -c8 -d3s %s: %d requests in %s, socket errors %d, non-2xx %d%n",
                url, count, w.duration(), socketErrors, bad);
        assertThat(socketErrors).as(() -> "wrk socket errors: " + r.output() + diagnostics()).isZero();
        assertThat(bad).as(() -> "wrk non-2xx/3xx responses: " + r.output()).isZero();
        assertThat(count).as(() -> "wrk requests: " + r.output() + diagnostics()).isGreaterThanOrEqualTo(50);
    }

    private String log(Process p) {
        return bed.logTail(p, 1000);
    }

    private void awaitLog(Process p, String text, Duration timeout) throws IOException, InterruptedException {
        long deadlineNs = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadlineNs) {
            if (log(p).contains(text)) {
                return;
            }
            if (!p.isAlive()) {
                break;
            }
            Thread.sleep(100);
        }
        throw new IOException("tun-decap.py did not say \"" + text + "\"; its output:\n" + log(p));
    }

    private void execOk(String ns, String... cmd) {
        Testbed.Result r = bed.exec(ns, cmd);
        assertThat(r.exitCode()).as(() -> String.join(" ", cmd) + ": " + r.output()).isZero();
    }

    private void ipvsadmOk(String... args) {
        Testbed.Result r = bed.ipvsadm(args);
        assertThat(r.exitCode()).as(() -> "ipvsadm " + String.join(" ", args) + ": " + r.output()).isZero();
    }

    private String diagnostics() {
        StringBuilder sb = new StringBuilder("\n--- jlvs status:\n").append(bed.jlvs("status").output());
        decaps.forEach((rs, p) -> sb.append("\n--- decapsulator on ").append(rs).append(":\n").append(bed.logTail(p, 20)));
        return sb.append("\n--- director log:\n").append(bed.logTail(director, 30)).toString();
    }
}
