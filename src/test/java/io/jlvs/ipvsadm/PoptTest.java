package io.jlvs.ipvsadm;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PoptTest {
    private static final List<Popt.Option> TABLE = List.of(
            new Popt.Option("list", 'L', Popt.Arg.NONE, 'L'),
            new Popt.Option("numeric", 'n', Popt.Arg.NONE, 'n'),
            new Popt.Option("tcp-service", 't', Popt.Arg.REQUIRED, 't'),
            new Popt.Option("scheduler", 's', Popt.Arg.REQUIRED, 's'),
            new Popt.Option("persistent", 'p', Popt.Arg.OPTIONAL, 'p'),
            new Popt.Option("set", '\0', Popt.Arg.NONE, 200));

    /** Scans to the end: "c=arg" per option, "!error@word" on an error, then "| leftovers". */
    private static String scan(String... words) {
        String[] argv = new String[words.length + 1];
        argv[0] = "prog";
        System.arraycopy(words, 0, argv, 1, words.length);
        Popt p = new Popt(argv, TABLE);
        List<String> events = new ArrayList<>();
        int c;
        while ((c = p.nextOpt()) >= 0) {
            events.add((c < 128 ? String.valueOf((char) c) : Integer.toString(c)) + "=" + p.optArg());
        }
        if (c != Popt.END) {
            events.add("!" + Popt.strerror(c) + "@" + p.badOption());
        }
        List<String> rest = new ArrayList<>();
        String w;
        while ((w = p.nextLeftover()) != null) {
            rest.add(w);
        }
        return String.join(" ", events) + " | " + String.join(" ", rest);
    }

    @Test
    void shouldSplitShortClustersWhenOptionsTakeNoArgument() {
        assertThat(scan("-Ln")).isEqualTo("L=null n=null | ");
    }

    @Test
    void shouldTakeTheRestOfTheClusterWhenAnOptionNeedsAnArgument() {
        assertThat(scan("-Lt10.0.0.1:80")).isEqualTo("L=null t=10.0.0.1:80 | ");
        assertThat(scan("-sp", "rr")).isEqualTo("s=p | rr");
        assertThat(scan("-t=x")).isEqualTo("t=x | ");
    }

    @Test
    void shouldTakeTheNextWordEvenWhenItStartsWithDashWhenArgumentIsMandatory() {
        assertThat(scan("-t", "-s", "rr")).isEqualTo("t=-s | rr");
        assertThat(scan("-t", "--")).isEqualTo("t=-- | ");
    }

    @Test
    void shouldTakeTheNextWordOnlyWhenItDoesNotStartWithDashWhenArgumentIsOptional() {
        assertThat(scan("-p", "600")).isEqualTo("p=600 | ");
        assertThat(scan("-p", "-s", "rr")).isEqualTo("p=null s=rr | ");
        assertThat(scan("-p")).isEqualTo("p=null | ");
        assertThat(scan("-p600", "-p=60", "--persistent=6", "--persistent", "7"))
                .isEqualTo("p=600 p=60 p=6 p=7 | ");
        assertThat(scan("--persistent=")).isEqualTo("p= | ");
        assertThat(scan("-p", "")).isEqualTo("p= | ");
    }

    @Test
    void shouldAcceptLongOptionsOnlyWhenSpelledOutInFull() {
        assertThat(scan("--list", "--tcp-service=1.2.3.4:80", "--scheduler", "rr"))
                .isEqualTo("L=null t=1.2.3.4:80 s=rr | ");
        assertThat(scan("--lis")).isEqualTo("!unknown option@--lis | ");
        assertThat(scan("--tcp", "x")).isEqualTo("!unknown option@--tcp | ");
    }

    @Test
    void shouldReportTheWholeWordWhenAnErrorIsInACluster() {
        assertThat(scan("-nQ")).isEqualTo("n=null !unknown option@-nQ | ");
        assertThat(scan("-L", "-t")).isEqualTo("L=null !missing argument@-t | ");
        assertThat(scan("--list=1")).isEqualTo("!option does not take an argument@--list=1 | ");
        assertThat(scan("-L=n")).isEqualTo("L=null n=null | ");
        assertThat(scan("-L=")).isEqualTo("L=null !unknown option@-L= | ");
    }

    @Test
    void shouldCollectWordsAsLeftoversWhenTheyAreNotOptions() {
        assertThat(scan("a", "-L", "-", "b", "--", "-n", "--list")).isEqualTo("L=null | a - b -n --list");
        assertThat(scan("--set", "1", "2", "3")).isEqualTo("200=null | 1 2 3");
    }
}
