package io.jlvs.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.jlvs.conn.ConnectionFlags;
import io.jlvs.conn.ConnectionTable;
import io.jlvs.conn.TcpState;
import io.jlvs.control.ConfigSnapshot;
import io.jlvs.control.ControlProtocol;
import io.jlvs.control.ControlServer;
import io.jlvs.control.DestConfig;
import io.jlvs.control.DestInfo;
import io.jlvs.control.Errno;
import io.jlvs.control.ForwardMethod;
import io.jlvs.control.Ipvs;
import io.jlvs.control.IpvsApi;
import io.jlvs.control.IpvsException;
import io.jlvs.control.MarkRule;
import io.jlvs.control.Protocol;
import io.jlvs.control.ServiceConfig;
import io.jlvs.control.ServiceInfo;
import io.jlvs.control.ServiceKey;
import io.jlvs.forward.ServedInterface;
import io.jlvs.io.linux.NativeException;
import io.jlvs.io.linux.Netlink;
import io.jlvs.packet.EthernetView;
import io.jlvs.sched.DestinationView;
import io.jlvs.sched.FlowView;
import io.jlvs.sched.Scheduler;
import io.jlvs.sched.SchedulerRegistry;
import io.jlvs.sched.SchedulerState;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code jlvs explain}: what the director would do with one packet, and why, without sending anything and
 * without touching the data plane's state. It walks the forwarder's decisions in the forwarder's order: an
 * existing connection (or a TIME_WAIT one a SYN reuses), the marking rules and the service lookup, a NAT reply,
 * the persistence template, the scheduler, the route and the rewrite.
 *
 * <p>Side-effect free by construction: the configuration is the control plane's published snapshot; the
 * connection table is only read (a bounded scan of live slots, racy as {@code ipvsadm -Lc} is, never a write);
 * the scheduler runs on a fresh {@link SchedulerState} built here from the snapshot and the live connection
 * counts, never on the worker's own state, and is thrown away. So for schedulers whose choice depends only on
 * the packet and the counts (lc, wlc, sed, nq, fo, ovf, sh, dh, mh) the answer is the worker's; for those with a
 * cursor or a cache the worker keeps to itself (rr, wrr, lblc, lblcr) or a random draw (twos) it names the
 * candidates and marks the answer {@code exact=false}.
 */
public final class Explainer {
    /** Persistence templates carry this bit on their protocol (as the forwarder keys them). */
    static final int TEMPLATE_PROTO = 0x80;
    /** Schedulers whose choice the packet and the counts decide. */
    static final Set<String> DETERMINISTIC = Set.of("lc", "wlc", "sed", "nq", "fo", "ovf", "sh", "dh", "mh");

    /** The packet to explain. {@code syn}: a TCP SYN without ACK (a new connection's first segment). */
    public record Query(Protocol protocol, InetAddress src, int sport, InetAddress dst, int dport, boolean syn) {}

    /**
     * The answer.
     *
     * @param verdict    FORWARD (to a real server), REPLY (a NAT reply back to the client), DROP, or KERNEL (not
     *                   jlvs's: the kernel handles it)
     * @param reason     the drop reason as {@code jlvs status} counts it, or a short why
     * @param service    the service, as ipvsadm prints it; null when none
     * @param realserver {@code address:port}; null when none
     * @param method     Route, Masq, Tunnel…; null when none
     * @param decidedBy  connection, template, scheduler or null
     * @param exact      false when the worker's private scheduler state could change the pick
     * @param steps      the reasoning, one line per decision
     * @param rewrite    what is rewritten in the frame, one line per header field
     */
    public record Answer(String verdict, String reason, String service, String realserver, String method,
                         String decidedBy, boolean exact, List<String> steps, List<String> rewrite) {}

    /** How many synthetic connections each real server would get, in list order. */
    public record Spread(String service, String scheduler, int flows, List<String> realservers, List<Integer> weights,
                         List<Integer> counts) {}

    /** Where the route to a real server goes (the director's routing table; a fake in tests). */
    @FunctionalInterface
    public interface Routes {
        /** The route to {@code address}; throws NativeException when there is none. */
        Netlink.Route to(InetAddress address);
    }

    private final Supplier<ConfigSnapshot> snapshot;
    private final IpvsApi ipvs;
    private final ConnectionTable connections;
    private final List<ServedInterface> served;
    private final Routes routes;

    public Explainer(Supplier<ConfigSnapshot> snapshot, IpvsApi ipvs, ConnectionTable connections,
                     List<ServedInterface> served, Routes routes) {
        this.snapshot = snapshot;
        this.ipvs = ipvs;
        this.connections = connections;
        this.served = served;
        this.routes = routes;
    }

    /**
     * Serves {@code explain} and {@code explainSpread} on the director's control socket. Director.start() calls
     * it once the worker and the control server exist.
     */
    public static void register(ControlServer control, Ipvs ipvs, ConnectionTable connections,
                                List<ServedInterface> served) {
        Explainer e = new Explainer(ipvs::snapshot, ipvs, connections, served, address -> {
            try (Netlink nl = Netlink.open()) {
                return nl.routeTo(address);
            }
        });
        control.register("explain", r -> e.explain(ControlProtocol.JSON.convertValue(r.extra(), Query.class)));
        control.register("explainSpread", r -> {
            JsonNode flows = r.extra() == null ? null : r.extra().get("flows");
            try {
                return e.spread(r.key(), flows == null ? 1000 : flows.asInt(1000));
            } catch (IpvsException ex) {
                throw new IllegalArgumentException(ex.getMessage(), ex);
            }
        });
    }

    // ---------------------------------------------------------------- explain

    public Answer explain(Query q) {
        List<String> steps = new ArrayList<>();
        List<String> rewrite = new ArrayList<>();
        if (q == null || q.protocol() == null || q.src() == null || q.dst() == null) {
            return new Answer("KERNEL", "incomplete query", null, null, null, null, true,
                    List.of("a query needs protocol, source and destination"), rewrite);
        }
        steps.add("packet: " + q.protocol().listName() + " " + hostPort(q.src(), q.sport()) + " -> "
                + hostPort(q.dst(), q.dport()) + (q.protocol() == Protocol.TCP ? (q.syn() ? " (SYN)" : " (not SYN)") : ""));
        if (q.protocol() == Protocol.SCTP) {
            steps.add("jlvs forwards TCP and UDP only: the socket filter does not pass SCTP; the kernel handles it");
            return new Answer("KERNEL", "not TCP or UDP", null, null, null, null, true, steps, rewrite);
        }
        if (!(q.src() instanceof Inet4Address) || !(q.dst() instanceof Inet4Address)) {
            steps.add("IPv6 is not forwarded yet: the socket filter passes IPv4 only; the kernel handles it");
            return new Answer("KERNEL", "not IPv4", null, null, null, null, true, steps, rewrite);
        }
        int proto = q.protocol().number();
        int src = toInt(q.src());
        int dst = toInt(q.dst());
        ConfigSnapshot snap = snapshot.get();
        long nowMs = System.nanoTime() / 1_000_000L; // the worker's clock

        int conn = find(proto, src, q.sport(), dst, q.dport(), false);
        if (conn >= 0) {
            int state = connections.state(conn);
            boolean tcp = proto == Protocol.TCP.number();
            long leftS = Math.max(0, connections.expiresAtMs(conn) - nowMs) / 1000;
            steps.add("existing connection: state " + (tcp ? TcpState.name(state) : "UDP") + ", expires in " + leftS
                    + " s, to " + Ipv4.text(connections.realIp(conn)) + ":" + connections.realPort(conn));
            if (tcp && q.syn() && (state == TcpState.TIME_WAIT || state == TcpState.CLOSE)) {
                steps.add("a SYN on a " + TcpState.name(state) + " connection starts a new one (conn_reuse_mode=1): "
                        + "the old entry expires and the packet is scheduled again");
                conn = -1;
            }
        }
        if (conn >= 0) {
            ConfigSnapshot.Service svc = serviceById(snap, connections.serviceId(conn));
            ConfigSnapshot.Dest dest = destById(snap, connections.destId(conn));
            if (dest == null) {
                steps.add("its real server was removed from the table: dropped");
                return new Answer("DROP", "dest_unavailable", svc == null ? null : svc.config().key().toString(),
                        null, null, "connection", true, steps, rewrite);
            }
            ForwardMethod m = ForwardMethod.ofCode(ConnectionFlags.forwardMethod(connections.flags(conn)));
            steps.add("the connection decides: the forwarding method was bound when it was made (" + m.listName() + ")");
            return forward(q, svc == null ? null : svc.config(), dest.config(), m, connections.realPort(conn),
                    "connection", true, steps, rewrite);
        }

        ConfigSnapshot.Service svc = null;
        int mark = mark(snap, proto, dst, q.dport());
        if (mark != 0) {
            svc = serviceByFwmark(snap, mark);
            steps.add("marking rule: mark " + mark + (svc == null ? ", but no service has that mark" : " -> service "
                    + svc.config().key()));
        }
        if (svc == null) {
            svc = service(snap, q.protocol(), q.dst(), q.dport());
        }
        if (svc == null) {
            int reply = find(proto, src, q.sport(), dst, q.dport(), true);
            if (reply >= 0) {
                ConfigSnapshot.Service rs = serviceById(snap, connections.serviceId(reply));
                steps.add("a reply of the NAT connection " + Ipv4.text(connections.clientIp(reply)) + ":"
                        + connections.clientPort(reply) + " -> " + Ipv4.text(connections.vip(reply)) + ":"
                        + connections.vport(reply));
                rewrite.add("IPv4 source " + q.src().getHostAddress() + " -> " + Ipv4.text(connections.vip(reply))
                        + ", " + q.protocol().listName() + " source port " + q.sport() + " -> " + connections.vport(reply)
                        + " (checksums updated incrementally)");
                rewrite.add("Ethernet destination -> the client's L2 source from its first frame ("
                        + EthernetView.macToString(connections.clientMac(reply)) + "), out on the interface it came in on");
                rewrite.add("TTL decremented");
                return new Answer("REPLY", "nat reply", rs == null ? null : rs.config().key().toString(),
                        hostPort(q.src(), q.sport()), ForwardMethod.MASQ.listName(), "connection", true, steps, rewrite);
            }
            boolean vip = isVip(snap, q.dst());
            steps.add(vip ? "the destination is a VIP, but no service listens on " + q.protocol().listName() + " port "
                    + q.dport() + ": the kernel handles it (jlvs ignores the frame)"
                    : "no service, marking rule or connection matches: the socket filter does not pass it to jlvs; "
                    + "the kernel routes it");
            return new Answer("KERNEL", vip ? "no service on this port" : "not for jlvs", null, null, null, null,
                    true, steps, rewrite);
        }
        ServiceConfig sc = svc.config();
        steps.add("service " + sc.key() + ", scheduler " + sc.scheduler()
                + (sc.persistent() ? ", persistent " + sc.persistenceTimeoutS() + " s" : ""));
        if (proto == Protocol.TCP.number() && !q.syn()) {
            steps.add("a TCP segment that is not a SYN and has no connection is dropped (counted as no_connection)");
            return new Answer("DROP", "no_connection", sc.key().toString(), null, null, null, true, steps, rewrite);
        }
        if (sc.persistent()) {
            int netmask = sc.netmask();
            int snet = src & netmask;
            int tproto = TEMPLATE_PROTO | (sc.key().hasFwmark() ? 0 : proto);
            int tvip = sc.key().hasFwmark() ? sc.key().fwmark() : dst;
            int tvport = sc.key().hasFwmark() || sc.key().port() == 0 ? 0 : q.dport();
            int t = find(tproto, snet, 0, tvip, tvport, false);
            if (t >= 0) {
                ConfigSnapshot.Dest d = destById(snap, connections.destId(t));
                if (d != null && svc.dests().contains(d)) {
                    long leftS = Math.max(0, connections.expiresAtMs(t) - nowMs) / 1000;
                    steps.add("persistence template for client network " + Ipv4.text(snet) + " (netmask "
                            + Ipv4.text(netmask) + "): real server " + hostPort(d.config().address(), d.config().port())
                            + ", expires in " + leftS + " s; the scheduler is not asked");
                    int rport = d.config().port() != 0 && q.dport() == sc.key().port() ? d.config().port() : q.dport();
                    return forward(q, sc, d.config(), d.config().method(), rport, "template", true, steps, rewrite);
                }
                steps.add("a persistence template exists, but its real server left the service: scheduled again");
            } else {
                steps.add("no persistence template for client network " + Ipv4.text(snet)
                        + " yet: the scheduler picks, and a template is made");
            }
        }
        return schedule(q, svc, steps, rewrite);
    }

    private Answer schedule(Query q, ConfigSnapshot.Service svc, List<String> steps, List<String> rewrite) {
        ServiceConfig sc = svc.config();
        Scheduler scheduler = SchedulerRegistry.byName(sc.scheduler());
        if (scheduler == null) {
            steps.add("unknown scheduler " + sc.scheduler());
            return new Answer("DROP", "no_destination", sc.key().toString(), null, null, null, true, steps, rewrite);
        }
        View view = view(svc);
        for (int i = 0; i < view.count(); i++) {
            DestConfig d = svc.dests().get(i).config();
            steps.add("  candidate " + hostPort(d.address(), d.port()) + ": weight " + d.weight() + ", active "
                    + view.active[i] + ", inactive " + view.inactive[i]
                    + (d.weight() == 0 ? " (quiesced: never chosen)" : view.overloaded[i] ? " (overloaded)" : ""));
        }
        SchedulerState state = scheduler.newState(view, null);
        int i = state.schedule(view, new Flow(toInt(q.src()), toInt(q.dst()), q.sport(), q.dport()));
        if (i < 0) {
            steps.add("no real server is eligible (none, all quiesced or overloaded): dropped with ICMP port unreachable from the VIP (as ip_vs_leave), counted as no_destination");
            return new Answer("DROP", "no_destination", sc.key().toString(), null, null, "scheduler", true, steps,
                    rewrite);
        }
        boolean exact = DETERMINISTIC.contains(sc.scheduler());
        DestConfig d = svc.dests().get(i).config();
        steps.add(rule(sc.scheduler()) + (exact ? ": picks " : ": a fresh cursor picks ")
                + hostPort(d.address(), d.port()) + (exact ? "" : "; the worker's own cursor decides which of the "
                + "eligible candidates is next, so it may pick another"));
        int rport = d.port() != 0 && q.dport() == sc.key().port() ? d.port() : q.dport();
        return forward(q, sc, d, d.method(), rport, "scheduler", exact, steps, rewrite);
    }

    private static String rule(String scheduler) {
        return switch (scheduler) {
            case "rr" -> "rr (round robin: the next eligible server in list order)";
            case "wrr" -> "wrr (weighted round robin: servers in turn, as often as their weight)";
            case "lc" -> "lc (least connections: fewest active*256+inactive)";
            case "wlc" -> "wlc (weighted least connections: lowest (active*256+inactive)/weight)";
            case "sed" -> "sed (shortest expected delay: lowest (active+1)/weight)";
            case "nq" -> "nq (never queue: an idle server first, else shortest expected delay)";
            case "sh" -> "sh (source hashing: the client address picks a bucket)";
            case "dh" -> "dh (destination hashing: the destination address picks a bucket)";
            case "mh" -> "mh (maglev hashing: the flow hash indexes the lookup table)";
            case "fo" -> "fo (weighted failover: the highest weight that is not overloaded)";
            case "ovf" -> "ovf (weighted overflow: the highest weight until its active connections reach it)";
            case "lblc", "lblcr" -> scheduler + " (locality-based: the destination's cached server, kept by the worker)";
            case "twos" -> "twos (weighted power of two choices: two random candidates)";
            default -> scheduler;
        };
    }

    private Answer forward(Query q, ServiceConfig sc, DestConfig d, ForwardMethod m, int rport, String decidedBy,
                           boolean exact, List<String> steps, List<String> rewrite) {
        String rs = hostPort(d.address(), rport);
        String service = sc == null ? null : sc.key().toString();
        if (!(d.address() instanceof Inet4Address)) {
            steps.add("the real server is IPv6: not forwarded yet");
            return new Answer("DROP", "no_route", service, rs, m.listName(), decidedBy, exact, steps, rewrite);
        }
        Netlink.Route route;
        try {
            route = routes.to(d.address());
        } catch (NativeException e) {
            steps.add("no route to " + d.address().getHostAddress() + " (" + e.getMessage() + "): dropped, counted as "
                    + "no_route");
            return new Answer("DROP", "no_route", service, rs, m.listName(), decidedBy, exact, steps, rewrite);
        }
        ServedInterface out = servedByIndex(route.ifindex());
        if (out == null) {
            steps.add("the route to " + d.address().getHostAddress() + " leaves through ifindex " + route.ifindex()
                    + ", which jlvs does not serve: dropped, counted as no_route");
            return new Answer("DROP", "no_route", service, rs, m.listName(), decidedBy, exact, steps, rewrite);
        }
        String nextHop = m == ForwardMethod.MASQ && route.gateway() instanceof Inet4Address gw ? gw.getHostAddress()
                : d.address().getHostAddress();
        steps.add("out on " + out.name() + ", next hop " + nextHop + " (its MAC from jlvs's own ARP; while an unresolved "
                + "one is asked for, up to 8 frames wait for it for 3 s, then count as neighbour_unresolved)");
        if (m == ForwardMethod.DROUTE && route.gateway() != null) {
            steps.add("warning: direct routing needs the real server on the same link, but the route to it goes via "
                    + route.gateway().getHostAddress() + ": jlvs asks ARP for the real server itself, which a router "
                    + "does not answer");
        }
        String eth = "Ethernet destination -> MAC of " + nextHop + ", source -> " + out.name() + "'s MAC "
                + EthernetView.macToString(out.mac());
        switch (m) {
            case MASQ -> {
                rewrite.add("IPv4 destination " + q.dst().getHostAddress() + " -> " + d.address().getHostAddress()
                        + ", " + q.protocol().listName() + " destination port " + q.dport() + " -> " + rport
                        + " (checksums updated incrementally)");
                rewrite.add(eth);
                rewrite.add("TTL decremented");
                rewrite.add("replies from " + rs + " come back through the director: source -> "
                        + hostPort(q.dst(), q.dport()));
            }
            case DROUTE -> {
                rewrite.add(eth);
                rewrite.add("IP addresses and ports unchanged (the real server holds the VIP on a non-ARP device)");
                rewrite.add("TTL decremented");
            }
            default -> {
                rewrite.add(eth);
                rewrite.add(m.listName() + " is not carried by the data plane yet (DR and NAT are): the frame leaves "
                        + "with only its MACs rewritten and TTL decremented, not encapsulated");
            }
        }
        return new Answer("FORWARD", "forwarded", service, rs, m.listName(), decidedBy, exact, steps, rewrite);
    }

    // ---------------------------------------------------------------- spread

    /**
     * Runs the service's scheduler on its own fresh state over {@code flows} synthetic new connections (sources
     * spread over 10.0.0.0/8, none ever sent), each staying open, and counts where they go. {@code jlvs doctor}
     * compares the counts with the weights.
     */
    public Spread spread(ServiceKey key, int flows) throws IpvsException {
        int n = Math.clamp(flows, 1, 100_000);
        ConfigSnapshot snap = snapshot.get();
        ConfigSnapshot.Service svc = null;
        for (ConfigSnapshot.Service s : snap.services()) {
            if (s.config().key().equals(key)) {
                svc = s;
            }
        }
        if (svc == null) {
            throw new IpvsException(Errno.ESRCH, "no such service: " + key);
        }
        Scheduler scheduler = SchedulerRegistry.byName(svc.config().scheduler());
        View view = view(svc);
        java.util.Arrays.fill(view.active, 0);
        java.util.Arrays.fill(view.inactive, 0);
        java.util.Arrays.fill(view.overloaded, false);
        SchedulerState state = scheduler == null ? null : scheduler.newState(view, null);
        int[] counts = new int[view.count()];
        int vip = key.address() instanceof Inet4Address a ? toInt(a) : 0;
        for (int f = 0; f < n && state != null; f++) {
            int i = state.schedule(view, new Flow(0x0A000000 + f * 7919 % 0x00FFFFFF, vip, 1024 + f % 60000, key.port()));
            if (i >= 0) {
                counts[i]++;
                view.active[i]++;
            }
        }
        List<String> names = new ArrayList<>();
        List<Integer> weights = new ArrayList<>();
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < view.count(); i++) {
            DestConfig d = svc.dests().get(i).config();
            names.add(hostPort(d.address(), d.port()));
            weights.add(d.weight());
            out.add(counts[i]);
        }
        return new Spread(key.toString(), svc.config().scheduler(), n, names, weights, out);
    }

    // ---------------------------------------------------------------- the scheduler's view

    /** The worker's view of a service's real servers, rebuilt from the snapshot and the live counts. */
    private View view(ConfigSnapshot.Service svc) {
        Map<String, DestInfo> live = new LinkedHashMap<>();
        try {
            ServiceInfo info = ipvs.service(svc.config().key());
            for (DestInfo d : info.dests()) {
                live.put(hostPort(d.config().address(), d.config().port()), d);
            }
        } catch (IpvsException e) {
            // counted as idle
        }
        int n = svc.dests().size();
        View v = new View(svc, n);
        for (int i = 0; i < n; i++) {
            DestConfig d = svc.dests().get(i).config();
            DestInfo info = live.get(hostPort(d.address(), d.port()));
            v.active[i] = info == null ? 0 : info.activeConns();
            v.inactive[i] = info == null ? 0 : info.inactiveConns();
            v.persistent[i] = info == null ? 0 : info.persistentConns();
            // the worker's overload flag is its own; the threshold rule says when it is set
            v.overloaded[i] = d.upperThreshold() > 0 && v.active[i] + v.inactive[i] >= d.upperThreshold();
        }
        return v;
    }

    private static final class View implements DestinationView {
        final ConfigSnapshot.Service svc;
        final int[] active;
        final int[] inactive;
        final int[] persistent;
        final boolean[] overloaded;

        View(ConfigSnapshot.Service svc, int n) {
            this.svc = svc;
            this.active = new int[n];
            this.inactive = new int[n];
            this.persistent = new int[n];
            this.overloaded = new boolean[n];
        }

        @Override
        public int count() {
            return svc.dests().size();
        }

        @Override
        public int destId(int i) {
            return svc.dests().get(i).destId();
        }

        @Override
        public int weight(int i) {
            return svc.dests().get(i).config().weight();
        }

        @Override
        public boolean overloaded(int i) {
            return overloaded[i];
        }

        @Override
        public int activeConns(int i) {
            return active[i];
        }

        @Override
        public int inactiveConns(int i) {
            return inactive[i];
        }

        @Override
        public int persistentConns(int i) {
            return persistent[i];
        }

        @Override
        public int serviceFlags() {
            return svc.config().flags();
        }
    }

    private record Flow(int srcIpv4, int dstIpv4, int srcPort, int dstPort) implements FlowView {}

    // ---------------------------------------------------------------- lookups

    /**
     * A live connection by its inbound key ({@code out=false}: client → VIP) or outbound key ({@code out=true}:
     * real server → client), by scanning the slots: the worker may be changing the hash chains while we read,
     * and a scan cannot loop.
     */
    private int find(int proto, int a, int aPort, int b, int bPort, boolean out) {
        int[] found = {-1};
        connections.forEach(slot -> {
            if (found[0] >= 0 || (connections.protocol(slot) & 0xff) != proto) {
                return;
            }
            boolean match = out
                    ? (connections.flags(slot) & ConnectionFlags.FWD_MASK) == ConnectionFlags.FWD_MASQ
                      && (connections.flags(slot) & ConnectionFlags.TEMPLATE) == 0
                      && connections.realIp(slot) == a && connections.realPort(slot) == aPort
                      && connections.clientIp(slot) == b && connections.clientPort(slot) == bPort
                    : connections.clientIp(slot) == a && connections.clientPort(slot) == aPort
                      && connections.vip(slot) == b && connections.vport(slot) == bPort;
            if (match) {
                found[0] = slot;
            }
        });
        return found[0];
    }

    private static int mark(ConfigSnapshot snap, int proto, int dst, int dport) {
        for (MarkRule r : snap.marks()) {
            int mask = r.prefixLength() == 0 ? 0 : -1 << (32 - r.prefixLength());
            boolean protoOk = r.protocol() == null || r.protocol().number() == proto;
            if (protoOk && (dst & mask) == (toInt(r.address()) & mask) && dport >= r.portLow() && dport <= r.portHigh()) {
                return r.mark();
            }
        }
        return 0;
    }

    private static ConfigSnapshot.Service serviceByFwmark(ConfigSnapshot snap, int mark) {
        for (ConfigSnapshot.Service s : snap.services()) {
            if (s.config().key().hasFwmark() && s.config().key().fwmark() == mark && s.config().key().af() == 2) {
                return s;
            }
        }
        return null;
    }

    private static ConfigSnapshot.Service service(ConfigSnapshot snap, Protocol p, InetAddress dst, int port) {
        ServiceKey k = ServiceKey.of(p, dst, port);
        for (ConfigSnapshot.Service s : snap.services()) {
            if (s.config().key().equals(k)) {
                return s;
            }
        }
        return null;
    }

    private static boolean isVip(ConfigSnapshot snap, InetAddress a) {
        for (ConfigSnapshot.Service s : snap.services()) {
            if (a.equals(s.config().key().address())) {
                return true;
            }
        }
        return false;
    }

    private static ConfigSnapshot.Service serviceById(ConfigSnapshot snap, int id) {
        for (ConfigSnapshot.Service s : snap.services()) {
            if (s.serviceId() == id) {
                return s;
            }
        }
        return null;
    }

    private static ConfigSnapshot.Dest destById(ConfigSnapshot snap, int id) {
        for (ConfigSnapshot.Service s : snap.services()) {
            for (ConfigSnapshot.Dest d : s.dests()) {
                if (d.destId() == id) {
                    return d;
                }
            }
        }
        return null;
    }

    private ServedInterface servedByIndex(int ifindex) {
        for (ServedInterface i : served) {
            if (i.ifindex() == ifindex) {
                return i;
            }
        }
        return null;
    }

    static String hostPort(InetAddress a, int port) {
        String h = a.getHostAddress();
        return (a instanceof Inet4Address ? h : "[" + h + "]") + ":" + port;
    }

    static int toInt(InetAddress a) {
        byte[] b = a.getAddress();
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    /** IPv4 as an int, host order, to text. */
    static final class Ipv4 {
        private Ipv4() {}

        static String text(int ip) {
            return io.jlvs.packet.Ipv4View.addrToString(ip);
        }
    }
}
