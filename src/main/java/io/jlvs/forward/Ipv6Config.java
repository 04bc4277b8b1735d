package io.jlvs.forward;

import io.jlvs.util.LongObjectMap;

/**
 * The IPv6 half of what the workers read (published inside {@link DataplaneConfig}, so both halves change
 * together): IPv6 services by (protocol, VIP, port), IPv6 real servers by id, the addresses jlvs answers Neighbor
 * Solicitations for (VIPs and FULLNAT local addresses), and per served interface the IPv6 address jlvs solicits
 * from. Immutable; built by the control plane.
 */
public final class Ipv6Config {
    public static final Ipv6Config EMPTY = new Ipv6Config(new Service6Runtime[0], new Dest6Runtime[0], new long[0],
            new Interface6[0]);

    /**
     * An IPv6 address of a served interface; the first entry of an interface is its source address for jlvs's own
     * messages (Neighbor Solicitations, tunnel headers), the others only tell the director's own addresses apart.
     *
     * @param ifindex the interface
     * @param hi      its address (a global one if it has one, else its link-local one), high half
     * @param lo      low half
     */
    public record Interface6(int ifindex, long hi, long lo) {}

    private final Service6Runtime[] services;
    private final Dest6Runtime[] destsById;
    private final long[] vips;
    private final long[] localAddresses;
    private final Interface6[] interfaces;
    /** Services by a hash of their key; each bucket an array checked field by field. */
    private final LongObjectMap<Service6Runtime[]> byKey;
    private final Service6Runtime[] servicesById;

    /**
     * @param vips VIPs jlvs owns as (hi, lo) pairs; FULLNAT local addresses of the services are added
     */
    public Ipv6Config(Service6Runtime[] services, Dest6Runtime[] destsById, long[] vips, Interface6[] interfaces) {
        this.services = services;
        this.destsById = destsById;
        this.vips = vips;
        this.interfaces = interfaces;
        java.util.LinkedHashSet<java.util.List<Long>> laddrs = new java.util.LinkedHashSet<>();
        int maxId = 0;
        this.byKey = new LongObjectMap<>(Math.max(4, services.length));
        for (Service6Runtime s : services) {
            long[] l = s.localAddresses();
            for (int i = 0; i + 1 < l.length; i += 2) {
                laddrs.add(java.util.List.of(l[i], l[i + 1]));
            }
            long k = key(s.protocol(), s.vipHi(), s.vipLo(), s.vport());
            Service6Runtime[] bucket = byKey.get(k);
            Service6Runtime[] grown = bucket == null ? new Service6Runtime[1]
                    : java.util.Arrays.copyOf(bucket, bucket.length + 1);
            grown[grown.length - 1] = s;
            byKey.put(k, grown);
            maxId = Math.max(maxId, s.serviceId());
        }
        this.localAddresses = new long[laddrs.size() * 2];
        int i = 0;
        for (java.util.List<Long> a : laddrs) {
            localAddresses[i++] = a.get(0);
            localAddresses[i++] = a.get(1);
        }
        this.servicesById = new Service6Runtime[maxId + 1];
        for (Service6Runtime s : services) {
            servicesById[s.serviceId()] = s;
        }
    }

    static long key(int protocol, long hi, long lo, int port) {
        long h = hi * 0x9E37_79B9_7F4A_7C15L ^ lo * 0xC2B2_AE3D_27D4_EB4FL ^ ((long) protocol << 16 | port);
        return h ^ (h >>> 31);
    }

    /** The kernel's fold of an IPv6 address for hashing ({@code ip6[0] ^ ip6[1] ^ ip6[2] ^ ip6[3]}). */
    public static int fold(long hi, long lo) {
        return (int) (hi >>> 32) ^ (int) hi ^ (int) (lo >>> 32) ^ (int) lo;
    }

    public Service6Runtime[] services() {
        return services;
    }

    /** The service of (protocol, VIP, port), or null. */
    public Service6Runtime service(int protocol, long hi, long lo, int port) {
        Service6Runtime[] bucket = byKey.get(key(protocol, hi, lo, port));
        if (bucket == null) {
            return null;
        }
        for (Service6Runtime s : bucket) {
            if (s.protocol() == protocol && s.vipHi() == hi && s.vipLo() == lo && s.vport() == port) {
                return s;
            }
        }
        return null;
    }

    public Service6Runtime serviceById(int serviceId) {
        return serviceId < servicesById.length ? servicesById[serviceId] : null;
    }

    public Dest6Runtime dest(int destId) {
        return destId < destsById.length ? destsById[destId] : null;
    }

    public Dest6Runtime[] destsById() {
        return destsById;
    }

    /** VIPs as (hi, lo) pairs. */
    public long[] vips() {
        return vips;
    }

    /** Every FULLNAT local address of every service, (hi, lo) pairs. */
    public long[] localAddresses() {
        return localAddresses;
    }

    public boolean hasFullNat() {
        return localAddresses.length > 0;
    }

    public Interface6[] interfaces() {
        return interfaces;
    }

    /** True for a VIP or a FULLNAT local address: jlvs answers Neighbor Solicitations for it. */
    public boolean owns(long hi, long lo) {
        return contains(vips, hi, lo) || contains(localAddresses, hi, lo);
    }

    public boolean isVip(long hi, long lo) {
        return contains(vips, hi, lo);
    }

    private static boolean contains(long[] pairs, long hi, long lo) {
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            if (pairs[i] == hi && pairs[i + 1] == lo) {
                return true;
            }
        }
        return false;
    }

    /** The interface's source address (its first entry), or null when it has no IPv6 address. */
    public Interface6 iface(int ifindex) {
        for (Interface6 i : interfaces) {
            if (i.ifindex() == ifindex) {
                return i;
            }
        }
        return null;
    }

    public boolean isEmpty() {
        return services.length == 0 && vips.length == 0;
    }
}
