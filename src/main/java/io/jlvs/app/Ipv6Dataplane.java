package io.jlvs.app;

import io.jlvs.conn.ConnectionFlags;
import io.jlvs.control.ConfigSnapshot;
import io.jlvs.control.ForwardMethod;
import io.jlvs.control.ServiceConfig;
import io.jlvs.forward.Dest6Runtime;
import io.jlvs.forward.Ipv6Config;
import io.jlvs.forward.Service6Runtime;
import io.jlvs.forward.ServedInterface;
import io.jlvs.io.linux.Libc;
import io.jlvs.io.linux.Netlink;
import io.jlvs.io.linux.NftGuard;
import io.jlvs.io.linux.SocketFilter;
import io.jlvs.packet.Ipv6View;
import io.jlvs.sched.SchedulerRegistry;

import java.lang.System.Logger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The control plane's IPv6 half of {@link Director#onChange}: from the IPv6 services of a snapshot it computes the
 * {@link Ipv6Config} the workers read (real servers with their route and next hop from an {@code AF_INET6} route
 * lookup, the VIPs, each served interface's IPv6 source address), the IPv6 matches of the socket filter and the
 * IPv6 sets of the kernel guard. Control path only.
 */
final class Ipv6Dataplane {
    private static final Logger LOG = System.getLogger("jlvs.director");

    private Ipv6Dataplane() {}

    /** True for a service this class builds: an address service on an IPv6 VIP. */
    static boolean isIpv6Service(ServiceConfig c) {
        return !c.key().hasFwmark() && c.key().address() instanceof Inet6Address;
    }

    static Ipv6Config build(List<ConfigSnapshot.Service> services, List<ServedInterface> served, Netlink nl) {
        List<Service6Runtime> out = new ArrayList<>();
        List<Dest6Runtime> destsById = new ArrayList<>();
        Set<List<Long>> vips = new LinkedHashSet<>();
        for (ConfigSnapshot.Service s : services) {
            ServiceConfig c = s.config();
            List<Dest6Runtime> dests = new ArrayList<>();
            for (ConfigSnapshot.Dest d : s.dests()) {
                Dest6Runtime r = dest(nl, d, served);
                if (r == null) {
                    continue;
                }
                dests.add(r);
                while (destsById.size() <= d.destId()) {
                    destsById.add(null);
                }
                destsById.set(d.destId(), r);
            }
            long[] vip = words(c.key().address());
            List<Long> laddrs = new ArrayList<>();
            for (InetAddress a : s.localAddresses()) {
                if (a instanceof Inet6Address) {
                    long[] w = words(a);
                    laddrs.add(w[0]);
                    laddrs.add(w[1]);
                }
            }
            // IPVS keeps -M of an IPv6 service as a prefix length (ipvsadm: 1..128, default 128)
            int prefix = c.netmask() >= 1 && c.netmask() <= 128 ? c.netmask() : 128;
            out.add(new Service6Runtime(s.serviceId(), c.key().protocol().number(), vip[0], vip[1], c.key().port(),
                    c.flags(), c.persistenceTimeoutS(), prefix, SchedulerRegistry.byName(c.scheduler()),
                    dests.toArray(Dest6Runtime[]::new), laddrs.stream().mapToLong(Long::longValue).toArray()));
            vips.add(List.of(vip[0], vip[1]));
        }
        long[] vipWords = new long[vips.size() * 2];
        int i = 0;
        for (List<Long> v : vips) {
            vipWords[i++] = v.get(0);
            vipWords[i++] = v.get(1);
        }
        return new Ipv6Config(out.toArray(Service6Runtime[]::new), destsById.toArray(Dest6Runtime[]::new), vipWords,
                interfaces(nl, served));
    }

    /**
     * Every IPv6 address of the served interfaces, each interface's source address first (its first global address,
     * else its link-local one): the forwarder solicits from the first and knows the rest as its own.
     */
    private static Ipv6Config.Interface6[] interfaces(Netlink nl, List<ServedInterface> served) {
        Map<Integer, List<long[]>> global = new LinkedHashMap<>();
        Map<Integer, List<long[]>> linkLocal = new LinkedHashMap<>();
        for (Netlink.Address a : nl.addresses()) {
            if (a.family() == Libc.AF_INET6 && a.address() instanceof Inet6Address v6) {
                long[] w = words(v6);
                (Ipv6View.isLinkLocal(w[0]) ? linkLocal : global).computeIfAbsent(a.ifindex(), k -> new ArrayList<>())
                        .add(w);
            }
        }
        List<Ipv6Config.Interface6> out = new ArrayList<>();
        for (ServedInterface s : served) {
            for (long[] w : global.getOrDefault(s.ifindex(), List.of())) {
                out.add(new Ipv6Config.Interface6(s.ifindex(), w[0], w[1]));
            }
            for (long[] w : linkLocal.getOrDefault(s.ifindex(), List.of())) {
                out.add(new Ipv6Config.Interface6(s.ifindex(), w[0], w[1]));
            }
        }
        return out.toArray(Ipv6Config.Interface6[]::new);
    }

    private static Dest6Runtime dest(Netlink nl, ConfigSnapshot.Dest d, List<ServedInterface> served) {
        if (!(d.config().address() instanceof Inet6Address rip)) {
            LOG.log(Logger.Level.WARNING, "real server " + d.config().address().getHostAddress()
                    + ": an IPv4 real server of an IPv6 service is not carried");
            return null;
        }
        ForwardMethod m = d.config().method();
        if (m != ForwardMethod.DROUTE && m != ForwardMethod.MASQ && m != ForwardMethod.TUNNEL
                && m != ForwardMethod.FULLNAT) {
            LOG.log(Logger.Level.WARNING, "real server [" + rip.getHostAddress() + "]: forwarding method " + m
                    + " is not carried");
        }
        if (m == ForwardMethod.TUNNEL && d.config().tunnelType() != 0) {
            LOG.log(Logger.Level.WARNING, "real server [" + rip.getHostAddress()
                    + "]: IPv6 tunnels are IPv6-in-IPv6 only (GUE and GRE are not carried)");
        }
        long[] w = words(rip);
        long[] nextHop = w;
        int outIfindex = 0;
        try {
            Netlink.Route route = nl.routeTo(rip);
            if (served.stream().anyMatch(s -> s.ifindex() == route.ifindex())) {
                outIfindex = route.ifindex();
                if (m != ForwardMethod.DROUTE && route.gateway() instanceof Inet6Address gw) {
                    nextHop = words(gw);
                }
            } else {
                LOG.log(Logger.Level.WARNING, "real server [" + rip.getHostAddress()
                        + "] is not reachable through a served interface");
            }
        } catch (RuntimeException e) {
            LOG.log(Logger.Level.WARNING, "no route to real server [" + rip.getHostAddress() + "]: " + e.getMessage());
        }
        return new Dest6Runtime(d.destId(), w[0], w[1], d.config().port(), m.code(), d.config().weight(),
                d.config().upperThreshold(), d.config().lowerThreshold(), outIfindex, nextHop[0], nextHop[1]);
    }

    /** What the socket filter must pass for IPv6: service traffic, NAT and FULLNAT replies. */
    static List<SocketFilter.Match6> filterMatches(Ipv6Config c) {
        List<SocketFilter.Match6> out = new ArrayList<>();
        Set<SocketFilter.Match6> seen = new LinkedHashSet<>();
        long[] l = c.localAddresses();
        for (int i = 0; i + 1 < l.length; i += 2) {
            seen.add(new SocketFilter.Match6(false, l[i], l[i + 1], 0, 1024, 65535));
        }
        for (Service6Runtime s : c.services()) {
            seen.add(s.vport() == 0 ? new SocketFilter.Match6(false, s.vipHi(), s.vipLo(), s.protocol(), 0, 65535)
                    : new SocketFilter.Match6(false, s.vipHi(), s.vipLo(), s.protocol(), s.vport(), s.vport()));
            for (Dest6Runtime d : s.dests()) {
                if (d.method() == ConnectionFlags.FWD_MASQ) {
                    int port = d.port() == 0 ? s.vport() : d.port();
                    seen.add(port == 0 ? new SocketFilter.Match6(true, d.hi(), d.lo(), s.protocol(), 1, 65535)
                            : new SocketFilter.Match6(true, d.hi(), d.lo(), s.protocol(), port, port));
                }
            }
        }
        out.addAll(seen);
        return out;
    }

    /** The kernel guard's IPv6 sets: what jlvs forwards never reaches the director's own IPv6 stack. */
    static NftGuard.Ipv6Sets guardSets(Ipv6Config c) {
        Set<NftGuard.Entry> services = new LinkedHashSet<>();
        Set<NftGuard.Entry> natReals = new LinkedHashSet<>();
        Set<String> natRealAddrs = new LinkedHashSet<>();
        long[] l = c.localAddresses();
        for (int i = 0; i + 1 < l.length; i += 2) {
            for (int proto : new int[] {6, 17}) {
                services.add(new NftGuard.Entry(Ipv6View.addrToString(l[i], l[i + 1]), proto, "1024-65535"));
            }
        }
        for (Service6Runtime s : c.services()) {
            services.add(new NftGuard.Entry(Ipv6View.addrToString(s.vipHi(), s.vipLo()), s.protocol(),
                    s.vport() == 0 ? "0-65535" : "" + s.vport()));
            for (Dest6Runtime d : s.dests()) {
                if (d.method() == ConnectionFlags.FWD_MASQ) {
                    int port = d.port() == 0 ? s.vport() : d.port();
                    String rip = Ipv6View.addrToString(d.hi(), d.lo());
                    natReals.add(new NftGuard.Entry(rip, s.protocol(), port == 0 ? "1-65535" : "" + port));
                    natRealAddrs.add(rip);
                }
            }
        }
        return new NftGuard.Ipv6Sets(List.copyOf(services), List.copyOf(natReals), List.copyOf(natRealAddrs));
    }

    /**
     * Appends the IPv6 connections in /proc/net/ip_vs_conn's format ({@code %pI6}: eight 4-digit groups), skipping
     * FULLNAT reply aliases as the IPv4 listing does not show them either.
     */
    static void connectionLines(io.jlvs.conn.ConnectionTable6 t, long nowMs, List<String> out) {
        t.forEach(slot -> {
            int rawProto = t.protocol(slot);
            if ((rawProto & 0x40) != 0 && (rawProto & 0x80) == 0) {
                return; // a FULLNAT reply alias
            }
            int flags = t.flags(slot);
            boolean template = (flags & ConnectionFlags.TEMPLATE) != 0;
            int proto = rawProto & 0x3f;
            String protoName = proto == 6 ? "TCP" : proto == 17 ? "UDP" : proto == 132 ? "SCTP" : "IP";
            String state = template ? (t.state(slot) == 1 ? "ASSURED" : "NONE")
                    : proto == 17 ? "UDP" : io.jlvs.conn.TcpState.name(t.state(slot));
            long expiresS = Math.max(0, t.expiresAtMs(slot) - nowMs) / 1000;
            out.add(String.format("%-3s %s %04X %s %04X %s %04X %-11s %7d", protoName,
                    full(t.clientHi(slot), t.clientLo(slot)), t.clientPort(slot), full(t.vipHi(slot), t.vipLo(slot)),
                    t.vport(slot), full(t.realHi(slot), t.realLo(slot)), t.realPort(slot), state, expiresS));
        });
    }

    /** The kernel's {@code %pI6}: eight groups of four hex digits. */
    static String full(long hi, long lo) {
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            long half = i < 4 ? hi : lo;
            int group = (int) (half >>> (48 - 16 * (i % 4))) & 0xffff;
            if (i > 0) {
                sb.append(':');
            }
            sb.append(String.format("%04x", group));
        }
        return sb.toString();
    }

    /** The address as (high, low) 64-bit halves. */
    static long[] words(InetAddress a) {
        byte[] b = a.getAddress();
        long hi = 0;
        long lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = (hi << 8) | (b[i] & 0xff);
            lo = (lo << 8) | (b[8 + i] & 0xff);
        }
        return new long[] {hi, lo};
    }
}
