package io.jlvs.ipvsadm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code -L -c} over connection entries in /proc/net/ip_vs_conn format (§10). */
class ConnectionListingTest {
    final Cli cli = new Cli();

    @TempDir
    Path dir;

    private void connections(String text) throws IOException {
        cli.connectionFile = Files.writeString(dir.resolve("ip_vs_conn"), text);
    }

    @Test
    void shouldRenderEveryRowWhenNumeric() throws IOException {
        connections(IpvsadmListTest.golden("ip_vs_conn.txt"));
        assertThat(cli.run("-Lnc")).isEqualTo(new Cli.Result(0, IpvsadmListTest.golden("conn-Lnc.txt"), ""));
    }

    @Test
    void shouldAddPersistenceColumnsOnlyWhenTheLineHasThem() throws IOException {
        connections(IpvsadmListTest.golden("ip_vs_conn.txt"));
        Cli.Result r = cli.run("-Lnc", "--persistent-conn");
        String expected = IpvsadmListTest.golden("conn-Lnc-persistent-conn-excerpt.txt");
        assertThat(IpvsadmListTest.lines(r.out(), 0, 3)).isEqualTo(IpvsadmListTest.lines(expected, 0, 3));
        assertThat(r.out()).contains(IpvsadmListTest.lines(expected, 3, 4));
    }

    @Test
    void shouldNameTcpPortsButNotIpPortsWhenNotNumeric() throws IOException {
        connections(IpvsadmListTest.golden("ip_vs_conn.txt"));
        String out = cli.run("-Lc").out();
        assertThat(out).contains("TCP 14:57  ESTABLISHED 192.168.10.5:54321 192.168.100.10:http 10.0.0.11:http\n")
                .contains("IP  09:43  NONE        192.168.10.0:0     0.0.0.42:0         10.0.0.31:0\n");
    }

    @Test
    void shouldWidenMinutesWhenAboveNinetyNine() throws IOException {
        connections("header\nTCP C0A80A05 D431 C0A8640A 0050 0A00000B 0050 ESTABLISHED 6003\n");
        assertThat(cli.run("-Lnc").out()).endsWith(
                "TCP 100:03 ESTABLISHED 192.168.10.5:54321 192.168.100.10:80  10.0.0.11:80\n");
    }

    @Test
    void shouldFailWhenTheFileIsEmpty() throws IOException {
        connections("");
        assertThat(cli.run("-Lnc")).isEqualTo(new Cli.Result(1, "", "unexpected input from /proc/net/ip_vs_conn\n"));
    }
}
