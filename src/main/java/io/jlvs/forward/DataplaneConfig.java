package io.jlvs.forward;

import io.jlvs.util.LongObjectMap;

/**
 * Everything the workers read, computed by the control plane and published whole after every change
 * (workers never see a half-applied change): services by (protocol, VIP, port), real servers by id,
 * the set of VIPs jlvs answers ARP for, and the served interfaces.
 */
public final class DataplaneConfig {
    private final long version;
    private final ServiceRuntime[] services;
    private final ServiceRuntime[] servicesById;
    private final LongObjectMap<ServiceRuntime> byKey;
    private final DestRuntime[] destsById;
    private final int[] vips;
    private final ServedInterface[] interfaces;
    private final MarkRuleRuntime[] marks;
    private final int[] localAddresses;
    private final Ipv6Config ipv6;
    private ClientRoutes clientRoutes = ClientRoutes.EMPTY;

    public DataplaneConfig(long version, ServiceRuntime[] services, DestRuntime[] destsById, int[] vips,
                           ServedInterface[] interfaces) {
        this(version, services, destsById, vips, interfaces, new MarkRuleRuntime[0]);
    }

    public DataplaneConfig(long version, ServiceRuntime[] services, DestRuntime[] destsById, int[] vips,
                           ServedInterface[] interfaces, MarkRuleRuntime[] marks) {
        this(version, services, destsById, vips, interfaces, marks, Ipv6Config.EMPTY);
    }

    /** … with IPv6 services ({@link Ipv6Config}), published with the IPv4 ones in one hand-over. */
    public DataplaneConfig(long version, ServiceRuntime[] services, DestRuntime[] destsById, int[] vips,
                           ServedInterface[] interfaces, MarkRuleRuntime[] marks, Ipv6Config ipv6) {
        this.version = version;
        this.ipv6 = ipv6;
        this.marks = marks;
        java.util.LinkedHashSet<Integer> laddrs = new java.util.LinkedHashSet<>();
        for (ServiceRuntime s : services) {
            for (int a : s.localAddresses()) {
                laddrs.add(a);
            }
        }
        this.localAddresses = laddrs.stream().mapToInt(Integer::intValue).toArray();
        this.services = services;
        this.destsById = destsById;
        this.vips = vips;
        this.interfaces = interfaces;
        this.byKey = new LongObjectMap<>(Math.max(4, services.length));
        int maxId = 0;
        for (ServiceRuntime s : services) {
            byKey.put(s.fwmark() != 0 ? ServiceRuntime.fwmarkKey(s.fwmark())
                    : ServiceRuntime.key(s.protocol(), s.vip(), s.vport()), s);
            maxId = Math.max(maxId, s.serviceId());
        }
        this.servicesById = new ServiceRuntime[maxId + 1];
        for (ServiceRuntime s : services) {
            servicesById[s.serviceId()] = s;
        }
    }

    /**
     * Sets the routes toward clients; the control plane calls it once, before publishing (the hand-over to
     * the workers is a volatile write, so they see it).
     */
    public DataplaneConfig clientRoutes(ClientRoutes routes) {
        this.clientRoutes = routes;
        return this;
    }

    /** Routes toward clients for replies of connections installed from sync messages. */
    public ClientRoutes clientRoutes() {
        return clientRoutes;
    }

    /** The IPv6 services, real servers and addresses (empty when there are none). */
    public Ipv6Config ipv6() {
        return ipv6;
    }

    public long version() {
        return version;
    }

    public ServiceRuntime[] services() {
        return services;
    }

    public ServiceRuntime service(int protocol, int ipv4, int port) {
        return byKey.get(ServiceRuntime.key(protocol, ipv4, port));
    }

    /** The mark jlvs's marking rules give this packet (first match), or 0. */
    public int mark(int protocol, int dst, int dport) {
        for (MarkRuleRuntime r : marks) {
            if (r.matches(protocol, dst, dport)) {
                return r.mark();
            }
        }
        return 0;
    }

    /** Every FULLNAT local address of every service (jlvs answers ARP for them; replies come to them). */
    public int[] localAddresses() {
        return localAddresses;
    }

    public boolean hasFullNat() {
        return localAddresses.length > 0;
    }

    public MarkRuleRuntime[] marks() {
        return marks;
    }

    public ServiceRuntime serviceByFwmark(int fwmark) {
        return byKey.get(ServiceRuntime.fwmarkKey(fwmark));
    }

    /** The service with this id, or null once it was deleted. */
    public ServiceRuntime serviceById(int serviceId) {
        return serviceId < servicesById.length ? servicesById[serviceId] : null;
    }

    /** The real server with this id, or null once it was deleted. */
    public DestRuntime dest(int destId) {
        return destId < destsById.length ? destsById[destId] : null;
    }

    public DestRuntime[] destsById() {
        return destsById;
    }

    public boolean isVip(int ipv4) {
        for (int v : vips) {
            if (v == ipv4) {
                return true;
            }
        }
        for (int v : localAddresses) {
            if (v == ipv4) {
                return true;
            }
        }
        return false;
    }

    public int[] vips() {
        return vips;
    }

    public ServedInterface[] interfaces() {
        return interfaces;
    }
}
