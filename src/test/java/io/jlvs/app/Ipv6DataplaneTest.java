package io.jlvs.app;

import io.jlvs.conn.ConnectionFlags;
import io.jlvs.forward.Dest6Runtime;
import io.jlvs.forward.Ipv6Config;
import io.jlvs.forward.Service6Runtime;
import io.jlvs.io.linux.NftGuard;
import io.jlvs.io.linux.SocketFilter;
import io.jlvs.sched.SchedulerRegistry;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static io.jlvs.testkit.PacketBuilder.ip6Hi;
import static io.jlvs.testkit.PacketBuilder.ip6Lo;
import static org.assertj.core.api.Assertions.assertThat;

/** The control plane's IPv6 tables: socket filter matches, guard sets, the connection listing's address text. */
class Ipv6DataplaneTest {
    static final String VIP = "2001:db8:1::100";
    static final String RS = "2001:db8:2::11";
    static final String LADDR = "2001:db8:2::100";

    static Ipv6Config config(int method, long[] laddrs) {
        Dest6Runtime rs = new Dest6Runtime(1, ip6Hi(RS), ip6Lo(RS), 8080, method, 1, 0, 0, 3, ip6Hi(RS), ip6Lo(RS));
        Service6Runtime svc = new Service6Runtime(1, 6, ip6Hi(VIP), ip6Lo(VIP), 80, 0, 0, 128,
                SchedulerRegistry.byName("rr"), new Dest6Runtime[] {rs}, laddrs);
        return new Ipv6Config(new Service6Runtime[] {svc}, new Dest6Runtime[] {null, rs},
                new long[] {ip6Hi(VIP), ip6Lo(VIP)}, new Ipv6Config.Interface6[0]);
    }

    @Test
    void shouldPassServiceAndNatRepliesWhenFilteringNatService() {
        var matches = Ipv6Dataplane.filterMatches(config(ConnectionFlags.FWD_MASQ, new long[0]));

        assertThat(matches).containsExactly(
                new SocketFilter.Match6(false, ip6Hi(VIP), ip6Lo(VIP), 6, 80, 80),
                new SocketFilter.Match6(true, ip6Hi(RS), ip6Lo(RS), 6, 8080, 8080));
    }

    @Test
    void shouldGuardVipNatRealServerAndLocalAddresses() {
        NftGuard.Ipv6Sets nat = Ipv6Dataplane.guardSets(config(ConnectionFlags.FWD_MASQ, new long[0]));
        NftGuard.Ipv6Sets fullNat = Ipv6Dataplane.guardSets(config(ConnectionFlags.FWD_FULLNAT,
                new long[] {ip6Hi(LADDR), ip6Lo(LADDR)}));

        assertThat(nat.services()).containsExactly(new NftGuard.Entry(VIP, 6, "80"));
        assertThat(nat.natReals()).containsExactly(new NftGuard.Entry(RS, 6, "8080"));
        assertThat(nat.natRealAddrs()).containsExactly(RS);
        assertThat(fullNat.services()).contains(new NftGuard.Entry(LADDR, 6, "1024-65535"),
                new NftGuard.Entry(LADDR, 17, "1024-65535"), new NftGuard.Entry(VIP, 6, "80"));
        assertThat(fullNat.natReals()).isEmpty();
    }

    @Test
    void shouldWriteEightGroupsAsKernelPrintsIpv6() throws Exception {
        long[] w = Ipv6Dataplane.words(InetAddress.getByName("2001:db8:1::2"));

        assertThat(Ipv6Dataplane.full(w[0], w[1])).isEqualTo("2001:0db8:0001:0000:0000:0000:0000:0002");
    }
}
