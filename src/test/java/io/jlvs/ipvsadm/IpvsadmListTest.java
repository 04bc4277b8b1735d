package io.jlvs.ipvsadm;

import io.jlvs.control.Protocol;
import io.jlvs.control.ServiceKey;
import io.jlvs.control.Stats;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Golden listings: the spec's worked examples (§9.7, §9.9, §12) built through the CLI and compared byte for byte. */
class IpvsadmListTest {

    static String golden(String name) {
        try (InputStream in = IpvsadmListTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("no resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String lines(String text, int from, int to) {
        String[] l = text.split("\n", -1);
        return String.join("\n", Arrays.copyOfRange(l, from, to)) + "\n";
    }

    static int lineCount(String text) {
        return text.split("\n", -1).length - 1;
    }

    static ServiceKey key(Protocol p, String address, int port) {
        return ServiceKey.of(p, address(address), port);
    }

    static InetAddress address(String text) {
        InetAddress a = InetText.pton4(text);
        return a != null ? a : InetText.pton6(text);
    }

    @Nested
    class WorkedExample97 {
        final Cli cli = new Cli();

        @BeforeEach
        void build() {
            Cli.Result r = cli.restore(golden("table97.input"));
            assertThat(r).isEqualTo(new Cli.Result(0, "", ""));
            ServiceKey tcp80 = key(Protocol.TCP, "192.168.100.10", 80);
            ServiceKey udp53 = key(Protocol.UDP, "192.168.100.10", 53);
            ServiceKey v6 = key(Protocol.TCP, "2001:db8::10", 443);
            ServiceKey fwm = ServiceKey.ofFwmark(2, 42);
            FixedCounters c = new FixedCounters(cli.ipvs)
                    .service(tcp80, new Stats(1234567, 98765432, 123456789, 5678901234L, 987654321098765L,
                            42, 1500, 1480, 250000000, 1200000))
                    .dest(tcp80, "10.0.0.11", 120, 340, new Stats(600000, 50000000, 60000000, 3000000000L,
                            500000000000000L, 20, 0, 0, 125000000, 0))
                    .dest(tcp80, "10.0.0.12", 80, 200, FixedCounters.conns(400000))
                    .dest(tcp80, "10.0.0.13", 5, 7, FixedCounters.conns(234567))
                    .service(udp53, new Stats(5000, 5000, 5000, 320000, 640000, 0, 0, 0, 0, 0))
                    .dest(udp53, "10.0.0.21", 0, 12, FixedCounters.conns(5000))
                    .service(v6, FixedCounters.conns(100))
                    .dest(v6, "2001:db8::a1", 4, 0, Stats.ZERO)
                    .dest(v6, "2001:db8::a2", 2, 0, Stats.ZERO)
                    .service(fwm, FixedCounters.conns(77))
                    .dest(fwm, "10.0.0.31", 3, 0, Stats.ZERO)
                    .dest(fwm, "10.0.0.32", 1, 0, Stats.ZERO);
            cli.ipvs.counters(c);
            cli.api.persistentConns("10.0.0.31", 2);
            cli.api.persistentConns("10.0.0.32", 1);
        }

        @Test
        void shouldPrintPlainListingWhenNumeric() {
            assertThat(cli.run("-Ln")).isEqualTo(new Cli.Result(0, golden("table97-Ln.txt"), ""));
        }

        @Test
        void shouldNamePortsButNotFwmarkPortsWhenNotNumeric() {
            String expected = golden("table97-L-excerpt.txt");
            Cli.Result r = cli.run("-L");
            assertThat(r.status()).isZero();
            assertThat(lines(r.out(), 0, 7)).isEqualTo(lines(expected, 0, 7));
            int n = lineCount(r.out());
            assertThat(lines(r.out(), n - 3, n)).isEqualTo(lines(expected, 7, 10));
            assertThat(r.out()).contains("UDP  192.168.100.10:domain sh (sh-fallback,sh-port)\n")
                    .contains("TCP  [2001:db8::10]:https wrr persistent 360\n");
        }

        @Test
        void shouldListTheWholeTableWhenThereAreNoArguments() {
            Cli.Result r = cli.run();
            assertThat(r.status()).isZero();
            assertThat(r.out()).isEqualTo(cli.run("-L").out());
        }

        @Test
        void shouldAbbreviateCountersWhenStats() {
            assertThat(cli.run("-Ln", "--stats")).isEqualTo(new Cli.Result(0, golden("table97-Ln-stats.txt"), ""));
        }

        @Test
        void shouldWidenColumnsWhenExact() {
            Cli.Result r = cli.run("-Ln", "--stats", "--exact");
            assertThat(lines(r.out(), 0, 5)).isEqualTo(golden("table97-Ln-stats-exact-head.txt"));
            assertThat(lines(r.out(), 5, lineCount(r.out())))
                    .isEqualTo(lines(golden("table97-Ln-stats.txt"), 5, 16));
            assertThat(cli.run("-Ln", "--stats", "-X").out()).isEqualTo(r.out());
        }

        @Test
        void shouldNeverAbbreviateRealServerPacketRatesWhenRate() {
            Cli.Result r = cli.run("-Ln", "--rate");
            assertThat(lines(r.out(), 0, 7)).isEqualTo(golden("table97-Ln-rate-head.txt"));
        }

        @Test
        void shouldShowThresholdColumnsWhenThresholds() {
            Cli.Result r = cli.run("-Ln", "--thresholds");
            assertThat(lines(r.out(), 0, 7)).isEqualTo(golden("table97-Ln-thresholds-head.txt"));
        }

        @Test
        void shouldShowPersistentConnectionsWhenPersistentConn() {
            String expected = golden("table97-Ln-persistent-conn-excerpt.txt");
            Cli.Result r = cli.run("-Ln", "--persistent-conn");
            int n = lineCount(r.out());
            assertThat(lines(r.out(), 0, 3) + lines(r.out(), n - 3, n)).isEqualTo(expected);
        }

        @Test
        void shouldShowTunnelInfoWhenTunInfo() {
            String expected = golden("table97-Ln-tun-info-excerpt.txt");
            Cli.Result r = cli.run("-Ln", "--tun-info");
            int n = lineCount(r.out());
            assertThat(lines(r.out(), 0, 3) + lines(r.out(), n - 3, n)).isEqualTo(expected);
        }

        @Test
        void shouldOmitTheVersionLineWhenOneServiceIsListed() {
            assertThat(cli.run("-Ln", "-t", "192.168.100.10:80"))
                    .isEqualTo(new Cli.Result(0, golden("table97-Ln-one-service.txt"), ""));
        }

        @Test
        void shouldKeepDirectorOrderWhenNosort() {
            Cli.Result r = cli.run("-Ln", "--nosort");
            assertThat(r.out()).contains("TCP  192.168.100.10:80 wlc\n"
                    + "  -> 10.0.0.13:8080               Masq    1      5          7         \n");
            assertThat(r.out().indexOf("UDP  192.168.100.10:53")).isLessThan(r.out().indexOf("FWM  42"));
            assertThat(r.out().indexOf("FWM  42")).isLessThan(r.out().indexOf("TCP  [2001:db8::10]:443"));
        }

        @Test
        void shouldSaveNumericRulesWhenSn() {
            assertThat(cli.run("-Sn")).isEqualTo(new Cli.Result(0, golden("table97-Sn.txt"), ""));
        }

        @Test
        void shouldSaveServiceNamesWhenS() {
            Cli.Result r = cli.run("-S");
            assertThat(lines(r.out(), 0, 4)).isEqualTo(golden("table97-S-head.txt"));
        }

        @Test
        void shouldResolveAddressesWhenReverseNamesExist() {
            cli.names = TestNames.withReverse(Map.of("10.0.0.11", "real1.example", "2001:db8::a1", "v6.example"));
            Cli.Result r = cli.run("-L");
            assertThat(r.out()).contains("  -> real1.example:http           Masq    3      120        340       \n")
                    .contains("  -> [v6.example]:https           Masq    5      4          0         \n");
        }
    }

    @Nested
    class EdgeCaseExample99 {
        final Cli cli = new Cli();

        @BeforeEach
        void build() {
            assertThat(cli.restore(golden("table99.input"))).isEqualTo(new Cli.Result(0, "", ""));
        }

        @Test
        void shouldPrintOpsPeTunnelsAndLongIpv6WhenNumeric() {
            assertThat(cli.run("-Ln")).isEqualTo(new Cli.Result(0, golden("table99-Ln.txt"), ""));
        }

        @Test
        void shouldPushCountersRightWhenIpv6LabelIsLong() {
            String expected = golden("table99-Ln-stats-excerpt.txt");
            Cli.Result r = cli.run("-Ln", "--stats");
            assertThat(r.out()).contains(lines(expected, 0, 1)).contains(lines(expected, 1, 3));
        }

        @Test
        void shouldShowGreAndIpipWhenTunInfo() {
            Cli.Result r = cli.run("-Ln", "--tun-info");
            assertThat(r.out())
                    .contains("  -> 10.0.0.51:3868               Tunnel  gre:+c        1      0          0         \n")
                    .contains("  -> 10.0.0.52:3868               Tunnel  ipip          1      0          0         \n");
        }

        @Test
        void shouldSaveEveryOptionWhenSn() {
            assertThat(cli.run("-Sn")).isEqualTo(new Cli.Result(0, golden("table99-Sn.txt"), ""));
        }
    }

    @Nested
    class Ordering {
        final Cli cli = new Cli();

        @Test
        void shouldSortByProtocolBeforeAddressWhenListing() {
            cli.run("-A", "-u", "10.0.0.1:53");
            cli.run("-A", "-t", "10.0.0.9:80");
            cli.run("-A", "-f", "1");
            cli.run("-A", "-t", "[2001:db8::1]:80");
            assertThat(cli.run("-Ln").out()).isEqualTo("IP Virtual Server version 1.2.1 (size=4096)\n"
                    + "Prot LocalAddress:Port Scheduler Flags\n"
                    + "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
                    + "TCP  10.0.0.9:80 wlc\n"
                    + "UDP  10.0.0.1:53 wlc\n"
                    + "TCP  [2001:db8::1]:80 wlc\n"
                    + "FWM  1 wlc\n");
        }

        @Test
        void shouldSortHighAddressesFirstWhenDifferenceWrapsAround() {
            cli.run("-A", "-t", "10.0.0.1:80");
            cli.run("-A", "-t", "192.168.1.1:80");
            cli.run("-a", "-t", "10.0.0.1:80", "-r", "10.0.0.5", "-g");
            cli.run("-a", "-t", "10.0.0.1:80", "-r", "192.168.0.5", "-g");
            String out = cli.run("-Ln").out();
            assertThat(out.indexOf("TCP  192.168.1.1:80")).isLessThan(out.indexOf("TCP  10.0.0.1:80"));
            assertThat(out.indexOf("192.168.0.5:80")).isLessThan(out.indexOf("10.0.0.5:80"));
        }

        @Test
        void shouldPrintNegativeMarkWhenFwmarkIsAboveTwoToThe31() {
            cli.run("-A", "-f", "4294967295");
            assertThat(cli.run("-Ln").out()).endsWith("FWM  -1 wlc\n");
            assertThat(cli.run("-Sn").out()).isEqualTo("-A -f -1 -s wlc\n");
        }

        @Test
        void shouldPrintOnlyTitlesWhenTableIsEmpty() {
            assertThat(cli.run("-Ln")).isEqualTo(new Cli.Result(0, "IP Virtual Server version 1.2.1 (size=4096)\n"
                    + "Prot LocalAddress:Port Scheduler Flags\n"
                    + "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n", ""));
            assertThat(cli.run("-Sn")).isEqualTo(new Cli.Result(0, "", ""));
        }

        @Test
        void shouldCutIpv4LabelsWhenNamesAreLong() {
            cli.names = TestNames.withReverse(Map.of("10.0.0.1", "a-rather-long-host-name.example.org",
                    "10.0.0.5", "another-very-long-real-server-name.example.org"));
            cli.run("-A", "-t", "10.0.0.1:80");
            cli.run("-a", "-t", "10.0.0.1:80", "-r", "10.0.0.5", "-m");
            assertThat(cli.run("-L").out()).endsWith("TCP  a-rather-long-host-name.exam wlc\n"
                    + "  -> another-very-long-real-serve Masq    1      0          0         \n");
            assertThat(cli.run("-S").out()).isEqualTo("-A -t a-rather-long-host-name.example.org:http -s wlc\n"
                    + "-a -t a-rather-long-host-name.example.org:http"
                    + " -r another-very-long-real-server-name.example.org:http -m -w 1\n");
        }
    }
}
