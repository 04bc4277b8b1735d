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
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seeds' director scripts, run unchanged against a running director: the {@code lvs-dr.sh} start/stop/status
 * script of seed 002 and the {@code ipvsadm} lines of the NAT script of seed 003. Only the addresses (the bed's
 * VIP and real servers), the path of ipvsadm, the lock directory (kept off the host's {@code /var/lock}) and the
 * interface commands ({@code ifconfig}/{@code route} become their {@code ip} equivalents) are adapted. In between,
 * what an operator checks with ipvsadm: timeouts, connections, counters and rates, save and restore.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IpvsadmSystemTest {
    private static final String SERVICE = Testbed.VIP + ":80";
    private static final String URL = "http://" + Testbed.VIP + "/";
    private static final String HEADER = "IP Virtual Server version 1.2.1 (size=4096)\n"
            + "Prot LocalAddress:Port Scheduler Flags\n"
            + "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";
    private static final Pattern SERVER = Pattern.compile("<h1>(rs\\d)</h1>");

    /** Seed 002's lvs-dr.sh, line for line; @-placeholders are filled in by {@link #script}. */
    private static final String LVS_DR = """
            #!/bin/bash
            # description: start LVS of DirectorServer
            #Written by :NetSeek
            GW=@GW@
            # website director vip.
            SNS_VIP=@VIP@
            SNS_RIP1=@RIP1@
            SNS_RIP2=@RIP2@
            . /etc/rc.d/init.d/functions
            logger $0 called with $1
            case "$1" in
            start)
            # set squid vip
            @IPVSADM@ --set 30 5 60
            ip addr add $SNS_VIP/32 broadcast $SNS_VIP dev eth0 label eth0:0
            ip route add $SNS_VIP/32 dev eth0
            @IPVSADM@ -A -t $SNS_VIP:80 -s wrr -p 3
            @IPVSADM@ -a -t $SNS_VIP:80 -r $SNS_RIP1:80 -g -w 1
            @IPVSADM@ -a -t $SNS_VIP:80 -r $SNS_RIP2:80 -g -w 1
            touch @LOCK@/ipvsadm >/dev/null 2>&1
            ;;
            stop)
            @IPVSADM@ -C
            @IPVSADM@ -Z
            ip addr flush dev eth0 label eth0:0
            ip addr flush dev eth0 label eth0:1
            ip route del $SNS_VIP
            ip route del $SS_VIP
            rm -rf @LOCK@/ipvsadm >/dev/null 2>&1
            echo "ipvsadm stoped"
            ;;
            status)
            if [ ! -e @LOCK@/ipvsadm ];then
            echo "ipvsadm stoped"
            exit 1
            else
            echo "ipvsadm OK"
            fi
            ;;
            *)
            echo "Usage: $0 {start|stop|status}"
            exit 1
            esac
            exit 0
            """;

    /** Seed 003's lvs_nat.sh, its ipvsadm lines. */
    private static final String LVS_NAT = """
            #! /bin/bash
            IPVSADM='@IPVSADM@'
            $IPVSADM -C
            $IPVSADM -A -t @VIP@:80 -s wrr
            $IPVSADM -a -t @VIP@:80 -r @RIP1@:80 -m -w 1
            $IPVSADM -a -t @VIP@:80 -r @RIP2@:80 -m -w 1
            """;

    private Testbed bed;
    private Process director;
    private Path lvsDr;
    private Path lvsNat;
    private Path bin;

    @BeforeAll
    void startDirector() throws IOException {
        SystemTestSupport.requireEnvironment();
        bed = Testbed.create();
        bin = Testbed.jlvsHome().resolve("bin");
        Path lock = bed.runDir().resolve("lock/subsys");
        Files.createDirectories(lock);
        lvsDr = script("lvs-dr.sh", LVS_DR, lock);
        lvsNat = script("lvs_nat.sh", LVS_NAT, lock);
        // the seed's script puts the VIP on the director itself
        ok(bed.exec(bed.lb(), "ip", "addr", "del", Testbed.VIP + "/32", "dev", "eth0"), "removing the bed's VIP");
        director = bed.startDirector();
        bed.awaitDirector(director, Duration.ofSeconds(60));
    }

    @AfterAll
    void tearDownBed() {
        if (bed != null) {
            bed.close();
        }
    }

    private Path script(String name, String text, Path lock) throws IOException {
        Path file = bed.runDir().resolve(name);
        Files.writeString(file, text.replace("@GW@", Testbed.LB_CLIENT_SIDE_IP).replace("@VIP@", Testbed.VIP)
                .replace("@RIP1@", Testbed.RS1_IP).replace("@RIP2@", Testbed.RS2_IP)
                .replace("@IPVSADM@", bin.resolve("ipvsadm").toString()).replace("@LOCK@", lock.toString()));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    private static Testbed.Result ok(Testbed.Result r, String what) {
        assertThat(r.exitCode()).as(() -> what + ": " + r.output()).isZero();
        return r;
    }

    private String ipvsadm(String... args) {
        return ok(bed.ipvsadm(args), "ipvsadm " + String.join(" ", args)).output();
    }

    /** Runs a shell command line in the director's namespace. */
    private Testbed.Result sh(String commandLine) {
        return bed.exec(bed.lb(), "bash", "-c", commandLine);
    }

    private static String drTable() {
        return HEADER + "TCP  " + SERVICE + " wrr persistent 3\n"
                + String.format("  -> %-28s %-7s %-6d %-10d %-10d\n", Testbed.RS1_IP + ":80", "Route", 1, 0, 0)
                + String.format("  -> %-28s %-7s %-6d %-10d %-10d\n", Testbed.RS2_IP + ":80", "Route", 1, 0, 0);
    }

    @Test
    @Order(1)
    void shouldConfigureTheDirectorWhenTheDrScriptStarts() {
        Testbed.Result start = bed.exec(bed.lb(), "bash", lvsDr.toString(), "start");
        System.out.println("[IpvsadmSystemTest] lvs-dr.sh start:\n" + start.output());
        assertThat(start.exitCode()).as(start.output()).isZero();
        assertThat(start.output()).doesNotContain("Can't initialize").doesNotContain("Try `");

        assertThat(ipvsadm("-Ln")).isEqualTo(drTable());
        assertThat(ipvsadm("-Ln", "--timeout")).isEqualTo("Timeout (tcp tcpfin udp): 30 5 60\n");
        assertThat(ok(bed.exec(bed.lb(), "ip", "-4", "addr", "show", "dev", "eth0"), "ip addr").output())
                .contains(Testbed.VIP + "/32").contains("eth0:0");
        // the script also sources /etc/rc.d/init.d/functions, which Debian does not have: its complaint is in the output
        Testbed.Result status = bed.exec(bed.lb(), "bash", lvsDr.toString(), "status");
        assertThat(status.exitCode()).as(status.output()).isZero();
        assertThat(status.output()).endsWith("ipvsadm OK\n");
    }

    @Test
    @Order(2)
    void shouldGiveTheSameListingWhenTheSavedTableIsRestoredAfterAClear() throws IOException {
        String before = ipvsadm("-Ln");
        Path rules = bed.runDir().resolve("ipvsadm.rules");
        ok(sh(bin.resolve("ipvsadm-save") + " -n > " + rules), "ipvsadm-save -n");
        assertThat(Files.readString(rules)).isEqualTo("-A -t " + SERVICE + " -s wrr -p 3\n"
                + "-a -t " + SERVICE + " -r " + Testbed.RS1_IP + ":80 -g -w 1\n"
                + "-a -t " + SERVICE + " -r " + Testbed.RS2_IP + ":80 -g -w 1\n");

        ipvsadm("-C");
        assertThat(ipvsadm("-Ln")).isEqualTo(HEADER);
        ok(sh(bin.resolve("ipvsadm-restore") + " < " + rules), "ipvsadm-restore");
        assertThat(ipvsadm("-Ln")).isEqualTo(before);

        ipvsadm("-C");
        ok(sh(bin.resolve("ipvsadm-restore") + " --atomic < " + rules), "ipvsadm-restore --atomic");
        assertThat(ipvsadm("-Ln")).isEqualTo(before);

        Path bad = bed.runDir().resolve("bad.rules");
        Files.writeString(bad, "# one good line, one bad\n-A -t 198.18.0.101:80 -s rr\n-a -t 198.18.0.101:80 -r "
                + Testbed.RS1_IP + " -w heavy\n");
        Testbed.Result refused = sh(bin.resolve("ipvsadm-restore") + " --atomic < " + bad);
        assertThat(refused).isEqualTo(new Testbed.Result(2,
                "ipvsadm-restore: line 3: illegal weight specified; nothing applied\n"));
        assertThat(ipvsadm("-Ln")).isEqualTo(before);

        Testbed.Result usage = sh(bin.resolve("ipvsadm-save") + " -x");
        assertThat(usage).isEqualTo(new Testbed.Result(1, "ipvsadm-save: Script to save the IPVS table to stdout.\n"
                + "   With the -n option, prints out the table in numeric format.\n"));
    }

    @Test
    @Order(3)
    void shouldListTheCurlsConnectionWhenListingConnections() {
        Testbed.Result curl = bed.curl(URL);
        assertThat(curl.exitCode()).as(() -> "curl " + URL + ": " + curl.output() + diagnostics()).isZero();
        assertThat(curl.output()).containsPattern(SERVER);
        String conns = ipvsadm("-Lnc");
        System.out.println("[IpvsadmSystemTest] ipvsadm -Lnc:\n" + conns);
        assertThat(conns).startsWith("IPVS connection entries\n"
                + "pro expire state       source             virtual            destination\n");
        assertThat(conns).containsPattern("(?m)^TCP \\d\\d:\\d\\d  [A-Z_]+ +" + Pattern.quote(Testbed.CLIENT_IP)
                + ":\\d+ +" + Pattern.quote(SERVICE) + " +198\\.19\\.0\\.1[12]:80$");
    }

    @Test
    @Order(4)
    void shouldCountAndEstimateRatesWhenTrafficFlowsAndZeroWhenAsked() {
        Testbed.Result wrk = bed.exec(Duration.ofSeconds(20), bed.cl(), "wrk", "-t1", "-c4", "-d4s",
                "-H", "Connection: close", URL);
        assertThat(wrk.exitCode()).as(() -> "wrk: " + wrk.output() + diagnostics()).isZero();

        String rate = ipvsadm("-Ln", "--rate");
        String stats = ipvsadm("-Ln", "--stats");
        System.out.println("[IpvsadmSystemTest] ipvsadm -Ln --stats:\n" + stats + "ipvsadm -Ln --rate:\n" + rate);
        long[] counters = serviceRow(stats);
        assertThat(counters[0]).as("Conns").isPositive();
        assertThat(counters[1]).as("InPkts").isPositive();
        assertThat(counters[3]).as("InBytes").isPositive();
        long[] rates = serviceRow(rate);
        assertThat(rates[0]).as("CPS").isPositive();
        assertThat(rates[1]).as("InPPS").isPositive();
        assertThat(rates[3]).as("InBPS").isPositive();

        ipvsadm("-Z");
        assertThat(serviceRow(ipvsadm("-Ln", "--stats"))).as("counters after -Z").containsOnly(0L);
        assertThat(serviceRow(ipvsadm("-Ln", "--rate"))).as("rates after -Z").containsOnly(0L);
    }

    /** The five numbers of the service's row; an abbreviated one (K, M …) counts as its multiple. */
    private static long[] serviceRow(String listing) {
        Matcher m = Pattern.compile("(?m)^TCP  " + Pattern.quote(SERVICE) + " +(\\S+) +(\\S+) +(\\S+) +(\\S+) +(\\S+)$")
                .matcher(listing);
        assertThat(m.find()).as("service row in:\n" + listing).isTrue();
        long[] values = new long[5];
        for (int i = 0; i < 5; i++) {
            String v = m.group(i + 1);
            long scale = switch (v.charAt(v.length() - 1)) {
                case 'K' -> 1_000L;
                case 'M' -> 1_000_000L;
                case 'G' -> 1_000_000_000L;
                case 'T' -> 1_000_000_000_000L;
                default -> 1;
            };
            values[i] = Long.parseLong(scale == 1 ? v : v.substring(0, v.length() - 1)) * scale;
        }
        return values;
    }

    @Test
    @Order(5)
    void shouldRemoveEverythingWhenTheDrScriptStops() {
        Testbed.Result stop = bed.exec(bed.lb(), "bash", lvsDr.toString(), "stop");
        assertThat(stop.exitCode()).as(stop.output()).isZero();
        assertThat(stop.output()).contains("ipvsadm stoped");
        assertThat(ipvsadm("-Ln")).isEqualTo(HEADER);
        assertThat(ok(bed.exec(bed.lb(), "ip", "-4", "addr", "show", "dev", "eth0"), "ip addr").output())
                .doesNotContain(Testbed.VIP + "/32");
        Testbed.Result status = bed.exec(bed.lb(), "bash", lvsDr.toString(), "status");
        assertThat(status.exitCode()).as(status.output()).isEqualTo(1);
        assertThat(status.output()).endsWith("ipvsadm stoped\n");
    }

    @Test
    @Order(6)
    void shouldServeThroughBothServersWhenTheNatScriptsLinesRun() {
        // the NAT seed's director owns the VIP as its outside address
        ok(bed.exec(bed.lb(), "ip", "addr", "add", Testbed.VIP + "/32", "dev", "eth0", "label", "eth0:0"), "VIP");
        Testbed.Result nat = bed.exec(bed.lb(), "bash", lvsNat.toString());
        assertThat(nat).as("lvs_nat.sh").isEqualTo(new Testbed.Result(0, ""));
        assertThat(ipvsadm("-Ln")).isEqualTo(HEADER + "TCP  " + SERVICE + " wrr\n"
                + String.format("  -> %-28s %-7s %-6d %-10d %-10d\n", Testbed.RS1_IP + ":80", "Masq", 1, 0, 0)
                + String.format("  -> %-28s %-7s %-6d %-10d %-10d\n", Testbed.RS2_IP + ":80", "Masq", 1, 0, 0));
        Set<String> servers = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            Testbed.Result curl = bed.curl(URL);
            assertThat(curl.exitCode()).as(() -> "curl " + URL + " (NAT): " + curl.output() + diagnostics()).isZero();
            Matcher m = SERVER.matcher(curl.output());
            assertThat(m.find()).as(curl.output()).isTrue();
            servers.add(m.group(1));
        }
        assertThat(servers).containsExactlyInAnyOrder("rs1", "rs2");
        ipvsadm("-C");
    }

    private String diagnostics() {
        return "\n--- jlvs status:\n" + bed.jlvs("status").output() + "\n--- director log:\n"
                + bed.logTail(director, 30);
    }
}
