package io.jlvs.bgp;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

class BirdConfigTest {
    static BgpSettings settings() throws Exception {
        return new BgpSettings(BgpSettings.parseRouterId("198.18.1.11"), 65001,
                List.of(BgpPeer.parse("198.18.1.1:65000"), BgpPeer.parse("[2001:db8::1]:65000")), 2000);
    }

    @Test
    void shouldAnnounceOnlyTheStaticVipRoutesToEachPeerWhenRendered() throws Exception {
        TreeSet<Announcement> vips = new TreeSet<>(List.of(Announcement.host(InetAddress.getByName("198.18.2.100")),
                Announcement.host(InetAddress.getByName("2001:db8:2::100"))));

        String conf = BirdConfig.render(settings(), vips);

        assertThat(conf).contains("router id 198.18.1.11;")
                .contains("protocol static jlvs_vips {\n  ipv4;\n  route 198.18.2.100/32 blackhole;\n}")
                .contains("protocol static jlvs_vips6 {\n  ipv6;\n  route 2001:db8:2:0:0:0:0:100/128 blackhole;\n}")
                .contains("protocol bgp jlvs_peer_198_18_1_1 {\n  local as 65001;\n  neighbor 198.18.1.1 as 65000;")
                .contains("  ipv4 {\n    import none;\n    export where proto = \"jlvs_vips\";\n  };")
                .contains("neighbor 2001:db8:0:0:0:0:0:1 as 65000;")
                .contains("  ipv6 {\n    import none;\n    export where proto = \"jlvs_vips6\";\n  };")
                .doesNotContain("protocol kernel");
    }

    @Test
    void shouldKeepStaticProtocolsButNoRoutesWhenNothingIsAnnounced() throws Exception {
        String conf = BirdConfig.render(settings(), new TreeSet<>());

        assertThat(conf).contains("protocol static jlvs_vips {\n  ipv4;\n}").doesNotContain("route ");
    }
}
