package io.jlvs.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.jlvs.control.ControlProtocol;
import io.jlvs.control.DestConfig;
import io.jlvs.control.DestInfo;
import io.jlvs.control.Errno;
import io.jlvs.control.ForwardMethod;
import io.jlvs.control.IpvsException;
import io.jlvs.control.Protocol;
import io.jlvs.control.ServiceConfig;
import io.jlvs.control.ServiceInfo;
import io.jlvs.control.ServiceKey;
import io.jlvs.control.Stats;
import io.jlvs.io.linux.Libc;
import io.jlvs.io.linux.NativeException;
import io.jlvs.io.linux.Netlink;
import io.jlvs.monitor.VrrpStatus;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class DoctorTest {
    private static final InetAddress VIP = InetAddress.ofLiteral("198.18.0.100");
    private static final InetAddress RS1 = InetAddress.ofLiteral("198.19.0.11");
    private static final InetAddress RS2 = InetAddress.ofLiteral("198.19.0.12");
    private static final ServiceKey WEB = ServiceKey.of(Protocol.TCP, VIP, 80);
    private static final long RS1_MAC = 0x0200c613000bL;
    private static final long RS2_MAC = 0x0200c613000cL;

    /** The test bed's director: eth0 198.18.0.1 + VIP, eth1 198.19.0.1; every probe answers as healthy. */
    private final class Bed implements Doctor.DirectorAccess, Doctor.Network {
        List<ServiceInfo> services = new ArrayList<>();
        boolean directorDown;
        boolean guard = true;
        List<VrrpStatus.Instance> vrrp = List.of();
        final Set<String> refusing = new HashSet<>();
        final Set<String> answeringArpForVip = new HashSet<>();
        final Set<String> withoutVip = new HashSet<>();
        final Set<String> noRouteBack = new HashSet<>();
        final Map<String, Integer> httpStatus = new HashMap<>();
        final Map<String, Object> extraStatus = new HashMap<>();

        void service(ForwardMethod method) {
            services.add(new ServiceInfo(ServiceConfig.of(WEB, "rr"), Stats.ZERO, List.of(
                    new DestInfo(DestConfig.of(RS2, 80, method, 1), 0, 0, 0, Stats.ZERO),
                    new DestInfo(DestConfig.of(RS1, 80, method, 1), 0, 0, 0, Stats.ZERO))));
        }

        @Override
        public List<ServiceInfo> services() throws IpvsException {
            if (directorDown) {
                throw new IpvsException(Errno.EINVAL, "no jlvs director is running in this network namespace");
            }
            return services;
        }

        @Override
        public JsonNode status() {
            Map<String, Object> m = new HashMap<>(extraStatus);
            m.put("interfaces", List.of("eth0", "eth1"));
            m.put("guard_installed", guard);
            return ControlProtocol.JSON.valueToTree(m);
        }

        @Override
        public List<VrrpStatus.Instance> vrrp() {
            return vrrp;
        }

        @Override
        public Explainer.Spread spread(ServiceKey key, int flows) {
            ServiceInfo s = services.getFirst();
            List<String> names = s.dests().stream().map(d -> d.config().address().getHostAddress() + ":80").toList();
            List<Integer> weights = s.dests().stream().map(d -> d.config().weight()).toList();
            long sum = weights.stream().mapToLong(Integer::longValue).sum();
            List<Integer> counts = weights.stream().map(w -> sum == 0 ? 0 : (int) (flows * w / sum)).toList();
            return new Explainer.Spread(key.toString(), s.config().scheduler(), flows, names, weights, counts);
        }

        @Override
        public List<Netlink.Link> links() {
            return List.of(new Netlink.Link(2, "eth0", 0x0200c6120001L, 1500, 1, true, false, 1),
                    new Netlink.Link(3, "eth1", 0x0200c6130001L, 1500, 1, true, false, 1));
        }

        @Override
        public List<Netlink.Address> addresses() {
            return List.of(new Netlink.Address(2, Libc.AF_INET, InetAddress.ofLiteral("198.18.0.1"), 24, "eth0"),
                    new Netlink.Address(2, Libc.AF_INET, VIP, 32, "eth0:0"),
                    new Netlink.Address(3, Libc.AF_INET, InetAddress.ofLiteral("198.19.0.1"), 24, "eth1"));
        }

        @Override
        public Netlink.Route route(InetAddress to) {
            if (to.getHostAddress().startsWith("198.19.")) {
                return new Netlink.Route(3, null, null, Netlink.RTN_UNICAST);
            }
            throw new NativeException("RTM_GETROUTE", 101);
        }

        @Override
        public Doctor.TcpOutcome connect(InetAddress bindTo, InetAddress to, int port, int timeoutMs) {
            String rs = to.getHostAddress();
            if (refusing.contains(rs)) {
                return new Doctor.TcpOutcome(false, "refused");
            }
            if (bindTo != null && noRouteBack.contains(rs)) {
                return new Doctor.TcpOutcome(false, "timeout after " + timeoutMs + " ms");
            }
            return new Doctor.TcpOutcome(true, "");
        }

        @Override
        public Doctor.HttpOutcome http(InetAddress to, int port, int timeoutMs) {
            int status = httpStatus.getOrDefault(to.getHostAddress(), 200);
            return new Doctor.HttpOutcome(status, "HTTP/1.1 " + status);
        }

        @Override
        public List<Long> arp(int ifindex, long ourMac, int ourIp, int targetIp, long timeoutMs) {
            String target = Explainer.Ipv4.text(targetIp);
            if (target.equals("198.19.0.11")) {
                return List.of(RS1_MAC);
            }
            if (target.equals("198.19.0.12")) {
                return List.of(RS2_MAC);
            }
            List<Long> vipOwners = new ArrayList<>();
            if (answeringArpForVip.contains("198.19.0.11")) {
                vipOwners.add(RS1_MAC);
            }
            if (answeringArpForVip.contains("198.19.0.12")) {
                vipOwners.add(RS2_MAC);
            }
            return vipOwners;
        }

        @Override
        public LinkProber.SynResult syn(int ifindex, long ourMac, int ourIp, long realServerMac, int vip, int port,
                                        long timeoutMs) {
            String rs = realServerMac == RS1_MAC ? "198.19.0.11" : "198.19.0.12";
            if (withoutVip.contains(rs)) {
                return LinkProber.SynResult.NOTHING;
            }
            return refusing.contains(rs) ? LinkProber.SynResult.RST : LinkProber.SynResult.SYN_ACK;
        }
    }

    private final Bed bed = new Bed();

    private Doctor.Result run() {
        return new Doctor(bed, bed, Doctor.Options.defaults()).run();
    }

    private static List<Doctor.Check> failures(Doctor.Result r) {
        return r.checks().stream().filter(c -> c.status() == Doctor.Status.FAIL).toList();
    }

    @Test
    void shouldPassEveryStepWhenDirectRoutingTopologyIsHealthy() {
        bed.service(ForwardMethod.DROUTE);

        Doctor.Result r = run();

        assertThat(failures(r)).isEmpty();
        assertThat(r.ok()).isTrue();
        assertThat(r.checks()).extracting(Doctor.Check::name).contains("director", "kernel guard", "route to real server",
                "real server answers", "real server ARP", "real server takes the VIP", "scheduler spread", "VRRP");
        assertThat(r.checks()).filteredOn(c -> c.name().equals("VRRP")).singleElement()
                .extracting(Doctor.Check::status, Doctor.Check::reason)
                .containsExactly(Doctor.Status.SKIP, "not configured (a single director)");
    }

    @Test
    void shouldPassEveryStepWhenNatTopologyIsHealthy() {
        bed.service(ForwardMethod.MASQ);

        Doctor.Result r = run();

        assertThat(failures(r)).isEmpty();
        assertThat(r.checks()).filteredOn(c -> c.name().equals("real server routes back")).hasSize(2)
                .allSatisfy(c -> assertThat(c.reason()).contains("198.18.0.1"));
    }

    @Test
    void shouldNameTheServerAndTheFixWhenARealServerIsDown() {
        bed.service(ForwardMethod.DROUTE);
        bed.refusing.add("198.19.0.12");

        Doctor.Result r = run();

        assertThat(r.ok()).isFalse();
        assertThat(failures(r)).anySatisfy(c -> {
            assertThat(c.name()).isEqualTo("real server answers");
            assertThat(c.target()).contains("198.19.0.12:80");
            assertThat(c.reason()).contains("nothing listens on 198.19.0.12:80");
            assertThat(c.fix()).contains("ipvsadm -e -t 198.18.0.100:80 -r 198.19.0.12:80 -w 0");
        });
        assertThat(failures(r)).noneSatisfy(c -> assertThat(c.target()).contains("198.19.0.11"));
    }

    @Test
    void shouldOnlyWarnWhenTheServerThatIsDownIsQuiesced() {
        bed.services.add(new ServiceInfo(ServiceConfig.of(WEB, "rr"), Stats.ZERO, List.of(
                new DestInfo(DestConfig.of(RS2, 80, ForwardMethod.DROUTE, 0), 0, 0, 0, Stats.ZERO),
                new DestInfo(DestConfig.of(RS1, 80, ForwardMethod.DROUTE, 1), 0, 0, 0, Stats.ZERO))));
        bed.refusing.add("198.19.0.12");

        Doctor.Result r = run();

        assertThat(r.checks()).anySatisfy(c -> {
            assertThat(c.status()).isEqualTo(Doctor.Status.WARN);
            assertThat(c.reason()).contains("quiesced");
        });
        assertThat(failures(r)).noneSatisfy(c -> assertThat(c.name()).isEqualTo("real server answers"));
    }

    @Test
    void shouldNameArpIgnoreWhenARealServerAnswersArpForTheVip() {
        bed.service(ForwardMethod.DROUTE);
        bed.answeringArpForVip.add("198.19.0.11");

        Doctor.Result r = run();

        assertThat(failures(r)).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("real server ARP");
            assertThat(c.target()).contains("198.19.0.11");
            assertThat(c.reason()).contains("answers ARP for the VIP 198.18.0.100").contains("arp_ignore");
            assertThat(c.fix()).contains("jlvs realserver start --vip 198.18.0.100");
        });
    }

    @Test
    void shouldSayTheVipIsMissingWhenARealServerIgnoresSynsForIt() {
        bed.service(ForwardMethod.DROUTE);
        bed.withoutVip.add("198.19.0.12");

        Doctor.Result r = run();

        assertThat(failures(r)).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("real server takes the VIP");
            assertThat(c.reason()).contains("the VIP is not configured on the real server");
        });
    }

    @Test
    void shouldNameTheRouteWhenANatRealServerDoesNotRouteBackThroughTheDirector() {
        bed.service(ForwardMethod.MASQ);
        bed.noRouteBack.add("198.19.0.11");

        Doctor.Result r = run();

        assertThat(failures(r)).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("real server routes back");
            assertThat(c.target()).contains("198.19.0.11");
            assertThat(c.fix()).contains("ip route replace default via 198.19.0.1");
        });
    }

    @Test
    void shouldFailEarlyWhenNoDirectorRuns() {
        bed.directorDown = true;

        Doctor.Result r = run();

        assertThat(r.checks()).singleElement().satisfies(c -> {
            assertThat(c.status()).isEqualTo(Doctor.Status.FAIL);
            assertThat(c.fix()).contains("jlvs director");
        });
    }

    @Test
    void shouldFailWhenKernelGuardIsMissingWithServices() {
        bed.service(ForwardMethod.DROUTE);
        bed.guard = false;

        assertThat(failures(run())).singleElement().extracting(Doctor.Check::name).isEqualTo("kernel guard");
    }

    @Test
    void shouldFailWhenAWebServerAnswersWithServerErrors() {
        bed.service(ForwardMethod.DROUTE);
        bed.httpStatus.put("198.19.0.11", 503);

        assertThat(failures(run())).singleElement().extracting(Doctor.Check::reason).asString().contains("HTTP/1.1 503");
    }

    @Test
    void shouldFailWhenDirectRoutingServerIsBehindARouter() {
        bed.services.add(new ServiceInfo(ServiceConfig.of(WEB, "rr"), Stats.ZERO, List.of(
                new DestInfo(DestConfig.of(InetAddress.ofLiteral("203.0.113.5"), 80, ForwardMethod.DROUTE, 1), 0, 0, 0,
                        Stats.ZERO))));

        assertThat(failures(run())).anySatisfy(c -> assertThat(c.reason()).contains("no route"));
    }

    @Test
    void shouldFailWhenEveryWeightIsZero() {
        bed.services.add(new ServiceInfo(ServiceConfig.of(WEB, "rr"), Stats.ZERO, List.of(
                new DestInfo(DestConfig.of(RS1, 80, ForwardMethod.DROUTE, 0), 0, 0, 0, Stats.ZERO))));

        assertThat(failures(run())).anySatisfy(c -> assertThat(c.name()).isEqualTo("scheduler spread"));
    }

    @Test
    void shouldCheckVrrpStatesWhenInstancesAreConfigured() {
        bed.service(ForwardMethod.DROUTE);
        bed.vrrp = List.of(new VrrpStatus.Instance("VI_1", "MASTER", "eth0", 51, 100, List.of("198.18.0.100")),
                new VrrpStatus.Instance("VI_2", "BACKUP", "eth0", 52, 90, List.of("198.18.0.100")),
                new VrrpStatus.Instance("VI_3", "FAULT", "eth1", 53, 0, List.of()));

        Doctor.Result r = run();

        assertThat(r.checks()).filteredOn(c -> c.name().equals("VRRP")).extracting(Doctor.Check::status)
                .containsExactly(Doctor.Status.PASS, Doctor.Status.FAIL, Doctor.Status.FAIL);
    }

    @Test
    void shouldWarnWithCauseWhenAfXdpWasAskedForButDirectorFellBack() {
        bed.service(ForwardMethod.MASQ);
        bed.extraStatus.put("transport", "af_packet (TPACKET_V3 rx ring, sendmmsg tx)");
        bed.extraStatus.put("af_xdp_fallback", "AF_XDP unavailable: socket(AF_XDP): address family not supported");
        bed.extraStatus.put("af_xdp_probe", "unavailable: socket(AF_XDP): address family not supported");

        Doctor.Check c = run().checks().stream().filter(x -> x.name().equals("transport")).findFirst().orElseThrow();

        assertThat(c.status()).isEqualTo(Doctor.Status.WARN);
        assertThat(c.reason()).contains("asked for").contains("address family not supported");
    }

    @Test
    void shouldPassWithModePerInterfaceWhenAfXdpRuns() {
        bed.service(ForwardMethod.MASQ);
        bed.extraStatus.put("transport", "af_xdp (XDP steering + AF_XDP sockets) beside af_packet");
        bed.extraStatus.put("af_xdp", Map.of("eth0", Map.of("xdp_mode", "drv", "zero_copy", false),
                "steering_keys", 4));
        bed.extraStatus.put("af_xdp_probe", "available");

        Doctor.Check c = run().checks().stream().filter(x -> x.name().equals("transport")).findFirst().orElseThrow();

        assertThat(c.status()).isEqualTo(Doctor.Status.PASS);
        assertThat(c.reason()).isEqualTo("AF_XDP: eth0 drv mode, copy");
    }
}
