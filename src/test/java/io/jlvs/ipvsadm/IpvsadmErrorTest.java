package io.jlvs.ipvsadm;

import io.jlvs.control.Errno;
import io.jlvs.control.IpvsApi;
import io.jlvs.control.IpvsException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every refusal: its exact text on stderr, its exit status, nothing on stdout, and the table left
 * exactly as it was.
 */
class IpvsadmErrorTest {
    record Case(int status, String err, String[] args) {
        @Override
        public String toString() {
            return String.join(" ", args) + " -> " + status;
        }
    }

    private static Case c(int status, String err, String... args) {
        return new Case(status, err + "\n", args);
    }

    private static final String TRY = "Try `ipvsadm -h' or 'ipvsadm --help' for more information.";

    static List<Case> refusals() {
        return List.of(
                // popt level and the first option (exit 255)
                c(255, TRY, "foo"),
                c(255, TRY, "-n"),
                c(255, TRY, "--foo"),
                c(255, TRY, "--tcp", "-L"),
                c(255, TRY, "--start-daemon"),
                c(255, TRY, "--list=x"),
                c(255, TRY, "-r", "10.0.0.1"),
                c(255, "--foo: unknown option", "-L", "--foo"),
                c(255, "--tcp: unknown option", "-L", "--tcp"),
                c(255, "--tcp-serv: unknown option", "-L", "--tcp-serv"),
                c(255, "-LQ: unknown option", "-LQ"),
                c(255, "-Q: unknown option", "-L", "-Q"),
                c(255, "-L=: unknown option", "-L="),
                c(255, "-t: missing argument", "-A", "-t"),
                c(255, "-x: missing argument", "-L", "-x"),
                c(255, "--numeric=1: option does not take an argument", "-L", "--numeric=1"),
                c(255, "-n==: option does not take an argument", "-L", "-n=="),
                c(255, "-1: unknown option", "--set", "-1", "2", "3"),
                // a second command and stray words
                c(2, "invalid option `-A'", "-L", "-A"),
                c(2, "invalid option `-nA'", "-L", "-nA"),
                c(2, "invalid option `-h'", "-L", "-h"),
                c(2, "invalid option `master'", "-L", "--start-daemon", "master"),
                c(2, "unexpected argument foo", "-L", "foo"),
                c(2, "unexpected argument rr", "-A", "-t", "10.0.0.9:80", "-sp", "rr"),
                c(2, "unexpected argument -x", "-L", "--", "-x"),
                // values checked as they are read
                c(2, "illegal virtual server address[:port] specified", "-A", "-t", "-s", "rr"),
                c(2, "illegal virtual server address[:port] specified", "-A", "-t", "80"),
                c(2, "illegal virtual server address[:port] specified", "-A", "-t", ""),
                c(2, "illegal virtual server address[:port] specified", "-A", "-t", "10.0.0.9:65536"),
                c(2, "illegal virtual server address[:port] specified", "-A", "-t", "10.0.0.9:"),
                c(2, "illegal virtual server address[:port] specified", "-A", "-t", "10.0.0.9:nosuch"),
                c(2, "illegal virtual server address[:port] specified", "-A", "-u", "10.0.0.9:http"),
                c(2, "illegal virtual server address[:port] specified", "-A", "-t", "[2001:db8::1]"),
                c(2, "illegal virtual server address[:port] specified", "-A", "-t", "[2001:db8::1]:"),
                c(2, "illegal virtual server address[:port] specified", "-A", "-t", "[2001:db8::1"),
                c(2, "illegal virtual server address[:port] specified", "-A", "-t", "no.such.host:80"),
                c(2, "illegal virtual server address[:port] specified", "-A", "-t", "v6only.example:80"),
                c(2, "illegal virtual server address[:port] specified", "-A", "-t", "1.2.3.256:80"),
                c(2, "illegal real server address[:port] specified", "-a", "-r", "10.0.0.5:http", "-t",
                        "10.0.0.1:80"),
                c(2, "illegal real server address[:port] specified", "-a", "-t", "10.0.0.1:80", "-r", "x:y:z"),
                c(2, "invalid fwmark value `0' specified", "-A", "-f", "0"),
                c(2, "invalid fwmark value `-3' specified", "-A", "-f", "-3"),
                c(2, "invalid fwmark value `4294967296' specified", "-A", "-f", "4294967296"),
                c(2, "invalid fwmark value `0x10' specified", "-A", "-f", "0x10"),
                c(2, "invalid fwmark value `' specified", "-A", "-f", ""),
                c(2, "-6 used before -f\n", "-A", "-t", "10.0.0.9:80", "-6"),
                c(2, "-6 used before -f\n", "-A", "-6", "-f", "1"),
                c(2, "invalid timeout value `0' specified", "-A", "-t", "10.0.0.9:80", "-p", "0"),
                c(2, "invalid timeout value `2678401' specified", "-A", "-t", "10.0.0.9:80", "-p2678401"),
                c(2, "invalid timeout value `' specified", "-A", "-t", "10.0.0.9:80", "--persistent="),
                c(2, "invalid timeout value `' specified", "-A", "-t", "10.0.0.9:80", "-p="),
                c(2, "invalid timeout value `x' specified", "-A", "-t", "10.0.0.9:80", "-p", "x"),
                c(2, "illegal virtual server persistent mask specified", "-A", "-t", "10.0.0.9:80", "-M",
                        "255.255.255.256"),
                c(2, "illegal ipv6 netmask specified", "-A", "-t", "[2001:db8::1]:80", "-M", "129"),
                c(2, "illegal ipv6 netmask specified", "-A", "-t", "[2001:db8::1]:80", "-M", "abc"),
                c(2, "illegal weight specified", "-a", "-t", "10.0.0.1:80", "-r", "10.0.0.5", "-w", "65536"),
                c(2, "illegal weight specified", "-a", "-t", "10.0.0.1:80", "-r", "10.0.0.5", "-w", "-1"),
                c(2, "illegal weight specified", "-a", "-t", "10.0.0.1:80", "-r", "10.0.0.5", "-w", "1x"),
                c(2, "illegal u_threshold specified", "-a", "-t", "10.0.0.1:80", "-r", "10.0.0.5", "-x",
                        "2147483648"),
                c(2, "illegal l_threshold specified", "-a", "-t", "10.0.0.1:80", "-r", "10.0.0.5", "-y", "abc"),
                c(2, "illegal syncid specified", "-L", "--syncid", "256"),
                c(2, "illegal tunnel type specified", "-a", "-t", "10.0.0.1:80", "-r", "10.0.0.5", "-i",
                        "--tun-type", "vxlan"),
                c(2, "illegal tunnel port specified", "-a", "-t", "10.0.0.1:80", "-r", "10.0.0.5", "-i",
                        "--tun-port", "0"),
                c(2, "illegal start-daemon parameter specified", "--start-daemon", "primary"),
                c(2, "illegal start_daemon specified", "--stop-daemon", "primary"),
                c(2, "invalid IPv4 mcast-group `10.0.0.1'", "--start-daemon", "master", "--mcast-group", "10.0.0.1"),
                c(2, "invalid IPv4 mcast-group `224.1'", "--start-daemon", "master", "--mcast-group", "224.1"),
                c(2, "invalid IPv6 mcast-group `2001:db8::1'", "--start-daemon", "master", "--mcast-group",
                        "2001:db8::1"),
                c(2, "illegal mcast-port specified", "--start-daemon", "master", "--mcast-port", "0"),
                c(2, "illegal mcast-ttl specified", "--start-daemon", "master", "--mcast-ttl", "256"),
                c(2, "illegal sync-maxlen specified", "--start-daemon", "master", "--sync-maxlen", "65508"),
                c(2, "multiple 'scheduler' options specified", "-A", "-t", "10.0.0.9:80", "-s", "rr", "-s", "wlc"),
                c(2, "multiple 'forwarding-method' options specified", "-a", "-t", "10.0.0.1:80", "-r",
                        "10.0.0.5", "-m", "-g"),
                c(2, "multiple 'service-address' options specified", "-A", "-f", "1", "-t", "10.0.0.9:80"),
                c(2, "multiple 'numeric' options specified", "-L", "-n", "-n"),
                // --set values, then -b
                c(2, "--set option requires 3 timeout values", "--set", "1", "2"),
                c(2, "invalid timeout value `x' specified", "--set", "1", "2", "x"),
                c(2, "invalid timeout value `2678401' specified", "--set", "2678401", "0", "0"),
                c(2, "unexpected argument 4", "--set", "1", "2", "3", "4"),
                c(2, "invalid scheduler flag `foo'", "-A", "-t", "10.0.0.9:80", "-b", "flag-1,foo"),
                c(2, "incompatible scheduler flag `sh-port'", "-A", "-t", "10.0.0.9:80", "-b", "sh-port"),
                c(2, "incompatible scheduler flag `mh-fallback'", "-A", "-t", "10.0.0.9:80", "-s", "sh", "-b",
                        "mh-fallback"),
                c(2, "invalid scheduler flag `,,'", "-A", "-t", "10.0.0.9:80", "-b", ",,"),
                // the command/option matrix, in row order
                c(2, "You need to supply the 'service-address' option for the 'add-service' command", "-A"),
                c(2, "You need to supply the 'service-address' option for the 'delete-server' command", "-d", "-r",
                        "10.0.0.2"),
                c(2, "You need to supply the 'real-server' option for the 'add-server' command", "-a", "-t",
                        "10.0.0.1:80"),
                c(2, "Illegal 'numeric' option with the 'add-service' command", "-A", "-t", "10.0.0.9:80", "-n"),
                c(2, "Illegal 'numeric' option with the 'flush' command", "-C", "-n"),
                c(2, "Illegal 'numeric' option with the 'restore' command", "-R", "-n"),
                c(2, "Illegal 'numeric' option with the 'zero' command", "-Z", "-n"),
                c(2, "Illegal 'connection' option with the 'save' command", "-S", "-c"),
                c(2, "Illegal 'service-address' option with the 'flush' command", "-C", "-t", "10.0.0.1:80"),
                c(2, "Illegal 'real-server' option with the 'add-service' command", "-A", "-t", "10.0.0.9:80",
                        "-r", "10.0.0.5"),
                c(2, "Illegal 'scheduler' option with the 'delete-service' command", "-D", "-t", "10.0.0.1:80",
                        "-s", "rr"),
                c(2, "Illegal 'weight' option with the 'delete-server' command", "-d", "-t", "10.0.0.1:80", "-r",
                        "10.0.0.2", "-w", "2"),
                c(2, "Illegal 'u-threshold' option with the 'edit-service' command", "-E", "-t", "10.0.0.1:80",
                        "-x", "1"),
                c(2, "Illegal 'tun-type' option with the 'list' command", "-L", "--tun-type", "gre"),
                c(2, "Illegal 'ops' option with the 'add-server' command", "-a", "-t", "10.0.0.1:80", "-r",
                        "10.0.0.5", "-o"),
                c(2, "Illegal 'mcast-interface' option with the 'stop-daemon' command", "--stop-daemon", "master",
                        "--mcast-interface", "eth1"),
                c(2, "Illegal 'service-address' option with the 'set' command", "--set", "1", "2", "3", "-t",
                        "10.0.0.1:80"),
                c(2, "The option 'service-address' conflicts with the 'connection' option in the 'list' command",
                        "-L", "-t", "10.0.0.1:80", "-c"),
                c(2, "The option 'timeout' conflicts with the 'connection' option in the 'list' command",
                        "-L", "-c", "--timeout"),
                c(2, "The option 'daemon' conflicts with the 'timeout' option in the 'list' command",
                        "-L", "--daemon", "--timeout"),
                // per-command checks
                c(2, "options conflicts in the list command", "-L", "--timeout", "--stats"),
                c(2, "options conflicts in the list command", "-L", "-c", "--rate"),
                c(2, "options conflicts in the list command", "-L", "--daemon", "--persistent-conn"),
                c(2, "Zero port specified for non-persistent service", "-A", "-t", "10.0.0.9"),
                c(2, "Zero port specified for non-persistent service", "-A", "-t", "[10.0.0.9]:80"),
                c(2, "Zero port specified for non-persistent service", "-A", "-t", "2001:db8::9"),
                c(2, "Zero port specified for non-persistent service", "-E", "-t", "10.0.0.1:0"),
                c(2, "One-Packet Scheduling is only for UDP virtual services", "-A", "-t", "10.0.0.9:80", "-o"),
                c(2, "Different address family is allowed only for tunneling servers", "-a", "-t", "10.0.0.1:80",
                        "-r", "[2001:db8::5]:80", "-m"),
                c(2, "Different address family is allowed only for tunneling servers", "-e", "-f", "1", "-r",
                        "2001:db8::5"),
                c(2, "Tunnel options conflict with forward method", "-a", "-t", "10.0.0.1:80", "-r", "10.0.0.5",
                        "-m", "--tun-type", "gue"),
                c(2, "Tunnel options conflict with forward method", "-a", "-t", "10.0.0.1:80", "-r", "10.0.0.5",
                        "--tun-nocsum"),
                c(2, "Illegal 'tun-port' option with the 'ipip' tunnel type", "-a", "-t", "10.0.0.1:80", "-r",
                        "10.0.0.5", "-i", "--tun-port", "5555"),
                c(2, "You need to supply the 'tun-port' option for the 'gue' tunnel type", "-a", "-t",
                        "10.0.0.1:80", "-r", "10.0.0.5", "-i", "--tun-type", "gue"),
                c(2, "The option 'tun-csum' conflicts with the 'tun-nocsum' option in the 'gue' tunnel type",
                        "-a", "-t", "10.0.0.1:80", "-r", "10.0.0.5", "-i", "--tun-type", "gue", "--tun-port", "6080",
                        "--tun-csum", "--tun-nocsum"),
                c(2, "Illegal 'tun-remcsum' option with the 'gre' tunnel type", "-a", "-t", "10.0.0.1:80", "-r",
                        "10.0.0.5", "-i", "--tun-type", "gre", "--tun-remcsum"),
                // the director refuses (exit 255)
                c(255, "Service already exists", "-A", "-t", "10.0.0.1:80", "-s", "nosuch"),
                c(255, "Scheduler or persistence engine not found", "-A", "-t", "10.0.0.9:80", "-s", "nosuch"),
                c(255, "Scheduler or persistence engine not found", "-E", "-t", "10.0.0.1:80", "-s", "RR"),
                c(255, "No such service", "-E", "-t", "10.0.0.9:80"),
                c(255, "No such service", "-D", "-t", "10.0.0.9:80"),
                c(255, "No such service", "-D", "-u", "10.0.0.1:80"),
                c(255, "No such service", "-Z", "-t", "10.0.0.9:80"),
                c(255, "Service not defined", "-a", "-t", "10.0.0.9:80", "-r", "10.0.0.5"),
                c(255, "Service not defined", "-e", "-f", "7", "-r", "10.0.0.5"),
                c(255, "Service not defined", "-d", "-t", "10.0.0.9:80", "-r", "10.0.0.2"),
                c(255, "Destination already exists", "-a", "-t", "10.0.0.1:80", "-r", "10.0.0.2", "-w", "5"),
                c(255, "No such destination", "-e", "-t", "10.0.0.1:80", "-r", "10.0.0.99"),
                c(255, "No such destination", "-d", "-t", "10.0.0.1:80", "-r", "10.0.0.2:8080"),
                c(255, "Numerical result out of range", "-a", "-t", "10.0.0.1:80", "-r", "10.0.0.7", "-y", "5"),
                c(255, "Numerical result out of range", "-e", "-t", "10.0.0.1:80", "-r", "10.0.0.2", "-m", "-x",
                        "5", "-y", "6"),
                // above INT_MAX / HZ (HZ 1000): what the kernel's ip_vs_set_timeout refuses
                c(255, "Invalid operation.  Possibly wrong module version, address not unicast, ...", "--set",
                        "2147484", "0", "0"),
                c(255, "No daemon is running", "--stop-daemon", "backup", "--syncid", "3"),
                // listings that cannot be produced (exit 1)
                c(1, "No such service", "-L", "-t", "10.0.0.9:80"),
                c(1, "No such service", "-Ln", "-f", "1"));
    }

    final Cli cli = new Cli();

    @BeforeEach
    void table() {
        assertThat(cli.run("-A", "-t", "10.0.0.1:80", "-s", "wlc").status()).isZero();
        assertThat(cli.run("-a", "-t", "10.0.0.1:80", "-r", "10.0.0.2", "-m", "-x", "10").status()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void shouldPrintTheMessageAndLeaveTheTableWhenRefused(Case c) {
        String before = cli.saved();
        Cli.Result r = cli.run(c.args());
        assertThat(r).isEqualTo(new Cli.Result(c.status(), "", c.err()));
        assertThat(cli.saved()).isEqualTo(before);
        assertThat(cli.run("-Ln", "--thresholds").out()).contains("10.0.0.2:80                  10         0");
    }

    @Test
    void shouldLeaveTimeoutsUnchangedWhenSetIsRefused() {
        assertThat(cli.run("--set", "30", "5", "60").status()).isZero();
        assertThat(cli.run("--set", "2147484", "1", "1").status()).isEqualTo(255);
        assertThat(cli.run("--set", "1", "2", "x").status()).isEqualTo(2);
        assertThat(cli.run("-L", "--timeout").out()).isEqualTo("Timeout (tcp tcpfin udp): 30 5 60\n");
    }

    @Test
    void shouldExitOneSilentlyWhenTheDirectorCannotReportTimeouts() {
        assertThat(cli.runAgainst(ApiProxies.without(cli.api, "timeouts"), "", "-L", "--timeout"))
                .isEqualTo(new Cli.Result(1, "", ""));
    }

    @Test
    void shouldSayOperationNotSupportedWhenTheDirectorLacksZeroOrSet() {
        var old = ApiProxies.without(cli.api, "zero", "setTimeouts");
        assertThat(cli.runAgainst(old, "", "-Z")).isEqualTo(new Cli.Result(255, "", "Operation not supported with IPv6\n"));
        assertThat(cli.runAgainst(old, "", "--set", "1", "2", "3"))
                .isEqualTo(new Cli.Result(255, "", "Operation not supported with IPv6\n"));
    }

    @Test
    void shouldSayTheDaemonRunsWhenItIsStartedTwice() {
        assertThat(cli.run("--start-daemon", "master").status()).isZero();
        assertThat(cli.run("--start-daemon", "master", "--syncid", "4"))
                .isEqualTo(new Cli.Result(255, "", "Daemon has already run\n"));
        assertThat(cli.run("-L", "--daemon").out()).isEqualTo("master sync daemon (mcast=eth0, syncid=0)\n");
    }

    @Test
    void shouldExitOneSilentlyWhenTheDirectorCannotListDaemons() {
        assertThat(cli.runAgainst(ApiProxies.without(cli.api, "daemons"), "", "-L", "--daemon"))
                .isEqualTo(new Cli.Result(1, "", ""));
    }

    @Test
    void shouldUseTheProgramNameWhenSuggestingHelp() {
        cli.argv0 = "/sbin/ipvsadm";
        assertThat(cli.run("-w", "1"))
                .isEqualTo(new Cli.Result(255, "", "Try `/sbin/ipvsadm -h' or '/sbin/ipvsadm --help' for more"
                        + " information.\n"));
    }

    @Test
    void shouldStopAtTheFirstFailureWhenSeveralOptionsAreBad() {
        assertThat(cli.run("-A", "-t", "10.0.0.9:80", "-w", "x", "--foo").err())
                .isEqualTo("illegal weight specified\n");
        assertThat(cli.run("-A", "-t", "10.0.0.9:80", "--foo", "-w", "x").err()).isEqualTo("--foo: unknown option\n");
        assertThat(cli.run("-A", "-n", "-b", "foo").err()).isEqualTo("invalid scheduler flag `foo'\n");
        assertThat(cli.run("-L", "-b", "x", "-s", "sh", "-c").err()).isEqualTo("invalid scheduler flag `x'\n");
    }

    @Test
    void shouldFailInitialisationWhenTheDirectorRefusesInfo() {
        IpvsApi refusing = (IpvsApi) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {IpvsApi.class},
                (proxy, method, args) -> {
                    throw new IpvsException(Errno.EPERM, "not root");
                });
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = IpvsadmMain.run("ipvsadm", new String[] {"-h"}, refusing, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("Can't initialize ipvs: Permission denied (you must"
                + " be root)\nAre you sure that IP Virtual Server is built in the kernel or as module?\n");
    }
}
