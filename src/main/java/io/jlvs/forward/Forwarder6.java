package io.jlvs.forward;

import io.jlvs.conn.ConnectionFlags;
import io.jlvs.conn.ConnectionTable6;
import io.jlvs.conn.ConnectionTimeouts;
import io.jlvs.conn.TcpState;
import io.jlvs.conn.TcpStateMachine;
import io.jlvs.neigh.NeighbourTable6;
import io.jlvs.packet.Checksum;
import io.jlvs.packet.EthernetView;
import io.jlvs.packet.Icmpv6View;
import io.jlvs.packet.Ipv6View;
import io.jlvs.packet.NeighborDiscoveryView;
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
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * One worker's IPv6 packet pipeline ({@code ip_vs_core.c} with {@code af = AF_INET6}), beside the IPv4 {@link
 * Forwarder} that hands it every frame of ethertype 0x86DD: classify, find or create the connection in the
 * worker's {@link ConnectionTable6}, run the same TCP state machine with the same timeouts, schedulers and
 * persistence, and rewrite the frame in place by the connection's method: DR (MACs and hop limit), NAT (destination,
 * and the source of replies), TUN (an outer IPv6 header, next header 41) or FULLNAT (both ends, IPv6 TOA).
 *
 * <p>It also does what the kernel's {@code ndisc} would do for the addresses jlvs owns: it answers Neighbor
 * Solicitations for IPv6 VIPs and FULLNAT local addresses, and resolves real servers and next hops itself with
 * solicitations to their solicited-node multicast groups, learning only the addresses it wants. ICMPv6 errors that
 * quote a tracked flow are carried to its other end (translated for NAT), others are left to the kernel (echo,
 * router discovery) or counted and dropped.
 *
 * <p>Single-threaded and allocation-free per frame; a malformed frame is counted by reason and dropped. Shares the
 * worker's counters with the IPv4 pipeline (service and real-server ids are one id space).
 */
public final class Forwarder6 implements FlowView {
    private static final int VNET = VnetHeaderView.LENGTH;
    private static final int ETH = EthernetView.HEADER_LENGTH;
    private static final int SCRATCH_FRAME = 1408;
    private static final int SCRATCH_FRAMES = 64;
    private static final int EXPIRE_BUDGET = 4096;
    /** Quote at most this much in an ICMPv6 error, so the error fits the IPv6 minimum MTU (RFC 4443 2.4 c). */
    private static final int MAX_QUOTE = Icmpv6View.MIN_MTU - Ipv6View.HEADER_LENGTH - Icmpv6View.HEADER_LENGTH;
    private static final long ALL_NODES_HI = 0xff02_0000_0000_0000L;
    private static final long ALL_NODES_LO = 1L;
    private static final long ALIAS_REARM_MS = 600_000;
    private static final ValueLayout.OfShort NET_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final ConnectionTable6 conns;
    private final NeighbourTable6 neighbours = new NeighbourTable6(4096);
    private final WorkerCounters counters;
    private final Forwarder.FrameSink sink;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment scratch;
    private int scratchUsed;

    private final Frame6 frame = new Frame6();
    private final TunnelXmit6 tunnel;
    private final EthernetView eth = frame.base.eth;
    private final Ipv6View ip = frame.ip;
    private final TcpView tcp = frame.tcp;
    private final UdpView udp = frame.udp;
    private final Icmpv6View icmp = new Icmpv6View();
    private final NeighborDiscoveryView nd = new NeighborDiscoveryView();
    private final Ipv6View quoted = new Ipv6View();
    private final EthernetView outEth = new EthernetView();
    private final Ipv6View outIp = new Ipv6View();
    private final Icmpv6View outIcmp = new Icmpv6View();
    private final NeighborDiscoveryView outNd = new NeighborDiscoveryView();

    private Ipv6Config config = Ipv6Config.EMPTY;
    private ServedInterface[] interfacesByIndex = new ServedInterface[0];
    private ConnectionTimeouts timeouts = ConnectionTimeouts.defaults();
    private SchedulerState[] schedStates = new SchedulerState[0];
    private final boolean[] overloaded;
    private final boolean[] gone;
    private boolean expireNodestConn;
    private final DestView destView = new DestView();
    private final io.jlvs.conn.ExpiryListener onExpire = this::unbindDest;
    /** FULLNAT: ports per local address, keyed by the address's index in {@link Ipv6Config#localAddresses()}. */
    private LocalPortPool localPorts = new LocalPortPool(new int[0], Forwarder.LOCAL_PORT_LOW, Forwarder.LOCAL_PORT_HIGH);
    private long[] poolAddresses = new long[0];
    private int localCursor;
    /** FULLNAT: per connection slot, the local address's index and the local port. */
    private final short[] localIndex;
    private final char[] localPort;

    // the flow being scheduled (FlowView): IPv6 addresses folded as the kernel's hashing schedulers fold them
    private int flowSrc;
    private int flowDst;
    private int flowSport;
    private int flowDport;
    private long flowNowMs;
    private long expiryNowMs;
    /** Where connection states go when this director is a sync master (null: not syncing). */
    private io.jlvs.sync.SyncRing syncOut;
    /** The IPv6 table's SYN flood guard: half-open accounting, short timeout, cap (no stateless SYNs here). */
    private final SynFloodGuard synGuard;
    /** The real server index the SYN flood guard chose for the flow being scheduled, or -1: the scheduler's. */
    private int forcedDest = -1;
    private final SynProxy synProxy = new SynProxy(SynCookie.random());
    /** Client segments of proxied connections waiting for the real server's SYN-ACK, keyed by slot. */
    private final NeighbourWait proxyWait = new NeighbourWait(16);
    private final NeighbourWait.Resolved proxyAnswered = this::proxyAnswered;

    public Forwarder6(ConnectionTable6 conns, WorkerCounters counters, Forwarder.FrameSink sink, int maxIds) {
        this.conns = conns;
        this.counters = counters;
        this.sink = sink;
        this.overloaded = new boolean[maxIds];
        this.gone = new boolean[maxIds];
        this.scratch = arena.allocate((long) SCRATCH_FRAME * SCRATCH_FRAMES, 64);
        this.tunnel = new TunnelXmit6(sink, 1 << 20);
        this.localIndex = new short[conns.capacity()];
        this.localPort = new char[conns.capacity()];
        this.synGuard = SynFloodGuard.forCapacity(conns.capacity(), counters);
        synGuard.gauge(WorkerCounters.HALF_OPEN_IPV6);
    }

    public SynProxy synProxy() {
        return synProxy;
    }

    public SynFloodGuard synGuard() {
        return synGuard;
    }

    // ---------------------------------------------------------------- configuration (worker thread)

    /** Switches to a newly published configuration (called by {@link Forwarder#apply}). */
    void apply(DataplaneConfig whole, ServedInterface[] byIndex) {
        Ipv6Config next = whole.ipv6();
        Ipv6Config prev = config;
        SchedulerState[] states = new SchedulerState[maxServiceId(next) + 1];
        for (Service6Runtime s : next.services()) {
            Service6Runtime p = prev.serviceById(s.serviceId());
            SchedulerState previous = s.serviceId() < schedStates.length && p != null && p.scheduler() == s.scheduler()
                    ? schedStates[s.serviceId()] : null;
            destView.service = s;
            states[s.serviceId()] = s.scheduler().newState(destView, previous);
        }
        for (Dest6Runtime d : next.destsById()) {
            if (d == null) {
                continue;
            }
            if (prev.dest(d.destId()) == null) {
                counters.clearDestStats(d.destId());
                overloaded[d.destId()] = false;
            }
            if (d.outIfindex() != 0) {
                neighbours.want(d.outIfindex(), d.nextHopHi(), d.nextHopLo());
            }
        }
        for (Service6Runtime s : next.services()) {
            if (prev.serviceById(s.serviceId()) == null) {
                counters.clearServiceStats(s.serviceId());
            }
        }
        if (!java.util.Arrays.equals(poolAddresses, next.localAddresses())) {
            int[] keys = new int[next.localAddresses().length / 2];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = i;
            }
            localPorts = new LocalPortPool(keys, Forwarder.LOCAL_PORT_LOW, Forwarder.LOCAL_PORT_HIGH);
            poolAddresses = next.localAddresses().clone();
        }
        if (!synProxy.ready() && anyNat(next)) {
            synProxy.ensureCapacity(conns.capacity()); // 8 bytes per slot, once
        }
        this.interfacesByIndex = byIndex;
        this.schedStates = states;
        this.config = next;
        if (expireNodestConn) {
            flushDeletedDests(prev, next);
        }
    }

    private static int maxServiceId(Ipv6Config c) {
        int max = 0;
        for (Service6Runtime s : c.services()) {
            max = Math.max(max, s.serviceId());
        }
        return max;
    }

    void timeouts(ConnectionTimeouts timeouts) {
        this.timeouts = timeouts;
    }

    public Ipv6Config config() {
        return config;
    }

    public ConnectionTable6 connections() {
        return conns;
    }

    public NeighbourTable6 neighbours() {
        return neighbours;
    }

    // ---------------------------------------------------------------- per frame

    /** Handles one IPv6 frame (ethertype checked, snap length = wire length checked by the caller). */
    int process(MemorySegment seg, long mac, int snapLen, int wireLen, int inIfindex, long nowMs) {
        long l3 = mac + ETH;
        int available = snapLen - ETH;
        int err = Ipv6View.validate(seg, l3, available);
        if (err != PacketError.OK) {
            return drop(DropReason.ofPacketError(err));
        }
        frame.base.set(seg, mac, snapLen, wireLen, inIfindex);
        ip.wrap(seg, l3);
        int l4Offset = ip.upperLayerOffset(available);
        if (l4Offset < 0) {
            return drop(DropReason.ofPacketError(l4Offset));
        }
        frame.l4Offset = l4Offset;
        int proto = ip.upperLayerProtocol();
        lastNowMs = nowMs;
        if (ip.isNonFirstFragment()) {
            frame.proto = 0;
            return laterFragment(nowMs);
        }
        frame.proto = proto;
        if (proto == Ipv6View.NEXT_ICMPV6) {
            return icmpv6(inIfindex, nowMs);
        }
        if (proto != Ipv6View.NEXT_TCP && proto != Ipv6View.NEXT_UDP) {
            return ignore();
        }
        boolean firstFragment = ip.fragmentHeaderOffset() >= 0
                && fragment.wrap(seg, l3 + ip.fragmentHeaderOffset()).moreFragments();
        int fragmentId = firstFragment ? fragment.identification() : 0;
        long l4 = frame.l4();
        int l4Available = frame.l4Length();
        int sport;
        int dport;
        int tcpFlags = 0;
        if (proto == Ipv6View.NEXT_TCP) {
            err = TcpView.validate(seg, l4, l4Available);
            if (err != PacketError.OK) {
                return drop(DropReason.ofPacketError(err));
            }
            tcp.wrap(seg, l4);
            sport = tcp.srcPort();
            dport = tcp.dstPort();
            tcpFlags = tcp.flags();
        } else {
            err = firstFragment ? (l4Available >= UdpView.HEADER_LENGTH ? PacketError.OK : PacketError.TRUNCATED_UDP)
                    : UdpView.validate(seg, l4, l4Available);
            if (err != PacketError.OK) {
                return drop(DropReason.ofPacketError(err));
            }
            udp.wrap(seg, l4);
            sport = udp.srcPort();
            dport = udp.dstPort();
        }
        long srcHi = ip.srcHi();
        long srcLo = ip.srcLo();
        long dstHi = ip.dstHi();
        long dstLo = ip.dstLo();
        int keySrc = Ipv6Config.fold(srcHi, srcLo);
        int keyDst = fragmentKeyDst(dstHi, dstLo, fragmentId);

        // inbound: client → VIP
        boolean stateless = false;
        int slot = conns.lookupIn(proto, srcHi, srcLo, sport, dstHi, dstLo, dport);
        boolean syn = proto == Ipv6View.NEXT_TCP && (tcpFlags & (TcpView.SYN | TcpView.RST)) == TcpView.SYN;
        if (slot >= 0 && syn && (reusable(slot) || expireNodestConn && !destUsable(slot))) {
            expireNow(slot);
            slot = -1;
        } else if (slot >= 0 && expireNodestConn && config.dest(conns.destId(slot)) == null) {
            expireNow(slot); // its real server is gone: the packet is handled as new
            slot = -1;
        }
        if (slot < 0) {
            Service6Runtime svc = config.service(proto, dstHi, dstLo, dport);
            if (svc == null) {
                svc = config.service(proto, dstHi, dstLo, 0); // a port-0 service: every port of the VIP
            }
            if (svc != null) {
                int forced = -1;
                if (proto == Ipv6View.NEXT_TCP) {
                    int r = synDefence(svc, syn, tcpFlags, srcHi, srcLo, sport, dstHi, dstLo, dport, inIfindex, nowMs);
                    if (r != CONTINUE) {
                        return r;
                    }
                    // the guard: stateless SYNs to DR/TUN servers under pressure, the ACK that follows adopted
                    destView.service = svc;
                    forced = syn ? synGuard.onSyn(svc.persistent(), destView, keySrc, sport,
                            Ipv6Config.fold(dstHi, dstLo), dport, nowMs)
                            : synGuard.onOrphan(svc.persistent(), destView, tcpFlags, keySrc, sport,
                                    Ipv6Config.fold(dstHi, dstLo), dport, nowMs);
                    if (forced == SynFloodGuard.DROP) {
                        return syn ? Forwarder.DROPPED : drop(DropReason.NO_CONNECTION);
                    }
                }
                forcedDest = forced;
                slot = schedule(svc, proto, srcHi, srcLo, sport, dstHi, dstLo, dport, inIfindex, eth.srcMac(), nowMs);
                forcedDest = -1;
                if (slot < 0) {
                    return Forwarder.DROPPED;
                }
                if (proto == Ipv6View.NEXT_TCP) {
                    if (syn && forced >= 0) {
                        stateless = true;
                        conns.flags(slot, conns.flags(slot) | ConnectionFlags.ONE_PACKET); // gone once sent
                    } else {
                        synGuard.created(conns, slot, !syn); // half-open until the handshake completes
                    }
                }
            }
        }
        if (slot >= 0) {
            int r = inbound(slot, proto, tcpFlags, nowMs);
            if (stateless && conns.isLive(slot)) {
                expireNow(slot); // not sent (held, dropped): a stateless SYN leaves nothing behind either way
            }
            if (firstFragment && r == Forwarder.FORWARDED) {
                firstFragmentPlaced(keySrc, keyDst, proto, fragmentId, slot, false, nowMs);
            }
            return r;
        }
        // outbound: NAT real server → client, or FULLNAT real server → local address
        slot = conns.lookupOut(proto, srcHi, srcLo, sport, dstHi, dstLo, dport);
        if (slot < 0 && config.hasFullNat()) {
            int alias = conns.lookupIn(Forwarder.ALIAS_PROTO | proto, srcHi, srcLo, sport, dstHi, dstLo, dport);
            if (alias >= 0) {
                slot = (int) conns.realLo(alias);
            }
        }
        if (slot >= 0) {
            int r = outbound(slot, proto, tcpFlags, nowMs);
            if (firstFragment && r == Forwarder.FORWARDED) {
                firstFragmentPlaced(keySrc, keyDst, proto, fragmentId, slot, true, nowMs);
            }
            return r;
        }
        if (isLocal(dstHi, dstLo) || config.owns(dstHi, dstLo)) {
            return ignore(); // a reply to the director itself (health check); a VIP port no service has
        }
        return drop(DropReason.NAT_REPLY_NO_CONNECTION);
    }

    /** expire_nodest_conn, as {@link Forwarder#expireNodestConn(boolean)}. */
    void expireNodestConn(boolean on) {
        this.expireNodestConn = on;
    }

    private boolean destUsable(int slot) {
        Dest6Runtime d = config.dest(conns.destId(slot));
        return d != null && d.weight() > 0;
    }

    private void flushDeletedDests(Ipv6Config prev, Ipv6Config next) {
        boolean any = false;
        for (Dest6Runtime d : prev.destsById()) {
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
        if ((conns.flags(slot) & ConnectionFlags.TEMPLATE) == 0
                && (conns.protocol(slot) & (Forwarder.ALIAS_PROTO | Forwarder.TEMPLATE_PROTO)) == 0
                && gone[conns.destId(slot)]) {
            expireNow(slot);
        }
    }

    // ---------------------------------------------------------------- SYN flood defence (as Forwarder's)

    private static final int CONTINUE = -1;

    private static boolean anyNat(Ipv6Config c) {
        for (Service6Runtime s : c.services()) {
            for (Dest6Runtime d : s.dests()) {
                if (d.method() == ConnectionFlags.FWD_MASQ || d.method() == ConnectionFlags.FWD_FULLNAT) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * A TCP segment for a service that has no connection: the SYN proxy's turn (NAT/FULLNAT services);
     * {@link #CONTINUE} leaves it to the guard (stateless SYN, adoption, cap) and the scheduler.
     */
    private int synDefence(Service6Runtime svc, boolean syn, int tcpFlags, long srcHi, long srcLo, int sport,
                           long dstHi, long dstLo, int dport, int inIfindex, long nowMs) {
        if (synProxy.ready() && synProxy.mode() != SynProxy.Mode.OFF && SynProxy.eligible(svc)) {
            boolean proxying = synProxy.mode() == SynProxy.Mode.ALWAYS || synGuard.pressured(nowMs);
            if (syn && proxying) {
                return answerSyn(svc, srcHi, srcLo, sport, dstHi, dstLo, dport, nowMs);
            }
            if ((tcpFlags & (TcpView.SYN | TcpView.RST | TcpView.ACK)) == TcpView.ACK) {
                int options = synProxy.cookies().check(Ipv6Config.fold(srcHi, srcLo), sport,
                        Ipv6Config.fold(dstHi, dstLo), dport, tcp.seq() - 1, tcp.ack() - 1, nowMs);
                if (options >= 0) {
                    return proxyOpen(svc, srcHi, srcLo, sport, dstHi, dstLo, dport, tcpFlags, options, inIfindex, nowMs);
                }
                if (proxying) {
                    return drop(DropReason.SYN_COOKIE_INVALID);
                }
            }
        }
        return CONTINUE;
    }

    /** A SYN the proxy answers itself: a SYN-ACK with a cookie (addresses folded into it), no state. */
    private int answerSyn(Service6Runtime svc, long srcHi, long srcLo, int sport, long dstHi, long dstLo, int dport,
                          long nowMs) {
        ServedInterface in = served(frame.base.inIfindex);
        long m = takeScratchFrame();
        if (in == null || m < 0) {
            return drop(in == null ? DropReason.NO_ROUTE : DropReason.TX_FAILED);
        }
        int parsed = TcpOptions.parseSyn(frame.base.seg, tcp.offset(), tcp.headerLength());
        int options = SynCookie.options(TcpOptions.mss(parsed), TcpOptions.sackPermitted(parsed),
                TcpOptions.windowScale(parsed));
        int clientIsn = tcp.seq();
        int cookie = synProxy.cookies().make(Ipv6Config.fold(srcHi, srcLo), sport, Ipv6Config.fold(dstHi, dstLo),
                dport, clientIsn, options, nowMs);
        int mss = SynCookie.mss(options) - (hasFullNat(svc) ? FullNatXmit6.TOA_LENGTH : 0);
        int length = synProxy.write6(scratch, m, eth.srcMac(), in.mac(), dstHi, dstLo, srcHi, srcLo, dport, sport,
                cookie, clientIsn + 1, TcpView.SYN | TcpView.ACK, 0xffff, true, mss, SynCookie.sackPermitted(options),
                SynCookie.windowScale(options) >= 0 ? SynProxy.WINDOW_SCALE : -1);
        sink.send(frame.base.inIfindex, scratch, m - VNET, VNET + length);
        counters.addTotal(WorkerCounters.SYN_PROXY_COOKIES, 1);
        return Forwarder.ANSWERED;
    }

    private static boolean hasFullNat(Service6Runtime svc) {
        for (Dest6Runtime d : svc.dests()) {
            if (d.method() == ConnectionFlags.FWD_FULLNAT) {
                return true;
            }
        }
        return false;
    }

    /** A client's ACK with a valid cookie: scheduled as any connection; the real server gets the client's SYN. */
    private int proxyOpen(Service6Runtime svc, long srcHi, long srcLo, int sport, long dstHi, long dstLo, int dport,
                          int tcpFlags, int options, int inIfindex, long nowMs) {
        int clientIsn = tcp.seq() - 1;
        int cookie = tcp.ack() - 1;
        int window = tcp.window();
        boolean carries = carriesData(tcpFlags);
        int slot = schedule(svc, Ipv6View.NEXT_TCP, srcHi, srcLo, sport, dstHi, dstLo, dport, inIfindex, eth.srcMac(),
                nowMs);
        if (slot < 0) {
            return Forwarder.DROPPED;
        }
        conns.flags(slot, conns.flags(slot) | SynProxy.AWAIT);
        synGuard.created(conns, slot, false);
        synProxy.awaiting(slot, cookie, clientIsn);
        counters.addTotal(WorkerCounters.SYN_PROXY_OPENED, 1);
        if (carries && !holdForServer(slot, nowMs)) {
            counters.drop(DropReason.SYN_PROXY_WAIT);
        }
        return synToServer(slot, options, window, nowMs);
    }

    private boolean carriesData(int tcpFlags) {
        return (tcpFlags & TcpView.FIN) != 0 || frame.l4Length() - tcp.headerLength() > 0;
    }

    private boolean holdForServer(int slot, long nowMs) {
        return proxyWait.hold(frame.base.seg, frame.base.mac - VNET, frame.base.snapLen + VNET, frame.base.inIfindex,
                0, 0L, slot, nowMs);
    }

    private int cookieOptions(int slot) {
        return synProxy.cookies().optionsOf(Ipv6Config.fold(conns.clientHi(slot), conns.clientLo(slot)),
                conns.clientPort(slot), Ipv6Config.fold(conns.vipHi(slot), conns.vipLo(slot)), conns.vport(slot),
                synProxy.cookie(slot));
    }

    private int synToServer(int slot, int options, int clientWindow, long nowMs) {
        long m = takeScratchFrame();
        if (m < 0) {
            return drop(DropReason.TX_FAILED);
        }
        int scale = SynCookie.windowScale(options);
        int window = (int) Math.min(0xffff, (long) clientWindow << Math.max(0, scale));
        int length = synProxy.write6(scratch, m, 0L, conns.clientMac(slot), conns.clientHi(slot), conns.clientLo(slot),
                conns.vipHi(slot), conns.vipLo(slot), conns.clientPort(slot), conns.vport(slot),
                synProxy.clientIsn(slot), 0, TcpView.SYN, window, true, SynCookie.mss(options),
                SynCookie.sackPermitted(options), scale);
        return inboundMade(m, length, slot, TcpView.SYN, nowMs);
    }

    /** Handles a segment the proxy wrote (client → VIP form) as if the client had sent it. */
    private int inboundMade(long m, int length, int slot, int tcpFlags, long nowMs) {
        frame.base.set(scratch, m, length, length, conns.inIfindex(slot));
        ip.wrap(scratch, m + ETH);
        frame.l4Offset = Ipv6View.HEADER_LENGTH;
        frame.proto = Ipv6View.NEXT_TCP;
        tcp.wrap(scratch, frame.l4());
        return inbound(slot, Ipv6View.NEXT_TCP, tcpFlags, nowMs);
    }

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
            synToServer(slot, cookieOptions(slot), window, nowMs);
        }
        return Forwarder.HELD;
    }

    private int serverOfProxied(int slot, int flags, int tcpFlags, long nowMs) {
        boolean synAck = (tcpFlags & (TcpView.SYN | TcpView.ACK | TcpView.RST)) == (TcpView.SYN | TcpView.ACK);
        if ((flags & SynProxy.AWAIT) != 0) {
            int cookie = synProxy.cookie(slot);
            int clientIsn = synProxy.clientIsn(slot);
            if (synAck && tcp.ack() == clientIsn + 1) {
                int clientScale = SynCookie.windowScale(cookieOptions(slot));
                int serverScale = TcpOptions.windowScale(
                        TcpOptions.parseSyn(frame.base.seg, tcp.offset(), tcp.headerLength()));
                synProxy.established(slot, tcp.seq(), clientScale, serverScale);
                conns.flags(slot, (conns.flags(slot) & ~SynProxy.AWAIT) | SynProxy.PROXIED);
                int r = ackToServer(slot, clientIsn + 1, cookie + 1, clientScale, nowMs);
                replayNowMs = nowMs;
                proxyWait.release(proxyAnswered, replayHeld); // last: it handles other frames
                return r;
            }
            if ((tcpFlags & (TcpView.SYN | TcpView.ACK | TcpView.RST | TcpView.FIN)) == TcpView.ACK) {
                // an older connection of this client port still in the real server's TIME_WAIT (see Forwarder's)
                resetToSender();
                synToServer(slot, cookieOptions(slot), 0xffff, nowMs);
                return Forwarder.ANSWERED;
            }
            if ((tcpFlags & TcpView.RST) != 0) {
                int seq = tcp.seq();
                tcp.seq(cookie + 1);
                if (!frame.base.partialChecksum()) {
                    tcp.checksum(io.jlvs.packet.Checksum.update32(tcp.checksum(), seq, cookie + 1));
                }
                synProxy.established(slot, cookie, -1, -1);
                conns.flags(slot, (conns.flags(slot) & ~SynProxy.AWAIT) | SynProxy.PROXIED);
                return CONTINUE;
            }
            return drop(DropReason.SYN_PROXY_WAIT);
        }
        if (synAck) {
            int r = ackToServer(slot, tcp.ack(), tcp.seq() + 1 - synProxy.delta(slot), -1, nowMs);
            return r == Forwarder.FORWARDED ? Forwarder.ANSWERED : r;
        }
        return CONTINUE;
    }

    /** As {@link Forwarder}'s: the segment being handled becomes a RST back to its sender. */
    private void resetToSender() {
        int ack = tcp.ack();
        long srcMac = eth.srcMac();
        eth.srcMac(eth.dstMac()).dstMac(srcMac);
        long srcHi = ip.srcHi();
        long srcLo = ip.srcLo();
        ip.srcAddr(ip.dstHi(), ip.dstLo()).dstAddr(srcHi, srcLo).hopLimit(64);
        ip.payloadLength(frame.l4Offset - Ipv6View.HEADER_LENGTH + TcpView.MIN_HEADER_LENGTH);
        int sport = tcp.srcPort();
        tcp.srcPort(tcp.dstPort()).dstPort(sport).seq(ack).ack(0).dataOffset(5).flags(TcpView.RST).window(0);
        tcp.checksum(io.jlvs.packet.Checksum.l4Ipv6(frame.base.seg, frame.l4(), TcpView.MIN_HEADER_LENGTH, ip.srcHi(),
                ip.srcLo(), ip.dstHi(), ip.dstLo(), Ipv6View.NEXT_TCP));
        frame.base.vnet.clear();
        sink.send(frame.base.inIfindex, frame.base.seg, frame.base.mac - VNET,
                VNET + ETH + frame.l4Offset + TcpView.MIN_HEADER_LENGTH);
    }

    private int ackToServer(int slot, int seq, int clientSideAck, int clientScale, long nowMs) {
        long m = takeScratchFrame();
        if (m < 0) {
            return drop(DropReason.TX_FAILED);
        }
        int window = 0xffff >>> Math.max(0, clientScale);
        int length = synProxy.write6(scratch, m, 0L, conns.clientMac(slot), conns.clientHi(slot), conns.clientLo(slot),
                conns.vipHi(slot), conns.vipLo(slot), conns.clientPort(slot), conns.vport(slot), seq, clientSideAck,
                TcpView.ACK, window, false, 0, false, -1);
        return inboundMade(m, length, slot, TcpView.ACK, nowMs);
    }

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
        scratch.set(ValueLayout.JAVA_LONG_UNALIGNED, vnet, 0L);
        scratch.set(ValueLayout.JAVA_SHORT_UNALIGNED, vnet + 8, (short) 0);
        return vnet + VNET;
    }

    private boolean reusable(int slot) {
        int state = conns.state(slot);
        return conns.protocol(slot) == Ipv6View.NEXT_TCP && (state == TcpState.TIME_WAIT || state == TcpState.CLOSE);
    }

    private int schedule(Service6Runtime svc, int proto, long srcHi, long srcLo, int sport, long dstHi, long dstLo,
                         int dport, int inIfindex, long clientMac, long nowMs) {
        flowSrc = Ipv6Config.fold(srcHi, srcLo);
        flowDst = Ipv6Config.fold(dstHi, dstLo);
        flowSport = sport;
        flowDport = dport;
        flowNowMs = nowMs;
        destView.service = svc;
        Dest6Runtime d;
        int template = -1;
        if (svc.persistent()) {
            template = persistenceTemplate(svc, proto, srcHi, srcLo, dstHi, dstLo, dport, nowMs);
            if (template < 0) {
                return -1;
            }
            d = config.dest(conns.destId(template));
        } else {
            int i = forcedDest >= 0 ? forcedDest : schedStates[svc.serviceId()].schedule(destView, this);
            if (i < 0) {
                drop(DropReason.NO_DESTINATION);
                return -1;
            }
            d = svc.dests()[i];
        }
        int flags = d.method() | ConnectionFlags.INACTIVE;
        if (d.method() != ConnectionFlags.FWD_MASQ && d.method() != ConnectionFlags.FWD_FULLNAT) {
            flags |= ConnectionFlags.NOOUTPUT;
        }
        if (svc.onePacket() && proto == Ipv6View.NEXT_UDP) {
            flags |= ConnectionFlags.ONE_PACKET;
        }
        int rport = d.port() != 0 && dport == svc.vport() ? d.port() : dport;
        int slot = conns.create(proto, srcHi, srcLo, sport, dstHi, dstLo, dport, d.hi(), d.lo(), rport, flags,
                inIfindex, clientMac, d.destId(), svc.serviceId(), nowMs);
        if (slot < 0) {
            drop(DropReason.CONN_TABLE_FULL);
            return -1;
        }
        if (d.method() == ConnectionFlags.FWD_FULLNAT && !bindLocal(svc, slot, proto, d, rport, nowMs)) {
            conns.remove(slot);
            return -1;
        }
        bindDest(d);
        counters.addDest(d.destId(), WorkerCounters.CONNS, 1);
        counters.addService(svc.serviceId(), WorkerCounters.CONNS, 1);
        if (template >= 0) {
            conns.clientMac(template, conns.clientMac(template) + 1);
            conns.touch(template, nowMs, templateTimeoutMs(template));
        }
        return slot;
    }

    /**
     * FULLNAT: a local address (round robin over the service's pool) and a free port of it, and a reply alias
     * keyed (protocol | alias bit, real server, laddr:lport) whose real-address low half holds the connection's slot.
     */
    private boolean bindLocal(Service6Runtime svc, int slot, int proto, Dest6Runtime d, int rport, long nowMs) {
        long[] pool = svc.localAddresses();
        int n = pool.length / 2;
        for (int tries = 0; tries < n; tries++) {
            int k = Math.floorMod(localCursor++, n);
            long lHi = pool[2 * k];
            long lLo = pool[2 * k + 1];
            int index = poolIndex(lHi, lLo);
            int lport = index < 0 ? -1 : localPorts.allocate(index);
            if (lport < 0) {
                continue;
            }
            int alias = conns.create(Forwarder.ALIAS_PROTO | proto, d.hi(), d.lo(), rport, lHi, lLo, lport, 0L, slot,
                    0, ConnectionFlags.FWD_FULLNAT, 0, 0L, d.destId(), svc.serviceId(), nowMs);
            if (alias < 0) {
                localPorts.release(index, lport);
                drop(DropReason.CONN_TABLE_FULL);
                return false;
            }
            conns.touch(alias, nowMs, ALIAS_REARM_MS);
            localIndex[slot] = (short) index;
            localPort[slot] = (char) lport;
            return true;
        }
        drop(DropReason.NO_LOCAL_PORT);
        return false;
    }

    private int poolIndex(long hi, long lo) {
        for (int i = 0; i + 1 < poolAddresses.length; i += 2) {
            if (poolAddresses[i] == hi && poolAddresses[i + 1] == lo) {
                return i / 2;
            }
        }
        return -1;
    }

    private static int templateProtocol(int proto) {
        return Forwarder.TEMPLATE_PROTO | proto;
    }

    /**
     * IPVS persistence (ip_vs_sched_persist) for IPv6: one template per (client prefix, service), the client
     * address cut to the service's prefix length ({@code -M} is a prefix length for IPv6). Record use as
     * {@link Forwarder}'s templates: clientMac = controlled connections, inIfindex = timeout in seconds.
     */
    private int persistenceTemplate(Service6Runtime svc, int proto, long srcHi, long srcLo, long dstHi, long dstLo,
                                    int dport, long nowMs) {
        long netHi = srcHi & svc.maskHi();
        long netLo = srcLo & svc.maskLo();
        int tproto = templateProtocol(proto);
        int tvport = svc.vport() == 0 ? 0 : dport;
        int t = conns.lookupIn(tproto, netHi, netLo, 0, dstHi, dstLo, tvport);
        if (t >= 0) {
            Dest6Runtime td = config.dest(conns.destId(t));
            if (td != null && inService(svc, td)) {
                return t;
            }
            expireNow(t);
        }
        int i = schedStates[svc.serviceId()].schedule(destView, this);
        if (i < 0) {
            drop(DropReason.NO_DESTINATION);
            return -1;
        }
        Dest6Runtime d = svc.dests()[i];
        int templatePort = svc.vport() == 0 ? 0 : d.port();
        t = conns.create(tproto, netHi, netLo, 0, dstHi, dstLo, tvport, d.hi(), d.lo(), templatePort,
                ConnectionFlags.TEMPLATE | d.method(), Math.min(svc.persistTimeoutS(), 0xffff), 0L, d.destId(),
                svc.serviceId(), nowMs);
        if (t < 0) {
            drop(DropReason.CONN_TABLE_FULL);
            return -1;
        }
        conns.state(t, Forwarder.TEMPLATE_NONE);
        conns.touch(t, nowMs, templateTimeoutMs(t));
        counters.addDest(d.destId(), WorkerCounters.PERSIST, 1);
        return t;
    }

    private long templateTimeoutMs(int template) {
        return conns.inIfindex(template) * 1000L;
    }

    private static boolean inService(Service6Runtime svc, Dest6Runtime d) {
        for (Dest6Runtime x : svc.dests()) {
            if (x == d) {
                return true;
            }
        }
        return false;
    }

    private int templateOf(int slot) {
        Service6Runtime svc = config.serviceById(conns.serviceId(slot));
        if (svc == null || !svc.persistent()) {
            return -1;
        }
        return conns.lookupIn(templateProtocol(conns.protocol(slot)), conns.clientHi(slot) & svc.maskHi(),
                conns.clientLo(slot) & svc.maskLo(), 0, conns.vipHi(slot), conns.vipLo(slot),
                svc.vport() == 0 ? 0 : conns.vport(slot));
    }

    private void bindDest(Dest6Runtime d) {
        counters.addDest(d.destId(), WorkerCounters.INACTIVE, 1);
        if (d.upperThreshold() != 0 && totalConns(d.destId()) >= d.upperThreshold()) {
            overloaded[d.destId()] = true;
        }
    }

    /** Expiry, as {@link Forwarder}'s: counts released, templates kept while they control connections. */
    private void unbindDest(int slot) {
        int destId = conns.destId(slot);
        int flags = conns.flags(slot);
        if ((flags & SynFloodGuard.HALF_OPEN) != 0) {
            synGuard.release();
        }
        if ((conns.protocol(slot) & Forwarder.ALIAS_PROTO) != 0) {
            int primary = (int) conns.realLo(slot);
            if (conns.isLive(primary)
                    && (conns.flags(primary) & ConnectionFlags.FWD_MASK) == ConnectionFlags.FWD_FULLNAT
                    && localPort[primary] == conns.vport(slot)
                    && localIndex[primary] == poolIndex(conns.vipHi(slot), conns.vipLo(slot))) {
                conns.touch(slot, expiryNowMs, ALIAS_REARM_MS);
            }
            return;
        }
        if ((flags & ConnectionFlags.FWD_MASK) == ConnectionFlags.FWD_FULLNAT && (flags & ConnectionFlags.TEMPLATE) == 0) {
            int index = localIndex[slot];
            int lport = localPort[slot];
            if (2 * index + 1 < poolAddresses.length) {
                int alias = conns.lookupIn(Forwarder.ALIAS_PROTO | conns.protocol(slot), conns.realHi(slot),
                        conns.realLo(slot), conns.realPort(slot), poolAddresses[2 * index],
                        poolAddresses[2 * index + 1], lport);
                if (alias >= 0) {
                    conns.remove(alias);
                }
            }
            localPorts.release(index, lport);
        }
        if ((flags & ConnectionFlags.TEMPLATE) != 0) {
            if (conns.clientMac(slot) > 0) {
                conns.inIfindex(slot, Forwarder.TEMPLATE_KEEP_S);
                conns.touch(slot, expiryNowMs, Forwarder.TEMPLATE_KEEP_S * 1000L);
                return;
            }
            counters.addDest(destId, WorkerCounters.PERSIST, -1);
            return;
        }
        int template = templateOf(slot);
        if (template >= 0 && conns.clientMac(template) > 0) {
            conns.clientMac(template, conns.clientMac(template) - 1);
        }
        boolean inactive = (flags & ConnectionFlags.INACTIVE) != 0;
        counters.addDest(destId, inactive ? WorkerCounters.INACTIVE : WorkerCounters.ACTIVE, -1);
        Dest6Runtime d = config.dest(destId);
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

    private long totalConns(int destId) {
        return counters.dest(destId, WorkerCounters.ACTIVE) + counters.dest(destId, WorkerCounters.INACTIVE);
    }

    private void expireNow(int slot) {
        if ((conns.flags(slot) & ConnectionFlags.TEMPLATE) != 0) {
            counters.addDest(conns.destId(slot), WorkerCounters.PERSIST, -1);
        } else {
            unbindDest(slot);
        }
        conns.remove(slot);
    }

    private void transition(int slot, int proto, int direction, int tcpFlags, long nowMs) {
        int state = conns.state(slot);
        if (proto == Ipv6View.NEXT_TCP) {
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
                state = next;
                if (next == TcpState.ESTABLISHED) {
                    assure(slot);
                }
            }
        } else if (direction == TcpStateMachine.OUTPUT) {
            assure(slot);
        }
        long timeoutMs = timeouts.timeoutMs(proto, state);
        if ((conns.flags(slot) & SynFloodGuard.HALF_OPEN) != 0) {
            timeoutMs = synGuard.timeoutMs(conns, slot, direction != TcpStateMachine.OUTPUT, timeoutMs);
            if (timeoutMs < 0) {
                return;
            }
        }
        conns.touch(slot, nowMs, timeoutMs);
    }

    private void assure(int slot) {
        int t = templateOf(slot);
        if (t >= 0) {
            conns.state(t, Forwarder.TEMPLATE_ASSURED);
        }
    }

    private int inbound(int slot, int proto, int tcpFlags, long nowMs) {
        int flags = conns.flags(slot);
        if ((flags & SynProxy.AWAIT) != 0 && (tcpFlags & TcpView.SYN) == 0) {
            return clientWhileAwaiting(slot, tcpFlags, nowMs);
        }
        Dest6Runtime d = config.dest(conns.destId(slot));
        if (d == null) {
            return drop(DropReason.DEST_UNAVAILABLE);
        }
        long nextHopMac = neighbours.lookup(d.outIfindex(), d.nextHopHi(), d.nextHopLo());
        if (nextHopMac == NeighbourTable6.UNRESOLVED && d.outIfindex() != 0 && served(d.outIfindex()) != null) {
            // before any counter or state moves: the frame is handled as new once the MAC is known
            solicit(d.outIfindex(), d.nextHopHi(), d.nextHopLo(), nowMs);
            if (neighbourWait.hold(frame.base.seg, frame.base.mac - VNET, frame.base.snapLen + VNET,
                    frame.base.inIfindex, d.outIfindex(), d.nextHopHi(), d.nextHopLo(), nowMs)) {
                return Forwarder.HELD;
            }
            return drop(DropReason.NEIGHBOUR_UNRESOLVED);
        }
        int direction = (flags & ConnectionFlags.NOOUTPUT) != 0 ? TcpStateMachine.INPUT_ONLY : TcpStateMachine.INPUT;
        long bytes = frame.base.wireLen - ETH;
        counters.addDest(d.destId(), WorkerCounters.IN_PKTS, 1);
        counters.addDest(d.destId(), WorkerCounters.IN_BYTES, bytes);
        counters.addService(conns.serviceId(slot), WorkerCounters.IN_PKTS, 1);
        counters.addService(conns.serviceId(slot), WorkerCounters.IN_BYTES, bytes);
        int stateBefore = conns.state(slot);
        transition(slot, proto, direction, tcpFlags, nowMs);
        boolean handshakeAck = stateBefore == TcpState.SYN_RECV && conns.state(slot) == TcpState.ESTABLISHED
                && (tcpFlags & TcpView.SYN) == 0;
        if (conns.inIfindex(slot) == 0) {
            // installed from a sync message: learn where the client is from its first packet here
            conns.inIfindex(slot, frame.base.inIfindex);
            conns.clientMac(slot, eth.srcMac());
        }
        if (syncOut != null) {
            maybeSync(slot, proto, stateBefore);
        }
        ServedInterface out = served(d.outIfindex());
        if (d.outIfindex() == 0 || out == null) {
            return drop(DropReason.NO_ROUTE);
        }
        if (ip.hopLimit() <= 1) {
            return drop(DropReason.TTL_EXCEEDED);
        }
        ip.decrementHopLimit();
        if ((flags & SynProxy.PROXIED) != 0) {
            synProxy.toServer(frame.base.seg, tcp, frame.base.partialChecksum(), slot, tcpFlags);
        }
        switch (flags & ConnectionFlags.FWD_MASK) {
            case ConnectionFlags.FWD_DROUTE -> { }
            case ConnectionFlags.FWD_MASQ -> MasqueradeXmit6.toRealServer(frame, conns.realHi(slot),
                    conns.realLo(slot), conns.realPort(slot));
            case ConnectionFlags.FWD_FULLNAT -> {
                int index = localIndex[slot];
                FullNatXmit6.toRealServer(frame, handshakeAck, poolAddresses[2 * index], poolAddresses[2 * index + 1],
                        localPort[slot], conns.realHi(slot), conns.realLo(slot), conns.realPort(slot));
            }
            case ConnectionFlags.FWD_TUNNEL -> {
                int r = tunnel(d, out, nextHopMac);
                if (r == TunnelXmit6.SEGMENTED) {
                    return Forwarder.FORWARDED;
                }
                if (r != Xmit.SEND) {
                    return r == TunnelXmit6.TOO_BIG ? Forwarder.DROPPED : drop(DropReason.TOO_BIG);
                }
            }
            default -> {
                return drop(DropReason.NO_ROUTE);
            }
        }
        eth.dstMac(nextHopMac);
        eth.srcMac(out.mac());
        sink.send(d.outIfindex(), frame.base.seg, frame.base.mac - VNET, frame.base.snapLen + VNET);
        if ((flags & ConnectionFlags.ONE_PACKET) != 0) {
            expireNow(slot);
        }
        return Forwarder.FORWARDED;
    }

    /** TUN: encapsulates, or answers "packet too big" (counted) when the outer header would not fit. */
    private int tunnel(Dest6Runtime d, ServedInterface out, long nextHopMac) {
        Ipv6Config.Interface6 src = config.iface(out.ifindex());
        if (src == null) {
            drop(DropReason.NO_ROUTE);
            return TunnelXmit6.TOO_BIG;
        }
        int r = tunnel.encapsulate(frame, out, nextHopMac, src.hi(), src.lo(), d.hi(), d.lo());
        if (r == TunnelXmit6.TOO_BIG) {
            ip.hopLimit(ip.hopLimit() + 1); // quote the packet as the client sent it
            icmpError(Icmpv6View.TYPE_PACKET_TOO_BIG, 0, TunnelXmit6.mtuFor(out.mtu()));
            drop(DropReason.FRAG_NEEDED_SENT);
        }
        return r;
    }

    private int outbound(int slot, int proto, int tcpFlags, long nowMs) {
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
        int destId = conns.destId(slot);
        long bytes = frame.base.wireLen - ETH;
        counters.addDest(destId, WorkerCounters.OUT_PKTS, 1);
        counters.addDest(destId, WorkerCounters.OUT_BYTES, bytes);
        counters.addService(conns.serviceId(slot), WorkerCounters.OUT_PKTS, 1);
        counters.addService(conns.serviceId(slot), WorkerCounters.OUT_BYTES, bytes);
        transition(slot, proto, TcpStateMachine.OUTPUT, tcpFlags, nowMs);
        int outIf = conns.inIfindex(slot);
        ServedInterface out = served(outIf);
        if (out == null) {
            return drop(DropReason.NO_ROUTE);
        }
        if (ip.hopLimit() <= 1) {
            return drop(DropReason.TTL_EXCEEDED);
        }
        ip.decrementHopLimit();
        int method = flags & ConnectionFlags.FWD_MASK;
        if ((flags & SynProxy.PROXIED) != 0) {
            synProxy.toClient(tcp, frame.base.partialChecksum(), slot);
        }
        if (method == ConnectionFlags.FWD_MASQ) {
            MasqueradeXmit6.toClient(frame, conns.vipHi(slot), conns.vipLo(slot), conns.vport(slot));
        } else if (method == ConnectionFlags.FWD_FULLNAT) {
            FullNatXmit6.toClient(frame, conns.vipHi(slot), conns.vipLo(slot), conns.vport(slot),
                    conns.clientHi(slot), conns.clientLo(slot), conns.clientPort(slot));
        } else {
            return drop(DropReason.NAT_REPLY_NO_CONNECTION);
        }
        eth.dstMac(conns.clientMac(slot));
        eth.srcMac(out.mac());
        sink.send(outIf, frame.base.seg, frame.base.mac - VNET, frame.base.snapLen + VNET);
        return Forwarder.FORWARDED;
    }

    // ---------------------------------------------------------------- connection sync

    /** Starts (ring) or stops (null) sending IPv6 connection states to a sync master daemon. */
    void syncTo(io.jlvs.sync.SyncRing ring) {
        this.syncOut = ring;
    }

    /** As {@link Forwarder}'s: {@link SyncPolicy#needed}, for the connection and its template. */
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

    /** One entry as {@code ip_vs_sync_v6} carries it (IPv6 services have no firewall mark). */
    private void pushSync(int slot) {
        int flags = conns.flags(slot);
        if ((flags & SynProxy.AWAIT) != 0) {
            return; // the real server has not answered: nothing a backup could carry on
        }
        boolean template = (flags & ConnectionFlags.TEMPLATE) != 0;
        int proto = conns.protocol(slot) & ~Forwarder.TEMPLATE_PROTO;
        long timeoutMs = template ? templateTimeoutMs(slot) : timeouts.timeoutMs(proto, conns.state(slot));
        boolean proxied = (flags & SynProxy.PROXIED) != 0; // with its shift, as Forwarder's
        syncOut.offer(true, proto, SyncPolicy.wireFlags(flags) | (proxied ? ConnectionFlags.OUT_SEQ : 0),
                conns.state(slot), conns.clientPort(slot), conns.vport(slot), conns.realPort(slot), 0,
                (int) (timeoutMs / 1000), conns.clientHi(slot), conns.clientLo(slot), conns.vipHi(slot),
                conns.vipLo(slot), conns.realHi(slot), conns.realLo(slot), proxied ? -synProxy.delta(slot) : 0);
    }

    /** A backup asked for everything: every live IPv6 connection and template (FULLNAT aliases are local). */
    void syncAll() {
        if (syncOut == null) {
            return;
        }
        conns.forEach(slot -> {
            if ((conns.protocol(slot) & Forwarder.ALIAS_PROTO) == 0
                    && SyncPolicy.inFullSync(conns.protocol(slot), conns.flags(slot), conns.state(slot))) {
                pushSync(slot);
            }
        });
    }

    /**
     * Installs an IPv6 connection a master sent ({@code ip_vs_proc_conn} with {@code af = AF_INET6}), as
     * {@link Forwarder#install} does for IPv4: the service by (protocol, VIP, port), a port-0 service for the VIP
     * otherwise, the real server by address and port. FULLNAT entries are refused (counted as
     * {@code sync_no_service}): the master's local address and port are not in the message.
     */
    void install(io.jlvs.sync.SyncEntry e, long nowMs) {
        boolean template = (e.flags() & ConnectionFlags.TEMPLATE) != 0;
        Service6Runtime svc = e.fwmark() != 0 ? null : config.service(e.protocol(), e.vaddrHi(), e.vaddrLo(), e.vport());
        if (svc == null && e.fwmark() == 0) {
            svc = config.service(e.protocol(), e.vaddrHi(), e.vaddrLo(), 0);
        }
        Dest6Runtime d = null;
        for (int i = 0; svc != null && i < svc.dests().length && d == null; i++) {
            Dest6Runtime x = svc.dests()[i];
            if (x.hi() == e.daddrHi() && x.lo() == e.daddrLo() && (x.port() == e.dport() || x.port() == 0 || template)) {
                d = x;
            }
        }
        if (d == null || d.method() == ConnectionFlags.FWD_FULLNAT) {
            counters.drop(DropReason.SYNC_NO_SERVICE);
            return;
        }
        int proto = template ? templateProtocol(e.protocol()) : e.protocol();
        boolean inactive = (e.flags() & ConnectionFlags.INACTIVE) != 0;
        int slot = conns.lookupIn(proto, e.caddrHi(), e.caddrLo(), e.cport(), e.vaddrHi(), e.vaddrLo(), e.vport());
        if (slot >= 0 && (conns.realHi(slot) != e.daddrHi() || conns.realLo(slot) != e.daddrLo()
                || conns.realPort(slot) != e.dport())) {
            if (inactive) {
                return; // the expiry of a connection already replaced
            }
            expireNow(slot);
            slot = -1;
        }
        if (slot < 0) {
            slot = conns.create(proto, e.caddrHi(), e.caddrLo(), e.cport(), e.vaddrHi(), e.vaddrLo(), e.vport(),
                    e.daddrHi(), e.daddrLo(), e.dport(), SyncPolicy.newEntryFlags(d.method(), template), 0, 0L,
                    d.destId(), svc.serviceId(), nowMs);
            if (slot < 0) {
                counters.drop(DropReason.CONN_TABLE_FULL);
                return;
            }
            if (template) {
                conns.inIfindex(slot, Math.max(1, Math.min(e.timeoutS(), 0xffff)));
                counters.addDest(d.destId(), WorkerCounters.PERSIST, 1);
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
            conns.inPkts(slot, SyncPolicy.THRESHOLD);
        }
        conns.touch(slot, nowMs, SyncPolicy.timeoutMs(e, template, timeouts));
    }

    // ---------------------------------------------------------------- fragments

    private final FragmentTable fragments = new FragmentTable(4096, 64);
    private final NeighbourWait neighbourWait = new NeighbourWait(8);
    private final NeighbourWait.Resolved resolved = this::isResolved;
    private final FragmentTable.HeldVisitor replayHeld = this::replayHeld;
    private long replayNowMs;

    private boolean isResolved(int ifindex, long hi, long lo) {
        return neighbours.lookup(ifindex, hi, lo) != NeighbourTable6.UNRESOLVED;
    }

    /** Handles a frame again whose next hop has resolved meanwhile (see {@link NeighbourWait}). */
    private void replayHeld(MemorySegment seg, long mac, int snapLen, int ifindex) {
        process(seg, mac, snapLen, snapLen, ifindex, replayNowMs);
    }
    private final io.jlvs.packet.Ipv6FragmentView fragment = new io.jlvs.packet.Ipv6FragmentView();
    private final FragmentTable.HeldVisitor releaseHeld = this::forwardHeld;
    private long lastNowMs;

    /**
     * The fragment table's key for IPv6: addresses folded to 32 bits, the upper half of the 32-bit fragment
     * identification mixed into the destination (the table keeps 16 bits of ID). Folding may collide, so a hit is
     * checked against the connection's own addresses before a fragment follows it ({@link #sameFlow}).
     */
    private static int fragmentKeyDst(long dstHi, long dstLo, int id) {
        return Ipv6Config.fold(dstHi, dstLo) ^ (id & 0xffff_0000);
    }

    private void firstFragmentPlaced(int keySrc, int keyDst, int proto, int id, int slot, boolean reply, long nowMs) {
        fragments.put(keySrc, keyDst, proto, id, slot, reply, nowMs);
        fragments.release(keySrc, keyDst, proto, id, nowMs, releaseHeld);
    }

    private void forwardHeld(MemorySegment seg, long mac, int snapLen, int ifindex) {
        frame.base.set(seg, mac, snapLen, snapLen, ifindex);
        ip.wrap(seg, mac + ETH);
        int l4Offset = ip.upperLayerOffset(snapLen - ETH);
        if (l4Offset < 0 || !ip.isNonFirstFragment()) {
            drop(DropReason.FRAGMENT);
            return;
        }
        frame.l4Offset = l4Offset;
        frame.proto = 0;
        laterFragment(lastNowMs);
    }

    /**
     * A fragment after the first (no ports): sent where its first fragment went, with the same address rewriting,
     * or held until the first comes when it is addressed to a VIP or comes from a NAT real server; anything else
     * crossing the director is the kernel's. IPv6 has no header checksum, and the transport checksum sits in the
     * first fragment, so a later fragment needs nothing but its addresses changed.
     */
    private int laterFragment(long nowMs) {
        long srcHi = ip.srcHi();
        long srcLo = ip.srcLo();
        long dstHi = ip.dstHi();
        long dstLo = ip.dstLo();
        int proto = ip.upperLayerProtocol();
        int id = fragment.wrap(frame.base.seg, frame.l3() + ip.fragmentHeaderOffset()).identification();
        int keySrc = Ipv6Config.fold(srcHi, srcLo);
        int keyDst = fragmentKeyDst(dstHi, dstLo, id);
        int slot = fragments.lookup(keySrc, keyDst, proto, id, nowMs);
        boolean reply = fragments.lastReply();
        if (slot < 0 || !conns.isLive(slot) || !sameFlow(slot, reply, srcHi, srcLo, dstHi, dstLo)) {
            if (!config.owns(dstHi, dstLo) && !isNatRealServer(srcHi, srcLo)) {
                return ignore();
            }
            if (fragments.hold(frame.base.seg, frame.base.mac - VNET, frame.base.snapLen + VNET, keySrc, keyDst, proto,
                    id, frame.base.inIfindex, nowMs)) {
                return Forwarder.HELD;
            }
            return drop(DropReason.FRAGMENT);
        }
        int method = conns.flags(slot) & ConnectionFlags.FWD_MASK;
        long bytes = frame.base.wireLen - ETH;
        if (reply) {
            int outIf = conns.inIfindex(slot);
            ServedInterface out = served(outIf);
            if (out == null || ip.hopLimit() <= 1) {
                return drop(out == null ? DropReason.NO_ROUTE : DropReason.TTL_EXCEEDED);
            }
            counters.addDest(conns.destId(slot), WorkerCounters.OUT_PKTS, 1);
            counters.addDest(conns.destId(slot), WorkerCounters.OUT_BYTES, bytes);
            ip.decrementHopLimit();
            ip.srcAddr(conns.vipHi(slot), conns.vipLo(slot));
            if (method == ConnectionFlags.FWD_FULLNAT) {
                ip.dstAddr(conns.clientHi(slot), conns.clientLo(slot));
            }
            eth.dstMac(conns.clientMac(slot));
            eth.srcMac(out.mac());
            sink.send(outIf, frame.base.seg, frame.base.mac - VNET, frame.base.snapLen + VNET);
            return Forwarder.FORWARDED;
        }
        Dest6Runtime d = config.dest(conns.destId(slot));
        ServedInterface out = d == null ? null : served(d.outIfindex());
        if (out == null) {
            return drop(DropReason.DEST_UNAVAILABLE);
        }
        long nextHopMac = neighbours.lookup(d.outIfindex(), d.nextHopHi(), d.nextHopLo());
        if (nextHopMac == NeighbourTable6.UNRESOLVED || ip.hopLimit() <= 1) {
            return drop(nextHopMac == NeighbourTable6.UNRESOLVED ? DropReason.NEIGHBOUR_UNRESOLVED
                    : DropReason.TTL_EXCEEDED);
        }
        counters.addDest(d.destId(), WorkerCounters.IN_PKTS, 1);
        counters.addDest(d.destId(), WorkerCounters.IN_BYTES, bytes);
        ip.decrementHopLimit();
        if (method == ConnectionFlags.FWD_MASQ) {
            ip.dstAddr(conns.realHi(slot), conns.realLo(slot));
        } else if (method == ConnectionFlags.FWD_FULLNAT) {
            int index = localIndex[slot];
            ip.srcAddr(poolAddresses[2 * index], poolAddresses[2 * index + 1]);
            ip.dstAddr(conns.realHi(slot), conns.realLo(slot));
        } else if (method == ConnectionFlags.FWD_TUNNEL) {
            Ipv6Config.Interface6 src = config.iface(out.ifindex());
            if (src == null || frame.base.gso()
                    || tunnel.encapsulate(frame, out, nextHopMac, src.hi(), src.lo(), d.hi(), d.lo()) != Xmit.SEND) {
                return drop(DropReason.TOO_BIG);
            }
        }
        eth.dstMac(nextHopMac);
        eth.srcMac(out.mac());
        sink.send(d.outIfindex(), frame.base.seg, frame.base.mac - VNET, frame.base.snapLen + VNET);
        return Forwarder.FORWARDED;
    }

    /** The fragment's addresses are those of the connection the table points at (folded keys may collide). */
    private boolean sameFlow(int slot, boolean reply, long srcHi, long srcLo, long dstHi, long dstLo) {
        if (!reply) {
            return conns.clientHi(slot) == srcHi && conns.clientLo(slot) == srcLo
                    && conns.vipHi(slot) == dstHi && conns.vipLo(slot) == dstLo;
        }
        if (conns.realHi(slot) != srcHi || conns.realLo(slot) != srcLo) {
            return false;
        }
        if ((conns.flags(slot) & ConnectionFlags.FWD_MASK) == ConnectionFlags.FWD_FULLNAT) {
            int index = localIndex[slot];
            return poolAddresses[2 * index] == dstHi && poolAddresses[2 * index + 1] == dstLo;
        }
        return conns.clientHi(slot) == dstHi && conns.clientLo(slot) == dstLo;
    }

    private boolean isNatRealServer(long hi, long lo) {
        for (Dest6Runtime d : config.destsById()) {
            if (d != null && d.hi() == hi && d.lo() == lo
                    && (d.method() == ConnectionFlags.FWD_MASQ || d.method() == ConnectionFlags.FWD_FULLNAT)) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- ICMPv6

    private int icmpv6(int inIfindex, long nowMs) {
        long l4 = frame.l4();
        int icmpLen = frame.l4Length();
        if (Icmpv6View.validate(frame.base.seg, l4, icmpLen) != PacketError.OK) {
            return drop(DropReason.TRUNCATED_ICMPV6);
        }
        icmp.wrap(frame.base.seg, l4);
        int type = icmp.type();
        if (type == Icmpv6View.TYPE_NEIGHBOR_SOLICIT || type == Icmpv6View.TYPE_NEIGHBOR_ADVERT) {
            return neighbourDiscovery(type, l4, icmpLen, inIfindex, nowMs);
        }
        if (type == Icmpv6View.TYPE_DEST_UNREACH || type == Icmpv6View.TYPE_PACKET_TOO_BIG
                || type == Icmpv6View.TYPE_TIME_EXCEEDED) {
            return icmpError(l4, icmpLen);
        }
        return ignore(); // echo, router discovery, MLD, parameter problems: the kernel's
    }

    /**
     * ICMPv6 errors quoting a tracked flow (ip_vs_in_icmp_v6 / ip_vs_out_icmp_v6), as {@link Forwarder}'s ICMP:
     * a client's error about a reply (quoting VIP → client) goes to the real server, translated for NAT; a NAT real
     * server's error about a forwarded packet (quoting client → real server) goes to the client with the VIP put
     * back. The quoted IPv6 header must be followed directly by TCP or UDP. The whole ICMPv6 checksum is recomputed
     * (it covers the pseudo-header); the quoted transport checksum is left alone, as the kernel does.
     */
    private int icmpError(long l4, int icmpLen) {
        if (icmpLen < Icmpv6View.HEADER_LENGTH + Ipv6View.HEADER_LENGTH + 8) {
            return drop(DropReason.ICMP_UNRELATED);
        }
        long q = l4 + Icmpv6View.HEADER_LENGTH;
        MemorySegment seg = frame.base.seg;
        quoted.wrap(seg, q);
        int qproto = quoted.nextHeader();
        if (quoted.version() != 6 || (qproto != Ipv6View.NEXT_TCP && qproto != Ipv6View.NEXT_UDP)) {
            return drop(DropReason.ICMP_UNRELATED);
        }
        long qp = q + Ipv6View.HEADER_LENGTH;
        int qsport = Short.toUnsignedInt(seg.get(NET_SHORT, qp));
        int qdport = Short.toUnsignedInt(seg.get(NET_SHORT, qp + 2));
        // from the client side: the quoted packet was VIP → client
        int slot = conns.lookupIn(qproto, quoted.dstHi(), quoted.dstLo(), qdport, quoted.srcHi(), quoted.srcLo(), qsport);
        if (slot >= 0) {
            Dest6Runtime d = config.dest(conns.destId(slot));
            ServedInterface out = d == null ? null : served(d.outIfindex());
            if (out == null) {
                return drop(DropReason.DEST_UNAVAILABLE);
            }
            long nextHopMac = neighbours.lookup(d.outIfindex(), d.nextHopHi(), d.nextHopLo());
            if (nextHopMac == NeighbourTable6.UNRESOLVED || ip.hopLimit() <= 1) {
                return drop(nextHopMac == NeighbourTable6.UNRESOLVED ? DropReason.NEIGHBOUR_UNRESOLVED
                        : DropReason.TTL_EXCEEDED);
            }
            int method = conns.flags(slot) & ConnectionFlags.FWD_MASK;
            if (method == ConnectionFlags.FWD_MASQ) {
                quoted.srcAddr(conns.realHi(slot), conns.realLo(slot));
                seg.set(NET_SHORT, qp, (short) conns.realPort(slot));
                ip.dstAddr(conns.realHi(slot), conns.realLo(slot));
                icmp.updateChecksum(icmpLen, ip.srcHi(), ip.srcLo(), ip.dstHi(), ip.dstLo());
            } else if (method != ConnectionFlags.FWD_DROUTE) {
                return drop(DropReason.ICMP_UNRELATED); // tunnels and FULLNAT: the error would need re-addressing
            }
            ip.decrementHopLimit();
            eth.dstMac(nextHopMac);
            eth.srcMac(out.mac());
            sink.send(d.outIfindex(), seg, frame.base.mac - VNET, frame.base.snapLen + VNET);
            return Forwarder.FORWARDED;
        }
        // from a NAT real server: the quoted packet was client → real server
        slot = conns.lookupOut(qproto, quoted.dstHi(), quoted.dstLo(), qdport, quoted.srcHi(), quoted.srcLo(), qsport);
        if (slot >= 0 && (conns.flags(slot) & ConnectionFlags.FWD_MASK) == ConnectionFlags.FWD_MASQ) {
            int outIf = conns.inIfindex(slot);
            ServedInterface out = served(outIf);
            if (out == null || ip.hopLimit() <= 1) {
                return drop(DropReason.NO_ROUTE);
            }
            ip.decrementHopLimit();
            long vHi = conns.vipHi(slot);
            long vLo = conns.vipLo(slot);
            quoted.dstAddr(vHi, vLo);
            seg.set(NET_SHORT, qp + 2, (short) conns.vport(slot));
            ip.srcAddr(vHi, vLo);
            icmp.updateChecksum(icmpLen, ip.srcHi(), ip.srcLo(), ip.dstHi(), ip.dstLo());
            eth.dstMac(conns.clientMac(slot));
            eth.srcMac(out.mac());
            sink.send(outIf, seg, frame.base.mac - VNET, frame.base.snapLen + VNET);
            return Forwarder.FORWARDED;
        }
        if (config.owns(ip.dstHi(), ip.dstLo()) || isLocal(ip.dstHi(), ip.dstLo())) {
            return ignore(); // about the director's own traffic: the kernel's
        }
        return drop(DropReason.ICMP_UNRELATED);
    }

    /**
     * An ICMPv6 error from the VIP back to the sender of the frame being handled, quoting as much of it as fits in
     * the minimum MTU (RFC 4443 2.4 c), as IPVS's icmpv6_send does for "packet too big".
     * <pre>
     *  | Ethernet | IPv6 (VIP → client, next header 58) | type | code | csum | MTU or unused (4) | quote |
     * </pre>
     */
    private void icmpError(int type, int code, int rest) {
        ServedInterface in = served(frame.base.inIfindex);
        long f = takeScratch();
        if (in == null || f < 0) {
            return;
        }
        int quote = Math.min(ip.totalLength(), Math.min(MAX_QUOTE, frame.base.snapLen - ETH));
        int icmpLen = Icmpv6View.HEADER_LENGTH + quote;
        long m = f + VNET;
        outEth.wrap(scratch, m);
        outEth.dstMac(eth.srcMac()).srcMac(in.mac()).etherType(EthernetView.ETHERTYPE_IPV6);
        long l3 = m + ETH;
        outIp.wrap(scratch, l3);
        outIp.version(6).trafficClass(0).flowLabel(0).payloadLength(icmpLen).nextHeader(Ipv6View.NEXT_ICMPV6)
                .hopLimit(64).srcAddr(ip.dstHi(), ip.dstLo()).dstAddr(ip.srcHi(), ip.srcLo());
        long l4 = l3 + Ipv6View.HEADER_LENGTH;
        MemorySegment.copy(frame.base.seg, frame.l3(), scratch, l4 + Icmpv6View.HEADER_LENGTH, quote);
        outIcmp.wrap(scratch, l4);
        outIcmp.type(type).code(code).restOfHeader(rest);
        outIcmp.updateChecksum(icmpLen, outIp.srcHi(), outIp.srcLo(), outIp.dstHi(), outIp.dstLo());
        sink.send(frame.base.inIfindex, scratch, f, VNET + ETH + Ipv6View.HEADER_LENGTH + icmpLen);
    }

    // ---------------------------------------------------------------- Neighbour Discovery

    /**
     * RFC 4861 for the addresses jlvs owns and wants: a solicitation for a VIP or local address is answered with a
     * solicited advertisement (override set) carrying the interface's MAC; the sender's link-layer address is
     * learnt if jlvs wants it; an advertisement teaches the target's MAC. Messages with a hop limit below 255 or a
     * bad checksum are malformed.
     */
    private int neighbourDiscovery(int type, long l4, int icmpLen, int inIfindex, long nowMs) {
        MemorySegment seg = frame.base.seg;
        if (NeighborDiscoveryView.validate(seg, l4, icmpLen) != PacketError.OK
                || ip.hopLimit() != NeighborDiscoveryView.REQUIRED_HOP_LIMIT
                || !icmp.checksumValid(icmpLen, ip.srcHi(), ip.srcLo(), ip.dstHi(), ip.dstLo())) {
            return drop(DropReason.BAD_ND);
        }
        nd.wrap(seg, l4);
        long srcHi = ip.srcHi();
        long srcLo = ip.srcLo();
        if (type == Icmpv6View.TYPE_NEIGHBOR_ADVERT) {
            long mac = nd.targetLinkLayerAddress(icmpLen);
            neighbours.learn(inIfindex, nd.targetHi(), nd.targetLo(), mac == NeighborDiscoveryView.NO_MAC
                    ? eth.srcMac() : mac, nowMs);
            return ignore(); // the kernel may want it too
        }
        boolean fromUnspecified = Ipv6View.isUnspecified(srcHi, srcLo);
        long senderMac = nd.sourceLinkLayerAddress(icmpLen);
        if (!fromUnspecified && senderMac != NeighborDiscoveryView.NO_MAC) {
            neighbours.learn(inIfindex, srcHi, srcLo, senderMac, nowMs);
        }
        long tHi = nd.targetHi();
        long tLo = nd.targetLo();
        ServedInterface in = served(inIfindex);
        if (!config.owns(tHi, tLo) || in == null) {
            return ignore();
        }
        long f = takeScratch();
        if (f < 0) {
            return drop(DropReason.TX_FAILED);
        }
        // to a DAD probe (from ::) the answer goes to all nodes, unsolicited; else to the asker
        long dstHi = fromUnspecified ? ALL_NODES_HI : srcHi;
        long dstLo = fromUnspecified ? ALL_NODES_LO : srcLo;
        long dstMac = fromUnspecified ? Ipv6View.multicastMac(ALL_NODES_LO)
                : senderMac != NeighborDiscoveryView.NO_MAC ? senderMac : eth.srcMac();
        int flags = NeighborDiscoveryView.FLAG_OVERRIDE | (fromUnspecified ? 0 : NeighborDiscoveryView.FLAG_SOLICITED);
        writeNd(f + VNET, in.mac(), dstMac, tHi, tLo, dstHi, dstLo, false, flags, tHi, tLo);
        sink.send(inIfindex, scratch, f, VNET + ETH + Ipv6View.HEADER_LENGTH + NeighborDiscoveryView.LENGTH_WITH_LL_OPTION);
        return Forwarder.ANSWERED;
    }

    /**
     * Sends a Neighbor Solicitation for the address out of {@code ifindex} to its solicited-node group, from the
     * interface's IPv6 address, at most once a second per address.
     */
    public void solicit(int ifindex, long hi, long lo, long nowMs) {
        ServedInterface itf = served(ifindex);
        Ipv6Config.Interface6 src = config.iface(ifindex);
        if (itf == null || src == null || !neighbours.shouldSolicit(ifindex, hi, lo, nowMs)) {
            return;
        }
        long f = takeScratch();
        if (f < 0) {
            return;
        }
        long groupLo = NeighborDiscoveryView.solicitedNodeLo(lo);
        writeNd(f + VNET, itf.mac(), Ipv6View.multicastMac(groupLo), src.hi(), src.lo(),
                NeighborDiscoveryView.SOLICITED_NODE_HI, groupLo, true, 0, hi, lo);
        sink.send(ifindex, scratch, f, VNET + ETH + Ipv6View.HEADER_LENGTH + NeighborDiscoveryView.LENGTH_WITH_LL_OPTION);
    }

    private void writeNd(long m, long srcMac, long dstMac, long srcHi, long srcLo, long dstHi, long dstLo,
                         boolean solicitation, int flags, long targetHi, long targetLo) {
        outEth.wrap(scratch, m);
        outEth.dstMac(dstMac).srcMac(srcMac).etherType(EthernetView.ETHERTYPE_IPV6);
        outIp.wrap(scratch, m + ETH);
        outIp.version(6).trafficClass(0).flowLabel(0).payloadLength(NeighborDiscoveryView.LENGTH_WITH_LL_OPTION)
                .nextHeader(Ipv6View.NEXT_ICMPV6).hopLimit(NeighborDiscoveryView.REQUIRED_HOP_LIMIT)
                .srcAddr(srcHi, srcLo).dstAddr(dstHi, dstLo);
        outNd.wrap(scratch, m + ETH + Ipv6View.HEADER_LENGTH);
        if (solicitation) {
            outNd.initSolicitation(targetHi, targetLo, srcMac);
        } else {
            outNd.initAdvertisement(flags, targetHi, targetLo, srcMac);
        }
        outNd.updateChecksum(NeighborDiscoveryView.LENGTH_WITH_LL_OPTION, srcHi, srcLo, dstHi, dstLo);
    }

    private long takeScratch() {
        if (scratchUsed == SCRATCH_FRAMES) {
            return -1;
        }
        long off = (long) scratchUsed++ * SCRATCH_FRAME;
        scratch.set(ValueLayout.JAVA_LONG_UNALIGNED, off, 0L); // virtio_net_hdr: no offload
        scratch.set(ValueLayout.JAVA_SHORT_UNALIGNED, off + 8, (short) 0);
        return off;
    }

    // ---------------------------------------------------------------- housekeeping

    void afterFlush() {
        scratchUsed = 0;
        tunnel.afterFlush();
        for (int n = fragments.afterFlush(lastNowMs); n > 0; n--) {
            counters.drop(DropReason.FRAGMENT); // held, but its first fragment never came
        }
        for (int n = neighbourWait.afterFlush(replayNowMs); n > 0; n--) {
            counters.drop(DropReason.NEIGHBOUR_UNRESOLVED); // held, but the next hop never answered
        }
        for (int n = proxyWait.afterFlush(lastNowMs); n > 0; n--) {
            counters.drop(DropReason.SYN_PROXY_WAIT); // held, but the real server never answered
        }
    }

    /** Expires idle connections and keeps real servers' and next hops' MACs resolved. */
    int housekeeping(long nowMs) {
        expiryNowMs = nowMs;
        replayNowMs = nowMs;
        int expired = conns.expire(nowMs, onExpire, EXPIRE_BUDGET);
        if (neighbourWait.waiting() > 0) {
            neighbourWait.release(resolved, replayHeld);
        }
        if (proxyWait.waiting() > 0) {
            proxyWait.release(proxyAnswered, replayHeld);
        }
        for (Dest6Runtime d : config.destsById()) {
            if (d != null && d.outIfindex() != 0) {
                solicit(d.outIfindex(), d.nextHopHi(), d.nextHopLo(), nowMs);
            }
        }
        return expired;
    }

    private ServedInterface served(int ifindex) {
        return ifindex > 0 && ifindex < interfacesByIndex.length ? interfacesByIndex[ifindex] : null;
    }

    private boolean isLocal(long hi, long lo) {
        for (Ipv6Config.Interface6 i : config.interfaces()) {
            if (i.hi() == hi && i.lo() == lo) {
                return true;
            }
        }
        return false;
    }

    private int drop(DropReason reason) {
        counters.drop(reason);
        return Forwarder.DROPPED;
    }

    private int ignore() {
        counters.addTotal(WorkerCounters.IGNORED_FRAMES, 1);
        return Forwarder.IGNORED;
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

    /** The scheduler's view of one IPv6 service's real servers, over this worker's counters. */
    private final class DestView implements DestinationView {
        Service6Runtime service;

        @Override
        public int count() {
            return service.dests().length;
        }

        @Override
        public int destId(int i) {
            return service.dests()[i].destId();
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
            return service.dests()[i].folded();
        }

        @Override
        public int forwardMethod(int i) {
            return service.dests()[i].method();
        }

        @Override
        public int serverPort(int i) {
            return service.dests()[i].port();
        }
    }

    public void close() {
        fragments.close();
        neighbourWait.close();
        proxyWait.close();
        tunnel.close();
        arena.close();
    }
}
