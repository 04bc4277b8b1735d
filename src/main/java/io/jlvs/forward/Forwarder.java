package io.jlvs.forward;

import io.jlvs.conn.ConnectionFlags;
import io.jlvs.conn.ConnectionTable;
import io.jlvs.conn.ConnectionTimeouts;
import io.jlvs.conn.TcpState;
import io.jlvs.conn.TcpStateMachine;
import io.jlvs.neigh.NeighbourTable;
import io.jlvs.packet.ArpView;
import io.jlvs.packet.EthernetView;
import io.jlvs.packet.Ipv4View;
import io.jlvs.packet.Checksum;
import io.jlvs.packet.PacketError;
import io.jlvs.packet.TcpOptions;
import io.jlvs.packet.TcpView;
import io.jlvs.packet.UdpView;
import io.jlvs.packet.VnetHeaderView;
import io.jlvs.sched.DestinationView;
import io.jlvs.sched.FlowView;
import io.jlvs.sched.SchedulerState;
import io.jlvs.stats.DropReason;
import io.jlvs.stats.WorkerCounters;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One worker's packet pipeline, the counterpart of the kernel's {@code ip_vs_core.c}: classify a
 * frame, find or create its connection, run the TCP state machine, rewrite the frame in place with
 * the connection's forwarding method and hand it to a {@link FrameSink}. It also answers ARP for the
 * VIPs and resolves the real servers' MACs itself.
 *
 * <p>Single-threaded and allocation-free per frame: flyweight views over the frame, an off-heap
 * connection table, per-worker counters. A malformed frame is counted by reason and dropped; nothing
 * on this path throws.
 *
 * <p>Every frame handed in is preceded by a 10-byte {@code virtio_net_hdr} (the socket uses
 * {@code PACKET_VNET_HDR}), which travels out unchanged, so GSO super-frames are segmented by the
 * kernel on send and partial checksums are finished there.
 */
public final class Forwarder implements FlowView {
    /** What {@link #process} did with a frame. */
    public static final int FORWARDED = 0;
    public static final int DROPPED = 1;
    public static final int IGNORED = 2;
    public static final int ANSWERED = 3;
    /** A fragment kept until the first fragment of its datagram shows where it goes. */
    public static final int HELD = 4;

    private static final int VNET = VnetHeaderView.LENGTH;
    private static final int SCRATCH_FRAME = 640;
    private static final int SCRATCH_FRAMES = 128;
    private static final int EXPIRE_BUDGET = 4096;
    /** Persistence templates are keyed with this bit on the protocol, apart from real flows. */
    static final int TEMPLATE_PROTO = 0x80;
    /** FULLNAT reply aliases are keyed (protocol | this, real server, local address) and point at their connection. */
    static final int ALIAS_PROTO = 0x40;
    public static final int LOCAL_PORT_LOW = 1024;
    public static final int LOCAL_PORT_HIGH = 65535;
    private LocalPortPool localPorts = new LocalPortPool(new int[0], LOCAL_PORT_LOW, LOCAL_PORT_HIGH);
    /** This worker's share of the local ports (several workers: disjoint ranges, so the port names the worker). */
    private final int localPortLow;
    private final int localPortHigh;
    private int localCursor;
    static final int TEMPLATE_NONE = 0;
    static final int TEMPLATE_ASSURED = 1;
    /** A template that expires while it still controls connections is kept this long (IPVS: 60 s). */
    static final int TEMPLATE_KEEP_S = 60;

    private final ConnectionTable conns;
    private final NeighbourTable neighbours;
    private final WorkerCounters counters;
    private final FrameSink sink;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment scratch;
    private int scratchUsed;

    private final Frame frame = new Frame();
    private final EthernetView eth = frame.eth;
    private final ArpView arp = new ArpView();
    private final Ipv4View ip = frame.ip;
    private final TcpView tcp = frame.tcp;
    private final UdpView udp = frame.udp;
    private final EthernetView outEth = new EthernetView();
    private final Ipv4View outIp = new Ipv4View();
    private final io.jlvs.packet.IcmpView outIcmp = new io.jlvs.packet.IcmpView();
    private final XmitContext xmitContext;
    private final TunnelXmit tunnel;
    /** Transmitters by forwarding method code (ConnectionFlags.FWD_*): bound once per connection. */
    private final Xmit[] xmits = new Xmit[8];
    /** The IPv6 pipeline (ethertype 0x86DD), with its own connection table. */
    private final Forwarder6 v6;

    private DataplaneConfig config;
    /** Where connection states go when this director is a sync master (null: not syncing). */
    private io.jlvs.sync.SyncRing syncOut;
    private ConnectionTimeouts timeouts = ConnectionTimeouts.defaults();
    /** net.ipv4.vs.sloppy_tcp: any TCP segment but a RST may start a connection, not only a SYN. */
    private boolean sloppyTcp;
    /** net.ipv4.vs.expire_nodest_conn: see {@link #expireNodestConn(boolean)}. */
    private boolean expireNodestConn;
    /** Per-worker scheduler state and overload flags, indexed by service id / dest id. */
    private SchedulerState[] schedStates = new SchedulerState[0];
    private final boolean[] overloaded;
    /** Scratch of {@link #flushDeletedDests}: real server ids just deleted. */
    private final boolean[] gone;
    private ServedInterface[] interfacesByIndex = new ServedInterface[0];
    private final DestView destView = new DestView();
    private final io.jlvs.conn.ExpiryListener onExpire = this::unbindDest;
    private SynFloodGuard synGuard;
    private final SynProxy synProxy = new SynProxy(SynCookie.random());
    /** Client segments of proxied connections waiting for the real server's SYN-ACK, keyed by slot. */
    private final NeighbourWait proxyWait = new NeighbourWait(16);
    private final NeighbourWait.Resolved proxyAnswered = this::proxyAnswered;
    /** The real server index the SYN flood guard chose for the flow being scheduled, or -1: the scheduler's. */
    private int forcedDest = -1;

    // which service lists a real server, and where: so a load change reaches that service's scheduler index
    private final ServiceRuntime[] serviceOfDest;
    private final int[] indexOfDest;

    // the flow being scheduled (FlowView)
    private int flowSrc;
    private int flowDst;
    private int flowSport;
    private int flowDport;
    private long flowNowMs;
    private long expiryNowMs;
    private long packetNowMs;
    private final IcmpRateLimit icmpTokens = new IcmpRateLimit(IcmpRateLimit.DEFAULT_PER_SECOND,
            IcmpRateLimit.DEFAULT_BURST);

    public Forwarder(ConnectionTable conns, WorkerCounters counters, FrameSink sink, int maxIds) {
        this(conns, counters, sink, maxIds, new NeighbourTable(4096), LOCAL_PORT_LOW, LOCAL_PORT_HIGH);
    }

    /**
     * @param neighbours    the real servers' MACs, shared by all workers
     * @param localPortLow  first FULLNAT local port this worker hands out
     * @param localPortHigh last one
     */
    public Forwarder(ConnectionTable conns, WorkerCounters counters, FrameSink sink, int maxIds,
                     NeighbourTable neighbours, int localPortLow, int localPortHigh) {
        this.neighbours = neighbours;
        this.localPortLow = localPortLow;
        this.localPortHigh = localPortHigh;
        this.conns = conns;
        this.counters = counters;
        this.sink = sink;
        this.overloaded = new boolean[maxIds];
        this.gone = new boolean[maxIds];
        this.serviceOfDest = new ServiceRuntime[maxIds];
        this.indexOfDest = new int[maxIds];
        this.scratch = arena.allocate((long) SCRATCH_FRAME * SCRATCH_FRAMES, 64);
        this.xmitContext = new XmitContext(conns);
        this.tunnel = new TunnelXmit(sink, 1 << 20);
        xmits[ConnectionFlags.FWD_MASQ] = new MasqueradeXmit();
        xmits[ConnectionFlags.FWD_DROUTE] = new DirectRoutingXmit();
        xmits[ConnectionFlags.FWD_TUNNEL] = tunnel;
        xmits[ConnectionFlags.FWD_FULLNAT] = new FullNatXmit();
        this.synGuard = SynFloodGuard.forCapacity(conns.capacity(), counters);
        this.v6 = new Forwarder6(new io.jlvs.conn.ConnectionTable6(Math.max(1024, conns.capacity() / 4)), counters,
                sink, maxIds);
        apply(new DataplaneConfig(0, new ServiceRuntime[0], new DestRuntime[0], new int[0], new ServedInterface[0]));
    }

    // ---------------------------------------------------------------- configuration (worker thread)

    /** Switches to a new published configuration, carrying scheduler state over per service. */
    public void apply(DataplaneConfig next) {
        DataplaneConfig prev = config;
        SchedulerState[] states = new SchedulerState[maxServiceId(next) + 1];
        java.util.Arrays.fill(serviceOfDest, null);
        for (ServiceRuntime s : next.services()) {
            DestRuntime[] ds = s.dests();
            for (int i = 0; i < ds.length; i++) {
                if (ds[i].destId() < serviceOfDest.length) {
                    serviceOfDest[ds[i].destId()] = s;
                    indexOfDest[ds[i].destId()] = i;
                }
            }
        }
        int maxIf = 0;
        for (ServedInterface i : next.interfaces()) {
            maxIf = Math.max(maxIf, i.ifindex());
        }
        ServedInterface[] byIndex = new ServedInterface[maxIf + 1];
        for (ServedInterface i : next.interfaces()) {
            byIndex[i.ifindex()] = i;
        }
        for (DestRuntime d : next.destsById()) {
            if (d == null) {
                continue;
            }
            if (prev == null || prev.dest(d.destId()) == null) {
                // a new (or reused) id starts from zero stats and not overloaded, as a new kernel dest
                counters.clearDestStats(d.destId());
                overloaded[d.destId()] = false;
            }
            if (d.outIfindex() != 0) {
                neighbours.want(d.outIfindex(), d.nextHopIpv4());
            }
        }
        // built after the counters of new ids are cleared: the least-load indexes start from true counts
        for (ServiceRuntime s : next.services()) {
            SchedulerState previous = s.serviceId() < schedStates.length ? schedStates[s.serviceId()] : null;
            if (prev != null && previous != null && !sameScheduler(prev, s)) {
                previous = null;
            }
            destView.service = s;
            states[s.serviceId()] = s.scheduler().newState(destView, previous);
        }
        for (ServiceRuntime s : next.services()) {
            if (prev == null || !hasService(prev, s.serviceId())) {
                counters.clearServiceStats(s.serviceId());
            }
        }
        if (!java.util.Arrays.equals(localPorts.laddrs(), next.localAddresses())) {
            localPorts = new LocalPortPool(next.localAddresses(), localPortLow, localPortHigh);
        }
        if (!synProxy.ready() && anyNat(next)) {
            synProxy.ensureCapacity(conns.capacity()); // 8 bytes per slot, once
        }
        this.interfacesByIndex = byIndex;
        this.schedStates = states;
        this.config = next;
        if (expireNodestConn && prev != null) {
            flushDeletedDests(prev, next);
        }
        v6.apply(next, byIndex);
    }

    private static boolean anyNat(DataplaneConfig c) {
        for (ServiceRuntime s : c.services()) {
            for (DestRuntime d : s.dests()) {
                if (d.method() == ConnectionFlags.FWD_MASQ || d.method() == ConnectionFlags.FWD_FULLNAT) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean hasService(DataplaneConfig c, int serviceId) {
        for (ServiceRuntime s : c.services()) {
            if (s.serviceId() == serviceId) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameScheduler(DataplaneConfig prev, ServiceRuntime s) {
        for (ServiceRuntime p : prev.services()) {
            if (p.serviceId() == s.serviceId()) {
                return p.scheduler() == s.scheduler();
            }
        }
        return false;
    }

    private static int maxServiceId(DataplaneConfig c) {
        int max = 0;
        for (ServiceRuntime s : c.services()) {
            max = Math.max(max, s.serviceId());
        }
        return max;
    }

    public void timeouts(ConnectionTimeouts timeouts) {
        this.timeouts = timeouts;
        v6.timeouts(timeouts);
    }

    public DataplaneConfig config() {
        return config;
    }

    public NeighbourTable neighbours() {
        return neighbours;
    }

    public SynFloodGuard synGuard() {
        return synGuard;
    }

    /** Replaces the SYN flood guard (before the first frame: it does not carry the half-open count over). */
    public void synGuard(SynFloodGuard guard) {
        this.synGuard = guard;
    }

    public SynProxy synProxy() {
        return synProxy;
    }

    /** The IPv6 pipeline (its connections, neighbours). */
    public Forwarder6 ipv6() {
        return v6;
    }

    // ---------------------------------------------------------------- per frame

    /**
     * Handles one received frame.
     *
     * @param seg       memory holding the frame
     * @param mac       offset of the Ethernet header in {@code seg}; the virtio_net_hdr is the 10 bytes before
     * @param snapLen   bytes of the frame present
     * @param wireLen   length of the frame on the wire (larger than snapLen when the ring truncated it)
     * @param inIfindex interface it arrived on
     * @param nowMs     the worker's clock
     */
    public int process(MemorySegment seg, long mac, int snapLen, int wireLen, int inIfindex, long nowMs) {
        packetNowMs = nowMs;
        if (snapLen < EthernetView.HEADER_LENGTH) {
            return drop(DropReason.TRUNCATED_ETHERNET);
        }
        if (snapLen < wireLen) {
            return drop(DropReason.TRUNCATED_CAPTURE);
        }
        eth.wrap(seg, mac);
        int type = eth.etherType();
        if (type == EthernetView.ETHERTYPE_ARP) {
            return arp(seg, mac, snapLen, inIfindex, nowMs);
        }
        if (type == EthernetView.ETHERTYPE_IPV6) {
            return v6.process(seg, mac, snapLen, wireLen, inIfindex, nowMs);
        }
        if (type != EthernetView.ETHERTYPE_IPV4) {
            return ignore();
        }
        long l3 = mac + EthernetView.HEADER_LENGTH;
        int err = Ipv4View.validate(seg, l3, snapLen - EthernetView.HEADER_LENGTH);
        if (err != PacketError.OK) {
            return drop(DropReason.ofPacketError(err));
        }
        ip.wrap(seg, l3);
        frame.set(seg, mac, snapLen, wireLen, inIfindex);
        int proto = ip.protocol();
        frame.proto = proto;
        if (proto == Ipv4View.PROTO_ICMP) {
            return icmp(nowMs);
        }
        if (proto != Ipv4View.PROTO_TCP && proto != Ipv4View.PROTO_UDP) {
            return ignore();
        }
        lastNowMs = nowMs;
        // each header field read once: every off-heap read inlines a deep tree, and C2's node budget is
        // what keeps the connection lookup below inlined
        int flagsFragment = ip.flagsFragment();
        if ((flagsFragment & Ipv4View.FRAGMENT_OFFSET_MASK) != 0) {
            return laterFragment(nowMs);
        }
        boolean firstFragment = (flagsFragment & Ipv4View.FLAG_MF) != 0;
        int headerLength = ip.headerLength();
        long l4 = l3 + headerLength;
        long l4Available = ip.totalLength() - headerLength;
        int sport;
        int dport;
        int tcpFlags = 0;
        if (proto == Ipv4View.PROTO_TCP) {
            err = TcpView.validate(seg, l4, l4Available);
            if (err != PacketError.OK) {
                return drop(DropReason.ofPacketError(err));
            }
            tcp.wrap(seg, l4);
            sport = tcp.srcPort();
            dport = tcp.dstPort();
            tcpFlags = tcp.flags();
        } else {
            // a first fragment holds only part of the datagram its UDP length counts
            err = firstFragment ? (l4Available >= UdpView.HEADER_LENGTH ? PacketError.OK : PacketError.TRUNCATED_UDP)
                    : UdpView.validate(seg, l4, l4Available);
            if (err != PacketError.OK) {
                return drop(DropReason.ofPacketError(err));
            }
            udp.wrap(seg, l4);
            sport = udp.srcPort();
            dport = udp.dstPort();
        }
        int src = ip.srcAddr();
        int dst = ip.dstAddr();

        // inbound: client → VIP
        int slot = conns.lookupIn(proto, src, sport, dst, dport);
        if (slot >= 0 && proto == Ipv4View.PROTO_TCP && (tcpFlags & (TcpView.SYN | TcpView.RST)) == TcpView.SYN
                && (reusable(slot) || expireNodestConn && !destUsable(slot))) {
            expireNow(slot);
            slot = -1;
        } else if (slot >= 0 && expireNodestConn && config.dest(conns.destId(slot)) == null) {
            expireNow(slot); // its real server is gone: the packet is handled as new (a SYN is scheduled)
            slot = -1;
        }
        if (slot >= 0) {
            int ipId = firstFragment ? ip.identification() : 0; // read before the transmitter rewrites the frame
            int r = inbound(seg, mac, snapLen, wireLen, slot, proto, tcpFlags, nowMs);
            if (firstFragment && r == FORWARDED) {
                firstFragmentPlaced(src, dst, proto, ipId, slot, false, nowMs);
            }
            return r;
        }
        // firewall-mark services first, then (protocol, address, port), as ip_vs_service_find
        int fwmark = config.mark(proto, dst, dport);
        ServiceRuntime svc = fwmark != 0 ? config.serviceByFwmark(fwmark) : null;
        if (svc == null) {
            svc = config.service(proto, dst, dport);
        }
        if (svc != null) {
            return newConnection(svc, seg, mac, snapLen, wireLen, proto, src, sport, dst, dport, tcpFlags,
                    firstFragment, inIfindex, nowMs);
        }
        // outbound: NAT real server → client, or FULLNAT real server → local address
        slot = conns.lookupOut(proto, src, sport, dst, dport);
        if (slot < 0 && config.hasFullNat()) {
            int alias = conns.lookupIn(ALIAS_PROTO | proto, src, sport, dst, dport);
            if (alias >= 0) {
                slot = conns.realIp(alias);
            }
        }
        if (slot >= 0) {
            int ipId = firstFragment ? ip.identification() : 0;
            int r = outbound(seg, mac, snapLen, wireLen, slot, proto, tcpFlags, nowMs);
            if (firstFragment && r == FORWARDED) {
                firstFragmentPlaced(src, dst, proto, ipId, slot, true, nowMs);
            }
            return r;
        }
        if (isLocal(dst) || config.isVip(dst)) {
            return ignore(); // a health check reply to the director itself; a VIP port no service has
        }
        return drop(DropReason.NAT_REPLY_NO_CONNECTION);
    }

    /**
     * A packet for a service that matched no connection: the SYN flood guard's verdict, scheduling, then
     * the inbound path. Out of {@link #process} so the per-packet path of established connections stays
     * small enough for the JIT to compile it with its accessors inlined (C2's node budget).
     */
    private int newConnection(ServiceRuntime svc, MemorySegment seg, long mac, int snapLen, int wireLen, int proto,
                              int src, int sport, int dst, int dport, int tcpFlags, boolean firstFragment,
                              int inIfindex, long nowMs) {
        boolean syn = proto == Ipv4View.PROTO_TCP
                && (tcpFlags & (TcpView.SYN | TcpView.RST)) == TcpView.SYN;
        boolean stateless = false;
        int guarded = SynFloodGuard.STATEFUL;
        if (proto == Ipv4View.PROTO_TCP && synProxy.ready() && synProxy.mode() != SynProxy.Mode.OFF
                && SynProxy.eligible(svc)) {
            boolean proxying = synProxy.mode() == SynProxy.Mode.ALWAYS || synGuard.pressured(nowMs);
            if (syn && proxying) {
                return answerSyn(svc, src, sport, dst, dport, nowMs);
            }
            if ((tcpFlags & (TcpView.SYN | TcpView.RST | TcpView.ACK)) == TcpView.ACK) {
                int options = synProxy.cookies().check(src, sport, dst, dport, tcp.seq() - 1, tcp.ack() - 1, nowMs);
                if (options >= 0) {
                    return proxyOpen(svc, src, sport, dst, dport, tcpFlags, options, inIfindex, nowMs);
                }
                if (proxying && !sloppyTcp) {
                    return drop(DropReason.SYN_COOKIE_INVALID);
                }
            }
        }
        if (proto == Ipv4View.PROTO_TCP) {
            destView.service = svc;
            guarded = syn ? synGuard.onSyn(svc, destView, src, sport, dst, dport, nowMs)
                    : synGuard.onOrphan(svc, destView, tcpFlags, src, sport, dst, dport, nowMs);
            if (guarded == SynFloodGuard.DROP) {
                if (syn) {
                    return DROPPED;
                }
                if (!sloppyTcp || (tcpFlags & TcpView.RST) != 0) {
                    return drop(DropReason.NO_CONNECTION);
                }
                guarded = SynFloodGuard.STATEFUL; // sloppy_tcp: a flow moved here mid-way is scheduled
            }
        }
        forcedDest = guarded;
        int slot = schedule(svc, proto, src, sport, dst, dport, inIfindex, eth.srcMac(), nowMs);
        forcedDest = -1;
        if (slot < 0) {
            return DROPPED;
        }
        if (proto == Ipv4View.PROTO_TCP) {
            if (syn && guarded >= 0) {
                stateless = true;
                conns.flags(slot, conns.flags(slot) | ConnectionFlags.ONE_PACKET); // stateless: gone once sent
            } else if (syn || guarded >= 0) {
                synGuard.created(conns, slot, !syn); // a SYN's entry, or an ACK adopted after a stateless SYN
            } // else a sloppy pick-up of an established flow: not half-open
        }
        int ipId = firstFragment ? ip.identification() : 0;
        int r = inbound(seg, mac, snapLen, wireLen, slot, proto, tcpFlags, nowMs);
        if (stateless && conns.isLive(slot)) {
            expireNow(slot); // dropped on its way out: a stateless SYN leaves nothing behind either way
        }
        if (firstFragment && r == FORWARDED) {
            firstFragmentPlaced(src, dst, proto, ipId, slot, false, nowMs);
        }
        return r;
    }

    // ---------------------------------------------------------------- SYN proxy (SynProxy)

    /** {@link #serverOfProxied}: carry on with the ordinary reply path. */
    private static final int CONTINUE = -1;

    /** A SYN the proxy answers itself: a SYN-ACK with a cookie, back the way the SYN came; no state. */
    private int answerSyn(ServiceRuntime svc, int src, int sport, int dst, int dport, long nowMs) {
        ServedInterface in = inInterface();
        long m = takeScratchFrame();
        if (in == null || m < 0) {
            return drop(in == null ? DropReason.NO_ROUTE : DropReason.TX_FAILED);
        }
        int parsed = TcpOptions.parseSyn(frame.seg, tcp.offset(), tcp.headerLength());
        int options = SynCookie.options(TcpOptions.mss(parsed), TcpOptions.sackPermitted(parsed),
                TcpOptions.windowScale(parsed));
        int clientIsn = tcp.seq();
        int cookie = synProxy.cookies().make(src, sport, dst, dport, clientIsn, options, nowMs);
        // FULLNAT's TOA takes 8 bytes of the handshake ACK, as its real servers' MSS is lowered by 8
        int mss = SynCookie.mss(options) - (hasFullNat(svc) ? FullNatXmit.TOA_LENGTH : 0);
        int length = synProxy.write(scratch, m, eth.srcMac(), in.mac(), dst, src, dport, sport, cookie, clientIsn + 1,
                TcpView.SYN | TcpView.ACK, 0xffff, xmitContext.nextIpId(), true, mss,
                SynCookie.sackPermitted(options), SynCookie.windowScale(options) >= 0 ? SynProxy.WINDOW_SCALE : -1);
        sink.send(frame.inIfindex, scratch, m - VNET, VNET + length);
        counters.addTotal(WorkerCounters.SYN_PROXY_COOKIES, 1);
        return ANSWERED;
    }

    private static boolean hasFullNat(ServiceRuntime svc) {
        for (DestRuntime d : svc.dests()) {
            if (d.method() == ConnectionFlags.FWD_FULLNAT) {
                return true;
            }
        }
        return false;
    }

    /**
     * A client's ACK with a valid cookie: the connection is scheduled as any other (the scheduler, not a
     * hash, picks the real server), and the real server gets the SYN the client sent us. Data the ACK
     * carries waits until the real server answers.
     */
    private int proxyOpen(ServiceRuntime svc, int src, int sport, int dst, int dport, int tcpFlags, int options,
                          int inIfindex, long nowMs) {
        int clientIsn = tcp.seq() - 1;
        int cookie = tcp.ack() - 1;
        int window = tcp.window();
        boolean carries = carriesData(tcpFlags);
        destView.service = svc;
        int slot = schedule(svc, Ipv4View.PROTO_TCP, src, sport, dst, dport, inIfindex, eth.srcMac(), nowMs);
        if (slot < 0) {
            return DROPPED;
        }
        conns.flags(slot, conns.flags(slot) | SynProxy.AWAIT);
        synGuard.created(conns, slot, false); // half-open until the real server answers
        synProxy.awaiting(slot, cookie, clientIsn);
        counters.addTotal(WorkerCounters.SYN_PROXY_OPENED, 1);
        if (carries && !holdForServer(slot, nowMs)) {
            counters.drop(DropReason.SYN_PROXY_WAIT); // the client sends it again
        }
        return synToServer(slot, options, window, nowMs);
    }

    private boolean carriesData(int tcpFlags) {
        return (tcpFlags & TcpView.FIN) != 0 || ip.totalLength() - ip.headerLength() - tcp.headerLength() > 0;
    }

    private boolean holdForServer(int slot, long nowMs) {
        return proxyWait.hold(frame.seg, frame.mac - VNET, frame.snapLen + VNET, frame.inIfindex, 0, 0L, slot, nowMs);
    }

    /** The SYN for the real server, as the client's own (its ISN, window and options), through the inbound path. */
    private int synToServer(int slot, int options, int clientWindow, long nowMs) {
        long m = takeScratchFrame();
        if (m < 0) {
            return drop(DropReason.TX_FAILED);
        }
        int scale = SynCookie.windowScale(options);
        int window = (int) Math.min(0xffff, (long) clientWindow << Math.max(0, scale)); // a SYN's is never scaled
        int length = synProxy.write(scratch, m, 0L, conns.clientMac(slot), conns.clientIp(slot), conns.vip(slot),
                conns.clientPort(slot), conns.vport(slot), synProxy.clientIsn(slot), 0, TcpView.SYN, window,
                xmitContext.nextIpId(), true, SynCookie.mss(options), SynCookie.sackPermitted(options), scale);
        return inboundMade(m, length, slot, TcpView.SYN, nowMs);
    }

    /** Handles a segment the proxy wrote (client → VIP form) as if the client had sent it. */
    private int inboundMade(long m, int length, int slot, int tcpFlags, long nowMs) {
        frame.set(scratch, m, length, length, conns.inIfindex(slot));
        ip.wrap(scratch, m + EthernetView.HEADER_LENGTH);
        tcp.wrap(scratch, frame.l4());
        frame.proto = Ipv4View.PROTO_TCP;
        return inbound(scratch, m, length, length, slot, Ipv4View.PROTO_TCP, tcpFlags, nowMs);
    }

    /**
     * A client segment while the real server has not answered yet: data and FIN wait (a second one means the
     * client is retransmitting, so the SYN goes again), a bare ACK has nothing for the server, a RST ends it.
     */
    private int clientWhileAwaiting(int slot, int tcpFlags, long nowMs) {
        if ((tcpFlags & TcpView.RST) != 0) {
            expireNow(slot);
            return drop(DropReason.SYN_PROXY_WAIT);
        }
        if (!carriesData(tcpFlags)) {
            return drop(DropReason.SYN_PROXY_WAIT);
        }
        boolean again = proxyWait.holding(0, 0L, slot) > 0;
        int window = tcp.window();
        if (!holdForServer(slot, nowMs)) {
            return drop(DropReason.SYN_PROXY_WAIT);
        }
        if (again) {
            int options = synProxy.cookies().optionsOf(conns.clientIp(slot), conns.clientPort(slot), conns.vip(slot),
                    conns.vport(slot), synProxy.cookie(slot));
            synToServer(slot, options, window, nowMs);
        }
        return HELD;
    }

    /**
     * The real server's side of a proxied connection. Waiting: its SYN-ACK fixes the shift and is answered
     * with the handshake's last ACK (the held client data follows at once); its RST goes to the client with
     * the sequence number the client expects. Proxied: a repeated SYN-ACK (our ACK was lost) is acknowledged
     * again. Otherwise {@link #CONTINUE}.
     */
    private int serverOfProxied(int slot, int flags, int tcpFlags, long nowMs) {
        boolean synAck = (tcpFlags & (TcpView.SYN | TcpView.ACK | TcpView.RST)) == (TcpView.SYN | TcpView.ACK);
        if ((flags & SynProxy.AWAIT) != 0) {
            int cookie = synProxy.cookie(slot);
            int clientIsn = synProxy.clientIsn(slot);
            if (synAck && tcp.ack() == clientIsn + 1) {
                int options = synProxy.cookies().optionsOf(conns.clientIp(slot), conns.clientPort(slot),
                        conns.vip(slot), conns.vport(slot), cookie);
                int serverScale = TcpOptions.windowScale(TcpOptions.parseSyn(frame.seg, tcp.offset(), tcp.headerLength()));
                synProxy.established(slot, tcp.seq(), SynCookie.windowScale(options), serverScale);
                conns.flags(slot, (conns.flags(slot) & ~SynProxy.AWAIT) | SynProxy.PROXIED);
                int r = ackToServer(slot, clientIsn + 1, cookie + 1, SynCookie.windowScale(options), nowMs);
                proxyWait.release(proxyAnswered, replayHeld); // last: it handles other frames
                return r;
            }
            if ((tcpFlags & (TcpView.SYN | TcpView.ACK | TcpView.RST | TcpView.FIN)) == TcpView.ACK) {
                // the real server still holds an older connection of this client port (TIME_WAIT; a proxied
                // SYN has no timestamp to prove itself newer) and answers with that one's ACK: reset it, as
                // the client's own kernel would, and send the SYN again
                resetToSender();
                synToServer(slot, synProxy.cookies().optionsOf(conns.clientIp(slot), conns.clientPort(slot),
                        conns.vip(slot), conns.vport(slot), cookie), 0xffff, nowMs);
                return ANSWERED;
            }
            if ((tcpFlags & TcpView.RST) != 0) {
                int seq = tcp.seq();
                tcp.seq(cookie + 1);
                if (!frame.partialChecksum()) {
                    tcp.checksum(Checksum.update32(tcp.checksum(), seq, cookie + 1));
                }
                synProxy.established(slot, cookie, -1, -1); // no shift from here: the RST is placed
                conns.flags(slot, (conns.flags(slot) & ~SynProxy.AWAIT) | SynProxy.PROXIED);
                return CONTINUE;
            }
            return drop(DropReason.SYN_PROXY_WAIT);
        }
        if (synAck) {
            int r = ackToServer(slot, tcp.ack(), tcp.seq() + 1 - synProxy.delta(slot), -1, nowMs);
            return r == FORWARDED ? ANSWERED : r;
        }
        return CONTINUE;
    }

    /**
     * Turns the TCP segment being handled into a RST back to its sender (RFC 9293: {@code seq} = the segment's
     * ack), out of the interface it came in on: addresses, ports and MACs swapped, no payload, checksums whole.
     */
    private void resetToSender() {
        int ack = tcp.ack();
        long srcMac = eth.srcMac();
        eth.srcMac(eth.dstMac()).dstMac(srcMac);
        int src = ip.srcAddr();
        ip.srcAddr(ip.dstAddr()).dstAddr(src);
        int headerLength = ip.headerLength();
        ip.totalLength(headerLength + TcpView.MIN_HEADER_LENGTH).ttl(64).flagsFragment(Ipv4View.FLAG_DF);
        ip.updateHeaderChecksum();
        int sport = tcp.srcPort();
        tcp.srcPort(tcp.dstPort()).dstPort(sport).seq(ack).ack(0).dataOffset(5).flags(TcpView.RST).window(0);
        tcp.checksum(Checksum.tcpUdpIpv4(frame.seg, frame.l4(), TcpView.MIN_HEADER_LENGTH, ip.srcAddr(), ip.dstAddr(),
                Ipv4View.PROTO_TCP));
        frame.vnet.clear(); // no offload: the frame is whole
        sink.send(frame.inIfindex, frame.seg, frame.mac - VNET,
                VNET + EthernetView.HEADER_LENGTH + headerLength + TcpView.MIN_HEADER_LENGTH);
    }

    /** The handshake's last ACK to the real server (client-side numbers; the inbound path shifts them). */
    private int ackToServer(int slot, int seq, int clientSideAck, int clientScale, long nowMs) {
        long m = takeScratchFrame();
        if (m < 0) {
            return drop(DropReason.TX_FAILED);
        }
        int window = 0xffff >>> Math.max(0, clientScale); // 64 KiB until the client's next segment says more
        int length = synProxy.write(scratch, m, 0L, conns.clientMac(slot), conns.clientIp(slot), conns.vip(slot),
                conns.clientPort(slot), conns.vport(slot), seq, clientSideAck, TcpView.ACK, window,
                xmitContext.nextIpId(), false, 0, false, -1);
        return inboundMade(m, length, slot, TcpView.ACK, nowMs);
    }

    /** {@link #proxyWait}: frames of {@code slot} may go once it no longer waits for its real server. */
    private boolean proxyAnswered(int ifindex, long hi, long slot) {
        int s = (int) slot;
        return !conns.isLive(s) || (conns.flags(s) & SynProxy.AWAIT) == 0;
    }

    /** A scratch frame with headroom (FULLNAT's TOA moves the headers forward); returns its Ethernet offset. */
    private long takeScratchFrame() {
        long f = takeScratch();
        if (f < 0) {
            return -1;
        }
        long vnet = f + Frame.HEADROOM;
        scratch.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, vnet, 0L);
        scratch.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, vnet + 8, (short) 0);
        return vnet + VNET;
    }

    /**
     * sloppy_tcp (IPVS's sysctl): schedule a TCP segment that finds no connection even without SYN, so a
     * flow that the routers' ECMP moved here from another director continues (mh and sh pick the same
     * real server everywhere). A RST never starts a connection. Set before the worker starts.
     */
    public void sloppyTcp(boolean on) {
        this.sloppyTcp = on;
    }

    /**
     * expire_nodest_conn (IPVS's sysctl, default off): a connection whose real server was deleted is expired
     * when its next packet comes, and that packet is handled as new (a SYN is scheduled, anything else finds
     * no connection); a SYN on a connection whose real server has weight 0 starts a new connection too; and
     * deleting a real server expires its connections at once (the kernel's {@code expire_nodest_conn_flush}).
     * Off, such packets are dropped ({@code dest_unavailable}) until the connection times out. Set before the
     * worker starts.
     */
    public void expireNodestConn(boolean on) {
        this.expireNodestConn = on;
        v6.expireNodestConn(on);
    }

    /** The connection's real server is still configured with a weight above 0. */
    private boolean destUsable(int slot) {
        DestRuntime d = config.dest(conns.destId(slot));
        return d != null && d.weight() > 0;
    }

    /** expire_nodest_conn: connections (not templates) of real servers that {@code next} no longer has go now. */
    private void flushDeletedDests(DataplaneConfig prev, DataplaneConfig next) {
        boolean any = false;
        for (DestRuntime d : prev.destsById()) {
            if (d != null && next.dest(d.destId()) == null) {
                gone[d.destId()] = true;
                any = true;
            }
        }
        if (!any) {
            return;
        }
        conns.forEach(flushGone);
        java.util.Arrays.fill(gone, false);
    }

    private final io.jlvs.conn.SlotVisitor flushGone = this::expireIfDestGone;

    private void expireIfDestGone(int slot) {
        int flags = conns.flags(slot);
        if ((flags & ConnectionFlags.TEMPLATE) == 0 && (conns.protocol(slot) & (ALIAS_PROTO | TEMPLATE_PROTO)) == 0
                && gone[conns.destId(slot)]) {
            expireNow(slot);
        }
    }

    /** conn_reuse_mode=1: a SYN on a TIME_WAIT or CLOSE connection starts a new one. */
    private boolean reusable(int slot) {
        int state = conns.state(slot);
        return conns.protocol(slot) == Ipv4View.PROTO_TCP
                && (state == TcpState.TIME_WAIT || state == TcpState.CLOSE);
    }

    private int schedule(ServiceRuntime svc, int proto, int src, int sport, int dst, int dport,
                         int inIfindex, long clientMac, long nowMs) {
        flowSrc = src;
        flowDst = dst;
        flowSport = sport;
        flowDport = dport;
        flowNowMs = nowMs;
        destView.service = svc;
        DestRuntime d;
        int template = -1;
        if (svc.persistent()) {
            template = persistenceTemplate(svc, proto, src, dst, dport, nowMs);
            if (template < 0) {
                return -1;
            }
            d = config.dest(conns.destId(template));
        } else {
            int i = forcedDest >= 0 ? forcedDest : schedStates[svc.serviceId()].schedule(destView, this);
            if (i < 0) {
                noDestination();
                return -1;
            }
            d = svc.dests()[i];
        }
        int flags = d.method() | ConnectionFlags.INACTIVE;
        if (d.method() != ConnectionFlags.FWD_MASQ && d.method() != ConnectionFlags.FWD_FULLNAT) {
            flags |= ConnectionFlags.NOOUTPUT; // the director sees no replies
        }
        if (svc.onePacket() && proto == Ipv4View.PROTO_UDP) {
            flags |= ConnectionFlags.ONE_PACKET;
        }
        // the real server's port when the packet came to the service's port; else the packet's (fwmark, port 0)
        int rport = d.port() != 0 && dport == svc.vport() ? d.port() : dport;
        int slot = conns.create(proto, src, sport, dst, dport, d.ipv4(), rport, flags, inIfindex, clientMac,
                d.destId(), svc.serviceId(), nowMs);
        if (slot < 0) {
            drop(DropReason.CONN_TABLE_FULL);
            return -1;
        }
        if (d.method() == ConnectionFlags.FWD_FULLNAT && !bindLocal(svc, slot, proto, d.ipv4(), rport, nowMs)) {
            conns.remove(slot);
            return -1;
        }
        bindDest(d);
        counters.addDest(d.destId(), WorkerCounters.CONNS, 1);
        counters.addService(svc.serviceId(), WorkerCounters.CONNS, 1);
        if (template >= 0) {
            // the connection is controlled by the template: it lives at least as long, re-armed on every new one
            conns.clientMac(template, conns.clientMac(template) + 1);
            conns.touch(template, nowMs, templateTimeoutMs(template));
        }
        return slot;
    }

    /**
     * FULLNAT: gives the connection a local address (round robin over the service's pool) and a free
     * port of it, and files a reply alias so the real server's answer to laddr:lport finds it.
     */
    private boolean bindLocal(ServiceRuntime svc, int slot, int proto, int rip, int rport, long nowMs) {
        int[] pool = svc.localAddresses();
        for (int tries = 0; tries < pool.length; tries++) {
            int laddr = pool[Math.floorMod(localCursor++, pool.length)];
            int lport = localPorts.allocate(laddr);
            if (lport < 0) {
                continue;
            }
            int alias = conns.create(ALIAS_PROTO | proto, rip, rport, laddr, lport, slot, 0, ConnectionFlags.FWD_FULLNAT,
                    0, 0L, conns.destId(slot), svc.serviceId(), nowMs);
            if (alias < 0) {
                localPorts.release(laddr, lport);
                drop(DropReason.CONN_TABLE_FULL);
                return false;
            }
            conns.touch(alias, nowMs, ALIAS_REARM_MS);
            xmitContext.local(slot, laddr, lport);
            return true;
        }
        drop(DropReason.NO_LOCAL_PORT);
        return false;
    }

    /** Aliases are re-armed this far ahead while their connection lives (checked lazily at expiry). */
    private static final long ALIAS_REARM_MS = 600_000;

    /** Template key protocol: the connection's protocol with the high bit set, so no real flow can match it. */
    private static int templateProtocol(ServiceRuntime svc, int proto) {
        return TEMPLATE_PROTO | (svc.fwmark() != 0 ? 0 : proto);
    }

    /**
     * IPVS persistence (ip_vs_sched_persist): one template per (client network, service); while it lives,
     * new connections of that client go to its real server without asking the scheduler. Returns the
     * template's slot, or -1 (counted) when no real server can be had.
     *
     * <p>Template record use: clientIp = client network, clientPort 0, vip/vport = service (fwmark: the mark,
     * port 0), realIp/realPort = real server, clientMac = number of controlled connections, inIfindex =
     * its timeout in seconds, state = 0 NONE / 1 ASSURED.
     */
    private int persistenceTemplate(ServiceRuntime svc, int proto, int src, int dst, int dport, long nowMs) {
        int snet = src & svc.netmask();
        int tproto = templateProtocol(svc, proto);
        int tvip = svc.fwmark() != 0 ? svc.fwmark() : dst;
        int tvport = svc.fwmark() != 0 || svc.vport() == 0 ? 0 : dport;
        int t = conns.lookupIn(tproto, snet, 0, tvip, tvport);
        if (t >= 0) {
            DestRuntime td = config.dest(conns.destId(t));
            if (td != null && inService(svc, td)) {
                return t;
            }
            expireNow(t); // its real server left the service: schedule again
        }
        int i = schedStates[svc.serviceId()].schedule(destView, this);
        if (i < 0) {
            noDestination();
            return -1;
        }
        DestRuntime d = svc.dests()[i];
        int templatePort = svc.fwmark() != 0 || svc.vport() == 0 ? 0 : d.port();
        t = conns.create(tproto, snet, 0, tvip, tvport, d.ipv4(), templatePort,
                ConnectionFlags.TEMPLATE | d.method(), Math.min(svc.persistTimeoutS(), 0xffff), 0L, d.destId(),
                svc.serviceId(), nowMs);
        if (t < 0) {
            drop(DropReason.CONN_TABLE_FULL);
            return -1;
        }
        conns.state(t, TEMPLATE_NONE);
        conns.touch(t, nowMs, templateTimeoutMs(t));
        counters.addDest(d.destId(), WorkerCounters.PERSIST, 1);
        loadChanged(d.destId());
        return t;
    }

    private long templateTimeoutMs(int template) {
        return conns.inIfindex(template) * 1000L;
    }

    private static boolean inService(ServiceRuntime svc, DestRuntime d) {
        for (DestRuntime x : svc.dests()) {
            if (x == d) {
                return true;
            }
        }
        return false;
    }

    /** The template controlling a connection of a persistent service, or -1. */
    private int templateOf(int slot) {
        ServiceRuntime svc = config.serviceById(conns.serviceId(slot));
        if (svc == null || !svc.persistent()) {
            return -1;
        }
        int proto = conns.protocol(slot);
        return conns.lookupIn(templateProtocol(svc, proto), conns.clientIp(slot) & svc.netmask(), 0,
                svc.fwmark() != 0 ? svc.fwmark() : conns.vip(slot),
                svc.fwmark() != 0 || svc.vport() == 0 ? 0 : conns.vport(slot));
    }

    /** A new connection counts as inactive first (it has not made its first transition yet). */
    private void bindDest(DestRuntime d) {
        counters.addDest(d.destId(), WorkerCounters.INACTIVE, 1);
        if (d.upperThreshold() != 0 && totalConns(d.destId()) >= d.upperThreshold()) {
            overloaded[d.destId()] = true;
        }
        loadChanged(d.destId());
    }

    /**
     * Expiry: the connection leaves its real server's counts; the overload flag may clear; its template
     * controls one fewer. A template that still controls connections is kept for another 60 s (its timeout
     * from then on), as IPVS does.
     */
    private void unbindDest(int slot) {
        int destId = conns.destId(slot);
        int flags = conns.flags(slot);
        if ((flags & SynFloodGuard.HALF_OPEN) != 0) {
            synGuard.release();
        }
        if ((conns.protocol(slot) & ALIAS_PROTO) != 0) {
            int primary = conns.realIp(slot);
            if (conns.isLive(primary) && (conns.flags(primary) & ConnectionFlags.FWD_MASK) == ConnectionFlags.FWD_FULLNAT
                    && xmitContext.localPort(primary) == conns.vport(slot)
                    && xmitContext.localIp(primary) == conns.vip(slot)) {
                conns.touch(slot, expiryNowMs, ALIAS_REARM_MS); // its connection lives: keep it
            }
            return;
        }
        if ((flags & ConnectionFlags.FWD_MASK) == ConnectionFlags.FWD_FULLNAT && (flags & ConnectionFlags.TEMPLATE) == 0) {
            int laddr = xmitContext.localIp(slot);
            int lport = xmitContext.localPort(slot);
            int alias = conns.lookupIn(ALIAS_PROTO | conns.protocol(slot), conns.realIp(slot), conns.realPort(slot),
                    laddr, lport);
            if (alias >= 0) {
                conns.remove(alias);
            }
            localPorts.release(laddr, lport);
        }
        if ((flags & ConnectionFlags.TEMPLATE) != 0) {
            if (conns.clientMac(slot) > 0) {
                conns.inIfindex(slot, TEMPLATE_KEEP_S);
                conns.touch(slot, expiryNowMs, TEMPLATE_KEEP_S * 1000L);
                return;
            }
            counters.addDest(destId, WorkerCounters.PERSIST, -1);
            loadChanged(destId);
            return;
        }
        int template = templateOf(slot);
        if (template >= 0 && conns.clientMac(template) > 0) {
            conns.clientMac(template, conns.clientMac(template) - 1);
        }
        boolean inactive = (flags & ConnectionFlags.INACTIVE) != 0;
        counters.addDest(destId, inactive ? WorkerCounters.INACTIVE : WorkerCounters.ACTIVE, -1);
        unloaded(destId);
        loadChanged(destId);
    }

    /** The overload flag clears as IPVS clears it: below -y, else below 3/4 of -x, else at once. */
    private void unloaded(int destId) {
        DestRuntime d = config.dest(destId);
        if (d == null || !overloaded[destId]) {
            return;
        }
        long total = totalConns(destId);
        if (d.lowerThreshold() != 0) {
            if (total < d.lowerThreshold()) {
                overloaded[destId] = false;
            }
        } else if (d.upperThreshold() != 0) {
            if (total * 4 < d.upperThreshold() * 3L) {
                overloaded[destId] = false;
            }
        } else {
            overloaded[destId] = false;
        }
    }

    /**
     * A real server's active or inactive count, persistent count or overload flag changed: its service's
     * scheduler state re-ranks it (constant-time least-load choices; see {@link DestinationView#notifiesChanges}).
     */
    private void loadChanged(int destId) {
        ServiceRuntime s = destId < serviceOfDest.length ? serviceOfDest[destId] : null;
        if (s == null) {
            return; // a deleted server whose connections live on: no list holds it
        }
        ServiceRuntime scheduling = destView.service; // a change may come in the middle of a scheduling step
        destView.service = s;
        schedStates[s.serviceId()].destChanged(destView, indexOfDest[destId]);
        destView.service = scheduling;
    }

    private long totalConns(int destId) {
        return counters.dest(destId, WorkerCounters.ACTIVE) + counters.dest(destId, WorkerCounters.INACTIVE);
    }

    /** Removes a connection at once (reuse, one-packet, an invalid template): counts released, template kept. */
    private void expireNow(int slot) {
        if ((conns.flags(slot) & ConnectionFlags.TEMPLATE) != 0) {
            counters.addDest(conns.destId(slot), WorkerCounters.PERSIST, -1);
            loadChanged(conns.destId(slot));
        } else {
            unbindDest(slot);
        }
        conns.remove(slot);
    }

    /**
     * Runs the TCP state machine and re-arms the idle timer (IPVS: before transmission). {@code halfOpen}:
     * the caller's read of the entry's {@link SynFloodGuard#HALF_OPEN} flag, which nothing here changes
     * (one off-heap read fewer per packet).
     */
    private void transition(int slot, int proto, int direction, int tcpFlags, boolean halfOpen, long nowMs) {
        int state = conns.state(slot);
        if (proto == Ipv4View.PROTO_TCP) {
            int next = TcpStateMachine.next(direction, tcpFlags, state);
            if (next != state) {
                conns.state(slot, next);
                int flags = conns.flags(slot);
                boolean inactive = (flags & ConnectionFlags.INACTIVE) != 0;
                boolean active = TcpState.isActive(next);
                int destId = conns.destId(slot);
                if (inactive && active) {
                    conns.flags(slot, flags & ~ConnectionFlags.INACTIVE);
                    counters.addDest(destId, WorkerCounters.INACTIVE, -1);
                    counters.addDest(destId, WorkerCounters.ACTIVE, 1);
                } else if (!inactive && !active) {
                    conns.flags(slot, flags | ConnectionFlags.INACTIVE);
                    counters.addDest(destId, WorkerCounters.ACTIVE, -1);
                    counters.addDest(destId, WorkerCounters.INACTIVE, 1);
                }
                if (inactive == active) {
                    loadChanged(destId);
                }
                state = next;
                if (next == TcpState.ESTABLISHED) {
                    assure(slot);
                }
            }
        } else if (direction == TcpStateMachine.OUTPUT) {
            assure(slot); // a UDP reply
        }
        long timeoutMs = timeouts.timeoutMs(proto, state);
        if (halfOpen) {
            timeoutMs = synGuard.timeoutMs(conns, slot, direction != TcpStateMachine.OUTPUT, timeoutMs);
            if (timeoutMs < 0) {
                return;
            }
        }
        conns.touch(slot, nowMs, timeoutMs);
    }

    /**
     * The way back to a synced connection's client (see {@link ClientRoutes}): its interface and next hop's
     * MAC are stored in the connection once resolved; until then the reply waits in {@link NeighbourWait}
     * while the next hop is solicited (a backup already solicits it when the connection is installed).
     */
    private int clientPath(int slot, long nowMs) {
        ClientRoutes routes = config.clientRoutes();
        int client = conns.clientIp(slot);
        int route = routes.lookup(client);
        if (route < 0) {
            return drop(DropReason.NO_ROUTE);
        }
        int ifindex = routes.ifindex(route);
        int nextHop = routes.nextHop(route, client);
        long mac = neighbours.lookup(ifindex, nextHop);
        if (mac == NeighbourTable.UNRESOLVED) {
            neighbours.want(ifindex, nextHop);
            solicit(ifindex, nextHop, nowMs);
            return waitForNeighbour(ifindex, nextHop, nowMs);
        }
        conns.inIfindex(slot, ifindex);
        conns.clientMac(slot, mac);
        return FORWARDED;
    }

    /**
     * Holds the frame being handled, untouched, until {@code nextHop} resolves ({@link NeighbourWait});
     * drops it when the wait queue is full.
     */
    private int waitForNeighbour(int ifindex, int nextHop, long nowMs) {
        if (neighbourWait.hold(frame.seg, frame.mac - VNET, frame.snapLen + VNET, frame.inIfindex, ifindex, 0L,
                nextHop & 0xffffffffL, nowMs)) {
            return HELD;
        }
        return drop(DropReason.NEIGHBOUR_UNRESOLVED);
    }

    private boolean isResolved(int ifindex, long hi, long lo) {
        return neighbours.lookup(ifindex, (int) lo) != NeighbourTable.UNRESOLVED;
    }

    /** Handles a frame again whose next hop has resolved meanwhile, as if it arrived now. */
    private void replayHeld(MemorySegment seg, long mac, int snapLen, int ifindex) {
        process(seg, mac, snapLen, snapLen, ifindex, lastNowMs);
    }

    /** Marks the connection's persistence template ASSURED (a controlled connection got established). */
    private void assure(int slot) {
        int t = templateOf(slot);
        if (t >= 0) {
            conns.state(t, TEMPLATE_ASSURED);
        }
    }

    private int inbound(MemorySegment seg, long mac, int snapLen, int wireLen, int slot, int proto,
                        int tcpFlags, long nowMs) {
        int flags = conns.flags(slot);
        if ((flags & SynProxy.AWAIT) != 0 && (tcpFlags & TcpView.SYN) == 0) {
            return clientWhileAwaiting(slot, tcpFlags, nowMs);
        }
        DestRuntime d = config.dest(conns.destId(slot));
        if (d == null) {
            return drop(DropReason.DEST_UNAVAILABLE);
        }
        long nextHopMac = neighbours.lookup(d.outIfindex(), d.nextHopIpv4());
        if (nextHopMac == NeighbourTable.UNRESOLVED && d.outIfindex() > 0
                && d.outIfindex() < interfacesByIndex.length && interfacesByIndex[d.outIfindex()] != null) {
            // before any counter or state moves: the frame is handled as new once the MAC is known
            solicit(d.outIfindex(), d.nextHopIpv4(), nowMs);
            return waitForNeighbour(d.outIfindex(), d.nextHopIpv4(), nowMs);
        }
        int direction = (flags & ConnectionFlags.NOOUTPUT) != 0 ? TcpStateMachine.INPUT_ONLY : TcpStateMachine.INPUT;
        long bytes = wireLen - EthernetView.HEADER_LENGTH;
        counters.addDest(d.destId(), WorkerCounters.IN_PKTS, 1);
        counters.addDest(d.destId(), WorkerCounters.IN_BYTES, bytes);
        int serviceId = conns.serviceId(slot);
        counters.addService(serviceId, WorkerCounters.IN_PKTS, 1);
        counters.addService(serviceId, WorkerCounters.IN_BYTES, bytes);
        int stateBefore = conns.state(slot);
        transition(slot, proto, direction, tcpFlags, (flags & SynFloodGuard.HALF_OPEN) != 0, nowMs);
        xmitContext.handshakeAck = stateBefore == TcpState.SYN_RECV && conns.state(slot) == TcpState.ESTABLISHED
                && (tcpFlags & TcpView.SYN) == 0;
        if (conns.inIfindex(slot) == 0) {
            // installed from a sync message: learn where the client is from its first packet here
            conns.inIfindex(slot, frame.inIfindex);
            conns.clientMac(slot, eth.srcMac());
        }
        if (syncOut != null) {
            maybeSync(slot, proto, stateBefore);
        }
        if (d.outIfindex() == 0 || d.outIfindex() >= interfacesByIndex.length
                || interfacesByIndex[d.outIfindex()] == null) {
            return drop(DropReason.NO_ROUTE);
        }
        ServedInterface out = interfacesByIndex[d.outIfindex()];
        if (ip.ttl() <= 1) {
            icmpToSender(ICMP_TIME_EXCEEDED, 0, 0, ip.dstAddr()); // from the VIP, as IPVS's decrement_ttl
            return drop(DropReason.TTL_EXCEEDED);
        }
        ip.decrementTtl();
        xmitContext.nowMs = nowMs;
        if ((flags & SynProxy.PROXIED) != 0) {
            synProxy.toServer(frame.seg, frame.tcp, frame.partialChecksum(), slot, tcpFlags);
        }
        Xmit x = xmits[flags & ConnectionFlags.FWD_MASK];
        int r = x == null ? Xmit.drop(DropReason.NO_ROUTE) : x.toRealServer(frame, xmitContext, slot, d, out, nextHopMac);
        if (r == TunnelXmit.FRAG_NEEDED) {
            ip.ttl(ip.ttl() + 1); // quote the packet as the client sent it
            ip.updateHeaderChecksum();
            fragmentationNeeded(tunnel.lastMtu());
            return drop(DropReason.FRAG_NEEDED_SENT);
        }
        if (r < 0) {
            return drop(DropReason.ALL[-r - 1]);
        }
        if (r == Xmit.SEND) {
            sink.send(d.outIfindex(), frame.seg, frame.mac - VNET, frame.snapLen + VNET);
        }
        if ((flags & ConnectionFlags.ONE_PACKET) != 0) {
            expireNow(slot); // one-packet scheduling: the entry served this datagram only
        }
        return FORWARDED;
    }

    private int outbound(MemorySegment seg, long mac, int snapLen, int wireLen, int slot, int proto,
                         int tcpFlags, long nowMs) {
        int flags = conns.flags(slot);
        if ((flags & SynProxy.FLAGS) != 0) {
            int r = serverOfProxied(slot, flags, tcpFlags, nowMs);
            if (r != CONTINUE) {
                return r;
            }
            flags = conns.flags(slot);
        }
        if ((flags & ConnectionFlags.NOOUTPUT) != 0) {
            conns.flags(slot, flags & ~ConnectionFlags.NOOUTPUT);
        }
        if (conns.inIfindex(slot) == 0) {
            // installed from a sync message, and the client has sent nothing here yet: find it by route
            int r = clientPath(slot, nowMs);
            if (r != FORWARDED) {
                return r;
            }
        }
        int destId = conns.destId(slot);
        long bytes = wireLen - EthernetView.HEADER_LENGTH;
        counters.addDest(destId, WorkerCounters.OUT_PKTS, 1);
        counters.addDest(destId, WorkerCounters.OUT_BYTES, bytes);
        int serviceId = conns.serviceId(slot);
        counters.addService(serviceId, WorkerCounters.OUT_PKTS, 1);
        counters.addService(serviceId, WorkerCounters.OUT_BYTES, bytes);
        transition(slot, proto, TcpStateMachine.OUTPUT, tcpFlags, (flags & SynFloodGuard.HALF_OPEN) != 0, nowMs);
        int outIf = conns.inIfindex(slot);
        if (outIf >= interfacesByIndex.length || interfacesByIndex[outIf] == null) {
            return drop(DropReason.NO_ROUTE);
        }
        if (ip.ttl() <= 1) {
            ServedInterface in = inInterface();
            if (in != null) {
                icmpToSender(ICMP_TIME_EXCEEDED, 0, 0, in.ipv4()); // a routed reply: from the director's own address
            }
            return drop(DropReason.TTL_EXCEEDED);
        }
        ip.decrementTtl();
        xmitContext.nowMs = nowMs;
        if ((flags & SynProxy.PROXIED) != 0) {
            synProxy.toClient(frame.tcp, frame.partialChecksum(), slot);
        }
        Xmit x = xmits[flags & ConnectionFlags.FWD_MASK];
        int r = x == null ? Xmit.drop(DropReason.NAT_REPLY_NO_CONNECTION)
                : x.toClient(frame, xmitContext, slot, interfacesByIndex[outIf]);
        if (r < 0) {
            return drop(DropReason.ALL[-r - 1]);
        }
        sink.send(outIf, frame.seg, frame.mac - VNET, frame.snapLen + VNET);
        return FORWARDED;
    }

    private static final int ICMP_DEST_UNREACH = 3;
    private static final int ICMP_PORT_UNREACH = 3;
    private static final int ICMP_FRAG_NEEDED = 4;
    private static final int ICMP_TIME_EXCEEDED = 11;

    /**
     * The service has no usable real server: IPVS's {@code ip_vs_leave} answers ICMP port unreachable
     * from the VIP, for TCP and UDP alike, and drops the packet.
     */
    private void noDestination() {
        icmpToSender(ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0, ip.dstAddr());
        drop(DropReason.NO_DESTINATION);
    }

    /** ICMP "fragmentation needed" from the VIP, with the MTU the tunnel leaves (IPVS's icmp_send). */
    private void fragmentationNeeded(int mtu) {
        icmpToSender(ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, mtu & 0xffff, ip.dstAddr());
    }

    private ServedInterface inInterface() {
        return frame.inIfindex < interfacesByIndex.length ? interfacesByIndex[frame.inIfindex] : null;
    }

    /**
     * An ICMP error back to the sender of the frame being handled, out of the interface it came in on to
     * the L2 address it came from, quoting its IP header and first 8 bytes, as the kernel's icmp_send.
     * Rate-limited like the kernel's {@code icmp_msgs_per_sec}/{@code icmp_msgs_burst} (1000/s, burst
     * 50), so a flood to an empty service is not reflected; the drop is counted either way.
     * <pre>
     *  | Ethernet | IPv4 (from → sender, proto 1) | type | code | csum | rest of header (4) | quote |
     * </pre>
     */
    private void icmpToSender(int type, int code, int restOfHeader, int fromAddr) {
        ServedInterface in = inInterface();
        if (in == null || !icmpTokens.take(packetNowMs)) {
            return;
        }
        long f = takeScratch();
        if (f < 0) {
            return;
        }
        int quote = Math.min(ip.headerLength() + 8, ip.totalLength());
        int icmpLen = 8 + quote;
        long m = f + VNET;
        outEth.wrap(scratch, m);
        outEth.dstMac(eth.srcMac()).srcMac(in.mac()).etherType(EthernetView.ETHERTYPE_IPV4);
        long l3 = m + EthernetView.HEADER_LENGTH;
        outIp.wrap(scratch, l3);
        outIp.version(4).ihl(5).tos(0).totalLength(20 + icmpLen).identification(xmitContext.nextIpId())
                .flagsFragment(0).ttl(64).protocol(Ipv4View.PROTO_ICMP).srcAddr(fromAddr).dstAddr(ip.srcAddr());
        outIp.updateHeaderChecksum();
        long l4 = l3 + 20;
        MemorySegment.copy(frame.seg, frame.l3(), scratch, l4 + 8, quote);
        outIcmp.wrap(scratch, l4);
        outIcmp.type(type).code(code).restOfHeader(restOfHeader);
        outIcmp.updateChecksum(icmpLen);
        sink.send(frame.inIfindex, scratch, f, VNET + EthernetView.HEADER_LENGTH + 20 + icmpLen);
    }

    // ---------------------------------------------------------------- fragments

    private final FragmentTable fragments = new FragmentTable(4096, 64);
    private final NeighbourWait neighbourWait = new NeighbourWait(8);
    private final NeighbourWait.Resolved resolved = this::isResolved;
    private final FragmentTable.HeldVisitor replayHeld = this::replayHeld;
    private long lastNowMs;
    private final FragmentTable.HeldVisitor releaseHeld = this::forwardHeld;

    /** The first fragment went through connection {@code slot}: later ones follow it, held ones go now. */
    private void firstFragmentPlaced(int src, int dst, int proto, int ipId, int slot, boolean reply, long nowMs) {
        fragments.put(src, dst, proto, ipId, slot, reply, nowMs);
        fragments.release(src, dst, proto, ipId, nowMs, releaseHeld);
    }

    private void forwardHeld(MemorySegment seg, long mac, int snapLen, int ifindex) {
        frame.set(seg, mac, snapLen, snapLen, ifindex);
        ip.wrap(seg, mac + EthernetView.HEADER_LENGTH);
        laterFragment(lastNowMs);
    }

    /** A fragment after the first (no ports): sent where its first fragment went, or held until it comes. */
    private int laterFragment(long nowMs) {
        int src = ip.srcAddr();
        int dst = ip.dstAddr();
        int proto = ip.protocol();
        int id = ip.identification();
        int slot = fragments.lookup(src, dst, proto, id, nowMs);
        if (slot < 0 || !conns.isLive(slot)) {
            if (!config.isVip(dst) && !isNatRealServer(src)) {
                return ignore(); // someone else's datagram crossing the director: the kernel's
            }
            if (fragments.hold(frame.seg, frame.mac - VNET, frame.snapLen + VNET, src, dst, proto, id,
                    frame.inIfindex, nowMs)) {
                return HELD;
            }
            return drop(DropReason.FRAGMENT);
        }
        frame.proto = 0; // no transport header in this packet
        int flags = conns.flags(slot);
        long bytes = frame.wireLen - EthernetView.HEADER_LENGTH;
        if (fragments.lastReply()) {
            int outIf = conns.inIfindex(slot);
            if (outIf >= interfacesByIndex.length || interfacesByIndex[outIf] == null || ip.ttl() <= 1) {
                return drop(DropReason.NO_ROUTE);
            }
            counters.addDest(conns.destId(slot), WorkerCounters.OUT_PKTS, 1);
            counters.addDest(conns.destId(slot), WorkerCounters.OUT_BYTES, bytes);
            ip.decrementTtl();
            ip.srcAddrUpdate(conns.vip(slot));
            eth.dstMac(conns.clientMac(slot));
            eth.srcMac(interfacesByIndex[outIf].mac());
            sink.send(outIf, frame.seg, frame.mac - VNET, frame.snapLen + VNET);
            return FORWARDED;
        }
        DestRuntime d = config.dest(conns.destId(slot));
        if (d == null || d.outIfindex() >= interfacesByIndex.length || interfacesByIndex[d.outIfindex()] == null) {
            return drop(DropReason.DEST_UNAVAILABLE);
        }
        long nextHopMac = neighbours.lookup(d.outIfindex(), d.nextHopIpv4());
        if (nextHopMac == NeighbourTable.UNRESOLVED || ip.ttl() <= 1) {
            return drop(nextHopMac == NeighbourTable.UNRESOLVED ? DropReason.NEIGHBOUR_UNRESOLVED
                    : DropReason.TTL_EXCEEDED);
        }
        counters.addDest(d.destId(), WorkerCounters.IN_PKTS, 1);
        counters.addDest(d.destId(), WorkerCounters.IN_BYTES, bytes);
        ip.decrementTtl();
        ServedInterface out = interfacesByIndex[d.outIfindex()];
        int method = flags & ConnectionFlags.FWD_MASK;
        if (method == ConnectionFlags.FWD_MASQ) {
            ip.dstAddrUpdate(conns.realIp(slot));
        } else if (method == ConnectionFlags.FWD_TUNNEL) {
            int r = tunnel.toRealServer(frame, xmitContext, slot, d, out, nextHopMac);
            if (r != Xmit.SEND) {
                return drop(r < 0 ? DropReason.ALL[-r - 1] : DropReason.TOO_BIG);
            }
            sink.send(d.outIfindex(), frame.seg, frame.mac - VNET, frame.snapLen + VNET);
            return FORWARDED;
        }
        eth.dstMac(nextHopMac);
        eth.srcMac(out.mac());
        sink.send(d.outIfindex(), frame.seg, frame.mac - VNET, frame.snapLen + VNET);
        return FORWARDED;
    }

    private boolean isNatRealServer(int ipv4) {
        for (DestRuntime d : config.destsById()) {
            if (d != null && d.ipv4() == ipv4 && d.method() == ConnectionFlags.FWD_MASQ) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- ICMP errors

    private final Ipv4View quotedIp = new Ipv4View();
    private final io.jlvs.packet.IcmpView icmpIn = new io.jlvs.packet.IcmpView();

    /**
     * ICMP errors that quote a tracked flow (ip_vs_in_icmp / ip_vs_out_icmp): types 3, 4 and 11. The
     * quoted packet went the other way, so a client's error about a reply (quoting VIP → client) is
     * looked up inbound and goes to the real server; a NAT real server's error about a forwarded packet
     * (quoting client → real server) is looked up outbound and goes to the client. NAT rewrites the
     * outer and the quoted addresses and port, the quoted IP checksum, the outer IP checksum and the
     * whole ICMP checksum (the quoted transport checksum is left alone, as the kernel does). Other
     * methods forward the error unchanged to the connection's real server. Anything else is left to
     * the kernel (echo) or dropped and counted.
     */
    private int icmp(long nowMs) {
        long l4 = frame.l4();
        int icmpLen = ip.totalLength() - ip.headerLength();
        if (io.jlvs.packet.IcmpView.validate(frame.seg, l4, icmpLen) != PacketError.OK) {
            return drop(DropReason.TRUNCATED_ICMP);
        }
        icmpIn.wrap(frame.seg, l4);
        int type = icmpIn.type();
        if (type != 3 && type != 4 && type != 11) {
            return ignore();
        }
        long q = l4 + 8;
        if (icmpLen < 8 + Ipv4View.MIN_HEADER_LENGTH + 8) {
            return drop(DropReason.ICMP_UNRELATED);
        }
        quotedIp.wrap(frame.seg, q);
        int qhl = quotedIp.headerLength();
        int qproto = quotedIp.protocol();
        if (quotedIp.version() != 4 || qhl < 20 || icmpLen < 8 + qhl + 8
                || (qproto != Ipv4View.PROTO_TCP && qproto != Ipv4View.PROTO_UDP)) {
            return drop(DropReason.ICMP_UNRELATED);
        }
        long qp = q + qhl; // quoted ports: first 4 bytes of TCP and UDP alike
        int qsport = Short.toUnsignedInt(frame.seg.get(NET_SHORT, qp));
        int qdport = Short.toUnsignedInt(frame.seg.get(NET_SHORT, qp + 2));
        int qsrc = quotedIp.srcAddr();
        int qdst = quotedIp.dstAddr();
        // from the client side: the quoted packet was VIP → client
        int slot = conns.lookupIn(qproto, qdst, qdport, qsrc, qsport);
        if (slot >= 0) {
            DestRuntime d = config.dest(conns.destId(slot));
            if (d == null || d.outIfindex() >= interfacesByIndex.length || interfacesByIndex[d.outIfindex()] == null) {
                return drop(DropReason.DEST_UNAVAILABLE);
            }
            long nextHopMac = neighbours.lookup(d.outIfindex(), d.nextHopIpv4());
            if (nextHopMac == NeighbourTable.UNRESOLVED || ip.ttl() <= 1) {
                return drop(nextHopMac == NeighbourTable.UNRESOLVED ? DropReason.NEIGHBOUR_UNRESOLVED
                        : DropReason.TTL_EXCEEDED);
            }
            ip.decrementTtl();
            ServedInterface out = interfacesByIndex[d.outIfindex()];
            if ((conns.flags(slot) & ConnectionFlags.FWD_MASK) == ConnectionFlags.FWD_MASQ) {
                int rip = conns.realIp(slot);
                quotedIp.srcAddrUpdate(rip);
                frame.seg.set(NET_SHORT, qp, (short) conns.realPort(slot));
                if (qproto == Ipv4View.PROTO_TCP && (conns.flags(slot) & SynProxy.PROXIED) != 0) {
                    // the quoted reply carried the client-side sequence number; the real server checks its own
                    frame.seg.set(NET_INT, qp + 4, frame.seg.get(NET_INT, qp + 4) + synProxy.delta(slot));
                }
                ip.dstAddrUpdate(rip);
                icmpIn.updateChecksum(icmpLen);
            } else if ((conns.flags(slot) & ConnectionFlags.FWD_MASK) != ConnectionFlags.FWD_DROUTE) {
                return drop(DropReason.ICMP_UNRELATED); // tunnels: the error would need encapsulating
            }
            eth.dstMac(nextHopMac);
            eth.srcMac(out.mac());
            sink.send(d.outIfindex(), frame.seg, frame.mac - VNET, frame.snapLen + VNET);
            return FORWARDED;
        }
        // from a NAT real server: the quoted packet was client → real server
        slot = conns.lookupOut(qproto, qdst, qdport, qsrc, qsport);
        if (slot >= 0 && (conns.flags(slot) & ConnectionFlags.FWD_MASK) == ConnectionFlags.FWD_MASQ) {
            int outIf = conns.inIfindex(slot);
            if (outIf >= interfacesByIndex.length || interfacesByIndex[outIf] == null || ip.ttl() <= 1) {
                return drop(DropReason.NO_ROUTE);
            }
            ip.decrementTtl();
            int vip = conns.vip(slot);
            quotedIp.dstAddrUpdate(vip);
            frame.seg.set(NET_SHORT, qp + 2, (short) conns.vport(slot));
            ip.srcAddrUpdate(vip);
            icmpIn.updateChecksum(icmpLen);
            eth.dstMac(conns.clientMac(slot));
            eth.srcMac(interfacesByIndex[outIf].mac());
            sink.send(outIf, frame.seg, frame.mac - VNET, frame.snapLen + VNET);
            return FORWARDED;
        }
        if (config.isVip(ip.dstAddr()) || isLocal(ip.dstAddr())) {
            return ignore(); // about the director's own traffic: the kernel's
        }
        return drop(DropReason.ICMP_UNRELATED);
    }

    private static final java.lang.foreign.ValueLayout.OfShort NET_SHORT =
            java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);
    private static final java.lang.foreign.ValueLayout.OfInt NET_INT =
            java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);

    // ---------------------------------------------------------------- connection sync

    /** Starts (ring) or stops (null) sending connection states to a sync master daemon. */
    public void syncTo(io.jlvs.sync.SyncRing ring) {
        this.syncOut = ring;
        v6.syncTo(ring);
    }

    /** The master's decision ({@link SyncPolicy#needed}), for the connection and its template. */
    private void maybeSync(int slot, int proto, int stateBefore) {
        int pkts = conns.incrementInPkts(slot);
        int flags = conns.flags(slot);
        boolean send = SyncPolicy.needed(proto, flags, stateBefore, conns.state(slot), pkts);
        if (send) {
            pushSync(slot);
        }
        int t = templateOf(slot);
        if (t >= 0 && (send || (flags & ConnectionFlags.ONE_PACKET) != 0)) {
            pushSync(t);
        }
    }

    private void pushSync(int slot) {
        int flags = conns.flags(slot);
        if ((flags & SynProxy.AWAIT) != 0) {
            return; // the real server has not answered: nothing a backup could carry on
        }
        boolean template = (flags & ConnectionFlags.TEMPLATE) != 0;
        ServiceRuntime svc = config.serviceById(conns.serviceId(slot));
        int fwmark = svc == null ? 0 : svc.fwmark();
        int proto = conns.protocol(slot) & 0x7f;
        long timeoutMs = template ? templateTimeoutMs(slot) : timeouts.timeoutMs(proto, conns.state(slot));
        // a SYN-proxied connection travels with its shift as the kernel's out_seq (IPVS_OPT_SEQ_DATA)
        boolean proxied = (flags & SynProxy.PROXIED) != 0;
        syncOut.offer(false, proto, SyncPolicy.wireFlags(flags) | (proxied ? ConnectionFlags.OUT_SEQ : 0),
                conns.state(slot), conns.clientPort(slot), conns.vport(slot), conns.realPort(slot), fwmark,
                (int) (timeoutMs / 1000), 0L, Integer.toUnsignedLong(conns.clientIp(slot)), 0L,
                Integer.toUnsignedLong(conns.vip(slot)), 0L, Integer.toUnsignedLong(conns.realIp(slot)),
                proxied ? -synProxy.delta(slot) : 0);
    }

    /** A backup that (re)starts asks for everything: every live connection and template goes out. */
    public void syncAll() {
        if (syncOut == null) {
            return;
        }
        conns.forEach(slot -> {
            if (SyncPolicy.inFullSync(conns.protocol(slot), conns.flags(slot), conns.state(slot))) {
                pushSync(slot);
            }
        });
        v6.syncAll();
    }

    /**
     * Installs a connection a master sent (ip_vs_proc_conn): the service by fwmark or (protocol, VIP,
     * port), the real server by address and port. An existing entry with another real server is replaced
     * only by an active message; otherwise state, INACTIVE and the timer follow the message.
     */
    public void install(io.jlvs.sync.SyncEntry e, long nowMs) {
        if (e.ipv6()) {
            v6.install(e, nowMs);
            return;
        }
        boolean template = (e.flags() & ConnectionFlags.TEMPLATE) != 0;
        ServiceRuntime svc = e.fwmark() != 0 ? config.serviceByFwmark(e.fwmark())
                : config.service(e.protocol(), e.vaddr(), e.vport());
        if (svc == null && template) {
            svc = config.service(e.protocol(), e.vaddr(), 0);
        }
        if (svc == null) {
            counters.drop(DropReason.SYNC_NO_SERVICE);
            return;
        }
        DestRuntime d = null;
        for (DestRuntime x : svc.dests()) {
            if (x.ipv4() == e.daddr() && (x.port() == e.dport() || x.port() == 0 || template)) {
                d = x;
                break;
            }
        }
        if (d == null) {
            counters.drop(DropReason.SYNC_NO_SERVICE);
            return;
        }
        int proto = template ? TEMPLATE_PROTO | e.protocol() : e.protocol();
        boolean inactive = (e.flags() & ConnectionFlags.INACTIVE) != 0;
        int slot = conns.lookupIn(proto, e.caddr(), e.cport(), e.vaddr(), e.vport());
        if (slot >= 0 && (conns.realIp(slot) != e.daddr() || conns.realPort(slot) != e.dport())) {
            if (inactive) {
                return;
            }
            expireNow(slot);
            slot = -1;
        }
        if (slot < 0) {
            int flags = SyncPolicy.newEntryFlags(d.method(), template);
            slot = conns.create(proto, e.caddr(), e.cport(), e.vaddr(), e.vport(), e.daddr(), e.dport(), flags, 0, 0L,
                    d.destId(), svc.serviceId(), nowMs);
            if (slot < 0) {
                counters.drop(DropReason.CONN_TABLE_FULL);
                return;
            }
            if (template) {
                conns.inIfindex(slot, Math.max(1, Math.min(e.timeoutS(), 0xffff)));
                counters.addDest(d.destId(), WorkerCounters.PERSIST, 1);
                loadChanged(d.destId());
            } else {
                bindDest(d);
            }
        }
        conns.state(slot, e.state());
        if (!template) {
            conns.flags(slot, SyncPolicy.followInactive(conns.flags(slot), inactive, counters, d.destId()));
            if ((e.flags() & ConnectionFlags.OUT_SEQ) != 0) {
                synProxy.ensureCapacity(conns.capacity()); // opened by the master's SYN proxy: keep shifting
                synProxy.synced(slot, -e.outSeqDelta());
                conns.flags(slot, conns.flags(slot) | SynProxy.PROXIED);
            }
            loadChanged(d.destId());
            conns.inPkts(slot, SyncPolicy.THRESHOLD);
            if ((d.method() == ConnectionFlags.FWD_MASQ || d.method() == ConnectionFlags.FWD_FULLNAT)
                    && conns.inIfindex(slot) == 0) {
                resolveClientPathAhead(e.caddr(), nowMs);
            }
        }
        conns.touch(slot, nowMs, SyncPolicy.timeoutMs(e, template, timeouts));
    }

    /**
     * A backup resolves the next hop toward a synced NAT connection's client while it still is a backup:
     * after a takeover the real server's retransmission is often the first packet of the flow here, and
     * dropping it while ARP runs would cost the flow a doubled retransmission timeout (seconds).
     */
    private void resolveClientPathAhead(int client, long nowMs) {
        ClientRoutes routes = config.clientRoutes();
        int route = routes.lookup(client);
        if (route < 0) {
            return;
        }
        int ifindex = routes.ifindex(route);
        int nextHop = routes.nextHop(route, client);
        if (neighbours.want(ifindex, nextHop)) {
            solicit(ifindex, nextHop, nowMs);
        }
    }

    // ---------------------------------------------------------------- ARP

    private int arp(MemorySegment seg, long mac, int snapLen, int inIfindex, long nowMs) {
        long l3 = mac + EthernetView.HEADER_LENGTH;
        if (ArpView.validate(seg, l3, snapLen - EthernetView.HEADER_LENGTH) != PacketError.OK) {
            return drop(DropReason.TRUNCATED_ARP);
        }
        arp.wrap(seg, l3);
        if (!arp.isEthernetIpv4()) {
            return ignore();
        }
        neighbours.learn(inIfindex, arp.senderIp(), arp.senderMac(), nowMs);
        if (arp.oper() != ArpView.OP_REQUEST || !config.isVip(arp.targetIp())
                || inIfindex >= interfacesByIndex.length || interfacesByIndex[inIfindex] == null) {
            return ignore();
        }
        long ourMac = interfacesByIndex[inIfindex].mac();
        long frame = takeScratch();
        if (frame < 0) {
            return drop(DropReason.TX_FAILED);
        }
        long replyMac = frame + VNET;
        writeArp(replyMac, ArpView.OP_REPLY, ourMac, arp.targetIp(), arp.senderMac(), arp.senderIp(),
                arp.senderMac());
        sink.send(inIfindex, scratch, frame, VNET + EthernetView.HEADER_LENGTH + ArpView.LENGTH);
        return ANSWERED;
    }

    /** Sends an ARP request for {@code ipv4} out of {@code ifindex}, at most once a second per address. */
    public void solicit(int ifindex, int ipv4, long nowMs) {
        if (ifindex >= interfacesByIndex.length || interfacesByIndex[ifindex] == null
                || !neighbours.shouldSolicit(ifindex, ipv4, nowMs)) {
            return;
        }
        ServedInterface itf = interfacesByIndex[ifindex];
        long frame = takeScratch();
        if (frame < 0) {
            return;
        }
        writeArp(frame + VNET, ArpView.OP_REQUEST, itf.mac(), itf.ipv4(), 0L, ipv4, EthernetView.BROADCAST_MAC);
        sink.send(ifindex, scratch, frame, VNET + EthernetView.HEADER_LENGTH + ArpView.LENGTH);
    }

    private void writeArp(long mac, int op, long senderMac, int senderIp, long targetMac, int targetIp, long ethDst) {
        eth.wrap(scratch, mac);
        eth.dstMac(ethDst);
        eth.srcMac(senderMac);
        eth.etherType(EthernetView.ETHERTYPE_ARP);
        arp.wrap(scratch, mac + EthernetView.HEADER_LENGTH);
        arp.initEthernetIpv4(op);
        arp.senderMac(senderMac);
        arp.senderIp(senderIp);
        arp.targetMac(targetMac);
        arp.targetIp(targetIp);
    }

    private long takeScratch() {
        if (scratchUsed == SCRATCH_FRAMES) {
            return -1;
        }
        long off = (long) scratchUsed++ * SCRATCH_FRAME;
        scratch.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, off, 0L); // virtio_net_hdr: no offload
        scratch.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, off + 8, (short) 0);
        return off;
    }

    // ---------------------------------------------------------------- housekeeping

    /** After the worker flushed its transmit queues: scratch frames may be reused. */
    public void afterFlush() {
        scratchUsed = 0;
        v6.afterFlush();
        tunnel.afterFlush();
        for (int n = fragments.afterFlush(lastNowMs); n > 0; n--) {
            counters.drop(DropReason.FRAGMENT); // held, but its first fragment never came
        }
        for (int n = neighbourWait.afterFlush(lastNowMs); n > 0; n--) {
            counters.drop(DropReason.NEIGHBOUR_UNRESOLVED); // held, but the next hop never answered
        }
        for (int n = proxyWait.afterFlush(lastNowMs); n > 0; n--) {
            counters.drop(DropReason.SYN_PROXY_WAIT); // held, but the real server never answered
        }
    }

    /** Expires idle connections and keeps real servers' MACs resolved; call every few milliseconds. */
    public int housekeeping(long nowMs) {
        expiryNowMs = nowMs;
        lastNowMs = nowMs;
        int expired = conns.expire(nowMs, onExpire, EXPIRE_BUDGET) + v6.housekeeping(nowMs);
        if (neighbourWait.waiting() > 0) {
            neighbourWait.release(resolved, replayHeld);
        }
        if (proxyWait.waiting() > 0) {
            proxyWait.release(proxyAnswered, replayHeld);
        }
        for (DestRuntime d : config.destsById()) {
            if (d != null && d.outIfindex() != 0) {
                solicit(d.outIfindex(), d.nextHopIpv4(), nowMs);
            }
        }
        return expired;
    }

    private boolean isLocal(int ipv4) {
        for (ServedInterface i : config.interfaces()) {
            if (i.ipv4() == ipv4) {
                return true;
            }
        }
        return false;
    }

    private int drop(DropReason reason) {
        counters.drop(reason);
        return DROPPED;
    }

    private int ignore() {
        counters.addTotal(WorkerCounters.IGNORED_FRAMES, 1);
        return IGNORED;
    }

    // ---------------------------------------------------------------- FlowView

    @Override
    public int srcIpv4() {
        return flowSrc;
    }

    @Override
    public int dstIpv4() {
        return flowDst;
    }

    @Override
    public int srcPort() {
        return flowSport;
    }

    @Override
    public int dstPort() {
        return flowDport;
    }

    @Override
    public long nowMs() {
        return flowNowMs;
    }

    /** The scheduler's view of one service's real servers, over this worker's counters. */
    private final class DestView implements DestinationView {
        ServiceRuntime service;

        @Override
        public int count() {
            return service.dests().length;
        }

        @Override
        public int destId(int i) {
            return service.dests()[i].destId();
        }

        @Override
        public int forwardMethod(int i) {
            return service.dests()[i].method();
        }

        @Override
        public int weight(int i) {
            return service.dests()[i].weight();
        }

        @Override
        public boolean overloaded(int i) {
            return overloaded[service.dests()[i].destId()];
        }

        @Override
        public int activeConns(int i) {
            return (int) counters.dest(service.dests()[i].destId(), WorkerCounters.ACTIVE);
        }

        @Override
        public int inactiveConns(int i) {
            return (int) counters.dest(service.dests()[i].destId(), WorkerCounters.INACTIVE);
        }

        @Override
        public int persistentConns(int i) {
            return (int) counters.dest(service.dests()[i].destId(), WorkerCounters.PERSIST);
        }

        @Override
        public int serviceFlags() {
            return service.flags();
        }

        @Override
        public int serverIpv4(int i) {
            return service.dests()[i].ipv4(); // mh builds the kernel's permutation from address and port
        }

        @Override
        public int serverPort(int i) {
            return service.dests()[i].port();
        }

        @Override
        public boolean notifiesChanges() {
            return true; // every count and overload change goes through loadChanged
        }
    }

    /** Where forwarded and generated frames go: the worker's transmit queues, or a test's capture. */
    public interface FrameSink {
        /**
         * Queues {@code length} bytes at {@code offset} of {@code seg} (starting with the virtio_net_hdr)
         * for sending on {@code ifindex}; the memory stays valid until the worker flushes.
         */
        void send(int ifindex, MemorySegment seg, long offset, int length);
    }

    public void close() {
        fragments.close();
        neighbourWait.close();
        proxyWait.close();
        v6.close();
        v6.connections().close();
        tunnel.close();
        arena.close();
    }
}
