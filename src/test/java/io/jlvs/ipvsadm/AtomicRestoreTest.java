package io.jlvs.ipvsadm;

import io.jlvs.control.Errno;
import io.jlvs.control.IpvsApi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ipvsadm-restore --atomic}: the whole input checked first, then applied as one change or not at all. */
class AtomicRestoreTest {
    private static final String PREVIOUS = "-A -t 10.0.0.9:80 -s rr\n-a -t 10.0.0.9:80 -r 10.0.0.7:80 -m -w 3\n"
            + "-a -t 10.0.0.9:80 -r 10.0.0.8:80 -m -w 1\n";

    final Cli cli = new Cli();
    private String before;

    @BeforeEach
    void previousTable() {
        assertThat(cli.restore(PREVIOUS + "--set 30 5 60\n")).isEqualTo(new Cli.Result(0, "", ""));
        before = cli.run("-Ln", "--nosort").out();
    }

    private void assertUnchanged() {
        assertThat(cli.run("-Ln", "--nosort").out()).isEqualTo(before);
        assertThat(cli.run("-L", "--timeout").out()).isEqualTo("Timeout (tcp tcpfin udp): 30 5 60\n");
    }

    private static Cli.Result refused(int status, String message) {
        return new Cli.Result(status, "", "ipvsadm-restore: " + message + "\n");
    }

    @Test
    void shouldReplaceTheWholeTableWhenEveryLineIsGood() {
        assertThat(cli.atomicRestore(IpvsadmListTest.golden("table97.input"))).isEqualTo(new Cli.Result(0, "", ""));
        Cli plain = new Cli();
        assertThat(plain.restore(IpvsadmListTest.golden("table97.input")).status()).isZero();
        assertThat(cli.saved()).isEqualTo(plain.saved());
        assertThat(cli.run("-Ln", "--nosort").out()).isEqualTo(plain.run("-Ln", "--nosort").out());
    }

    @Test
    void shouldRebuildTheSavedTableWhenItsSaveIsRestored() {
        Cli source = new Cli();
        assertThat(source.restore(IpvsadmListTest.golden("table97.input")).status()).isZero();
        assertThat(cli.atomicRestore(source.run("-S").out())).isEqualTo(new Cli.Result(0, "", ""));
        assertThat(cli.saved()).isEqualTo(source.saved());
        assertThat(cli.atomicRestore("# saved by jlvs\n" + source.saved())).isEqualTo(new Cli.Result(0, "", ""));
        assertThat(cli.saved()).isEqualTo(source.saved());
    }

    @Test
    void shouldApplyNothingAndNameTheLineWhenALineFailsLocally() {
        Cli.Result r = cli.atomicRestore("# rules\n-A -t 10.0.0.1:80\n\n-A -t 10.0.0.2:80 -w 1\n-A -t 10.0.0.3:80\n");
        assertThat(r).isEqualTo(refused(2,
                "line 4: Illegal 'weight' option with the 'add-service' command; nothing applied"));
        assertUnchanged();
    }

    @Test
    void shouldApplyNothingWhenTheDirectorWouldRefuseALine() {
        Cli.Result r = cli.atomicRestore("-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.0.0.2\n"
                + "-a -t 10.0.0.1:80 -r 10.0.0.2 -w 4\n");
        assertThat(r).isEqualTo(refused(255, "line 3: Destination already exists; nothing applied"));
        assertUnchanged();
        assertThat(cli.atomicRestore("-A -t 10.0.0.1:80 -s nosuch\n"))
                .isEqualTo(refused(255, "line 1: Scheduler or persistence engine not found; nothing applied"));
        assertUnchanged();
    }

    @Test
    void shouldCheckAgainstAnEmptyTableWhenLinesNameServicesOnlyTheDirectorHas() {
        // the restore clears the table first, so the director's current services do not count
        assertThat(cli.atomicRestore("-a -t 10.0.0.9:80 -r 10.0.0.6 -m\n"))
                .isEqualTo(refused(255, "line 1: Service not defined; nothing applied"));
        assertUnchanged();
    }

    @Test
    void shouldNameTheLineWhenItHasAPoptErrorOrNoCommand() {
        assertThat(cli.atomicRestore("-A -t 10.0.0.1:80\n-A -t 10.0.0.2:80 --foo\n"))
                .isEqualTo(refused(255, "line 2: --foo: unknown option; nothing applied"));
        assertThat(cli.atomicRestore("-A -t 10.0.0.1:80 # note\n"))
                .isEqualTo(refused(2, "line 1: unexpected argument #; nothing applied"));
        assertThat(cli.atomicRestore("  # indented comments are not comments\n"))
                .isEqualTo(refused(255, "line 1: Try `ipvsadm -h' or 'ipvsadm --help' for more information.;"
                        + " nothing applied"));
        assertUnchanged();
    }

    @ParameterizedTest
    @ValueSource(strings = {"-Ln", "-Z", "-Z -t 10.0.0.1:80", "-S -n", "-R", "-h", "-v", "--start-daemon master",
            "--stop-daemon backup"})
    void shouldRefuseALineWhenItCannotBePartOfOneChange(String line) {
        assertThat(cli.atomicRestore("-A -t 10.0.0.1:80\n" + line + "\n")).isEqualTo(refused(2,
                "line 2: only -A, -E, -D, -C, -a, -e, -d and --set can be applied atomically; nothing applied"));
        assertUnchanged();
    }

    @Test
    void shouldApplyEditsDeletesClearsAndTimeoutsInOrderWhenGood() {
        Cli.Result r = cli.atomicRestore("ipvsadm -A -t 10.0.0.1:80\r\n-A -t 10.0.0.2:80\n-C\n-A -t 10.0.0.3:80 -s rr\n"
                + "-a -t 10.0.0.3:80 -r 10.0.0.4 -m\n-e -t 10.0.0.3:80 -r 10.0.0.4 -m -w 9\n-E -t 10.0.0.3:80 -s wrr\n"
                + "-A -u 10.0.0.3:53\n-D -u 10.0.0.3:53\n-a -t 10.0.0.3:80 -r 10.0.0.5 -g\n-d -t 10.0.0.3:80 -r 10.0.0.5\n"
                + "--set 100 0 200\n-A -t 10.0.0.6:80");
        assertThat(r).isEqualTo(new Cli.Result(0, "", ""));
        assertThat(cli.saved()).isEqualTo("-A -t 10.0.0.3:80 -s wrr\n-a -t 10.0.0.3:80 -r 10.0.0.4:80 -m -w 9\n"
                + "-A -t 10.0.0.6:80 -s wlc\n");
        assertThat(cli.run("-L", "--timeout").out()).isEqualTo("Timeout (tcp tcpfin udp): 100 5 200\n");
    }

    @Test
    void shouldClearTheTableWhenTheInputHasNoCommands() {
        assertThat(cli.atomicRestore("# nothing but a comment\n\n")).isEqualTo(new Cli.Result(0, "", ""));
        assertThat(cli.saved()).isEmpty();
    }

    @Test
    void shouldPutThePreviousTableBackWhenTheDirectorRefusesDuringApply() {
        IpvsApi racing = ApiProxies.refusingCall(cli.api, "addDest", 2, Errno.ENOMEM);
        Cli.Result r = cli.atomicRestoreAgainst(racing, "--set 100 100 100\n-A -t 10.0.0.1:80\n"
                + "-a -t 10.0.0.1:80 -r 10.0.0.2 -m\n-a -t 10.0.0.1:80 -r 10.0.0.3 -m\n");
        assertThat(r).isEqualTo(refused(255,
                "line 4: Memory allocation problem; the director refused it, the previous table is back"));
        assertUnchanged();
    }

    @Test
    void shouldSayThePreviousTableIsLostWhenPuttingItBackFails() {
        IpvsApi failing = ApiProxies.refusingCall(ApiProxies.refusingCall(cli.api, "addService", 1, Errno.ENOMEM),
                "flush", 2, Errno.EPERM);
        Cli.Result r = cli.atomicRestoreAgainst(failing, "-A -t 10.0.0.1:80\n");
        assertThat(r.status()).isEqualTo(255);
        assertThat(r.err()).startsWith("ipvsadm-restore: line 1: Memory allocation problem; the director refused it,"
                + " and putting the previous table back failed: ");
    }

    @Test
    void shouldFailInitialisationWhenNoDirectorAnswers() {
        IpvsApi none = ApiProxies.refusingCall(cli.api, "info", 1, Errno.EPERM);
        assertThat(cli.atomicRestoreAgainst(none, "-A -t 10.0.0.1:80\n")).isEqualTo(new Cli.Result(2, "",
                "Can't initialize ipvs: Permission denied (you must be root)\n"
                        + "Are you sure that IP Virtual Server is built in the kernel or as module?\n"));
        assertUnchanged();
    }

    @Test
    void shouldResolveEachNameOnceWhenCheckingAndApplying() {
        AtomicInteger lookups = new AtomicInteger();
        NameService standard = TestNames.standard();
        cli.names = new NameService() {
            @Override
            public Inet4Address ipv4ByName(String name) {
                lookups.incrementAndGet();
                return standard.ipv4ByName(name);
            }

            @Override
            public String nameOf(InetAddress address) {
                return standard.nameOf(address);
            }

            @Override
            public int portOf(String service, String protocol) {
                return standard.portOf(service, protocol);
            }

            @Override
            public String serviceOf(int port, String protocol) {
                return standard.serviceOf(port, protocol);
            }
        };
        assertThat(cli.atomicRestore("-A -t director.example:www\n-a -t director.example:www -r real1.example -m\n"))
                .isEqualTo(new Cli.Result(0, "", ""));
        assertThat(lookups).hasValue(3);
        assertThat(cli.saved()).isEqualTo("-A -t 192.168.100.10:80 -s wlc\n"
                + "-a -t 192.168.100.10:80 -r 10.0.0.11:80 -m -w 1\n");
    }
}
