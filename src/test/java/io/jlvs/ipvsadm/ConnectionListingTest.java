package io.jlvs.ipvsadm;

import io.jlvs.control.Ipvs;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code -L -c} over the director's connection table, given in /proc/net/ip_vs_conn's format (§10). */
class ConnectionListingTest {
    final Cli cli = new Cli();

    private void connections(String text) {
        cli.connections(text.lines().toList());
    }

    @Test
    void shouldRenderEveryRowWhenNumeric() {
        connections(IpvsadmListTest.golden("ip_vs_conn.txt"));
        assertThat(cli.run("-Lnc")).isEqualTo(new Cli.Result(0, IpvsadmListTest.golden("conn-Lnc.txt"), ""));
        assertThat(cli.run("-L", "-n", "-c").out()).isEqualTo(IpvsadmListTest.golden("conn-Lnc.txt"));
    }

    @Test
    void shouldAddPersistenceColumnsOnlyWhenTheLineHasThem() {
        connections(IpvsadmListTest.golden("ip_vs_conn.txt"));
        Cli.Result r = cli.run("-Lnc", "--persistent-conn");
        String expected = IpvsadmListTest.golden("conn-Lnc-persistent-conn-excerpt.txt");
        assertThat(r.status()).isZero();
        assertThat(IpvsadmListTest.lines(r.out(), 0, 3)).isEqualTo(IpvsadmListTest.lines(expected, 0, 3));
        assertThat(r.out()).contains(IpvsadmListTest.lines(expected, 3, 4));
    }

    @Test
    void shouldNameTcpPortsButNotIpPortsWhenNotNumeric() {
        connections(IpvsadmListTest.golden("ip_vs_conn.txt"));
        String out = cli.run("-Lc").out();
        assertThat(out).contains("TCP 14:57  ESTABLISHED 192.168.10.5:54321 192.168.100.10:http 10.0.0.11:http\n")
                .contains("IP  09:43  NONE        192.168.10.0:0     0.0.0.42:0         10.0.0.31:0\n");
    }

    @Test
    void shouldWidenMinutesWhenAboveNinetyNine() {
        connections("header\nTCP C0A80A05 D431 C0A8640A 0050 0A00000B 0050 ESTABLISHED 6003\n");
        assertThat(cli.run("-Lnc").out()).endsWith(
                "TCP 100:03 ESTABLISHED 192.168.10.5:54321 192.168.100.10:80  10.0.0.11:80\n");
    }

    @Test
    void shouldRenderTheDirectorsOwnLinesWhenItFormatsThemAsTheKernel() {
        // the director's format: "%-3s %08X %04X %08X %04X %08X %04X %-11s %7d"
        cli.connections(List.of(Ipvs.CONN_TABLE_HEADER,
                String.format("%-3s %08X %04X %08X %04X %08X %04X %-11s %7d", "TCP", 0xC6120002, 40000, 0xC6120064,
                        80, 0xC613000B, 80, "FIN_WAIT", 4),
                String.format("%-3s %08X %04X %08X %04X %08X %04X %-11s %7d", "IP", 0xC6120002, 0, 0xC6120064, 80,
                        0xC613000B, 80, "NONE", 3)));
        assertThat(cli.run("-Lnc")).isEqualTo(new Cli.Result(0, """
                IPVS connection entries
                pro expire state       source             virtual            destination
                TCP 00:04  FIN_WAIT    198.18.0.2:40000   198.18.0.100:80    198.19.0.11:80
                IP  00:03  NONE        198.18.0.2:0       198.18.0.100:80    198.19.0.11:80
                """, ""));
    }

    @Test
    void shouldPrintOnlyTheHeadersWhenTheDirectorHasNoConnections() {
        assertThat(cli.run("-Lnc")).isEqualTo(new Cli.Result(0,
                "IPVS connection entries\npro expire state       source             virtual            destination\n",
                ""));
    }

    @Test
    void shouldFailWhenTheTableHasNoHeaderLine() {
        cli.connections(List.of());
        assertThat(cli.run("-Lnc")).isEqualTo(new Cli.Result(1, "", "unexpected input from /proc/net/ip_vs_conn\n"));
    }

    @Test
    void shouldFailAsAMissingFileWhenTheDirectorCannotListConnections() {
        String before = cli.saved();
        assertThat(cli.runAgainst(ApiProxies.without(cli.api, "connectionTable"), "", "-L", "-c"))
                .isEqualTo(new Cli.Result(1, "", "cannot open file /proc/net/ip_vs_conn\n"));
        assertThat(cli.saved()).isEqualTo(before);
    }
}
