package io.jlvs.app;

import io.jlvs.conn.ConnectionFlags;
import io.jlvs.conn.ConnectionTable;
import io.jlvs.conn.TcpState;
import io.jlvs.control.ConfigSnapshot;
import io.jlvs.control.ControlServer;
import io.jlvs.control.ForwardMethod;
import io.jlvs.control.Ipvs;
import io.jlvs.control.IpvsApi;
import io.jlvs.control.IpvsException;
import io.jlvs.sync.SyncDaemon;
import io.jlvs.sync.SyncEntry;
import io.jlvs.sync.SyncRing;
import io.jlvs.control.MarkRule;
import io.jlvs.forward.MarkRuleRuntime;
import io.jlvs.io.linux.Libc;
import io.jlvs.control.ServiceConfig;
import io.jlvs.control.Stats;
import io.jlvs.forward.DataplaneConfig;
import io.jlvs.forward.DestRuntime;
import io.jlvs.forward.ServedInterface;
import io.jlvs.forward.ServiceRuntime;
import io.jlvs.io.linux.Netlink;
import io.jlvs.io.linux.NftGuard;
import io.jlvs.io.linux.FanoutFilter;
import io.jlvs.io.linux.PacketSocket;
import io.jlvs.forward.Forwarder;
import io.jlvs.neigh.NeighbourTable;
import io.jlvs.io.linux.SocketFilter;
import io.jlvs.sched.SchedulerRegistry;
import io.jlvs.stats.CounterReader;
import io.jlvs.stats.DropReason;
import io.jlvs.stats.RateEstimator;
import io.jlvs.conn.ConnectionTimeouts;
import io.jlvs.stats.WorkerCounters;
import io.jlvs.worker.Worker;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * A running director in the current network namespace: the control plane ({@link Ipvs} behind the
 * control socket) and the data plane (packet sockets on the served interfaces, one or several
 * workers with flows steered to them by a fanout program), glued together. On every table change it computes the data plane's view (routes to the real servers
 * included), swaps the socket filters and the kernel guard, and publishes to the worker.
 *
 * <p>State lives here: the service table in {@link Ipvs}; connections, neighbours and counters in
 * the worker; the guard in the kernel (nftables table {@code netdev jlvs}), removed on {@link #close}.
 */
public final class Director implements AutoCloseable {
    private static final Logger LOG = System.getLogger("jlvs.director");

    /**
     * Options of {@code jlvs director}.
     *
     * @param controlGroup a group whose members may use the control socket as root does, or null (root only)
     * @param busyPoll     the workers never block when idle
     * @param workers      forwarding workers (threads), each with its own sockets, connection table
     *                     ({@code connTableSize / workers} connections) and counters
     */
    public record Options(List<String> interfaces, int connTableSize, PacketSocket.RingVersion ringVersion,
                          int blockSizeBytes, int blockCount, int blockTimeoutMs, int idlePollMs,
                          String controlGroup, boolean busyPoll, int workers) {
        public Options {
            if (workers < 1 || workers > MAX_WORKERS) {
                throw new IllegalArgumentException("--workers must be 1 to " + MAX_WORKERS + ", not " + workers);
            }
        }

        /** One worker. */
        public Options(List<String> interfaces, int connTableSize, PacketSocket.RingVersion ringVersion,
                       int blockSizeBytes, int blockCount, int blockTimeoutMs, int idlePollMs,
                       String controlGroup, boolean busyPoll) {
            this(interfaces, connTableSize, ringVersion, blockSizeBytes, blockCount, blockTimeoutMs, idlePollMs,
                    controlGroup, busyPoll, 1);
        }

        /** Root-only control socket. */
        public Options(List<String> interfaces, int connTableSize, PacketSocket.RingVersion ringVersion,
                       int blockSizeBytes, int blockCount, int blockTimeoutMs, int idlePollMs) {
            this(interfaces, connTableSize, ringVersion, blockSizeBytes, blockCount, blockTimeoutMs, idlePollMs, null,
                    false);
        }

        public Options(List<String> interfaces, int connTableSize, PacketSocket.RingVersion ringVersion,
                       int blockSizeBytes, int blockCount, int blockTimeoutMs, int idlePollMs, String controlGroup) {
            this(interfaces, connTableSize, ringVersion, blockSizeBytes, blockCount, blockTimeoutMs, idlePollMs,
                    controlGroup, false);
        }
    }

    /** A fanout group's member index is what the steering program returns; 64 workers is plenty for one host. */
    public static final int MAX_WORKERS = 64;

    private final Options options;
    private final Ipvs ipvs = new Ipvs();
    private final NftGuard guard = new NftGuard();
    private final List<ServedInterface> served = new ArrayList<>();
    private final List<PacketSocket> sockets = new ArrayList<>();
    private final Arena filterArena = Arena.ofShared();
    private ControlServer control;
    private RulesStateFile stateFile;
    private Worker[] workers = new Worker[0];
    private Thread[] workerThreads = new Thread[0];
    /** Per served interface, the socket through which the fanout group's program is set (worker 0's). */
    private final List<PacketSocket> fanoutSockets = new ArrayList<>();
    private int localPortsPerWorker;
    /** What the fanout program hashes; the sync backup routes installs by the same key. */
    private volatile FanoutFilter.Key fanoutKey = FanoutFilter.Key.ADDRESS_AND_TCP_PORT;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final RateEstimator estimator = new RateEstimator(2 * Ipvs.MAX_IDS);
    private Counters counterView;
    private Thread estimatorThread;
    private final DirectorTransport transport = new DirectorTransport();
    private boolean vipArpHeldOnly;
    private HeldAddressWatch heldAddresses;
    private io.jlvs.bgp.BgpSettings bgpSettings;
    private io.jlvs.bgp.BgpSpeaker bgp;
    private boolean sloppyTcp;
    private io.jlvs.forward.SynGuardSettings synGuard = io.jlvs.forward.SynGuardSettings.DEFAULTS;
    private io.jlvs.forward.SynProxy.Mode synProxy = io.jlvs.forward.SynProxy.Mode.PRESSURE;
    private boolean expireNodestConn;

    public Director(Options options) {
        this.options = options;
    }

    /** Before {@link #start}: af_packet (default), af_xdp or auto, and the XDP attach mode; see docs/af_xdp.md. */
    public void transport(String name, String xdpMode) {
        transport.choose(name, xdpMode);
    }

    /** Announce the VIPs by BGP ({@code --bgp-*}); implies sloppy TCP. Call before {@link #start}. */
    public Director bgp(io.jlvs.bgp.BgpSettings settings) {
        this.bgpSettings = settings;
        return this;
    }

    /** IPVS's sloppy_tcp ({@code --sloppy-tcp}). Call before {@link #start}. */
    public Director sloppyTcp(boolean on) {
        this.sloppyTcp = on;
        return this;
    }

    /** IPVS's expire_nodest_conn ({@code --expire-nodest-conn}). Call before {@link #start}. */
    public Director expireNodestConn(boolean on) {
        this.expireNodestConn = on;
        return this;
    }

    /** When the SYN proxy answers SYNs of NAT/FULLNAT services itself ({@code --syn-proxy}). Call before {@link #start}. */
    public Director synProxy(io.jlvs.forward.SynProxy.Mode mode) {
        this.synProxy = mode;
        return this;
    }

    /** The SYN flood guard's thresholds ({@code --syn-*}), split over the workers. Call before {@link #start}. */
    public Director synGuard(io.jlvs.forward.SynGuardSettings settings) {
        this.synGuard = settings;
        return this;
    }

    public Ipvs ipvs() {
        return ipvs;
    }

    /**
     * Answer ARP only for VIPs this host holds on an interface ({@code --vip-arp held}), as the kernel does; for two
     * directors sharing VIPs by VRRP. Call before {@link #start}.
     */
    public void vipArpHeldOnly(boolean heldOnly) {
        this.vipArpHeldOnly = heldOnly;
    }

    /** Opens the sockets, starts the worker and the control socket. */
    public void start() throws IOException {
        if (guard.removeStale()) {
            LOG.log(Logger.Level.WARNING, "removed a stale kernel guard (nftables table netdev jlvs) left by a "
                    + "director that did not stop cleanly");
        }
        discoverInterfaces();
        startWorkers();
        WorkerCounters[] counters = new WorkerCounters[workers.length];
        for (int w = 0; w < workers.length; w++) {
            counters[w] = workers[w].counters();
        }
        this.counterView = new Counters(counters, estimator);
        ipvs.counters(counterView);
        ipvs.zeroer(ids -> counterView.zero(ids[0], ids[1]));
        ipvs.connectionTable(this::connectionTable);
        if (vipArpHeldOnly) {
            heldAddresses = new HeldAddressWatch(() -> onChange(ipvs.snapshot()));
        }
        ipvs.subscribe(this::onChange);
        ipvs.subscribeTimeouts(t -> {
            ConnectionTimeouts timeouts = ConnectionTimeouts.defaults().withSet(t.tcpSec(), t.tcpfinSec(), t.udpSec());
            for (Worker w : workers) {
                w.publish(timeouts);
            }
        });
        ipvs.daemonControl(new Ipvs.DaemonControl() {
            @Override
            public void start(IpvsApi.SyncDaemonConfig d) throws IpvsException {
                startSync(d);
            }

            @Override
            public void stop(String state) {
                stopSync(state);
            }
        });
        transport.open(served, workers);
        estimatorThread = Thread.ofPlatform().name("jlvs-estimator").daemon().start(this::estimate);
        workerThreads = new Thread[workers.length];
        for (int w = 0; w < workers.length; w++) {
            workers[w].idleStrategy(options.busyPoll() ? io.jlvs.worker.IdleStrategy.BUSY_POLL
                    : io.jlvs.worker.IdleStrategy.BACKOFF);
            workers[w].sloppyTcp(sloppyTcp || bgpSettings != null); // ECMP moves flows between directors mid-way
            workers[w].synGuard(synGuard.guardFor(workers[w].connections().capacity(), workers.length,
                    workers[w].counters()));
            workers[w].synProxy(synProxy);
            workers[w].expireNodestConn(expireNodestConn);
            workerThreads[w] = Thread.ofPlatform().name("jlvs-" + workers[w].name()).start(workers[w]);
        }
        restoreRules();
        control = new ControlServer(ipvs, options.controlGroup());
        control.register("status", r -> status());
        // explain looks flows up in worker 0's table only (with several workers it may miss a live flow)
        io.jlvs.ops.Explainer.register(control, ipvs, workers[0].connections(), served);
        if (bgpSettings != null) {
            bgp = new io.jlvs.bgp.BgpSpeaker(bgpSettings, io.jlvs.control.ControlSocket.runDir(),
                    io.jlvs.control.ControlSocket.netnsId());
            bgp.start();
            ipvs.subscribe(bgp::onChange);
        }
        io.jlvs.bgp.Drain drain = new io.jlvs.bgp.Drain(bgp, this::connectionCounts);
        control.registerChange("drain", drain::drain);
        control.register("drainStatus", r -> drain.status());

        LOG.log(Logger.Level.INFO, "director serving " + served.stream().map(ServedInterface::name).toList());
    }

    /** Rules from the state file (if any), then a rewrite of it after every change. */
    private void restoreRules() {
        if (stateFile == null) {
            return;
        }
        try {
            int n = stateFile.load(ipvs);
            if (n > 0) {
                LOG.log(Logger.Level.INFO, "restored " + n + " service(s) from state file " + stateFile.path());
            }
        } catch (IOException e) {
            LOG.log(Logger.Level.ERROR, e.getMessage());
        }
        ipvs.subscribe(snap -> stateFile.save(ipvs));
    }

    /** Keeps the rules in {@code file} (null: no state file); call before {@link #start}. */
    public void stateFile(RulesStateFile file) {
        this.stateFile = file;
    }

    /**
     * One worker per {@link Options#workers}: each opens its own packet socket per served interface;
     * with several, the sockets of one interface join one {@code PACKET_FANOUT_CBPF} group (in worker
     * order, so member index = worker index) and each worker gets its own slice of the FULLNAT local ports.
     * All share one neighbour table.
     */
    private void startWorkers() {
        int n = options.workers();
        MemorySegment filter = SocketFilter.build(List.of(), filterArena);
        NeighbourTable neighbours = new NeighbourTable(4096);
        localPortsPerWorker = (Forwarder.LOCAL_PORT_HIGH - Forwarder.LOCAL_PORT_LOW + 1) / n;
        int[] groupIds = new int[served.size()];
        Worker[] built = new Worker[n];
        for (int w = 0; w < n; w++) {
            PacketSocket[] mine = new PacketSocket[served.size()];
            for (int j = 0; j < served.size(); j++) {
                mine[j] = new PacketSocket(options.ringVersion(), served.get(j).ifindex(), options.blockSizeBytes(),
                        options.blockCount(), options.blockTimeoutMs(), filter);
                sockets.add(mine[j]);
                if (n > 1 && w == 0) {
                    groupIds[j] = mine[j].createFanout();
                    fanoutSockets.add(mine[j]);
                } else if (n > 1) {
                    mine[j].joinFanout(groupIds[j]); // the kernel's first unique id is 0: never "create" here
                }
            }
            int low = Forwarder.LOCAL_PORT_LOW + w * localPortsPerWorker;
            built[w] = new Worker("worker-" + w, mine, new ConnectionTable(Math.max(1024, options.connTableSize() / n)),
                    new WorkerCounters(Ipvs.MAX_IDS), Ipvs.MAX_IDS, options.idlePollMs(), neighbours, low,
                    low + localPortsPerWorker - 1);
        }
        workers = built;
    }

    private void discoverInterfaces() {
        try (Netlink nl = Netlink.open()) {
            Map<Integer, Integer> ipv4 = new LinkedHashMap<>();
            for (Netlink.Address a : nl.addresses()) {
                if (a.address() instanceof Inet4Address v4 && !ipv4.containsKey(a.ifindex())) {
                    ipv4.put(a.ifindex(), toInt(v4));
                }
            }
            for (Netlink.Link l : nl.links()) {
                boolean wanted = options.interfaces().isEmpty()
                        ? l.up() && !l.loopback() && l.type() == Netlink.ARPHRD_ETHER
                        : options.interfaces().contains(l.name());
                if (wanted) {
                    served.add(new ServedInterface(l.ifindex(), l.name(), l.mac(), ipv4.getOrDefault(l.ifindex(), 0),
                            l.mtu()));
                }
            }
        }
        if (served.isEmpty()) {
            throw new IllegalStateException("no interface to serve (none is up, or --interface named none that exists)");
        }
    }

    /** Runs on the control thread after every table change. */
    private synchronized void onChange(ConfigSnapshot snap) {
        DataplaneConfig config = build(snap);
        List<SocketFilter.Match> matches = new ArrayList<>();
        // the same matches by role, for the fanout program: who is the client of the flow
        List<SocketFilter.Match> serviceMatches = new ArrayList<>();
        List<SocketFilter.Match> natRealMatches = new ArrayList<>();
        List<SocketFilter.Match> localMatches = new ArrayList<>();
        Set<NftGuard.Entry> services = new LinkedHashSet<>();
        Set<NftGuard.Entry> natReals = new LinkedHashSet<>();
        Set<NftGuard.Entry> marked = new LinkedHashSet<>();
        Set<Integer> icmpTo = new java.util.HashSet<>();
        Set<Integer> icmpFrom = new java.util.HashSet<>();
        Set<String> natRealAddrs = new LinkedHashSet<>();
        for (MarkRuleRuntime r : config.marks()) {
            add(matches, serviceMatches, new SocketFilter.Match(false, r.network(), r.mask(), r.protocol(), r.portLow(),
                    r.portHigh()));
            String net = ipString(r.network()) + "/" + Integer.bitCount(r.mask());
            String ports = r.portLow() == r.portHigh() ? "" + r.portLow() : r.portLow() + "-" + r.portHigh();
            for (int proto : r.protocol() == 0 ? new int[] {6, 17} : new int[] {r.protocol()}) {
                marked.add(new NftGuard.Entry(net, proto, ports));
            }
        }
        for (int laddr : config.localAddresses()) {
            for (int proto : new int[] {6, 17}) {
                add(matches, localMatches, new SocketFilter.Match(false, laddr, -1, proto, 1024, 65535));
                marked.add(new NftGuard.Entry(ipString(laddr), proto, "1024-65535")); // FULLNAT replies are jlvs's
            }
        }
        for (ServiceRuntime s : config.services()) {
            if (s.fwmark() == 0) {
                add(matches, serviceMatches, new SocketFilter.Match(false, s.vip(), s.protocol(), s.vport()));
                services.add(new NftGuard.Entry(ipString(s.vip()), s.protocol(), s.vport()));
                if (icmpTo.add(s.vip())) {
                    // ICMP errors from clients
                    add(matches, serviceMatches, new SocketFilter.Match(false, s.vip(), -1, 1, 0, 65535));
                }
            }
            for (DestRuntime d : s.dests()) {
                if (d.method() == ConnectionFlags.FWD_MASQ) {
                    // a fwmark service's NAT real servers answer from the packets' own ports: their whole range
                    boolean anyPort = d.port() == 0 || s.fwmark() != 0;
                    int port = d.port() == 0 ? s.vport() : d.port();
                    for (int proto : s.protocol() == 0 ? new int[] {6, 17} : new int[] {s.protocol()}) {
                        NftGuard.Entry e = new NftGuard.Entry(ipString(d.ipv4()), proto, anyPort ? "1-65535" : "" + port);
                        if (icmpFrom.add(d.ipv4())) {
                            // its ICMP errors
                            add(matches, natRealMatches, new SocketFilter.Match(true, d.ipv4(), -1, 1, 0, 65535));
                            natRealAddrs.add(ipString(d.ipv4()));
                        }
                        if (natReals.add(e)) {
                            add(matches, natRealMatches, anyPort
                                    ? new SocketFilter.Match(true, d.ipv4(), -1, proto, 1, 65535)
                                    : new SocketFilter.Match(true, d.ipv4(), proto, port));
                        }
                    }
                }
            }
        }
        // order: the worker knows the service before frames for it arrive; the kernel stops seeing
        // them only once jlvs does
        for (Worker w : workers) {
            w.publish(config);
        }
        if (!fanoutSockets.isEmpty()) {
            // before the XDP steering: an AF_XDP worker finds a new flow's owner with this program
            steer(config, serviceMatches, natRealMatches, localMatches);
        }
        transport.steer(matches);
        MemorySegment filter = SocketFilter.build(matches, Ipv6Dataplane.filterMatches(config.ipv6()), filterArena);
        for (PacketSocket s : sockets) {
            s.attachFilter(filter);
        }
        try {
            guard.apply(served.stream().map(ServedInterface::name).toList(), services, natReals, marked, natRealAddrs,
                    Ipv6Dataplane.guardSets(config.ipv6()));
        } catch (IOException e) {
            LOG.log(Logger.Level.ERROR, "kernel guard not installed: " + e.getMessage());
        }
    }

    private static void add(List<SocketFilter.Match> all, List<SocketFilter.Match> role, SocketFilter.Match m) {
        all.add(m);
        role.add(m);
    }

    /**
     * Replaces each interface's fanout program. The hash takes client ports (TCP) unless a service is
     * persistent: then client addresses only, under the widest persistence netmask, so a template and
     * all the connections it controls live on one worker.
     */
    private void steer(DataplaneConfig config, List<SocketFilter.Match> toService, List<SocketFilter.Match> fromReal,
                       List<SocketFilter.Match> toLocal) {
        int mask = -1;
        boolean persistent = false;
        for (ServiceRuntime s : config.services()) {
            if (s.netmask() != -1 || s.persistTimeoutS() > 0) {
                persistent = true;
                mask &= s.netmask();
            }
        }
        FanoutFilter.Key key = persistent ? new FanoutFilter.Key(mask, false) : FanoutFilter.Key.ADDRESS_AND_TCP_PORT;
        MemorySegment program = FanoutFilter.build(toService, fromReal, toLocal, key, Forwarder.LOCAL_PORT_LOW,
                localPortsPerWorker, filterArena);
        fanoutKey = key;
        for (PacketSocket s : fanoutSockets) {
            s.fanoutProgram(program);
        }
        io.jlvs.io.linux.ClassicBpf decoded = io.jlvs.io.linux.ClassicBpf.decode(program);
        for (Worker w : workers) {
            w.fanout(decoded); // used only by workers that hand frames over (several on AF_XDP)
        }
    }

    private DataplaneConfig build(ConfigSnapshot snap) {
        List<ServiceRuntime> services = new ArrayList<>();
        List<DestRuntime> destsById = new ArrayList<>();
        Set<Integer> vips = new LinkedHashSet<>();
        List<MarkRuleRuntime> marks = new ArrayList<>();
        List<ConfigSnapshot.Service> services6 = new ArrayList<>();
        io.jlvs.forward.Ipv6Config ipv6;
        io.jlvs.forward.ClientRoutes clientRoutes;
        try (Netlink nl = Netlink.open()) {
            for (ConfigSnapshot.Service s : snap.services()) {
                ServiceConfig c = s.config();
                if (Ipv6Dataplane.isIpv6Service(c)) {
                    services6.add(s);
                    continue;
                }
                boolean fwmark = c.key().hasFwmark();
                if ((fwmark && c.key().af() != Libc.AF_INET)
                        || (!fwmark && !(c.key().address() instanceof Inet4Address))) {
                    LOG.log(Logger.Level.WARNING, "service " + c.key()
                            + " is kept in the table but not forwarded yet (IPv6 firewall-mark services)");
                    continue;
                }
                List<DestRuntime> dests = new ArrayList<>();
                for (ConfigSnapshot.Dest d : s.dests()) {
                    DestRuntime r = destRuntime(nl, d);
                    if (r == null) {
                        continue;
                    }
                    dests.add(r);
                    while (destsById.size() <= d.destId()) {
                        destsById.add(null);
                    }
                    destsById.set(d.destId(), r);
                }
                int vip = fwmark ? 0 : toInt(c.key().address());
                int[] laddrs = s.localAddresses().stream().mapToInt(Director::toInt).toArray();
                services.add(new ServiceRuntime(s.serviceId(), fwmark ? 0 : c.key().protocol().number(), vip,
                        c.key().port(), c.key().fwmark(), c.flags(), c.persistenceTimeoutS(),
                        c.persistent() ? c.netmask() : -1,
                        SchedulerRegistry.byName(c.scheduler()), dests.toArray(DestRuntime[]::new), laddrs));
                if (!fwmark && answersArpFor(vip)) {
                    vips.add(vip);
                }
            }
            ipv6 = Ipv6Dataplane.build(services6, served, nl);
            clientRoutes = clientRoutes(nl);
        }
        for (MarkRule r : snap.marks()) {
            int mask = r.prefixLength() == 0 ? 0 : -1 << (32 - r.prefixLength());
            marks.add(new MarkRuleRuntime(toInt(r.address()) & mask, mask,
                    r.protocol() == null ? 0 : r.protocol().number(), r.portLow(), r.portHigh(), r.mark()));
            if (r.prefixLength() == 32 && answersArpFor(toInt(r.address()))) {
                vips.add(toInt(r.address())); // a single marked address is a VIP: jlvs answers ARP for it
            }
        }
        return new DataplaneConfig(snap.version(), services.toArray(ServiceRuntime[]::new),
                destsById.toArray(DestRuntime[]::new), vips.stream().mapToInt(Integer::intValue).toArray(),
                served.toArray(ServedInterface[]::new), marks.toArray(MarkRuleRuntime[]::new), ipv6)
                .clientRoutes(clientRoutes);
    }

    /**
     * The served interfaces' connected IPv4 networks and the default route (if it leaves through a served
     * interface), longest prefix first: how a reply finds a client this director has not heard from (a
     * connection installed from a sync message). The default route is found by asking the kernel for the
     * route to a documentation address (RFC 5737): a lookup only, nothing is sent.
     */
    private io.jlvs.forward.ClientRoutes clientRoutes(Netlink nl) {
        java.util.Set<Integer> servedIndexes = new java.util.HashSet<>();
        for (ServedInterface i : served) {
            servedIndexes.add(i.ifindex());
        }
        List<int[]> routes = new ArrayList<>(); // {network, prefix length, ifindex, gateway}
        for (Netlink.Address a : nl.addresses()) {
            if (a.address() instanceof Inet4Address v4 && servedIndexes.contains(a.ifindex())
                    && a.prefixLength() > 0 && a.prefixLength() < 32) {
                int mask = -1 << (32 - a.prefixLength());
                routes.add(new int[] {toInt(v4) & mask, a.prefixLength(), a.ifindex(), 0});
            }
        }
        try {
            Netlink.Route def = nl.routeTo(InetAddress.getByAddress(new byte[] {(byte) 203, 0, 113, 1}));
            if (servedIndexes.contains(def.ifindex()) && def.type() == 1 /* RTN_UNICAST */) {
                int gateway = def.gateway() instanceof Inet4Address g ? toInt(g) : 0;
                routes.add(new int[] {0, 0, def.ifindex(), gateway});
            }
        } catch (RuntimeException | java.net.UnknownHostException e) {
            // no default route: clients beyond the connected networks are reached only once they speak
        }
        routes.sort((x, y) -> Integer.compare(y[1], x[1]));
        int n = routes.size();
        int[] network = new int[n];
        int[] mask = new int[n];
        int[] ifindex = new int[n];
        int[] gateway = new int[n];
        for (int i = 0; i < n; i++) {
            int[] r = routes.get(i);
            network[i] = r[0];
            mask[i] = r[1] == 0 ? 0 : -1 << (32 - r[1]);
            ifindex[i] = r[2];
            gateway[i] = r[3];
        }
        return new io.jlvs.forward.ClientRoutes(network, mask, ifindex, gateway);
    }

    private boolean answersArpFor(int vip) {
        return heldAddresses == null || heldAddresses.holds(vip);
    }

    private DestRuntime destRuntime(Netlink nl, ConfigSnapshot.Dest d) {
        if (!(d.config().address() instanceof Inet4Address rip)) {
            return null;
        }
        ForwardMethod m = d.config().method();
        if (m != ForwardMethod.DROUTE && m != ForwardMethod.MASQ && m != ForwardMethod.TUNNEL
                && m != ForwardMethod.FULLNAT) {
            LOG.log(Logger.Level.WARNING, "real server " + rip.getHostAddress() + ": forwarding method " + m
                    + " is not carried yet (DR, NAT, TUN and FULLNAT are)");
        }
        int outIfindex = 0;
        int nextHop = toInt(rip);
        try {
            Netlink.Route route = nl.routeTo(rip);
            if (isServed(route.ifindex())) {
                outIfindex = route.ifindex();
                if (m != ForwardMethod.DROUTE && route.gateway() instanceof Inet4Address gw) {
                    nextHop = toInt(gw);
                }
            } else {
                LOG.log(Logger.Level.WARNING, "real server " + rip.getHostAddress()
                        + " is not reachable through a served interface");
            }
        } catch (RuntimeException e) {
            LOG.log(Logger.Level.WARNING, "no route to real server " + rip.getHostAddress() + ": " + e.getMessage());
        }
        return new DestRuntime(d.destId(), toInt(rip), d.config().port(), m.code(), d.config().weight(),
                d.config().upperThreshold(), d.config().lowerThreshold(), outIfindex, nextHop,
                d.config().tunnelType(), d.config().tunnelPort(), d.config().tunnelFlags());
    }

    private boolean isServed(int ifindex) {
        for (ServedInterface i : served) {
            if (i.ifindex() == ifindex) {
                return true;
            }
        }
        return false;
    }

    /** What {@code jlvs status} prints: interfaces, frame totals and drops by reason. */
    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("interfaces", served.stream().map(ServedInterface::name).toList());
        m.put("transport", "af_packet (TPACKET_" + options.ringVersion() + " rx ring, sendmmsg tx)");
        transport.status(m);
        m.put("idle", options.busyPoll() ? "busy-poll" : "backoff (spin, yield, poll)");
        m.put("expire_nodest_conn", expireNodestConn);
        m.put("sync_daemons", syncDaemons.keySet());
        m.put("rx_frames", sum(w -> w.counters().total(WorkerCounters.RX_FRAMES)));
        m.put("tx_frames", sum(w -> w.counters().total(WorkerCounters.TX_FRAMES)));
        m.put("ignored_frames", sum(w -> w.counters().total(WorkerCounters.IGNORED_FRAMES)));
        // frames the kernel dropped because a receive ring was full: lost before jlvs could count them
        m.put("rx_ring_drops", sockets.stream().mapToLong(PacketSocket::ringDrops).sum());
        m.put("syn_flood", Map.of("half_open", sum(w -> w.counters().total(WorkerCounters.HALF_OPEN)),
                "half_open_ipv6", sum(w -> w.counters().total(WorkerCounters.HALF_OPEN_IPV6)),
                "syn_stateless", sum(w -> w.counters().total(WorkerCounters.SYN_STATELESS)),
                "ack_adopted", sum(w -> w.counters().total(WorkerCounters.ACK_ADOPTED)),
                "half_open_max", sum(w -> w.synGuard().halfOpenLimit()),
                "pressure_threshold", sum(w -> w.synGuard().pressureThreshold()),
                "pressure_timeout_ms", workers.length == 0 ? 0 : workers[0].synGuard().pressureTimeoutMs(),
                "syn_proxy", synProxy.name().toLowerCase(java.util.Locale.ROOT),
                "syn_proxy_cookies", sum(w -> w.counters().total(WorkerCounters.SYN_PROXY_COOKIES)),
                "syn_proxy_opened", sum(w -> w.counters().total(WorkerCounters.SYN_PROXY_OPENED))));
        Map<String, Long> drops = new LinkedHashMap<>();
        for (DropReason r : DropReason.ALL) {
            drops.put(r.metricName(), sum(w -> w.counters().drops(r)));
        }
        m.put("drops", drops);
        m.put("connections", sum(w -> w.connections().size()));
        m.put("steering", workers.length == 1 ? "one worker"
                : "PACKET_FANOUT_CBPF by client " + (fanoutKey.tcpPorts() ? "address and TCP port" : "address under "
                        + ipString(fanoutKey.addrMask())) + "; FULLNAT local ports " + localPortsPerWorker + " per worker");
        List<Map<String, Object>> perWorker = new ArrayList<>();
        for (Worker w : workers) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("name", w.name());
            one.put("rx_frames", w.counters().total(WorkerCounters.RX_FRAMES));
            one.put("tx_frames", w.counters().total(WorkerCounters.TX_FRAMES));
            one.put("connections", w.connections().size());
            if (transport.handsOff()) {
                one.put("handed_off", w.handedOff());
                one.put("handoffs_received", w.handoffsReceived());
            }
            perWorker.add(one);
        }
        m.put("workers", perWorker);
        m.put("guard_installed", guard.installed());
        m.put("sloppy_tcp", sloppyTcp || bgpSettings != null);
        if (bgp != null) {
            m.put("bgp", bgp.status());
        }
        return m;
    }

    private long sum(java.util.function.ToLongFunction<Worker> f) {
        long total = 0;
        for (Worker w : workers) {
            total += f.applyAsLong(w);
        }
        return total;
    }

    /** Active and inactive connections of every real server and inbound packets of every service ({@code jlvs drain}). */
    private io.jlvs.bgp.Drain.Counts connectionCounts() {
        long active = 0;
        long inactive = 0;
        long inPackets = 0;
        for (ConfigSnapshot.Service s : ipvs.snapshot().services()) {
            inPackets += sum(w -> w.counters().service(s.serviceId(), WorkerCounters.IN_PKTS));
            for (ConfigSnapshot.Dest d : s.dests()) {
                active += counterView.activeConns(d.destId());
                inactive += counterView.inactiveConns(d.destId());
            }
        }
        return new io.jlvs.bgp.Drain.Counts(active, inactive, inPackets);
    }

    /** The connection table in /proc/net/ip_vs_conn's format (racy snapshot of every worker's table). */
    public List<String> connectionTable() {
        List<String> out = new ArrayList<>();
        out.add(Ipvs.CONN_TABLE_HEADER);
        long nowMs = System.nanoTime() / 1_000_000L;
        for (Worker w : workers) {
            listConnections(w.connections(), nowMs, out);
        }
        Ipv6Dataplane.connectionLines(workers[0].connections6(), nowMs, out); // IPv6 is steered to worker 0
        return out;
    }

    private static void listConnections(ConnectionTable t, long nowMs, List<String> out) {
        t.forEach(slot -> {
            int flags = t.flags(slot);
            boolean template = (flags & ConnectionFlags.TEMPLATE) != 0;
            int proto = t.protocol(slot) & 0x7f;
            String protoName = proto == 6 ? "TCP" : proto == 17 ? "UDP" : proto == 132 ? "SCTP" : "IP";
            String state = template ? (t.state(slot) == 1 ? "ASSURED" : "NONE")
                    : proto == 17 ? "UDP" : TcpState.name(t.state(slot));
            long expiresS = Math.max(0, t.expiresAtMs(slot) - nowMs) / 1000;
            out.add(String.format("%-3s %08X %04X %08X %04X %08X %04X %-11s %7d", protoName, t.clientIp(slot),
                    t.clientPort(slot), t.vip(slot), t.vport(slot), t.realIp(slot), t.realPort(slot), state, expiresS));
        });
    }

    /** Samples every service's and real server's counters every 2 s (the IPVS estimator's period). */
    private void estimate() {
        while (stopped.getCount() > 0) {
            try {
                Thread.sleep(RateEstimator.PERIOD_MS);
            } catch (InterruptedException e) {
                return;
            }
            counterView.sample(ipvs.snapshot());
        }
    }

    private final java.util.Map<String, SyncDaemon> syncDaemons = new java.util.concurrent.ConcurrentHashMap<>();
    /** One per worker (each ring has a single producer); the master daemon drains them all. */
    private SyncRing[] syncRings;

    /** The worker a synced connection's packets will reach: the fanout program's choice for its client. */
    private int ownerOf(SyncEntry e) {
        return workers.length == 1 ? 0 : e.ipv6() ? FanoutFilter.workerForIpv6()
                : FanoutFilter.workerFor(fanoutKey, e.protocol() == 6, e.caddr(), e.cport(), workers.length);
    }

    private synchronized SyncRing[] syncRings() {
        if (syncRings == null) {
            syncRings = new SyncRing[workers.length];
            for (int w = 0; w < workers.length; w++) {
                syncRings[w] = new SyncRing(1 << 16);
            }
        }
        return syncRings;
    }

    private void startSync(IpvsApi.SyncDaemonConfig d) throws IpvsException {
        syncRings();
        boolean master = d.state().equals("master");
        SyncDaemon.WorkerLink link = new SyncDaemon.WorkerLink() {
            @Override
            public SyncRing ring() {
                return syncRings[0];
            }

            @Override
            public List<SyncRing> rings() {
                return List.of(syncRings);
            }

            @Override
            public void requestFullSync() {
                for (Worker w : workers) {
                    w.requestFullSync();
                }
            }

            @Override
            public void install(SyncEntry entry) {
                workers[ownerOf(entry)].install(entry);
            }
        };
        try {
            SyncDaemon daemon = new SyncDaemon(master, d.mcastInterface(), d.syncId(), d.maxLen(),
                    d.mcastGroup() != null ? d.mcastGroup() : SyncDaemon.DEFAULT_GROUP,
                    d.mcastPort() != 0 ? d.mcastPort() : SyncDaemon.DEFAULT_PORT, d.mcastTtl() != 0 ? d.mcastTtl() : 1,
                    link);
            syncDaemons.put(d.state(), daemon);
        } catch (java.io.IOException e) {
            throw new IpvsException(io.jlvs.control.Errno.EINVAL, "sync daemon: " + e.getMessage());
        }
        if (master) {
            for (int w = 0; w < workers.length; w++) {
                workers[w].syncTo(syncRings[w]);
            }
        }
    }

    private void stopSync(String state) {
        SyncDaemon d = syncDaemons.remove(state);
        if (d != null) {
            if (d.master()) {
                for (Worker w : workers) {
                    w.syncTo(null);
                }
            }
            d.close();
        }
    }

    /** Blocks until {@link #close} ran. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    @Override
    public synchronized void close() {
        if (stopped.getCount() == 0) {
            return;
        }
        if (bgp != null) {
            // withdraw first and keep forwarding while the routers move the flows to the other directors
            if (bgp.withdrawAll(3000)) {
                System.err.println("jlvs director: VIPs withdrawn; forwarding " + bgpSettings.withdrawDelayMs()
                        + " ms more while the routers move the flows away");
                try {
                    Thread.sleep(bgpSettings.withdrawDelayMs());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            bgp.close();
        }
        if (control != null) {
            control.close();
        }
        guard.remove();
        if (heldAddresses != null) {
            heldAddresses.close();
        }
        for (String state : List.copyOf(syncDaemons.keySet())) {
            stopSync(state);
        }
        if (estimatorThread != null) {
            estimatorThread.interrupt();
        }
        for (Worker w : workers) {
            w.stop();
        }
        for (int w = 0; w < workers.length; w++) {
            try {
                if (workerThreads.length > w && workerThreads[w] != null) {
                    workerThreads[w].join(5000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            workers[w].close();
            workers[w].connections().close();
        }
        transport.close();
        for (PacketSocket s : sockets) {
            s.close();
        }
        stopped.countDown();
        // stderr, not the logger: JUL may already be reset when this runs from the shutdown hook
        System.err.println("jlvs director: stopped; kernel guard and control socket removed");
    }

    static int toInt(InetAddress a) {
        byte[] b = a.getAddress();
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    static String ipString(int ip) {
        return io.jlvs.packet.Ipv4View.addrToString(ip);
    }

    /**
     * The worker's counters as the control plane shows them: minus the base taken at the last
     * {@code ipvsadm -Z} (the worker's own counters are never written by another thread), with the
     * estimator's rates.
     */
    private static final class Counters implements CounterReader {
        private static final int[] FIELDS = {WorkerCounters.CONNS, WorkerCounters.IN_PKTS, WorkerCounters.OUT_PKTS,
            WorkerCounters.IN_BYTES, WorkerCounters.OUT_BYTES};
        private final WorkerCounters[] workers;
        private final RateEstimator rates;
        /** Rates of services live at ids above MAX_IDS in the estimator. */
        private final long[] destBase = new long[Ipvs.MAX_IDS * FIELDS.length];
        private final long[] serviceBase = new long[Ipvs.MAX_IDS * FIELDS.length];

        Counters(WorkerCounters[] workers, RateEstimator rates) {
            this.workers = workers;
            this.rates = rates;
        }

        /** A real server's counter summed over the workers. */
        private long destSum(int id, int field) {
            long total = 0;
            for (WorkerCounters c : workers) {
                total += c.dest(id, field);
            }
            return total;
        }

        private long serviceSum(int id, int field) {
            long total = 0;
            for (WorkerCounters c : workers) {
                total += c.service(id, field);
            }
            return total;
        }

        private long dest(int id, int f) {
            return destSum(id, FIELDS[f]) - destBase[id * FIELDS.length + f];
        }

        private long service(int id, int f) {
            return serviceSum(id, FIELDS[f]) - serviceBase[id * FIELDS.length + f];
        }

        @Override
        public int activeConns(int destId) {
            return (int) destSum(destId, WorkerCounters.ACTIVE);
        }

        @Override
        public int inactiveConns(int destId) {
            return (int) destSum(destId, WorkerCounters.INACTIVE);
        }

        @Override
        public Stats destStats(int destId) {
            int r = destId;
            return new Stats(dest(destId, 0), dest(destId, 1), dest(destId, 2), dest(destId, 3), dest(destId, 4),
                    rates.cps(r), rates.inPps(r), rates.outPps(r), rates.inBps(r), rates.outBps(r));
        }

        @Override
        public Stats serviceStats(int serviceId) {
            int r = serviceSlot(serviceId);
            return new Stats(service(serviceId, 0), service(serviceId, 1), service(serviceId, 2),
                    service(serviceId, 3), service(serviceId, 4),
                    rates.cps(r), rates.inPps(r), rates.outPps(r), rates.inBps(r), rates.outBps(r));
        }

        /** Service rates share the estimator with real servers: services use the upper half of its ids. */
        private static int serviceSlot(int serviceId) {
            return Ipvs.MAX_IDS + serviceId;
        }

        synchronized void sample(ConfigSnapshot snap) {
            for (ConfigSnapshot.Service s : snap.services()) {
                int id = s.serviceId();
                rates.sample(serviceSlot(id), service(id, 0), service(id, 1), service(id, 2), service(id, 3),
                        service(id, 4));
                for (ConfigSnapshot.Dest d : s.dests()) {
                    int did = d.destId();
                    rates.sample(did, dest(did, 0), dest(did, 1), dest(did, 2), dest(did, 3), dest(did, 4));
                }
            }
        }

        /** ipvsadm -Z: displayed counters restart from 0, rates from 0. */
        synchronized void zero(List<Integer> serviceIds, List<Integer> destIds) {
            for (int id : serviceIds) {
                for (int f = 0; f < FIELDS.length; f++) {
                    serviceBase[id * FIELDS.length + f] = serviceSum(id, FIELDS[f]);
                }
                rates.reset(serviceSlot(id), 0, 0, 0, 0, 0);
            }
            for (int id : destIds) {
                for (int f = 0; f < FIELDS.length; f++) {
                    destBase[id * FIELDS.length + f] = destSum(id, FIELDS[f]);
                }
                rates.reset(id, 0, 0, 0, 0, 0);
            }
        }
    }
}
