package io.jlvs.vrrp;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One {@code vrrp_instance}, validated and defaulted as keepalived does it (vrrp.md §7.1, §10.1), in jlvs's own terms:
 * times in microseconds, addresses parsed, scripts as argv lists. Build one with {@link #builder}; the keepalived.conf
 * model is turned into these by {@link KeepalivedVrrpAdapter}.
 *
 * @param priority          base priority 1..255 (255 = address owner)
 * @param initialMaster     {@code state MASTER}: an owner starts as master at once; anyone else still starts as backup
 * @param version           2 or 3
 * @param advertIntUs       advertisement interval, µs: whole seconds for v2, a multiple of 10 ms up to 40.95 s for v3
 * @param authPass          v2 {@code auth_type PASS} password (at most 8 bytes used), {@code null} for none
 * @param sourceAddress     {@code mcast_src_ip}/{@code unicast_src_ip}, {@code null} for the interface's address
 * @param multicastGroup    {@code mcast_dst_ip}, {@code null} for 224.0.0.18 / ff02::12
 * @param unicastTtl        TTL/hop limit of unicast adverts, -1 for the default (255 for IPv4, the kernel's for IPv6)
 * @param preemptDelayUs    {@code preempt_delay}, 0 for none
 * @param downTimerAdverts  adverts missed before the master is declared down (keepalived's default 3)
 */
public record VrrpInstanceConfig(String name, String interfaceName, int virtualRouterId, int priority,
                                 boolean initialMaster, int version, boolean ipv6, long advertIntUs, String authPass,
                                 List<VirtualAddress> virtualAddresses, List<VirtualAddress> excludedAddresses,
                                 InetAddress sourceAddress, InetAddress multicastGroup, List<UnicastPeer> unicastPeers,
                                 int unicastTtl, boolean nopreempt, long preemptDelayUs,
                                 List<TrackedInterface> trackInterfaces, List<TrackedScript> trackScripts,
                                 boolean dontTrackPrimary, Garp garp, NotifyScripts notifyScripts, int downTimerAdverts,
                                 boolean lowerPrioNoAdvert, boolean higherPrioSendAdvert, boolean skipCheckAdvAddr,
                                 boolean checkUnicastSrc, boolean v3ChecksumAsV2) {
    public static final int PRIORITY_OWNER = 255;
    public static final long SECOND_US = 1_000_000L;
    public static final InetAddress DEFAULT_GROUP4 = VirtualAddress.literal("224.0.0.18");
    public static final InetAddress DEFAULT_GROUP6 = VirtualAddress.literal("ff02::12");

    /** A {@code unicast_peer} entry with its accepted TTL range (0..255 when not given). */
    public record UnicastPeer(InetAddress address, int minTtl, int maxTtl) {
        public UnicastPeer(InetAddress address) {
            this(address, 0, 255);
        }
    }

    /** A {@code track_interface} entry: weight 0 means "FAULT while down"; {@code reverse} swaps up and down. */
    public record TrackedInterface(String name, int weight, boolean reverse) {}

    /**
     * A {@code track_script} entry naming a {@code vrrp_script}; {@code weight} {@code null} takes the script's own
     * weight (and reverse flag).
     */
    public record TrackedScript(String name, Integer weight, boolean reverse) {}

    /**
     * Gratuitous ARP / unsolicited NA settings (vrrp.md §8): rounds sent on becoming master, a second set after
     * {@code masterDelayUs} (0 = none), a refresh every {@code masterRefreshUs} while master (0 = off), and the rounds
     * a master sends when it hears a lower-priority advert.
     */
    public record Garp(long masterDelayUs, int masterRepeat, long masterRefreshUs, int masterRefreshRepeat,
                       long lowerPrioDelayUs, int lowerPrioRepeat) {
        public static final Garp DEFAULT = new Garp(5 * SECOND_US, 5, 0, 1, 5 * SECOND_US, 5);
    }

    /**
     * The notify scripts of an instance or sync group as argv lists, {@code null} when not configured. {@code generic}
     * ({@code notify})
     * gets keepalived's four extra arguments ({@code INSTANCE|GROUP name STATE priority}); the others run as given.
     */
    public record NotifyScripts(List<String> master, List<String> backup, List<String> fault, List<String> stop,
                                List<String> generic, List<String> masterRxLowerPri) {
        public static final NotifyScripts NONE = new NotifyScripts(null, null, null, null, null, null);

        public NotifyScripts {
            master = copy(master);
            backup = copy(backup);
            fault = copy(fault);
            stop = copy(stop);
            generic = copy(generic);
            masterRxLowerPri = copy(masterRxLowerPri);
        }

        /** The state-specific script for {@code state}, or {@code null}. */
        public List<String> forState(VrrpState state) {
            return switch (state) {
                case MASTER -> master;
                case BACKUP -> backup;
                case FAULT -> fault;
                case STOP -> stop;
                case INIT -> null;
            };
        }

        private static List<String> copy(List<String> argv) {
            return argv == null || argv.isEmpty() ? null : List.copyOf(argv);
        }
    }

    public VrrpInstanceConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(interfaceName, "interface");
        if (virtualRouterId < 1 || virtualRouterId > 255) {
            throw new IllegalArgumentException("vrrp_instance: virtual_router_id out of range: instance=" + name
                    + ", virtual_router_id=" + virtualRouterId);
        }
        if (priority < 1 || priority > 255) {
            throw new IllegalArgumentException("vrrp_instance: priority out of range: instance=" + name
                    + ", priority=" + priority);
        }
        if (version != 2 && version != 3) {
            throw new IllegalArgumentException("vrrp_instance: version must be 2 or 3: instance=" + name
                    + ", version=" + version);
        }
        if (ipv6 && version == 2) {
            throw new IllegalArgumentException("vrrp_instance: VRRPv2 carries IPv4 only: instance=" + name);
        }
        virtualAddresses = List.copyOf(virtualAddresses);
        excludedAddresses = List.copyOf(excludedAddresses);
        unicastPeers = List.copyOf(unicastPeers);
        trackInterfaces = List.copyOf(trackInterfaces);
        trackScripts = List.copyOf(trackScripts);
        garp = garp == null ? Garp.DEFAULT : garp;
        notifyScripts = notifyScripts == null ? NotifyScripts.NONE : notifyScripts;
        if (virtualAddresses.size() > 255) {
            throw new IllegalArgumentException("vrrp_instance: more than 255 virtual addresses: instance=" + name);
        }
        for (VirtualAddress vip : virtualAddresses) {
            if (vip.ipv6() != ipv6) {
                throw new IllegalArgumentException("vrrp_instance: virtual_ipaddress of the other family: instance="
                        + name + ", address=" + vip.address().getHostAddress());
            }
        }
        for (UnicastPeer peer : unicastPeers) {
            if ((peer.address() instanceof Inet6Address) != ipv6) {
                throw new IllegalArgumentException("vrrp_instance: unicast_peer of the other family: instance=" + name
                        + ", peer=" + peer.address().getHostAddress());
            }
        }
        advertIntUs = normalisedAdvertInt(version, advertIntUs);
        if (authPass != null && (version != 2 || authPass.isEmpty())) {
            authPass = null; // keepalived: "VRRP version 3 does not support authentication. Ignoring."
        }
        if (priority == PRIORITY_OWNER || initialMaster) {
            nopreempt = false; // nopreempt with an owner or state MASTER is cleared
        }
        if (initialMaster || nopreempt) {
            preemptDelayUs = 0;
        }
        if (downTimerAdverts < 1 || downTimerAdverts > 100) {
            downTimerAdverts = 3;
        }
        if (multicastGroup == null) {
            multicastGroup = ipv6 ? DEFAULT_GROUP6 : DEFAULT_GROUP4;
        }
    }

    /** v2: whole seconds 1..255 (rounded); v3: a multiple of 10 ms in 10 ms..40.95 s. */
    static long normalisedAdvertInt(int version, long advertIntUs) {
        if (version == 2) {
            long s = Math.round(advertIntUs / (double) SECOND_US);
            return Math.clamp(s, 1, 255) * SECOND_US;
        }
        long cs = Math.round(advertIntUs / 10_000.0);
        return Math.clamp(cs, 1, 4095) * 10_000L;
    }

    public boolean unicast() {
        return !unicastPeers.isEmpty();
    }

    public boolean owner() {
        return priority == PRIORITY_OWNER;
    }

    /** The 8 authentication bytes of a v2 advert: the password zero-padded/truncated, or all zero. */
    public byte[] authData() {
        byte[] data = new byte[8];
        if (authPass != null) {
            byte[] p = authPass.getBytes(StandardCharsets.UTF_8);
            System.arraycopy(p, 0, data, 0, Math.min(8, p.length));
        }
        return data;
    }

    /** The advertised addresses in configuration order, as raw bytes (4 or 16 each). */
    public byte[][] advertisedAddressBytes() {
        byte[][] out = new byte[virtualAddresses.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = virtualAddresses.get(i).address().getAddress();
        }
        return out;
    }

    public static Builder builder(String name, String interfaceName, int virtualRouterId) {
        return new Builder(name, interfaceName, virtualRouterId);
    }

    /** Keepalived's defaults, changed one keyword at a time. */
    public static final class Builder {
        private final String name;
        private final String interfaceName;
        private final int vrid;
        private int priority = 100;
        private boolean prioritySet;
        private boolean initialMaster;
        private Boolean stateSet;
        private int version = 0;
        private boolean ipv6;
        private long advertIntUs = SECOND_US;
        private String authPass;
        private final List<VirtualAddress> vips = new ArrayList<>();
        private final List<VirtualAddress> excluded = new ArrayList<>();
        private InetAddress source;
        private InetAddress group;
        private final List<UnicastPeer> peers = new ArrayList<>();
        private int unicastTtl = -1;
        private boolean nopreempt;
        private long preemptDelayUs;
        private final List<TrackedInterface> trackInterfaces = new ArrayList<>();
        private final List<TrackedScript> trackScripts = new ArrayList<>();
        private boolean dontTrackPrimary;
        private Garp garp = Garp.DEFAULT;
        private NotifyScripts notify = NotifyScripts.NONE;
        private int downTimerAdverts = 3;
        private boolean lowerPrioNoAdvert;
        private boolean higherPrioSendAdvert;
        private boolean skipCheckAdvAddr;
        private boolean checkUnicastSrc;
        private boolean v3ChecksumAsV2;

        private Builder(String name, String interfaceName, int vrid) {
            this.name = name;
            this.interfaceName = interfaceName;
            this.vrid = vrid;
        }

        public Builder priority(int p) {
            priority = p;
            prioritySet = true;
            return this;
        }

        /** {@code state MASTER} (true) or {@code state BACKUP} (false). */
        public Builder stateMaster(boolean master) {
            stateSet = master;
            return this;
        }

        public Builder version(int v) {
            version = v;
            return this;
        }

        public Builder advertIntUs(long us) {
            advertIntUs = us;
            return this;
        }

        public Builder authPass(String pass) {
            authPass = pass;
            return this;
        }

        /** Adds advertised addresses, each parsed as a keepalived entry ("10.0.0.1/24 dev eth0 label eth0:1"). */
        public Builder vip(String... entries) {
            for (String e : entries) {
                vips.add(VirtualAddress.parse(Arrays.asList(e.trim().split("\\s+"))));
            }
            return this;
        }

        public Builder vip(VirtualAddress vip) {
            vips.add(vip);
            return this;
        }

        public Builder excluded(String... entries) {
            for (String e : entries) {
                excluded.add(VirtualAddress.parse(Arrays.asList(e.trim().split("\\s+"))));
            }
            return this;
        }

        public Builder excluded(VirtualAddress vip) {
            excluded.add(vip);
            return this;
        }

        public Builder source(InetAddress address) {
            source = address;
            return this;
        }

        public Builder multicastGroup(InetAddress address) {
            group = address;
            return this;
        }

        public Builder unicastPeer(UnicastPeer peer) {
            peers.add(peer);
            return this;
        }

        public Builder unicastPeer(String address) {
            peers.add(new UnicastPeer(VirtualAddress.literal(address)));
            return this;
        }

        public Builder unicastTtl(int ttl) {
            unicastTtl = ttl;
            return this;
        }

        public Builder nopreempt(boolean b) {
            nopreempt = b;
            return this;
        }

        public Builder preemptDelayUs(long us) {
            preemptDelayUs = us;
            return this;
        }

        public Builder trackInterface(String ifname, int weight, boolean reverse) {
            trackInterfaces.add(new TrackedInterface(ifname, weight, reverse));
            return this;
        }

        public Builder trackScript(String script, Integer weight, boolean reverse) {
            trackScripts.add(new TrackedScript(script, weight, reverse));
            return this;
        }

        public Builder dontTrackPrimary(boolean b) {
            dontTrackPrimary = b;
            return this;
        }

        public Builder garp(Garp g) {
            garp = g;
            return this;
        }

        public Builder notifyScripts(NotifyScripts n) {
            notify = n;
            return this;
        }

        public Builder downTimerAdverts(int n) {
            downTimerAdverts = n;
            return this;
        }

        public Builder lowerPrioNoAdvert(boolean b) {
            lowerPrioNoAdvert = b;
            return this;
        }

        public Builder higherPrioSendAdvert(boolean b) {
            higherPrioSendAdvert = b;
            return this;
        }

        public Builder skipCheckAdvAddr(boolean b) {
            skipCheckAdvAddr = b;
            return this;
        }

        public Builder checkUnicastSrc(boolean b) {
            checkUnicastSrc = b;
            return this;
        }

        public Builder v3ChecksumAsV2(boolean b) {
            v3ChecksumAsV2 = b;
            return this;
        }

        /** Family from the first VIP (else the source or first peer); version 2 for IPv4 and 3 for IPv6 unless set. */
        public VrrpInstanceConfig build() {
            InetAddress probe = !vips.isEmpty() ? vips.get(0).address()
                    : source != null ? source : !peers.isEmpty() ? peers.get(0).address() : null;
            ipv6 = probe != null && !(probe instanceof Inet4Address);
            int v = version != 0 ? version : ipv6 ? 3 : 2;
            // keepalived §7.1: no priority → 255 with state MASTER, else 100; no state → MASTER iff 255
            int p = prioritySet ? priority : Boolean.TRUE.equals(stateSet) ? PRIORITY_OWNER : 100;
            boolean master = stateSet != null ? stateSet : p == PRIORITY_OWNER;
            return new VrrpInstanceConfig(name, interfaceName, vrid, p, master, v, ipv6, advertIntUs, authPass, vips,
                    excluded, source, group, peers, unicastTtl, nopreempt, preemptDelayUs, trackInterfaces,
                    trackScripts, dontTrackPrimary, garp, notify, downTimerAdverts, lowerPrioNoAdvert,
                    higherPrioSendAdvert, skipCheckAdvAddr, checkUnicastSrc, v3ChecksumAsV2);
        }
    }
}
