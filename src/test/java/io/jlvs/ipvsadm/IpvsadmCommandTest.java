package io.jlvs.ipvsadm;

import io.jlvs.control.DestConfig;
import io.jlvs.control.ForwardMethod;
import io.jlvs.control.IpvsApi;
import io.jlvs.control.IpvsException;
import io.jlvs.control.Protocol;
import io.jlvs.control.ServiceConfig;
import io.jlvs.control.ServiceInfo;
import io.jlvs.control.ServiceKey;
import io.jlvs.control.Stats;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What the accepted command lines do to the table (§4, §6, §16). */
class IpvsadmCommandTest {
    final Cli cli = new Cli();

    private void ok(String... args) {
        assertThat(cli.run(args)).isEqualTo(new Cli.Result(0, "", ""));
    }

    private ServiceInfo service(ServiceKey key) throws IpvsException {
        return cli.ipvs.service(key);
    }

    private static ServiceKey tcp(String address, int port) {
        return IpvsadmListTest.key(Protocol.TCP, address, port);
    }

    @Test
    void shouldUseDefaultsWhenOptionsAreOmitted() throws IpvsException {
        ok("-A", "-t", "10.0.0.1:80");
        ok("-a", "-t", "10.0.0.1:80", "-r", "10.0.0.2");
        ServiceInfo s = service(tcp("10.0.0.1", 80));
        assertThat(s.config()).isEqualTo(new ServiceConfig(tcp("10.0.0.1", 80), "wlc", 0, 0, 0xffffffff, null));
        assertThat(s.dests().getFirst().config())
                .isEqualTo(DestConfig.of(IpvsadmListTest.address("10.0.0.2"), 80, ForwardMethod.DROUTE, 1));
    }

    @Test
    void shouldUse360SecondsWhenPersistentHasNoValue() throws IpvsException {
        ok("-A", "-t", "10.0.0.1:80", "-p", "-s", "rr");
        ServiceConfig c = service(tcp("10.0.0.1", 80)).config();
        assertThat(c.persistenceTimeoutS()).isEqualTo(360);
        assertThat(c.scheduler()).isEqualTo("rr");
        assertThat(cli.saved()).isEqualTo("-A -t 10.0.0.1:80 -s rr -p 360\n");
    }

    @Test
    void shouldAcceptAWildcardPortWhenPersistent() {
        ok("-A", "-t", "10.0.0.1", "-p", "60");
        ok("-A", "-t", "2001:db8::1", "-p");
        ok("-A", "-t", "[10.0.0.2]:80", "-p");
        assertThat(cli.saved()).isEqualTo("-A -t 10.0.0.1:0 -s wlc -p 60\n-A -t 10.0.0.2:0 -s wlc -p 360\n"
                + "-A -t [2001:db8::1]:0 -s wlc -p 360\n");
    }

    @Test
    void shouldParseAddressesWithCLibraryRulesWhenShorthandOrHex() {
        ok("-A", "-t", "10.1:80");
        ok("-A", "-t", "0x0a000005:http");
        ok("-A", "-u", "012.0.0.1:domain");
        ok("-A", "-t", "director.example:www");
        ok("-A", "-t", "[2001:db8::1]:8080");
        ok("-A", "--sctp-service", "10.0.0.3:3868");
        // 192.168.x sorts first: the address difference wraps around in 32 bits
        assertThat(cli.saved()).isEqualTo("-A -t 192.168.100.10:80 -s wlc\n-A -t 10.0.0.1:80 -s wlc\n"
                + "-A -t 10.0.0.5:80 -s wlc\n-A -u 10.0.0.1:53 -s wlc\n-A --sctp-service 10.0.0.3:3868 -s wlc\n"
                + "-A -t [2001:db8::1]:8080 -s wlc\n");
    }

    @Test
    void shouldReplaceTheWholeServiceWhenEdited() {
        ok("-A", "-u", "10.0.0.1:53", "-s", "rr", "-p", "60", "-M", "255.255.255.0", "--pe", "sip", "-o", "-b",
                "flag-2");
        assertThat(cli.saved()).isEqualTo("-A -u 10.0.0.1:53 -s rr -p 60 -M 255.255.255.0 --pe sip -o -b flag-2\n");
        ok("-E", "-u", "10.0.0.1:53");
        assertThat(cli.saved()).isEqualTo("-A -u 10.0.0.1:53 -s wlc\n");
    }

    @Test
    void shouldReplaceTheWholeRealServerWhenEdited() throws IpvsException {
        ok("-A", "-t", "10.0.0.1:80");
        ok("-a", "-t", "10.0.0.1:80", "-r", "10.0.0.2:8080", "-m", "-w", "5", "-x", "100", "-y", "10");
        ok("-e", "-t", "10.0.0.1:80", "-r", "10.0.0.2:8080", "-m");
        assertThat(service(tcp("10.0.0.1", 80)).dests().getFirst().config())
                .isEqualTo(DestConfig.of(IpvsadmListTest.address("10.0.0.2"), 8080, ForwardMethod.MASQ, 1));
    }

    @Test
    void shouldForceTheServicePortWhenDirectRoutingOrTunnel() {
        ok("-A", "-t", "10.0.0.1:80");
        ok("-a", "-t", "10.0.0.1:80", "-r", "10.0.0.2:8080", "-g");
        ok("-a", "-t", "10.0.0.1:80", "-r", "10.0.0.3:8080", "-i");
        ok("-a", "-t", "10.0.0.1:80", "-r", "10.0.0.4:8080", "-m");
        assertThat(cli.saved()).isEqualTo("-A -t 10.0.0.1:80 -s wlc\n-a -t 10.0.0.1:80 -r 10.0.0.2:80 -g -w 1\n"
                + "-a -t 10.0.0.1:80 -r 10.0.0.3:80 -i -w 1 --tun-type ipip\n"
                + "-a -t 10.0.0.1:80 -r 10.0.0.4:8080 -m -w 1\n");
        ok("-d", "-t", "10.0.0.1:80", "-r", "10.0.0.2");
        ok("-d", "-t", "10.0.0.1:80", "-r", "10.0.0.4:8080");
        assertThat(cli.saved()).isEqualTo("-A -t 10.0.0.1:80 -s wlc\n"
                + "-a -t 10.0.0.1:80 -r 10.0.0.3:80 -i -w 1 --tun-type ipip\n");
    }

    @Test
    void shouldKeepTheirOwnPortWhenServersOfAFwmarkService() {
        ok("-A", "-f", "5");
        ok("-a", "-f", "5", "-r", "10.0.0.2:8080");
        ok("-a", "-f", "5", "-r", "10.0.0.3");
        ok("-a", "-f", "5", "-r", "10.0.0.4:http", "-m");
        assertThat(cli.saved()).isEqualTo("-A -f 5 -s wlc\n-a -f 5 -r 10.0.0.2:8080 -g -w 1\n"
                + "-a -f 5 -r 10.0.0.3:0 -g -w 1\n-a -f 5 -r 10.0.0.4:80 -m -w 1\n");
    }

    @Test
    void shouldCopyThePortSeenSoFarWhenTheRealServerHasNone() {
        ok("-A", "-t", "10.0.0.1:80");
        ok("-a", "-r", "10.0.0.6", "-t", "10.0.0.1:80", "-m");
        ok("-a", "-t", "10.0.0.1:80", "-r", "10.0.0.7", "-m");
        assertThat(cli.saved()).contains("-r 10.0.0.6:0 -m").contains("-r 10.0.0.7:80 -m");
    }

    @Test
    void shouldResetTheMaskWhenTheServiceIsIpv6() {
        ok("-A", "-M", "255.255.255.0", "-t", "[2001:db8::1]:80", "-p");
        ok("-A", "-f", "1", "-M", "255.255.0.0", "-6", "-p");
        ok("-A", "-f", "2", "-6", "-M", "64abc", "-p");
        ok("-A", "-f", "3", "-M", "24", "-p");
        ok("-A", "-f", "4", "-M", "mask.example", "-p");
        assertThat(cli.saved()).isEqualTo("-A -t [2001:db8::1]:80 -s wlc -p 360\n-A -f 1 -6 -s wlc -p 360\n"
                + "-A -f 2 -6 -s wlc -p 360 -M 64\n-A -f 3 -s wlc -p 360 -M 0.0.0.24\n"
                + "-A -f 4 -s wlc -p 360 -M 255.255.0.0\n");
    }

    @Test
    void shouldCheckSchedulerFlagsAgainstTheSchedulerWhenGivenInAnyOrder() {
        ok("-A", "-t", "10.0.0.1:80", "-b", "sh-port,,sh-fallback", "-s", "sh");
        ok("-A", "-t", "10.0.0.2:80", "-b", "", "-s", "rr");
        ok("-A", "-t", "10.0.0.3:80", "-b", "flag-3", "-s", "sh");
        assertThat(cli.saved()).isEqualTo("-A -t 10.0.0.1:80 -s sh -b sh-fallback,sh-port\n"
                + "-A -t 10.0.0.2:80 -s rr\n-A -t 10.0.0.3:80 -s sh -b \n");
        assertThat(cli.run("-Ln").out()).contains("TCP  10.0.0.3:80 sh ()\n");
    }

    @Test
    void shouldAllowAnotherFamilyWhenTunneling() {
        ok("-A", "-t", "10.0.0.1:80");
        ok("-a", "-t", "10.0.0.1:80", "-r", "[2001:db8::5]:80", "-i", "--tun-type", "gue", "--tun-port", "6080",
                "--tun-remcsum");
        assertThat(cli.saved()).endsWith(
                "-a -t 10.0.0.1:80 -r [2001:db8::5]:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-remcsum\n");
    }

    @Test
    void shouldDeleteAndFlushWhenAsked() {
        ok("-A", "-t", "10.0.0.1:80");
        ok("-A", "-u", "10.0.0.1:53");
        ok("-D", "-t", "10.0.0.1:80");
        assertThat(cli.saved()).isEqualTo("-A -u 10.0.0.1:53 -s wlc\n");
        ok("--clear");
        assertThat(cli.saved()).isEmpty();
    }

    /** Two services with counters; the director's zeroer wired to them. */
    private FixedCounters countedTable() {
        ok("-A", "-t", "10.0.0.1:80");
        ok("-a", "-t", "10.0.0.1:80", "-r", "10.0.0.2", "-m");
        ok("-A", "-u", "10.0.0.1:53");
        ok("-a", "-u", "10.0.0.1:53", "-r", "10.0.0.3", "-m");
        Stats busy = new Stats(5, 50, 40, 5000, 4000, 1, 10, 8, 1000, 800);
        FixedCounters counters = new FixedCounters(cli.ipvs)
                .service(tcp("10.0.0.1", 80), busy).dest(tcp("10.0.0.1", 80), "10.0.0.2", 4, 7, busy)
                .service(udp("10.0.0.1", 53), busy).dest(udp("10.0.0.1", 53), "10.0.0.3", 0, 2, busy);
        cli.ipvs.counters(counters);
        cli.ipvs.zeroer(ids -> counters.zero(ids[0], ids[1]));
        return counters;
    }

    private static ServiceKey udp(String address, int port) {
        return IpvsadmListTest.key(Protocol.UDP, address, port);
    }

    /** A {@code --stats} or {@code --rate} row: the label padded to 33, then five 9-wide numbers (all below 10^8). */
    private static String row(String label, long a, long b, long c, long d, long e) {
        return String.format("%-33s%9d%9d%9d%9d%9d\n", label, a, b, c, d, e);
    }

    @Test
    void shouldZeroEveryCounterAndRateButKeepConnectionCountsWhenZeroingAll() {
        countedTable();
        String title = "IP Virtual Server version 1.2.1 (size=4096)\n"
                + "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
                + "  -> RemoteAddress:Port\n";
        assertThat(cli.run("-Ln", "--stats").out()).isEqualTo(title
                + row("TCP  10.0.0.1:80", 5, 50, 40, 5000, 4000) + row("  -> 10.0.0.2:80", 5, 50, 40, 5000, 4000)
                + row("UDP  10.0.0.1:53", 5, 50, 40, 5000, 4000) + row("  -> 10.0.0.3:53", 5, 50, 40, 5000, 4000));

        ok("-Z");

        assertThat(cli.run("-Ln", "--stats").out()).isEqualTo(title
                + row("TCP  10.0.0.1:80", 0, 0, 0, 0, 0) + row("  -> 10.0.0.2:80", 0, 0, 0, 0, 0)
                + row("UDP  10.0.0.1:53", 0, 0, 0, 0, 0) + row("  -> 10.0.0.3:53", 0, 0, 0, 0, 0));
        assertThat(cli.run("-Ln", "--rate").out()).contains(row("TCP  10.0.0.1:80", 0, 0, 0, 0, 0))
                .contains(row("  -> 10.0.0.3:53", 0, 0, 0, 0, 0));
        assertThat(cli.run("-Ln").out()).contains("  -> 10.0.0.2:80                  Masq    1      4          7         \n");
    }

    @Test
    void shouldZeroOnlyThatServiceAndItsServersWhenOneIsNamed() {
        countedTable();
        ok("--zero", "-u", "10.0.0.1:53");
        String stats = cli.run("-Ln", "--stats").out();
        assertThat(stats).contains(row("TCP  10.0.0.1:80", 5, 50, 40, 5000, 4000))
                .contains(row("  -> 10.0.0.2:80", 5, 50, 40, 5000, 4000))
                .contains(row("UDP  10.0.0.1:53", 0, 0, 0, 0, 0))
                .contains(row("  -> 10.0.0.3:53", 0, 0, 0, 0, 0));
    }

    @Test
    void shouldSucceedWhenZeroingAnEmptyTable() {
        ok("-Z");
    }

    @Test
    void shouldPrintTheKernelDefaultsWhenTimeoutsWereNeverSet() {
        assertThat(cli.run("-L", "--timeout")).isEqualTo(new Cli.Result(0, "Timeout (tcp tcpfin udp): 900 120 300\n", ""));
    }

    @Test
    void shouldKeepTheCurrentValueWhenSetGivesZero() {
        ok("--set", "1000", "0", "200");
        assertThat(cli.run("-L", "--timeout")).isEqualTo(new Cli.Result(0, "Timeout (tcp tcpfin udp): 1000 120 200\n", ""));
        ok("--set", "30", "5", "60");
        assertThat(cli.run("--list", "--timeout").out()).isEqualTo("Timeout (tcp tcpfin udp): 30 5 60\n");
        ok("--set", "0", "0", "0");
        assertThat(cli.run("-l", "--timeout").out()).isEqualTo("Timeout (tcp tcpfin udp): 30 5 60\n");
    }

    @Test
    void shouldHandTheNewTimeoutsToTheDirectorWhenSet() {
        List<IpvsApi.Timeouts> seen = new ArrayList<>();
        cli.ipvs.subscribeTimeouts(seen::add);
        ok("--set", "30", "0", "60");
        assertThat(seen).containsExactly(new IpvsApi.Timeouts(900, 120, 300), new IpvsApi.Timeouts(30, 120, 60));
    }

    @Test
    void shouldSetTimeoutsAndZeroWhenRestoreLinesSaySo() {
        countedTable();
        assertThat(cli.restore("--set 30 5 60\n-Z -t 10.0.0.1:80\n")).isEqualTo(new Cli.Result(0, "", ""));
        assertThat(cli.run("-L", "--timeout").out()).isEqualTo("Timeout (tcp tcpfin udp): 30 5 60\n");
        assertThat(cli.run("-Ln", "--stats").out()).contains(row("TCP  10.0.0.1:80", 0, 0, 0, 0, 0))
                .contains(row("UDP  10.0.0.1:53", 5, 50, 40, 5000, 4000));
    }

    @Test
    void shouldPrintNothingWhenNoSyncDaemonRuns() {
        assertThat(cli.run("-L", "--daemon")).isEqualTo(new Cli.Result(0, "", ""));
    }

    @Test
    void shouldListMasterFirstWithTheGivenOptionsWhenDaemonsRun() {
        ok("--start-daemon", "backup", "--mcast-interface", "eth1", "--syncid", "5", "--sync-maxlen", "1400",
                "--mcast-group", "ff02:0:0::81", "--mcast-port", "9000", "--mcast-ttl", "2");
        ok("--start-daemon", "master", "--syncid", "7", "--mcast-group", "224.0.0.81");
        assertThat(cli.ipvs.daemons()).contains(
                new IpvsApi.SyncDaemonConfig("backup", "eth1", 5, 1400, "ff02::81", 9000, 2),
                new IpvsApi.SyncDaemonConfig("master", "eth0", 7, 0, "224.0.0.81", 0, 0));
        assertThat(cli.run("-L", "--daemon")).isEqualTo(new Cli.Result(0,
                "master sync daemon (mcast=eth0, syncid=7, group=224.0.0.81)\n"
                        + "backup sync daemon (mcast=eth1, syncid=5, maxlen=1400, group=ff02::81, port=9000, ttl=2)\n",
                ""));
        ok("--stop-daemon", "master");
        assertThat(cli.run("-L", "--daemon").out()).startsWith("backup sync daemon");
        ok("--stop-daemon", "backup");
        assertThat(cli.run("-L", "--daemon").out()).isEmpty();
    }

    @Test
    void shouldAcceptOptionsWithoutEffectWhenTheMatrixAllowsThem() {
        assertThat(cli.run("-L", "--syncid", "5", "-n").status()).isZero();
        ok("-C", "--sort", "--sort");
        assertThat(cli.run("-l", "--sort").status()).isZero();
        assertThat(cli.run("--list", "-n", "--", "").err()).isEqualTo("unexpected argument \n");
    }

    @Test
    void shouldPrintTheHelpTextWhenH() {
        cli.argv0 = "/usr/sbin/ipvsadm";
        assertThat(cli.run("-h")).isEqualTo(new Cli.Result(0,
                IpvsadmListTest.golden("help.txt").replace("  ipvsadm ", "  /usr/sbin/ipvsadm "), ""));
        assertThat(cli.run("--help", "-n").status()).isZero();
    }

    @Test
    void shouldPrintTheVersionWhenV() {
        assertThat(cli.run("-v")).isEqualTo(new Cli.Result(0,
                "ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)\n", ""));
        assertThat(cli.run("--version").status()).isZero();
    }
}
