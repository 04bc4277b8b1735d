package io.jlvs.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.jlvs.control.DestConfig;
import io.jlvs.control.DestInfo;
import io.jlvs.control.ForwardMethod;
import io.jlvs.control.IpvsException;
import io.jlvs.control.ServiceConfig;
import io.jlvs.control.ServiceInfo;
import io.jlvs.control.ServiceKey;
import io.jlvs.io.linux.NativeException;
import io.jlvs.io.linux.Netlink;
import io.jlvs.monitor.VrrpStatus;
import io.jlvs.packet.EthernetView;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code jlvs doctor}: the seeds' LVS verification steps, run on a director against its own configuration, each
 * reported as PASS, WARN, FAIL or SKIP with the reason and, for a failure, the fix:
 *
 * <ol>
 * <li>the director answers on its control socket; its data plane serves interfaces; its kernel guard is in;</li>
 * <li>each real server is routed through a served interface (on-link for direct routing);</li>
 * <li>each real server answers on its port (TCP connect, and an HTTP request on HTTP ports);</li>
 * <li>direct routing: the real server answers ARP for its own address but not for the VIP (arp_ignore), and takes
 *     a SYN for VIP:port sent to its MAC (the VIP is on a local, non-ARP device and something listens);</li>
 * <li>NAT: a connection from another of the director's networks comes back, so the real server routes replies
 *     through the director;</li>
 * <li>the scheduler spreads synthetic connections in proportion to the weights (a side-effect-free run of the
 *     service's scheduler on its own state, as {@code jlvs explain} does);</li>
 * <li>VRRP is in a sane state (or not configured).</li>
 * </ol>
 *
 * Everything it reads and sends goes through {@link DirectorAccess} and {@link Network}, so tests can feed it
 * any topology; it sends only the probes named above.
 */
public final class Doctor {
    public enum Status { PASS, WARN, FAIL, SKIP }

    /** One verification step's outcome. */
    public record Check(String name, String target, Status status, String reason, String fix) {}

    /** All of them; {@code ok} is false when one failed. */
    public record Result(boolean ok, List<Check> checks) {}

    /** The director's side: its control socket. */
    public interface DirectorAccess {
        List<ServiceInfo> services() throws IpvsException;

        JsonNode status() throws IpvsException;

        List<VrrpStatus.Instance> vrrp() throws IpvsException;

        Explainer.Spread spread(ServiceKey key, int flows) throws IpvsException;
    }

    /** What a TCP connection attempt came to: connected, or the error ("refused", "timeout", …). */
    public record TcpOutcome(boolean connected, String error) {}

    /** An HTTP/1.0 GET: the status code (0 when none came) and the status line or the error. */
    public record HttpOutcome(int status, String text) {}

    /** The director's network: routing, addresses, and the probes. */
    public interface Network {
        List<Netlink.Link> links();

        List<Netlink.Address> addresses();

        /** Throws NativeException when there is no route. */
        Netlink.Route route(InetAddress to);

        TcpOutcome connect(InetAddress bindTo, InetAddress to, int port, int timeoutMs);

        HttpOutcome http(InetAddress to, int port, int timeoutMs);

        List<Long> arp(int ifindex, long ourMac, int ourIp, int targetIp, long timeoutMs);

        LinkProber.SynResult syn(int ifindex, long ourMac, int ourIp, long realServerMac, int vip, int port,
                                 long timeoutMs);
    }

    /** Knobs: probe timeout, which ports get an HTTP request, how many synthetic connections the spread check makes. */
    public record Options(int timeoutMs, Set<Integer> httpPorts, int spreadFlows) {
        public static Options defaults() {
            return new Options(2000, Set.of(80, 8080, 8000), 1000);
        }
    }

    private final DirectorAccess director;
    private final Network net;
    private final Options options;
    private final List<Check> checks = new ArrayList<>();

    public Doctor(DirectorAccess director, Network net, Options options) {
        this.director = director;
        this.net = net;
        this.options = options;
    }

    public Result run() {
        checks.clear();
        List<ServiceInfo> services;
        JsonNode status;
        try {
            services = director.services();
            status = director.status();
        } catch (IpvsException e) {
            fail("director", "control socket", "the director does not answer: " + e.getMessage(),
                    "start it in this network namespace: jlvs director &");
            return result();
        }
        pass("director", "control socket", "answers (" + services.size() + " service(s))");
        Map<Integer, Netlink.Link> served = servedLinks(status);
        if (served.isEmpty()) {
            fail("data plane", "interfaces", "serves no interface", "start the director with --interface IFNAME");
        } else {
            pass("data plane", "interfaces", "serves " + String.join(", ", served.values().stream().map(Netlink.Link::name).toList()));
        }
        if (status.path("guard_installed").asBoolean(false)) {
            pass("kernel guard", "nftables table netdev jlvs", "installed: the kernel leaves VIP traffic to jlvs");
        } else if (services.isEmpty()) {
            warn("kernel guard", "nftables table netdev jlvs", "not installed (no service yet)", null);
        } else {
            fail("kernel guard", "nftables table netdev jlvs", "not installed: the director's kernel also sees VIP "
                    + "traffic and answers it (RSTs, double forwarding)", "install nftables (nft) and restart the "
                    + "director; its log says why the guard failed");
        }
        checkTransport(status);
        if (services.isEmpty()) {
            warn("services", "ipvsadm -Ln", "no virtual service is configured: nothing else to check",
                    "ipvsadm -A -t VIP:PORT -s rr; ipvsadm -a -t VIP:PORT -r RIP -g");
        }
        Set<String> probedArp = new HashSet<>();
        for (ServiceInfo s : services) {
            ServiceConfig c = s.config();
            String svc = c.key().toString();
            if (s.dests().isEmpty()) {
                fail("real servers", svc, "the service has no real server: every new connection is dropped",
                        "ipvsadm -a " + serviceOption(c.key()) + " -r RIP");
                continue;
            }
            for (DestInfo d : s.dests()) {
                checkRealServer(c, d, served, probedArp);
            }
            checkSpread(s);
        }
        checks.addAll(BgpChecks.of(status.path("bgp")));
        checkVrrp();
        return result();
    }

    /** Which transport runs; when AF_XDP was asked for but is not used, why (the director's own probe). */
    private void checkTransport(JsonNode status) {
        String transport = status.path("transport").asText("");
        String probe = status.path("af_xdp_probe").asText("");
        if (status.has("af_xdp_fallback")) {
            warn("transport", "af_xdp", "AF_XDP was asked for but the director runs on AF_PACKET: "
                    + status.path("af_xdp_fallback").asText(), "see docs/af_xdp.md (kernel, permissions, driver)");
        } else if (transport.startsWith("af_xdp")) {
            List<String> ports = new ArrayList<>();
            status.path("af_xdp").properties().forEach(e -> {
                if (e.getValue().isObject()) {
                    ports.add(e.getKey() + " " + e.getValue().path("xdp_mode").asText() + " mode, "
                            + (e.getValue().path("zero_copy").asBoolean() ? "zero-copy" : "copy"));
                }
            });
            pass("transport", "af_xdp", "AF_XDP: " + String.join("; ", ports));
        } else if (!probe.isEmpty()) {
            pass("transport", "af_packet", "AF_PACKET; AF_XDP " + probe);
        }
    }

    private Result result() {
        boolean ok = checks.stream().noneMatch(c -> c.status() == Status.FAIL);
        return new Result(ok, List.copyOf(checks));
    }

    private Map<Integer, Netlink.Link> servedLinks(JsonNode status) {
        Set<String> names = new HashSet<>();
        status.path("interfaces").forEach(n -> names.add(n.asText()));
        Map<Integer, Netlink.Link> out = new HashMap<>();
        for (Netlink.Link l : net.links()) {
            if (names.contains(l.name())) {
                out.put(l.ifindex(), l);
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- real servers

    private void checkRealServer(ServiceConfig svc, DestInfo d, Map<Integer, Netlink.Link> served,
                                 Set<String> probedArp) {
        DestConfig c = d.config();
        int port = c.port() != 0 ? c.port() : svc.key().port();
        String target = svc.key() + " -> " + Explainer.hostPort(c.address(), port) + " (" + c.method().listName() + ")";
        boolean quiesced = c.weight() == 0;
        Netlink.Route route;
        try {
            route = net.route(c.address());
        } catch (NativeException e) {
            fail("route to real server", target, "the director has no route to it: " + e.getMessage(),
                    "add a route to " + c.address().getHostAddress() + " through a served interface");
            return;
        }
        Netlink.Link out = served.get(route.ifindex());
        if (out == null) {
            fail("route to real server", target, "the route leaves through ifindex " + route.ifindex()
                    + ", which the director does not serve: its packets are dropped (no_route)",
                    "serve that interface (jlvs director --interface …) or route the real server through a served one");
            return;
        }
        if (c.method() == ForwardMethod.DROUTE && route.gateway() != null) {
            fail("route to real server", target, "direct routing needs the real server on the same link, but the "
                    + "route goes via " + route.gateway().getHostAddress(), "put the real server on a segment the "
                    + "director serves, or use -m (NAT) or -i (tunnel)");
        } else {
            pass("route to real server", target, "through " + out.name()
                    + (route.gateway() == null ? " (on-link)" : " via " + route.gateway().getHostAddress()));
        }

        if (port == 0) {
            skip("real server answers", target, "port 0 (fwmark service keeping the packet's port): no single port "
                    + "to connect to");
        } else {
            TcpOutcome t = net.connect(null, c.address(), port, options.timeoutMs());
            if (!t.connected()) {
                String reason = t.error().startsWith("refused") ? "nothing listens on " + Explainer.hostPort(c.address(), port)
                        + " (connection refused)" : "no answer from " + Explainer.hostPort(c.address(), port) + " ("
                        + t.error() + "): the host is down or a firewall drops it";
                String fix = "start the service on the real server, or take it out of rotation: ipvsadm -e "
                        + serviceOption(svc.key()) + " -r " + Explainer.hostPort(c.address(), c.port()) + " -w 0";
                if (quiesced) {
                    warn("real server answers", target, reason + " (quiesced, weight 0: no new connections go there)", fix);
                } else {
                    fail("real server answers", target, reason, fix);
                }
            } else if (options.httpPorts().contains(port)) {
                HttpOutcome h = net.http(c.address(), port, options.timeoutMs());
                if (h.status() >= 100 && h.status() < 500) {
                    pass("real server answers", target, "TCP connect and HTTP GET / (" + h.text() + ")");
                } else {
                    fail("real server answers", target, "TCP connects, but HTTP GET / fails: " + h.text(),
                            "check the web server on the real server (its error log)");
                }
            } else {
                pass("real server answers", target, "TCP connect");
            }
        }

        if (!(c.address() instanceof Inet4Address rip)) {
            skip("real server checks", target, "IPv6 real servers are not forwarded yet");
            return;
        }
        int ourIp = primaryIpv4(out.ifindex());
        if (c.method() == ForwardMethod.DROUTE) {
            checkDirectRouting(svc, c, port, target, out, ourIp, rip, probedArp);
        } else if (c.method() == ForwardMethod.MASQ && port != 0) {
            checkNatRouteBack(svc, c, port, target, out);
        }
    }

    private void checkDirectRouting(ServiceConfig svc, DestConfig c, int port, String target, Netlink.Link out,
                                    int ourIp, Inet4Address rip, Set<String> probedArp) {
        if (ourIp == 0) {
            skip("real server ARP", target, out.name() + " has no IPv4 address to send ARP probes from");
            return;
        }
        List<Long> ripMacs = net.arp(out.ifindex(), out.mac(), ourIp, Explainer.toInt(rip), options.timeoutMs());
        if (ripMacs.isEmpty()) {
            fail("real server ARP", target, "no ARP reply for " + rip.getHostAddress() + " on " + out.name()
                    + ": direct routing cannot reach its MAC", "check that the real server is up and on the "
                    + out.name() + " segment");
            return;
        }
        long rsMac = ripMacs.getFirst();
        if (!(svc.key().address() instanceof Inet4Address vip)) {
            skip("real server ARP", target, "a firewall-mark service has no single VIP to probe");
            return;
        }
        String arpKey = rip.getHostAddress() + " " + vip.getHostAddress();
        if (probedArp.add(arpKey)) {
            List<Long> vipMacs = net.arp(out.ifindex(), out.mac(), ourIp, Explainer.toInt(vip), options.timeoutMs());
            if (vipMacs.contains(rsMac)) {
                fail("real server ARP", target, "the real server (" + EthernetView.macToString(rsMac) + ") answers ARP "
                        + "for the VIP " + vip.getHostAddress() + ": clients and routers may send VIP traffic straight to "
                        + "it (arp_ignore is not 1, or the VIP is on an ARP interface)", "on the real server: jlvs "
                        + "realserver start --vip " + vip.getHostAddress() + " (sets arp_ignore=1 and arp_announce=2 and "
                        + "puts the VIP on lo)");
            } else {
                pass("real server ARP", target, "answers ARP for " + rip.getHostAddress() + " ("
                        + EthernetView.macToString(rsMac) + "), not for the VIP");
            }
        }
        LinkProber.SynResult r = net.syn(out.ifindex(), out.mac(), ourIp, rsMac, Explainer.toInt(vip), port,
                options.timeoutMs());
        switch (r) {
            case SYN_ACK -> pass("real server takes the VIP", target, "answered a SYN for " + vip.getHostAddress() + ":"
                    + port + " sent to its MAC");
            case RST -> fail("real server takes the VIP", target, "accepts packets for the VIP but nothing listens on "
                    + vip.getHostAddress() + ":" + port + " (reset)", "make the service on the real server listen on the "
                    + "VIP or on all addresses");
            case NOTHING -> fail("real server takes the VIP", target, "did not answer a SYN for " + vip.getHostAddress()
                    + ":" + port + " sent to its MAC: the VIP is not configured on the real server (or a firewall drops it)",
                    "on the real server: jlvs realserver start --vip " + vip.getHostAddress());
        }
    }

    private void checkNatRouteBack(ServiceConfig svc, DestConfig c, int port, String target, Netlink.Link towards) {
        InetAddress from = otherNetworkAddress(towards.ifindex(), svc);
        if (from == null) {
            skip("real server routes back", target, "the director has no address on another network to test from");
            return;
        }
        TcpOutcome t = net.connect(from, c.address(), port, options.timeoutMs());
        if (t.connected() || t.error().startsWith("refused")) {
            pass("real server routes back", target, "a connection from " + from.getHostAddress() + " (another network) "
                    + "comes back through the director");
        } else {
            fail("real server routes back", target, "a connection from " + from.getHostAddress() + " gets no answer ("
                    + t.error() + "): NAT replies to clients would not come back through the director",
                    "on the real server, route clients through the director: ip route replace default via "
                    + addressOn(towards.ifindex()));
        }
    }

    /** A director address on a served-or-not interface other than {@code ifindex}, not a VIP: a client's stand-in. */
    private InetAddress otherNetworkAddress(int ifindex, ServiceConfig svc) {
        Set<InetAddress> vips = new HashSet<>();
        try {
            for (ServiceInfo s : director.services()) {
                if (s.config().key().address() != null) {
                    vips.add(s.config().key().address());
                }
            }
        } catch (IpvsException e) {
            // use what we have
        }
        for (Netlink.Address a : net.addresses()) {
            if (a.ifindex() != ifindex && a.address() instanceof Inet4Address v4 && !v4.isLoopbackAddress()
                    && !vips.contains(v4) && a.prefixLength() < 32) {
                return v4;
            }
        }
        return null;
    }

    private String addressOn(int ifindex) {
        int ip = primaryIpv4(ifindex);
        return ip == 0 ? "THE_DIRECTOR'S_ADDRESS" : Explainer.Ipv4.text(ip);
    }

    private int primaryIpv4(int ifindex) {
        for (Netlink.Address a : net.addresses()) {
            if (a.ifindex() == ifindex && a.address() instanceof Inet4Address v4 && a.prefixLength() < 32) {
                return Explainer.toInt(v4);
            }
        }
        return 0;
    }

    // ---------------------------------------------------------------- scheduler

    private void checkSpread(ServiceInfo s) {
        String svc = s.config().key().toString();
        Explainer.Spread sp;
        try {
            sp = director.spread(s.config().key(), options.spreadFlows());
        } catch (IpvsException e) {
            skip("scheduler spread", svc, "the director does not simulate scheduling: " + e.getMessage());
            return;
        }
        long weightSum = sp.weights().stream().mapToLong(Integer::longValue).sum();
        StringBuilder counts = new StringBuilder();
        for (int i = 0; i < sp.realservers().size(); i++) {
            counts.append(i == 0 ? "" : ", ").append(sp.realservers().get(i)).append(" w").append(sp.weights().get(i))
                    .append(": ").append(sp.counts().get(i));
        }
        String summary = sp.scheduler() + " over " + sp.flows() + " synthetic connections: " + counts;
        if (weightSum == 0) {
            fail("scheduler spread", svc, "every real server has weight 0: no new connection is accepted ("
                    + counts + ")", "give at least one real server a weight: ipvsadm -e " + serviceOption(s.config().key())
                    + " -r RIP -w 1");
            return;
        }
        List<String> wrong = new ArrayList<>();
        boolean proportional = Set.of("rr", "wrr", "lc", "wlc", "sed", "nq").contains(sp.scheduler());
        boolean hashing = Set.of("sh", "dh", "mh").contains(sp.scheduler());
        for (int i = 0; i < sp.realservers().size(); i++) {
            int w = sp.weights().get(i);
            int n = sp.counts().get(i);
            if (w == 0 && n > 0) {
                wrong.add(sp.realservers().get(i) + " has weight 0 but got " + n);
            }
            if (w > 0 && n == 0 && (proportional || hashing)) {
                wrong.add(sp.realservers().get(i) + " has weight " + w + " but got none");
            }
            if (w > 0 && proportional) {
                double expected = (double) w / weightSum;
                double got = (double) n / sp.flows();
                if (Math.abs(got - expected) > 0.1) {
                    wrong.add(String.format("%s got %.0f%%, its weight asks %.0f%%", sp.realservers().get(i),
                            100 * got, 100 * expected));
                }
            }
        }
        if (wrong.isEmpty()) {
            pass("scheduler spread", svc, summary);
        } else {
            fail("scheduler spread", svc, summary + "; " + String.join("; ", wrong),
                    "check the weights (ipvsadm -Ln) and thresholds (-x/-y)");
        }
    }

    // ---------------------------------------------------------------- VRRP

    private void checkVrrp() {
        List<VrrpStatus.Instance> vrrp;
        try {
            vrrp = director.vrrp();
        } catch (IpvsException e) {
            vrrp = List.of();
        }
        if (vrrp.isEmpty()) {
            skip("VRRP", "vrrp_instance", "not configured (a single director)");
            return;
        }
        Set<InetAddress> local = new HashSet<>();
        for (Netlink.Address a : net.addresses()) {
            local.add(a.address());
        }
        for (VrrpStatus.Instance v : vrrp) {
            String target = v.name() + " on " + v.interfaceName();
            List<String> held = new ArrayList<>();
            List<String> missing = new ArrayList<>();
            for (String vip : v.vips() == null ? List.<String>of() : v.vips()) {
                String addr = vip.contains("/") ? vip.substring(0, vip.indexOf('/')) : vip;
                try {
                    (local.contains(InetAddress.ofLiteral(addr)) ? held : missing).add(addr);
                } catch (IllegalArgumentException e) {
                    missing.add(addr);
                }
            }
            switch (v.state()) {
                case "MASTER" -> {
                    if (missing.isEmpty()) {
                        pass("VRRP", target, "MASTER, priority " + v.priority() + ", holds its VIPs");
                    } else {
                        fail("VRRP", target, "MASTER but does not hold " + missing, "see the VRRP log; the VIPs "
                                + "must be on " + v.interfaceName());
                    }
                }
                case "BACKUP" -> {
                    if (held.isEmpty()) {
                        pass("VRRP", target, "BACKUP, priority " + v.priority());
                    } else {
                        fail("VRRP", target, "BACKUP but holds " + held + ": two directors answer for the VIP",
                                "remove the VIPs from this director, or check that the peers see each other's adverts");
                    }
                }
                case "FAULT" -> fail("VRRP", target, "FAULT: the instance cannot take part (interface down or a "
                        + "tracked script failing)", "check " + v.interfaceName() + " and the tracked scripts");
                default -> warn("VRRP", target, v.state() + ": not settled yet", null);
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    static String serviceOption(ServiceKey key) {
        if (key.hasFwmark()) {
            return "-f " + key.fwmark();
        }
        String flag = switch (key.protocol()) {
            case TCP -> "-t";
            case UDP -> "-u";
            case SCTP -> "--sctp-service";
        };
        return flag + " " + Explainer.hostPort(key.address(), key.port());
    }

    private void pass(String name, String target, String reason) {
        checks.add(new Check(name, target, Status.PASS, reason, null));
    }

    private void warn(String name, String target, String reason, String fix) {
        checks.add(new Check(name, target, Status.WARN, reason, fix));
    }

    private void fail(String name, String target, String reason, String fix) {
        checks.add(new Check(name, target, Status.FAIL, reason, fix));
    }

    private void skip(String name, String target, String reason) {
        checks.add(new Check(name, target, Status.SKIP, reason, null));
    }
}
