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
 * IPv6 end to end on the {@link Testbed}'s 2001:db8:: addresses: {@code bin/jlvs director} with three services on
 * the IPv6 VIP [2001:db8:1::100], which the director does not hold (jlvs answers the client's Neighbor
 * Solicitations itself and resolves the real servers with its own): port 80 by direct routing (the real servers
 * hold the VIP on {@code lo}), port 8080 by NAT and port 8081 by FULLNAT from the local address 2001:db8:2::100.
 * Real clients (curl -6, wrk) reach nginx on {@code [::]:80} of both real servers; for FULLNAT a capture in rs1's
 * namespace shows the local address as source and the client's IPv6 address in the TOA option.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class Ipv6SystemTest {
    static final String VIP = "[" + Testbed.VIP6 + "]";
    static final String LADDR = "2001:db8:2::100";
    static final String DR = VIP + ":80";
    static final String NAT = VIP + ":8080";
    static final String FULLNAT = VIP + ":8081";
    static final String PERSISTENT = VIP + ":8082";
    /** A second client address in the client's /64. */
    static final String CLIENT_IP6_B = "2001:db8:1::3";
    private static final Pattern SERVER = Pattern.compile("<h1>(rs\\d)</h1>");
    private static final Pattern GUARD_TABLE = Pattern.compile("(?m)^table netdev jlvs$");

    Testbed bed;
    Process director;

    /** Extra {@code jlvs director} options. */
    String[] directorOptions() {
        return new String[0];
    }

    @BeforeAll
    void startDirectorWithIpv6Services() throws IOException {
        SystemTestSupport.requireEnvironment();
        bed = Testbed.create();
        director = bed.startDirector(directorOptions());
        bed.awaitDirector(director, Duration.ofSeconds(60));
        for (String[] s : new String[][] {{DR, "-g", "80"}, {NAT, "-m", "80"}, {FULLNAT, "--fullnat", "80"}}) {
            ipvsadmOk("-A", "-t", s[0], "-s", "rr");
            ipvsadmOk("-a", "-t", s[0], "-r", "[" + Testbed.RS1_IP6 + "]:" + s[2], s[1]);
            ipvsadmOk("-a", "-t", s[0], "-r", "[" + Testbed.RS2_IP6 + "]:" + s[2], s[1]);
        }
        // persistence per client /64 (-M is a prefix length for IPv6), by NAT (DR cannot change the port)
        ipvsadmOk("-A", "-t", PERSISTENT, "-s", "rr", "-p", "300", "-M", "64");
        ipvsadmOk("-a", "-t", PERSISTENT, "-r", "[" + Testbed.RS1_IP6 + "]:80", "-m");
        ipvsadmOk("-a", "-t", PERSISTENT, "-r", "[" + Testbed.RS2_IP6 + "]:80", "-m");
        Testbed.Result r = bed.jlvs("laddr", "add", "-t", FULLNAT, "-z", LADDR);
        assertThat(r.exitCode()).as(r.output()).isZero();
        // UDP: 5353 by DR, 5354 by NAT to the real servers' 5353; a UDP server answers with its name
        for (String[] s : new String[][] {{VIP + ":" + UDP_PORT, "-g"}, {VIP + ":" + (UDP_PORT + 1), "-m"}}) {
            ipvsadmOk("-A", "-u", s[0], "-s", "rr");
            ipvsadmOk("-a", "-u", s[0], "-r", "[" + Testbed.RS1_IP6 + "]:" + UDP_PORT, s[1]);
            ipvsadmOk("-a", "-u", s[0], "-r", "[" + Testbed.RS2_IP6 + "]:" + UDP_PORT, s[1]);
        }
        Files.writeString(bed.runDir().resolve("udp6-server.py"), UDP_SERVER);
        Files.writeString(bed.runDir().resolve("udp6-ask.py"), UDP_ASK);
        for (String rs : List.of("rs1", "rs2")) {
            // DR datagrams arrive for the VIP, NAT ones for the real server's own address: answer both
            for (String bind : new String[] {Testbed.VIP6, Testbed.rip6(rs)}) {
                bed.startInBackground(bed.ns(rs), "python3", bed.runDir().resolve("udp6-server.py").toString(), bind,
                        "" + UDP_PORT, rs);
            }
        }
    }

    static final int UDP_PORT = 5353;

    /** Answers every datagram with the server's name, from the address it is bound to. */
    static final String UDP_SERVER = """
            import socket, sys
            s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            s.bind((sys.argv[1], int(sys.argv[2])))
            while True:
                data, peer = s.recvfrom(2048)
                s.sendto(sys.argv[3].encode(), peer)
            """;

    /** One datagram from a new socket (a new client port: a new connection), the answer or "" after 3 s. */
    static final String UDP_ASK = """
            import socket, sys
            s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            s.settimeout(3)
            s.connect((sys.argv[1], int(sys.argv[2])))
            s.send(b"q")
            try:
                print(s.recv(2048).decode())
            except socket.timeout:
                print("")
            """;

    @AfterAll
    void tearDownBed() {
        if (bed != null) {
            bed.close();
        }
    }

    @Test
    @Order(1)
    void shouldAlternateBetweenBothServersWhenCurlingTheVipByDirectRouting() {
        assertAlternates("http://" + DR + "/");
    }

    @Test
    @Order(2)
    void shouldAlternateBetweenBothServersWhenCurlingTheVipByNat() {
        assertAlternates("http://" + NAT + "/");
    }

    @Test
    @Order(3)
    void shouldAlternateBetweenBothServersWhenCurlingTheVipByFullNat() {
        assertAlternates("http://" + FULLNAT + "/");
    }

    /** Captures in rs1's namespace the first IPv6 TCP segment to port 80 with an IPv6 TOA option (254, 20 bytes). */
    static final String CAPTURE = """
            import socket, struct, sys
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
            s.settimeout(15)
            while True:
                f = s.recv(65535)
                if len(f) < 74 or f[12:14] != b'\\x86\\xdd' or f[20] != 6:
                    continue
                t = 54
                if struct.unpack('!H', f[t+2:t+4])[0] != 80:
                    continue
                src = socket.inet_ntop(socket.AF_INET6, f[22:38])
                doff = (f[t+12] >> 4) * 4
                opts = f[t+20:t+doff]
                i = 0
                while i < len(opts):
                    k = opts[i]
                    if k == 0: break
                    if k == 1: i += 1; continue
                    l = opts[i+1]
                    if k == 254 and l == 20:
                        port = struct.unpack('!H', opts[i+2:i+4])[0]
                        print("src=%s toa=%s:%d" % (src, socket.inet_ntop(socket.AF_INET6, opts[i+4:i+20]), port))
                        sys.exit(0)
                    i += max(l, 2)
            """;

    @Test
    @Order(4)
    void shouldShowLocalAddressAndCarryClientInToaWhenRealServerCapturesFullNat() throws Exception {
        Path script = bed.runDir().resolve("toa6-capture.py");
        Files.writeString(script, CAPTURE);
        Process capture = bed.startInBackground(bed.rs1(), "python3", script.toString());
        try {
            Thread.sleep(500); // let the capture socket open before the traffic
            for (int i = 0; i < 4; i++) { // round robin: at least two of these reach rs1
                bed.curl("http://" + FULLNAT + "/", "-6", "-g");
            }
            assertThat(capture.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            String line = bed.logTail(capture, 5);
            System.out.println("[Ipv6SystemTest] rs1 capture: " + line.strip());
            assertThat(line).contains("src=" + LADDR).contains("toa=" + Testbed.CLIENT_IP6 + ":");
        } finally {
            bed.stop(capture);
        }
    }

    @Test
    @Order(5)
    void shouldServeWithoutSocketErrorsWhenWrkLoadsTheVipByDirectRouting() {
        assertWrkClean("http://" + DR + "/");
    }

    @Test
    @Order(6)
    void shouldServeWithoutSocketErrorsWhenWrkLoadsTheVipByNat() {
        assertWrkClean("http://" + NAT + "/");
    }

    @Test
    @Order(7)
    void shouldListIpv6ServicesWhenIpvsadmListsNumerically() {
        Testbed.Result r = bed.ipvsadm("-Ln");
        System.out.println("[Ipv6SystemTest] ipvsadm -Ln:\n" + r.output());
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).containsPattern("(?m)^TCP  " + Pattern.quote(DR) + " rr\\s*$");
        assertThat(r.output()).containsPattern("(?m)^  -> " + Pattern.quote("[" + Testbed.RS1_IP6 + "]:80")
                + "\\s+Route\\s+1\\s+\\d+\\s+\\d+\\s*$");
        assertThat(r.output()).containsPattern("(?m)^  -> " + Pattern.quote("[" + Testbed.RS2_IP6 + "]:80")
                + "\\s+Masq\\s+1\\s+\\d+\\s+\\d+\\s*$");
        Testbed.Result conns = bed.ipvsadm("-Lcn");
        assertThat(conns.exitCode()).as(conns.output()).isZero();
        assertThat(conns.output()).as("IPv6 connections in ipvsadm -Lcn")
                .contains("[" + Testbed.CLIENT_IP6 + "]:").contains(VIP + ":8080");
    }

    @Test
    @Order(8)
    void shouldAlternateUdpAnswersWhenDirectRoutingAndNat() {
        for (int port : new int[] {UDP_PORT, UDP_PORT + 1}) {
            List<String> answers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Testbed.Result r = bed.exec(Duration.ofSeconds(10), bed.cl(), "python3",
                        bed.runDir().resolve("udp6-ask.py").toString(), Testbed.VIP6, "" + port);
                answers.add(r.output().strip());
            }
            System.out.println("[Ipv6SystemTest] udp " + VIP + ":" + port + " answers: " + answers);
            assertThat(answers).as(() -> "UDP answers on port " + port + diagnostics())
                    .containsAnyOf("rs1", "rs2").allMatch(a -> a.equals("rs1") || a.equals("rs2"));
            assertThat(answers.get(1)).isNotEqualTo(answers.get(0));
            assertThat(answers.get(2)).isEqualTo(answers.get(0));
        }
    }

    @Test
    @Order(9)
    void shouldKeepClientPrefixOnOneServerWhenPersistentWithPrefixLength() {
        Testbed.Result second = bed.exec(bed.cl(), "ip", "-6", "addr", "add", CLIENT_IP6_B + "/64", "dev", "eth0",
                "nodad");
        assertThat(second.exitCode()).as(second.output()).isZero();
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String from = i % 2 == 0 ? Testbed.CLIENT_IP6 : CLIENT_IP6_B; // two addresses of one /64
            Testbed.Result r = bed.curl("http://" + PERSISTENT + "/", "-6", "-g", "--interface", from);
            assertThat(r.exitCode()).as(() -> "curl from " + from + ": " + r.output() + diagnostics()).isZero();
            Matcher m = SERVER.matcher(r.output());
            assertThat(m.find()).as(r.output()).isTrue();
            answers.add(m.group(1));
        }
        System.out.println("[Ipv6SystemTest] -p 300 -M 64 answers: " + answers);
        assertThat(answers).as("one server for the whole /64 (rr alone would alternate)").containsOnly(answers.get(0));
        Testbed.Result conns = bed.ipvsadm("-Lcn");
        assertThat(conns.output()).as("the template: client /64, port 0").contains("[2001:db8:1::]:0");
    }

    @Test
    @Order(10)
    void shouldRemoveGuardWhenDirectorGetsSigterm() {
        assertThat(bed.exec(bed.lb(), "nft", "list", "set", "netdev", "jlvs", "services6").output())
                .as("IPv6 services in the guard").contains(Testbed.VIP6);
        int exit = bed.stop(director);
        assertThat(exit).as(() -> "director exit after SIGTERM; log:\n" + bed.logTail(director, 20)).isIn(0, 143);
        assertThat(bed.exec(bed.lb(), "nft", "list", "tables").output()).doesNotContainPattern(GUARD_TABLE);
    }

    private void assertAlternates(String url) {
        List<String> answers = new ArrayList<>();
        for (int i = 1; i <= 6; i++) {
            Testbed.Result r = bed.curl(url, "-6", "-g");
            int n = i;
            assertThat(r.exitCode()).as(() -> "curl #" + n + " " + url + ": " + r.output() + diagnostics()).isZero();
            Matcher m = SERVER.matcher(r.output());
            assertThat(m.find()).as(() -> "curl #" + n + " answered no server page: " + r.output()).isTrue();
            answers.add(m.group(1));
        }
        System.out.println("[Ipv6SystemTest] " + url + " answers: " + String.join(" ", answers));
        String first = answers.getFirst();
        String second = first.equals("rs1") ? "rs2" : "rs1";
        List<String> alternating = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            alternating.add(i % 2 == 0 ? first : second);
        }
        assertThat(answers).as("round robin answers").containsExactlyElementsOf(alternating);
    }

    private void assertWrkClean(String url) {
        Testbed.Result r = bed.exec(Duration.ofSeconds(30), bed.cl(), "wrk", "-t2", "-c16", "-d5s", url);
        assertThat(r.exitCode()).as(() -> "wrk: " + r.output() + diagnostics()).isZero();
        Wrk w = Wrk.parse(r.output());
        assertThat(w.requests()).as(() -> "wrk printed no request count: " + r.output()).isNotNegative();
        long count = w.requests();
        long socketErrors = w.socketErrors();
        long bad = w.non2xx();
        System.out.printf("[Ipv6SystemTest] wrk -t2 -c16 -d5s %s: %d requests in %s, socket errors %d, non-2xx %d%n",
                url, count, w.duration(), socketErrors, bad);
        assertThat(socketErrors).as(() -> "wrk socket errors: " + r.output() + diagnostics()).isZero();
        assertThat(bad).as(() -> "wrk non-2xx/3xx responses: " + r.output()).isZero();
        assertThat(count).as(() -> "wrk requests: " + r.output() + diagnostics()).isGreaterThanOrEqualTo(100);
    }

    void ipvsadmOk(String... args) {
        Testbed.Result r = bed.ipvsadm(args);
        assertThat(r.exitCode()).as(() -> "ipvsadm " + String.join(" ", args) + ": " + r.output()).isZero();
    }

    String diagnostics() {
        return "\n--- jlvs status:\n" + bed.jlvs("status").output()
                + "\n--- nft list ruleset (director):\n" + bed.exec(bed.lb(), "nft", "list", "ruleset").output()
                + "\n--- director log:\n" + bed.logTail(director, 30);
    }
}
