package io.jlvs.ipvsadm;

import io.jlvs.control.DestInfo;
import io.jlvs.control.ServiceInfo;
import org.junit.jupiter.api.Test;

import java.util.Comparator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ipvsadm -R} (§13) and the save/restore round trip (§12). */
class IpvsadmRestoreTest {
    final Cli cli = new Cli();

    @Test
    void shouldContinueAfterKernelErrorsAndReturnTheLastLinesStatus() {
        Cli.Result r = cli.restore("-A -t 10.0.0.1:80\n-A -t 10.0.0.1:80\n-A -t 10.0.0.2:80\n");
        assertThat(r).isEqualTo(new Cli.Result(0, "", "Service already exists\n"));
        assertThat(cli.saved()).isEqualTo("-A -t 10.0.0.1:80 -s wlc\n-A -t 10.0.0.2:80 -s wlc\n");

        Cli other = new Cli();
        assertThat(other.restore("-A -t 10.0.0.1:80\n-A -t 10.0.0.2:80\n-A -t 10.0.0.1:80\n"))
                .isEqualTo(new Cli.Result(255, "", "Service already exists\n"));
    }

    @Test
    void shouldContinueWhenALineHasAPoptError() {
        Cli.Result r = cli.restore("-A -t 10.0.0.1:80 --foo\n-A -t 10.0.0.2:80\n");
        assertThat(r).isEqualTo(new Cli.Result(0, "", "--foo: unknown option\n"));
        assertThat(cli.saved()).isEqualTo("-A -t 10.0.0.2:80 -s wlc\n");
    }

    @Test
    void shouldStopWhenALineFailsLocally() {
        Cli.Result r = cli.restore("-A -t 10.0.0.1:80\n-A -t 10.0.0.2:80 -w 1\n-A -t 10.0.0.3:80\n");
        assertThat(r).isEqualTo(new Cli.Result(2, "", "Illegal 'weight' option with the 'add-service' command\n"));
        assertThat(cli.saved()).isEqualTo("-A -t 10.0.0.1:80 -s wlc\n");
    }

    @Test
    void shouldAbortWhenALineLooksLikeAComment() {
        Cli.Result r = cli.restore("-A -t 10.0.0.1:80\n# a comment\n-A -t 10.0.0.3:80\n");
        assertThat(r).isEqualTo(new Cli.Result(255, "",
                "Try `ipvsadm -h' or 'ipvsadm --help' for more information.\n"));
        assertThat(cli.saved()).isEqualTo("-A -t 10.0.0.1:80 -s wlc\n");
        assertThat(new Cli().restore("-A -t 10.0.0.1:80 # note\n"))
                .isEqualTo(new Cli.Result(2, "", "unexpected argument #\n"));
    }

    @Test
    void shouldDropIpvsadmTokensAndBlankLinesWhenPresent() {
        Cli.Result r = cli.restore("ipvsadm -A -t 10.0.0.1:80\n\n   \nipvsadm\n-A ipvsadm -t\t10.0.0.2:80 ipvsadm\r\n");
        assertThat(r).isEqualTo(new Cli.Result(0, "", ""));
        assertThat(cli.saved()).isEqualTo("-A -t 10.0.0.1:80 -s wlc\n-A -t 10.0.0.2:80 -s wlc\n");
    }

    @Test
    void shouldDropTheLastLineWhenItHasNoNewlineAndTrailingBlanks() {
        assertThat(cli.restore("-A -t 10.0.0.1:80\n-A -t 10.0.0.2:80  ").status()).isZero();
        assertThat(cli.saved()).isEqualTo("-A -t 10.0.0.1:80 -s wlc\n");
        Cli other = new Cli();
        assertThat(other.restore("-A -t 10.0.0.1:80\n-A -t 10.0.0.2:80 ").status()).isZero();
        assertThat(other.restore("-A -t 10.0.0.3:80").status()).isZero();
        assertThat(other.saved()).isEqualTo("-A -t 10.0.0.1:80 -s wlc\n-A -t 10.0.0.2:80 -s wlc\n"
                + "-A -t 10.0.0.3:80 -s wlc\n");
    }

    @Test
    void shouldRefuseWhenRestoreIsNested() {
        Cli.Result r = cli.restore("-A -t 10.0.0.1:80\n-R\n-A -t 10.0.0.2:80\n");
        assertThat(r.status()).isEqualTo(255);
        assertThat(r.err()).isEqualTo("Try `ipvsadm -h' or 'ipvsadm --help' for more information.\n");
        assertThat(cli.saved()).isEqualTo("-A -t 10.0.0.1:80 -s wlc\n");
    }

    @Test
    void shouldEndTheRunWhenALineAsksForHelp() {
        Cli.Result r = cli.restore("-A -t 10.0.0.1:80\n-h\n-A -t 10.0.0.2:80\n");
        assertThat(r.status()).isZero();
        assertThat(r.out()).startsWith("ipvsadm v1.31 2019/12/24").contains("Daemon Options:");
        assertThat(cli.saved()).isEqualTo("-A -t 10.0.0.1:80 -s wlc\n");
    }

    @Test
    void shouldPrintListingsWhenALineLists() {
        Cli.Result r = cli.restore("-A -t 10.0.0.1:80\n-Ln\n");
        assertThat(r.out()).endsWith("TCP  10.0.0.1:80 wlc\n");
    }

    @Test
    void shouldResetDefaultsForEveryLine() {
        cli.restore("-A -t 10.0.0.1:80 -s rr -p 60\n-A -t 10.0.0.2:80\n-a -t 10.0.0.1:80 -r 10.0.0.5 -m -w 7\n"
                + "-a -t 10.0.0.2:80 -r 10.0.0.6\n");
        assertThat(cli.saved()).isEqualTo("-A -t 10.0.0.1:80 -s rr -p 60\n-a -t 10.0.0.1:80 -r 10.0.0.5:80 -m -w 7\n"
                + "-A -t 10.0.0.2:80 -s wlc\n-a -t 10.0.0.2:80 -r 10.0.0.6:80 -g -w 1\n");
    }

    @Test
    void shouldRebuildAnIdenticalTableWhenSavedOutputIsRestored() {
        assertThat(cli.restore(IpvsadmListTest.golden("table97.input")).status()).isZero();
        // the §9.9 table, but with a scheduler that prints flag-3 (sh does not, so its -b line is lossy)
        assertThat(cli.restore(lines(IpvsadmListTest.golden("table99.input"), 0, 9)
                + "-A -t 203.0.113.40:443 -s wrr -b flag-3,flag-1\n")).isEqualTo(new Cli.Result(0, "", ""));
        String saved = cli.saved();

        Cli copy = new Cli();
        assertThat(copy.restore(saved)).isEqualTo(new Cli.Result(0, "", ""));
        assertThat(copy.saved()).isEqualTo(saved);
        assertThat(table(copy)).isEqualTo(table(cli));

        Cli named = new Cli();
        assertThat(named.restore(cli.run("-S").out())).isEqualTo(new Cli.Result(0, "", ""));
        assertThat(table(named)).isEqualTo(table(cli));
    }

    @Test
    void shouldFailOnTheFlagThreeQuirkWhenRestoringTheSpecsSave() {
        assertThat(cli.restore(IpvsadmListTest.golden("table99.input")).status()).isZero();
        Cli copy = new Cli();
        // the first saved line ends in "-b ": its popt error is reported and the restore goes on
        assertThat(copy.restore(cli.saved())).isEqualTo(new Cli.Result(0, "", "-b: missing argument\n"));
        assertThat(copy.saved()).isEqualTo(cli.saved().substring(cli.saved().indexOf('\n') + 1));
    }

    private static String lines(String text, int from, int to) {
        String[] l = text.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(l, from, to)) + "\n";
    }

    /** The table's configuration in a canonical order (creation order differs after a restore). */
    private static List<String> table(Cli cli) {
        return cli.api.services().stream()
                .sorted(Comparator.comparing(s -> s.config().key().toString()))
                .map(IpvsadmRestoreTest::describe)
                .toList();
    }

    private static String describe(ServiceInfo s) {
        return s.config() + " " + s.dests().stream().map(DestInfo::config).map(Object::toString).sorted().toList();
    }
}
