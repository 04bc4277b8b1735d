package io.jlvs.bgp;

import io.jlvs.control.ConfigSnapshot;
import io.jlvs.control.DestConfig;
import io.jlvs.control.ForwardMethod;
import io.jlvs.control.MarkRule;
import io.jlvs.control.Protocol;
import io.jlvs.control.ServiceConfig;
import io.jlvs.control.ServiceKey;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AnnouncementPolicyTest {
    static InetAddress a(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    static ConfigSnapshot.Service service(int id, ServiceKey key, int... weights) throws Exception {
        List<ConfigSnapshot.Dest> dests = new java.util.ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            dests.add(new ConfigSnapshot.Dest(id * 10 + i, DestConfig.of(a("198.19.0." + (11 + i)), 80,
                    ForwardMethod.DROUTE, weights[i])));
        }
        return new ConfigSnapshot.Service(id, ServiceConfig.of(key, "mh"), dests);
    }

    static ServiceKey tcp(String vip, int port) throws Exception {
        return ServiceKey.of(Protocol.TCP, a(vip), port);
    }

    @Test
    void shouldAnnounceVipWhenOneServiceOnItHasAnAvailableRealServer() throws Exception {
        ConfigSnapshot snap = new ConfigSnapshot(1, List.of(
                service(1, tcp("198.18.2.100", 80), 1, 0),
                service(2, tcp("198.18.2.100", 443)),          // no real server: the VIP stays for port 80
                service(3, tcp("198.18.2.101", 80), 0, 0),    // all quiesced: withdrawn
                service(4, tcp("2001:db8:2::100", 80), 5)), List.of());

        assertThat(AnnouncementPolicy.announced(snap, false)).map(Announcement::toString)
                .containsExactly("198.18.2.100/32", "2001:db8:2:0:0:0:0:100/128");
    }

    @Test
    void shouldAnnounceNothingWhenDrained() throws Exception {
        ConfigSnapshot snap = new ConfigSnapshot(1, List.of(service(1, tcp("198.18.2.100", 80), 1)), List.of());

        assertThat(AnnouncementPolicy.announced(snap, true)).isEmpty();
    }

    @Test
    void shouldAnnounceMarkRuleNetworkWhenItsFwmarkServiceHasRealServers() throws Exception {
        ConfigSnapshot snap = new ConfigSnapshot(1, List.of(service(1, ServiceKey.ofFwmark(2, 1), 1)),
                List.of(new MarkRule(a("198.18.3.77"), 24, Protocol.TCP, 80, 80, 1),
                        new MarkRule(a("198.18.4.0"), 24, Protocol.TCP, 80, 80, 2)));

        assertThat(AnnouncementPolicy.announced(snap, false)).map(Announcement::toString)
                .containsExactly("198.18.3.0/24");
    }
}
