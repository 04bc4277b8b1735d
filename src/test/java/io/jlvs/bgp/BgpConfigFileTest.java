package io.jlvs.bgp;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BgpConfigFileTest {
    @Test
    void shouldReadEveryKeywordWhenBlockIsWellFormed() throws Exception {
        BgpConfigFile.Partial p = BgpConfigFile.parse("bgp.conf", """
                ! a director of the west rack
                bgp_speaker {
                    router_id 198.18.1.11   # its own address
                    local_as 65001
                    neighbor 198.18.1.1 65000
                    neighbor 198.18.1.2 as 65002
                    withdraw_delay_ms 500
                }
                """);

        BgpSettings s = p.settings();
        assertThat(s.routerId().getHostAddress()).isEqualTo("198.18.1.11");
        assertThat(s.localAs()).isEqualTo(65001);
        assertThat(s.peers()).extracting(BgpPeer::as).containsExactly(65000L, 65002L);
        assertThat(s.withdrawDelayMs()).isEqualTo(500);
    }

    @Test
    void shouldAcceptSemicolonsOnOneLineWhenWrittenCompactly() throws Exception {
        BgpConfigFile.Partial p = BgpConfigFile.parse("bgp.conf",
                "bgp_speaker { router_id 198.18.1.11; local_as 65001; neighbor 198.18.1.1 65000; }\n");

        assertThat(p.settings().peers()).hasSize(1);
    }

    @Test
    void shouldNameFileAndLineWhenKeywordIsUnknown() {
        assertThatThrownBy(() -> BgpConfigFile.parse("/etc/jlvs/bgp.conf", """
                bgp_speaker {
                    local_as 65001
                    neighbour 198.18.1.1 65000
                }
                """)).isInstanceOf(BgpConfigFile.ConfigException.class)
                .hasMessage("/etc/jlvs/bgp.conf:3: unknown keyword in bgp_speaker: neighbour");
    }

    @Test
    void shouldNameFileAndLineWhenValueIsBad() {
        assertThatThrownBy(() -> BgpConfigFile.parse("b.conf", "bgp_speaker {\nlocal_as 0\n}\n"))
                .hasMessageStartingWith("b.conf:2: ").hasMessageContaining("out of range");
        assertThatThrownBy(() -> BgpConfigFile.parse("b.conf", "bgp_speaker {\nrouter_id 2001:db8::1\n}\n"))
                .hasMessageStartingWith("b.conf:2: ").hasMessageContaining("IPv4");
        assertThatThrownBy(() -> BgpConfigFile.parse("b.conf", "bgp_speaker {\nneighbor router.example 65000\n}\n"))
                .hasMessageStartingWith("b.conf:2: ").hasMessageContaining("not an IP address");
        assertThatThrownBy(() -> BgpConfigFile.parse("b.conf", "bgp_speaker {\nlocal_as 65001\n"))
                .hasMessage("b.conf:1: bgp_speaker block not closed with '}'");
        assertThatThrownBy(() -> BgpConfigFile.parse("b.conf", "local_as 65001\n"))
                .hasMessage("b.conf:1: expected 'bgp_speaker {', found: local_as 65001");
    }

    @Test
    void shouldLetCommandLineWinWhenBothSetAValue() throws Exception {
        BgpConfigFile.Partial file = BgpConfigFile.parse("b.conf",
                "bgp_speaker {\nrouter_id 198.18.1.11\nlocal_as 65001\nneighbor 198.18.1.1 65000\n}\n");
        BgpConfigFile.Partial cli = new BgpConfigFile.Partial(null, 65009L,
                java.util.List.of(BgpPeer.parse("198.18.1.2:65000")), null);

        BgpSettings s = cli.over(file).settings();

        assertThat(s.localAs()).isEqualTo(65009);
        assertThat(s.routerId().getHostAddress()).isEqualTo("198.18.1.11");
        assertThat(s.peers()).hasSize(2);
        assertThat(s.withdrawDelayMs()).isEqualTo(BgpSettings.DEFAULT_WITHDRAW_DELAY_MS);
    }

    @Test
    void shouldSayWhatIsMissingWhenSettingsAreIncomplete() {
        BgpConfigFile.Partial cli = new BgpConfigFile.Partial(null, 65001L,
                java.util.List.of(BgpPeer.parse("198.18.1.2:65000")), null);

        assertThat(BgpConfigFile.Partial.NONE.settings()).isNull();
        assertThatThrownBy(cli::settings).hasMessageContaining("--bgp-router-id");
    }
}
