package io.jlvs.ops;

import io.jlvs.conn.ConnectionFlags;
import io.jlvs.conn.ConnectionTable;
import io.jlvs.conn.TcpState;
import io.jlvs.control.ConfigSnapshot;
import io.jlvs.control.DestConfig;
import io.jlvs.control.ForwardMethod;
import io.jlvs.control.Ipvs;
import io.jlvs.control.IpvsException;
import io.jlvs.control.Protocol;
import io.jlvs.control.ServiceConfig;
import io.jlvs.control.ServiceKey;
import io.jlvs.forward.ServedInterface;
import io.jlvs.io.linux.NativeException;
import io.jlvs.io.linux.Netlink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ExplainerTest {
    private static final InetAddress VIP = InetAddress.ofLiteral("198.18.0.100");
    private static final InetAddress CLIENT = InetAddress.ofLiteral("198.18.0.2");
    private static final InetAddress RS1 = InetAddress.ofLiteral("198.19.0.11");
    private static final InetAddress RS2 = InetAddress.ofLiteral("198.19.0.12");
    private static final ServiceKey WEB = ServiceKey.of(Protocol.TCP, VIP, 80);
    private static final int ETH1 = 3;

    private final Ipvs ipvs = new Ipvs();
    private final ConnectionTable conns = new ConnectionTable(1024);
    private final List<ServedInterface> served = List.of(
            new ServedInterface(2, "eth0", 0x0200c6120001L, Explainer.toInt(InetAddress.ofLiteral("198.18.0.1")), 1500),
            new ServedInterface(ETH1, "eth1", 0x0200c6130001L, Explainer.toInt(InetAddress.ofLiteral("198.19.0.1")), 1500));
    private final Explainer explainer = new Explainer(ipvs::snapshot, ipvs, conns, served, address -> {
        if (address.getHostAddress().startsWith("198.19.")) {
            return new Netlink.Route(ETH1, null, null, Netlink.RTN_UNICAST);
        }
        throw new NativeException("RTM_GETROUTE", 101);
    });

    @AfterEach
    void close() {
        conns.close();
    }

    private void service(String scheduler, ForwardMethod method, int w1, int w2) throws IpvsException {
        ipvs.addService(ServiceConfig.of(WEB, scheduler));
        ipvs.addDest(WEB, DestConfig.of(RS1, 80, method, w1));
        ipvs.addDest(WEB, DestConfig.of(RS2, 80, method, w2));
    }

    private static Explainer.Query syn(int sport) {
        return new Explainer.Query(Protocol.TCP, CLIENT, sport, VIP, 80, true);
    }

    private int destId(InetAddress rs) {
        for (ConfigSnapshot.Service s : ipvs.snapshot().services()) {
            for (ConfigSnapshot.Dest d : s.dests()) {
                if (d.config().address().equals(rs)) {
                    return d.destId();
                }
            }
        }
        throw new AssertionError("no dest " + rs);
    }

    private int serviceId() {
        return ipvs.snapshot().services().getFirst().serviceId();
    }

    private int connection(InetAddress rs, int sport, int flags, int state) {
        int slot = conns.create(6, Explainer.toInt(CLIENT), sport, Explainer.toInt(VIP), 80, Explainer.toInt(rs), 80,
                flags, 2, 0x0200c6120002L, destId(rs), serviceId(), System.nanoTime() / 1_000_000L);
        conns.state(slot, state);
        return slot;
    }

    @Test
    void shouldNameSchedulerPickAndDirectRoutingRewriteWhenNewConnectionArrives() throws IpvsException {
        service("wlc", ForwardMethod.DROUTE, 1, 1);

        Explainer.Answer a = explainer.explain(syn(40000));

        assertThat(a.verdict()).isEqualTo("FORWARD");
        assertThat(a.service()).isEqualTo("TCP 198.18.0.100:80");
        assertThat(a.realserver()).isIn("198.19.0.11:80", "198.19.0.12:80");
        assertThat(a.method()).isEqualTo("Route");
        assertThat(a.decidedBy()).isEqualTo("scheduler");
        assertThat(a.exact()).isTrue();
        assertThat(a.steps()).anySatisfy(s -> assertThat(s).startsWith("wlc (weighted least connections"));
        assertThat(a.rewrite()).anySatisfy(s -> assertThat(s).startsWith("Ethernet destination -> MAC of " + a.realserver()
                .replace(":80", "")));
        assertThat(a.rewrite()).contains("IP addresses and ports unchanged (the real server holds the VIP on a non-ARP device)");
    }

    @Test
    void shouldNeverPickQuiescedServerWhenOthersAreEligible() throws IpvsException {
        service("wlc", ForwardMethod.DROUTE, 0, 1);

        for (int port = 40000; port < 40010; port++) {
            assertThat(explainer.explain(syn(port)).realserver()).isEqualTo("198.19.0.12:80");
        }
    }

    @Test
    void shouldMarkAnswerInexactWhenSchedulerKeepsAPrivateCursor() throws IpvsException {
        service("rr", ForwardMethod.DROUTE, 1, 1);

        Explainer.Answer a = explainer.explain(syn(40000));

        assertThat(a.exact()).isFalse();
        assertThat(a.steps()).anySatisfy(s -> assertThat(s).contains("the worker's own cursor decides"));
    }

    @Test
    void shouldFollowExistingConnectionWhenOneMatches() throws IpvsException {
        service("wlc", ForwardMethod.MASQ, 1, 1);
        connection(RS2, 40001, ConnectionFlags.FWD_MASQ, TcpState.ESTABLISHED);

        Explainer.Answer a = explainer.explain(new Explainer.Query(Protocol.TCP, CLIENT, 40001, VIP, 80, false));

        assertThat(a.verdict()).isEqualTo("FORWARD");
        assertThat(a.decidedBy()).isEqualTo("connection");
        assertThat(a.realserver()).isEqualTo("198.19.0.12:80");
        assertThat(a.steps()).anySatisfy(s -> assertThat(s).startsWith("existing connection: state ESTABLISHED"));
        assertThat(a.rewrite()).anySatisfy(s -> assertThat(s).startsWith("IPv4 destination 198.18.0.100 -> 198.19.0.12"));
    }

    @Test
    void shouldScheduleAgainWhenSynHitsTimeWaitConnection() throws IpvsException {
        service("wlc", ForwardMethod.DROUTE, 1, 1);
        connection(RS2, 40002, ConnectionFlags.FWD_DROUTE, TcpState.TIME_WAIT);

        Explainer.Answer a = explainer.explain(syn(40002));

        assertThat(a.decidedBy()).isEqualTo("scheduler");
        assertThat(a.steps()).anySatisfy(s -> assertThat(s).contains("conn_reuse_mode=1"));
    }

    @Test
    void shouldDropAsNoConnectionWhenTcpSegmentIsNotSynAndUnknown() throws IpvsException {
        service("wlc", ForwardMethod.DROUTE, 1, 1);

        Explainer.Answer a = explainer.explain(new Explainer.Query(Protocol.TCP, CLIENT, 40003, VIP, 80, false));

        assertThat(a.verdict()).isEqualTo("DROP");
        assertThat(a.reason()).isEqualTo("no_connection");
    }

    @Test
    void shouldLeavePacketToKernelWhenNoServiceMatches() throws IpvsException {
        service("wlc", ForwardMethod.DROUTE, 1, 1);

        Explainer.Answer otherPort = explainer.explain(new Explainer.Query(Protocol.TCP, CLIENT, 1, VIP, 22, true));
        Explainer.Answer otherHost = explainer.explain(new Explainer.Query(Protocol.UDP, CLIENT, 1,
                InetAddress.ofLiteral("198.18.0.1"), 53, false));

        assertThat(otherPort.verdict()).isEqualTo("KERNEL");
        assertThat(otherPort.reason()).isEqualTo("no service on this port");
        assertThat(otherHost.verdict()).isEqualTo("KERNEL");
        assertThat(otherHost.reason()).isEqualTo("not for jlvs");
    }

    @Test
    void shouldRecognizeNatReplyWhenPacketComesFromRealServerToClient() throws IpvsException {
        service("wlc", ForwardMethod.MASQ, 1, 1);
        connection(RS1, 40004, ConnectionFlags.FWD_MASQ, TcpState.ESTABLISHED);

        Explainer.Answer a = explainer.explain(new Explainer.Query(Protocol.TCP, RS1, 80, CLIENT, 40004, false));

        assertThat(a.verdict()).isEqualTo("REPLY");
        assertThat(a.rewrite()).anySatisfy(s -> assertThat(s).startsWith("IPv4 source 198.19.0.11 -> 198.18.0.100"));
    }

    @Test
    void shouldFollowPersistenceTemplateWhenClientNetworkHasOne() throws IpvsException {
        ipvs.addService(new ServiceConfig(WEB, "wlc", ServiceConfig.F_PERSISTENT, 300, 0xffffffff, null));
        ipvs.addDest(WEB, DestConfig.of(RS1, 80, ForwardMethod.DROUTE, 1));
        ipvs.addDest(WEB, DestConfig.of(RS2, 80, ForwardMethod.DROUTE, 1));
        conns.create(Explainer.TEMPLATE_PROTO | 6, Explainer.toInt(CLIENT), 0, Explainer.toInt(VIP), 80,
                Explainer.toInt(RS1), 80, ConnectionFlags.TEMPLATE | ConnectionFlags.FWD_DROUTE, 300, 0, destId(RS1),
                serviceId(), System.nanoTime() / 1_000_000L);

        Explainer.Answer a = explainer.explain(syn(40005));

        assertThat(a.decidedBy()).isEqualTo("template");
        assertThat(a.realserver()).isEqualTo("198.19.0.11:80");
        assertThat(a.steps()).anySatisfy(s -> assertThat(s).startsWith("persistence template for client network 198.18.0.2"));
    }

    @Test
    void shouldSayATemplateWillBeMadeWhenPersistentServiceHasNoneForTheClient() throws IpvsException {
        ipvs.addService(new ServiceConfig(WEB, "wlc", ServiceConfig.F_PERSISTENT, 300, 0xffffff00, null));
        ipvs.addDest(WEB, DestConfig.of(RS1, 80, ForwardMethod.DROUTE, 1));

        Explainer.Answer a = explainer.explain(syn(40006));

        assertThat(a.decidedBy()).isEqualTo("scheduler");
        assertThat(a.steps()).anySatisfy(s -> assertThat(s).contains("no persistence template for client network 198.18.0.0"));
    }

    @Test
    void shouldMapPortAndRewriteAddressWhenForwardingByNat() throws IpvsException {
        ipvs.addService(ServiceConfig.of(WEB, "wlc"));
        ipvs.addDest(WEB, DestConfig.of(RS1, 8080, ForwardMethod.MASQ, 1));

        Explainer.Answer a = explainer.explain(syn(40007));

        assertThat(a.realserver()).isEqualTo("198.19.0.11:8080");
        assertThat(a.rewrite()).contains("IPv4 destination 198.18.0.100 -> 198.19.0.11, TCP destination port 80 -> 8080 "
                + "(checksums updated incrementally)");
    }

    @Test
    void shouldDropAsNoRouteWhenRealServerIsUnreachable() throws IpvsException {
        ipvs.addService(ServiceConfig.of(WEB, "wlc"));
        ipvs.addDest(WEB, DestConfig.of(InetAddress.ofLiteral("203.0.113.9"), 80, ForwardMethod.DROUTE, 1));

        Explainer.Answer a = explainer.explain(syn(40008));

        assertThat(a.verdict()).isEqualTo("DROP");
        assertThat(a.reason()).isEqualTo("no_route");
    }

    @Test
    void shouldDropAsNoDestinationWhenEveryServerIsQuiesced() throws IpvsException {
        service("wlc", ForwardMethod.DROUTE, 0, 0);

        Explainer.Answer a = explainer.explain(syn(40009));

        assertThat(a.verdict()).isEqualTo("DROP");
        assertThat(a.reason()).isEqualTo("no_destination");
    }

    @Test
    void shouldChangeNoStateWhenExplaining() throws IpvsException {
        service("rr", ForwardMethod.DROUTE, 1, 1);
        connection(RS1, 50000, ConnectionFlags.FWD_DROUTE, TcpState.ESTABLISHED);
        long version = ipvs.snapshot().version();

        for (int i = 0; i < 20; i++) {
            explainer.explain(syn(40100 + i));
        }

        assertThat(conns.size()).isEqualTo(1);
        assertThat(ipvs.snapshot().version()).isEqualTo(version);
        assertThat(explainer.explain(syn(40100)).realserver()).as("a fresh state every time")
                .isEqualTo(explainer.explain(syn(40101)).realserver());
    }

    @Test
    void shouldSpreadInProportionToWeightsWhenSimulatingWeightedRoundRobin() throws IpvsException {
        service("wrr", ForwardMethod.DROUTE, 1, 3);

        Explainer.Spread s = explainer.spread(WEB, 1000);

        assertThat(s.realservers()).containsExactly("198.19.0.12:80", "198.19.0.11:80");
        assertThat(s.weights()).containsExactly(3, 1);
        assertThat(s.counts()).containsExactly(750, 250);
    }

    @Test
    void shouldSpreadEvenlyWhenSimulatingLeastConnectionWithEqualWeights() throws IpvsException {
        service("wlc", ForwardMethod.DROUTE, 2, 2);

        assertThat(explainer.spread(WEB, 1000).counts()).containsExactly(500, 500);
    }
}
