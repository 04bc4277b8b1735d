package io.jlvs.vrrp;

import io.jlvs.vrrp.VrrpCounters.Event;
import io.jlvs.vrrp.VrrpInstanceConfig.TrackedInterface;
import io.jlvs.vrrp.VrrpInstanceConfig.UnicastPeer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One VRRP instance's state machine, as keepalived 2.2 runs it (vrrp.md §5–§7): BACKUP waits
 * Master_Down_Interval = D × Master_Adver_Interval + Skew_Time after the last accepted advert, MASTER advertises
 * every {@code advert_int}, priority 0 on leaving, keepalived's extras (a master re-advertises when it hears a
 * lower priority, equal priority is settled by the master comparing source addresses).
 *
 * <p>All times are microseconds on the caller's monotonic clock, passed in; nothing here sleeps or reads a clock.
 * Timers are deadlines the owning {@link VrrpNode} polls through {@link #nextDeadlineUs()}. Runs on the VRRP thread
 * only; {@link #state()}, {@link #effectivePriority()} and the counters may be read from anywhere.
 */
public final class VrrpInstance {
    static final long NEVER = Long.MAX_VALUE;

    private final VrrpInstanceConfig config;
    private final VrrpNode node;
    private final VrrpHost host;
    private final VrrpPackets packets;
    private final VrrpCounters counters = new VrrpCounters();
    private final MemorySegment sendBuffer = Arena.ofAuto().allocate(VrrpPackets.MAX_PACKET);
    private final byte[][] vipBytes;
    private final byte[] authData;
    private final byte[][] peerBytes;
    private final byte[] groupBytes;
    private final byte[] lastMasterSource;
    private final List<TrackedInterface> trackedInterfaces;
    private final List<Tracker> scriptTrackers = new ArrayList<>();
    VrrpSyncGroup group;

    private volatile VrrpState state = VrrpState.INIT;
    private VrrpState wantState;
    private int basePriority;
    private volatile int effectivePriority;
    private long masterAdverIntUs;
    private long sandsUs = NEVER;
    private long preemptUntilUs;
    private long garpDelayDueUs = NEVER;
    private long lowerPrioGarpDueUs = NEVER;
    private long garpRefreshDueUs = NEVER;
    private int ipId;
    private byte[] source;
    private boolean haveMasterSource;
    private volatile int masterPriority;
    private boolean vipSet;
    private boolean oldUnicastChecksum;
    private boolean notifiesSent;
    private boolean selfFault;
    private boolean noSourceLogged;

    /** A track_script entry resolved against its vrrp_script. */
    record Tracker(VrrpNode.ScriptTracker script, int weight, boolean reverse) {}

    VrrpInstance(VrrpInstanceConfig config, VrrpNode node, VrrpHost host, List<TrackedInterface> trackedInterfaces) {
        this.config = config;
        this.node = node;
        this.host = host;
        this.packets = VrrpPackets.forInstance(config);
        this.vipBytes = config.advertisedAddressBytes();
        this.authData = config.authData();
        this.peerBytes = config.unicastPeers().stream().map(p -> p.address().getAddress()).toArray(byte[][]::new);
        this.groupBytes = config.multicastGroup().getAddress();
        this.lastMasterSource = new byte[config.ipv6() ? 16 : 4];
        this.trackedInterfaces = List.copyOf(trackedInterfaces);
        this.basePriority = config.priority();
        this.effectivePriority = basePriority;
        this.masterAdverIntUs = config.advertIntUs();
        this.wantState = config.initialMaster() ? VrrpState.MASTER : VrrpState.BACKUP;
    }

    void addScriptTracker(Tracker t) {
        scriptTrackers.add(t);
    }

    // ------------------------------------------------------------------ views

    public VrrpInstanceConfig config() {
        return config;
    }

    public String name() {
        return config.name();
    }

    public VrrpState state() {
        return state;
    }

    public int effectivePriority() {
        return effectivePriority;
    }

    /** Priority of the last accepted advert (the current master's, seen from a backup). */
    public int masterPriority() {
        return masterPriority;
    }

    public VrrpCounters counters() {
        return counters;
    }

    /** The address adverts are sent from, or {@code null} while the interface has none. */
    public InetAddress sourceAddress() {
        try {
            return source == null ? null : InetAddress.getByAddress(source);
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }

    /** Whether this instance holds its addresses (MASTER after they were added). */
    public boolean addressesSet() {
        return vipSet;
    }

    public long masterAdverIntUs() {
        return masterAdverIntUs;
    }

    /** Skew_Time, µs, with keepalived's integer arithmetic (vrrp.md §5). */
    public long skewUs() {
        return skewUs(256 - effectivePriority);
    }

    private long skewUs(int weight) {
        if (config.version() == 3) {
            return weight * (masterAdverIntUs / 10_000) * 625 / 16;
        }
        return weight * VrrpInstanceConfig.SECOND_US / 256;
    }

    /** Master_Down_Interval = D × Master_Adver_Interval + Skew_Time, µs. */
    public long masterDownIntervalUs() {
        return config.downTimerAdverts() * masterAdverIntUs + skewUs();
    }

    /** Earliest deadline of this instance (advert, master down, GARP), {@link Long#MAX_VALUE} if none. */
    long nextDeadlineUs() {
        return Math.min(sandsUs, Math.min(garpDelayDueUs, lowerPrioGarpDueUs));
    }

    /** The advert / master-down deadline alone. */
    public long timerDeadlineUs() {
        return sandsUs;
    }

    // ------------------------------------------------------------------ start, stop, tracking

    /** INIT → BACKUP (or FAULT), as keepalived's vrrp_init_state. */
    void start(long nowUs) {
        refreshSource();
        Tracking t = evaluateTracking();
        effectivePriority = t.priority;
        masterAdverIntUs = config.advertIntUs();
        if (t.fault || t.initWait) {
            selfFault = t.fault || t.initWait;
            wantState = VrrpState.FAULT;
            setState(VrrpState.FAULT, "Entering FAULT STATE (init)", nowUs, t.fault);
            return;
        }
        if (config.owner() && config.initialMaster()) {
            // "the simplest way to become master is to time out from BACKUP very quickly (1 µs)"
            state = VrrpState.BACKUP;
            sandsUs = nowUs + 1;
            return;
        }
        wantState = VrrpState.BACKUP;
        sandsUs = nowUs + masterDownIntervalUs();
        setState(VrrpState.BACKUP, "Entering BACKUP STATE (init)", nowUs, true);
    }

    /**
     * Reload (keepalived's restore_vrrp_state): this instance of the new configuration takes over the live state of
     * the matching one of the old configuration. A master stays master without a new election: it adds the
     * addresses it now has (announcing them) and sends an advert at once; a backup stays backup with a fresh
     * master-down timer and what it learnt of the master; an instance in FAULT starts afresh.
     */
    void restoreFrom(VrrpInstance old, long nowUs) {
        counters.addAll(old.counters);
        refreshSource();
        Tracking t = evaluateTracking();
        effectivePriority = t.priority;
        boolean faulty = t.fault || t.initWait;
        if (old.state == VrrpState.MASTER && !faulty) {
            state = VrrpState.MASTER;
            wantState = VrrpState.MASTER;
            masterAdverIntUs = config.advertIntUs();
            host.addAddresses(this);
            vipSet = true;
            host.announce(this, config.garp().masterRepeat());
            garpRefreshDueUs = config.garp().masterRefreshUs() > 0 ? nowUs + config.garp().masterRefreshUs() : NEVER;
            sandsUs = nowUs;
            notifiesSent = true;
            node.log("(" + name() + ") kept MASTER state across reload");
        } else if (old.state == VrrpState.BACKUP && !faulty) {
            state = VrrpState.BACKUP;
            wantState = VrrpState.BACKUP;
            masterAdverIntUs = old.masterAdverIntUs;
            masterPriority = old.masterPriority;
            sandsUs = nowUs + masterDownIntervalUs();
            notifiesSent = true;
            node.log("(" + name() + ") kept BACKUP state across reload");
        } else {
            start(nowUs);
        }
    }

    /** Orderly shutdown (vrrp.md §7.7): a master sends one priority-0 advert and removes its addresses; STOP. */
    void stop(long nowUs) {
        if (state == VrrpState.MASTER) {
            sendAdvert(0);
            removeAddresses();
        }
        sandsUs = NEVER;
        garpDelayDueUs = NEVER;
        lowerPrioGarpDueUs = NEVER;
        setState(VrrpState.STOP, null, nowUs, true);
    }

    /** Re-reads the source address when none is configured (the interface's may change). */
    void refreshSource() {
        if (config.sourceAddress() != null) {
            source = config.sourceAddress().getAddress();
            return;
        }
        InetAddress a = host.interfaceAddress(config.interfaceName(), config.ipv6());
        source = a == null ? null : a.getAddress();
    }

    private record Tracking(boolean fault, boolean initWait, int priority) {}

    private Tracking evaluateTracking() {
        boolean fault = false;
        boolean initWait = false;
        int total = basePriority;
        if (!config.dontTrackPrimary() && !host.linkUp(config.interfaceName())) {
            fault = true;
        }
        for (TrackedInterface ti : trackedInterfaces) {
            boolean ok = host.linkUp(ti.name()) != ti.reverse();
            if (ti.weight() == 0) {
                fault |= !ok;
            } else if (ti.weight() > 0 ? ok : !ok) {
                total += ti.weight();
            }
        }
        for (Tracker t : scriptTrackers) {
            VrrpNode.ScriptStatus s = t.script().status();
            if (s == VrrpNode.ScriptStatus.INIT) {
                initWait |= t.weight() == 0;
                continue;
            }
            boolean ok = (s == VrrpNode.ScriptStatus.OK) != t.reverse();
            if (t.weight() == 0) {
                fault |= !ok;
            } else if (t.weight() > 0 ? ok : !ok) {
                total += t.weight();
            }
        }
        int priority = basePriority == VrrpInstanceConfig.PRIORITY_OWNER ? basePriority : Math.clamp(total, 1, 254);
        return new Tracking(fault, initWait, priority);
    }

    /** Re-evaluates interfaces and scripts after one changed: FAULT in or out, effective priority. */
    void trackingChanged(long nowUs) {
        if (state == VrrpState.STOP || state == VrrpState.INIT) {
            return;
        }
        Tracking t = evaluateTracking();
        boolean faulty = t.fault || t.initWait;
        if (faulty && !selfFault) {
            selfFault = true;
            setEffectivePriority(t.priority);
            downInstance(nowUs, t.fault);
        } else if (!faulty && selfFault) {
            selfFault = false;
            setEffectivePriority(t.priority);
            tryUp(nowUs);
        } else {
            setEffectivePriority(t.priority);
        }
    }

    boolean selfFault() {
        return selfFault;
    }

    private void setEffectivePriority(int p) {
        if (p == effectivePriority || basePriority == VrrpInstanceConfig.PRIORITY_OWNER) {
            return;
        }
        node.log("(" + name() + ") Changing effective priority from " + effectivePriority + " to " + p);
        long oldSkew = skewUs();
        effectivePriority = p;
        if (state == VrrpState.BACKUP && sandsUs != NEVER) {
            sandsUs += skewUs() - oldSkew; // the running master-down deadline moves by the change in skew
        }
    }

    private void downInstance(long nowUs, boolean notify) {
        wantState = VrrpState.FAULT;
        if (state == VrrpState.MASTER) {
            leaveMaster(nowUs, VrrpState.FAULT, true);
        } else {
            enterFault(nowUs, notify);
        }
        if (group != null) {
            group.memberFault(this, nowUs);
        }
    }

    /** To FAULT from BACKUP/INIT (no packet). */
    void enterFault(long nowUs, boolean notify) {
        sandsUs = NEVER;
        if (state != VrrpState.FAULT) {
            setState(VrrpState.FAULT, "Entering FAULT STATE", nowUs, notify);
        }
    }

    private void tryUp(long nowUs) {
        wantState = VrrpState.BACKUP;
        masterAdverIntUs = config.advertIntUs();
        if (group != null && group.anyOtherSelfFault(this)) {
            return; // the group stays in FAULT until every member is fine
        }
        leaveFault(nowUs);
        if (config.unicast() && source != null) {
            // refresh the peers' neighbour caches so their adverts reach us before our timer runs out
            host.announceAddress(config.interfaceName(), sourceAddress());
        }
        if (group != null) {
            group.syncBackup(this, nowUs);
        }
    }

    /** FAULT → BACKUP with a fresh master-down timer. */
    void leaveFault(long nowUs) {
        wantState = VrrpState.BACKUP;
        masterAdverIntUs = config.advertIntUs();
        preemptUntilUs = 0;
        sandsUs = nowUs + masterDownIntervalUs();
        if (state != VrrpState.BACKUP) {
            setState(VrrpState.BACKUP, "Entering BACKUP STATE", nowUs, true);
        }
    }

    // ------------------------------------------------------------------ timers

    void tick(long nowUs) {
        if (garpDelayDueUs <= nowUs) {
            garpDelayDueUs = NEVER;
            if (vipSet) {
                host.announce(this, config.garp().masterRepeat());
            }
        }
        if (lowerPrioGarpDueUs <= nowUs) {
            lowerPrioGarpDueUs = NEVER;
            if (vipSet) {
                host.announce(this, config.garp().lowerPrioRepeat());
            }
        }
        if (sandsUs > nowUs) {
            return;
        }
        VrrpState prev = state;
        if (state == VrrpState.BACKUP) {
            // "Receive advertisement timeout"
            wantState = VrrpState.MASTER;
            if (group != null && !group.canGoToMaster(this, nowUs)) {
                return;
            }
            gotoMaster(nowUs);
        } else if (state == VrrpState.MASTER) {
            masterTx(nowUs, VrrpState.MASTER);
            sandsUs = nowUs + config.advertIntUs();
        } else {
            sandsUs = NEVER;
        }
        syncTransition(prev, nowUs);
    }

    /** BACKUP → MASTER: advert first (so the old master drops the VIPs before our GARPs), then addresses. */
    void gotoMaster(long nowUs) {
        wantState = VrrpState.MASTER;
        VrrpState from = state;
        state = VrrpState.MASTER;
        sandsUs = nowUs + config.advertIntUs();
        masterTx(nowUs, from);
    }

    private void masterTx(long nowUs, VrrpState from) {
        sendAdvert(effectivePriority);
        if (!vipSet) {
            counters.count(Event.BECAME_MASTER);
            masterAdverIntUs = config.advertIntUs();
            host.addAddresses(this);
            vipSet = true;
            host.announce(this, config.garp().masterRepeat());
            garpRefreshDueUs = config.garp().masterRefreshUs() > 0 ? nowUs + config.garp().masterRefreshUs() : NEVER;
            garpDelayDueUs = config.garp().masterDelayUs() > 0 ? nowUs + config.garp().masterDelayUs() : NEVER;
            setState(from, VrrpState.MASTER, "Entering MASTER STATE", true);
        } else if (garpRefreshDueUs != NEVER && nowUs > garpRefreshDueUs) {
            host.announce(this, config.garp().masterRefreshRepeat());
            garpRefreshDueUs = nowUs + config.garp().masterRefreshUs();
        }
    }

    /**
     * MASTER → BACKUP (a better master) or FAULT.
     *
     * @param priorityZero send a priority-0 advert so a backup takes over at once (FAULT from own trackers)
     */
    void leaveMaster(long nowUs, VrrpState want, boolean priorityZero) {
        wantState = want;
        String message;
        if (want == VrrpState.BACKUP) {
            message = "Entering BACKUP STATE";
            preemptUntilUs = 0;
        } else {
            message = "Entering FAULT STATE";
            sendAdvert(0);
        }
        if (priorityZero) {
            sendAdvert(0);
        }
        removeAddresses();
        counters.count(Event.RELEASED_MASTER);
        sandsUs = want == VrrpState.BACKUP ? nowUs + masterDownIntervalUs() : NEVER;
        setState(want, message, nowUs, true);
    }

    private void removeAddresses() {
        garpDelayDueUs = NEVER;
        lowerPrioGarpDueUs = NEVER;
        garpRefreshDueUs = NEVER;
        if (vipSet) {
            host.removeAddresses(this);
            vipSet = false;
        }
    }

    // ------------------------------------------------------------------ receive

    /** A received advert for this VRID on this instance's interface and family. */
    void receive(ReceivedAdvert p, long nowUs) {
        if (state != VrrpState.BACKUP && state != VrrpState.MASTER) {
            counters.drop(VrrpDrop.NOT_RUNNING);
            return;
        }
        VrrpState prev = state;
        if (state == VrrpState.BACKUP) {
            backupReceive(p, nowUs);
        } else if (masterReceive(p, nowUs)) {
            leaveMaster(nowUs, VrrpState.BACKUP, false);
        } else if (state == VrrpState.MASTER && !config.lowerPrioNoAdvert()) {
            sandsUs = nowUs + config.advertIntUs(); // every advert seen by a master restarts its advert timer
        }
        syncTransition(prev, nowUs);
    }

    private void backupReceive(ReceivedAdvert p, long nowUs) {
        boolean checkAddresses = !config.skipCheckAdvAddr() || !haveMasterSource
                || compareAddresses(p.source(), lastMasterSource) != 0;
        VrrpDrop drop = check(p, checkAddresses);
        if (drop != null) {
            counters.drop(drop);
            return; // the master-down deadline keeps running
        }
        VrrpAdvertView a = p.advert();
        int priority = a.priority();
        if (priority == 0) {
            sandsUs = nowUs + skewUs();
        } else if (config.nopreempt() || priority >= effectivePriority
                || (config.preemptDelayUs() > 0 && (preemptUntilUs == 0 || preemptUntilUs > nowUs))) {
            if (config.version() == 3) {
                masterAdverIntUs = a.maxAdverIntCs() * 10_000L;
            }
            sandsUs = nowUs + masterDownIntervalUs();
            rememberMaster(p, priority);
            if (config.preemptDelayUs() > 0) {
                if (priority >= effectivePriority) {
                    preemptUntilUs = 0;
                } else if (preemptUntilUs == 0) {
                    preemptUntilUs = nowUs + config.preemptDelayUs();
                }
            }
            wantState = VrrpState.BACKUP;
        } else {
            counters.count(Event.LOWER_PRIORITY_DISCARDED);
            node.log("(" + name() + ") received lower priority (" + priority + ") advert from "
                    + addressText(p.source()) + " - discarding");
            rememberMaster(p, masterPriority);
        }
    }

    private void rememberMaster(ReceivedAdvert p, int priority) {
        System.arraycopy(p.source(), 0, lastMasterSource, 0, lastMasterSource.length);
        haveMasterSource = true;
        masterPriority = priority;
    }

    /** @return true when this master must step down to BACKUP */
    private boolean masterReceive(ReceivedAdvert p, long nowUs) {
        VrrpDrop drop = check(p, true);
        if (drop != null) {
            counters.drop(drop);
            return false;
        }
        int priority = p.advert().priority();
        int cmp = source == null ? 1 : compareAddresses(p.source(), source);
        if (priority == 0 || (config.higherPrioSendAdvert()
                && (priority > effectivePriority || (priority == effectivePriority && cmp > 0)))) {
            sendAdvert(effectivePriority);
            if (priority == 0) {
                return false;
            }
        }
        if (priority == effectivePriority) {
            if (cmp == 0) {
                node.log("(" + name() + ") WARNING - equal priority advert received from remote host with our"
                        + " IP address.");
            } else if (effectivePriority == VrrpInstanceConfig.PRIORITY_OWNER) {
                node.log("(" + name() + ") CONFIGURATION ERROR: local instance and a remote instance are both"
                        + " configured as address owner, please fix - reducing local priority");
                basePriority = VrrpInstanceConfig.PRIORITY_OWNER - 1;
                effectivePriority = basePriority;
            }
        }
        if (priority < effectivePriority || (priority == effectivePriority && cmp < 0)) {
            node.log("(" + name() + ") Received advert from " + addressText(p.source()) + " with lower priority "
                    + priority + ", ours " + effectivePriority
                    + (config.lowerPrioNoAdvert() ? "" : ", forcing new election"));
            if (!config.lowerPrioNoAdvert()) {
                sendAdvert(effectivePriority);
            }
            lowerPriorityAnnounce(nowUs);
            if (group != null) {
                group.lowerPriorityAnnounce(this, nowUs);
            }
            if (config.notifyScripts().masterRxLowerPri() != null) {
                host.runNotify(config.notifyScripts().masterRxLowerPri(), 0);
            }
            return false;
        }
        if (priority > effectivePriority || (priority == effectivePriority && cmp > 0)) {
            if (priority > effectivePriority) {
                node.log("(" + name() + ") Master received advert from " + addressText(p.source())
                        + " with higher priority " + priority + ", ours " + effectivePriority);
            } else {
                node.log("(" + name() + ") Master received advert from " + addressText(p.source())
                        + " with same priority " + priority + " but higher IP address than ours");
            }
            if (config.version() == 3) {
                masterAdverIntUs = p.advert().maxAdverIntCs() * 10_000L;
            }
            rememberMaster(p, priority);
            return true;
        }
        return false;
    }

    void lowerPriorityAnnounce(long nowUs) {
        if (config.garp().lowerPrioRepeat() > 0 && vipSet) {
            host.announce(this, config.garp().lowerPrioRepeat());
            if (config.garp().lowerPrioDelayUs() > 0) {
                lowerPrioGarpDueUs = nowUs + config.garp().lowerPrioDelayUs();
            }
        }
    }

    /**
     * keepalived's vrrp_check_packet (vrrp.md §6, checks 2–12); {@code null} when the advert is good.
     *
     * @param checkAddresses compare the advertised addresses with ours (always for a master)
     */
    VrrpDrop check(ReceivedAdvert p, boolean checkAddresses) {
        VrrpAdvertView a = p.advert();
        int version = a.version();
        int count = a.addressCount();
        if (p.ipv6() != config.ipv6()) {
            return VrrpDrop.VERSION;
        }
        if (p.length() != p.ipHeaderLength() + VrrpAdvertView.length(version == 3 ? 3 : 2, p.ipv6(), count)) {
            return VrrpDrop.LENGTH;
        }
        if (!config.unicast() && p.ttl() != VrrpPackets.TTL_VRRP) {
            return VrrpDrop.TTL;
        }
        if (version != config.version()) {
            return VrrpDrop.VERSION;
        }
        if (version == 2) {
            int authType = a.authType();
            if (authType > VrrpAdvertView.AUTH_AH) {
                return VrrpDrop.AUTH_TYPE_INVALID;
            }
            int configured = config.authPass() != null ? VrrpAdvertView.AUTH_PASS : VrrpAdvertView.AUTH_NONE;
            if (authType != configured) {
                return VrrpDrop.AUTH_TYPE_MISMATCH;
            }
            if (configured == VrrpAdvertView.AUTH_PASS && !passwordMatches(p, count)) {
                return VrrpDrop.AUTH_FAILURE;
            }
            if ((long) a.adverIntS() * VrrpInstanceConfig.SECOND_US != config.advertIntUs()) {
                return VrrpDrop.INTERVAL;
            }
        }
        if (a.type() != VrrpAdvertView.TYPE_ADVERTISEMENT) {
            return VrrpDrop.TYPE;
        }
        if (checkAddresses && count != vipBytes.length) {
            return VrrpDrop.ADDRESS_COUNT;
        }
        if (!p.ipv6() && p.ipTotalLength() != p.length()) {
            return VrrpDrop.IP_TOTAL_LENGTH;
        }
        if (!checksumValid(p)) {
            return VrrpDrop.CHECKSUM;
        }
        if (p.multicastDestination() == config.unicast()) {
            return VrrpDrop.CAST_MISMATCH;
        }
        counters.count(Event.ADVERTS_RECEIVED);
        if (checkAddresses) {
            for (byte[] vip : vipBytes) {
                if (!a.containsAddress(vip)) {
                    return VrrpDrop.ADDRESS_MISSING;
                }
            }
            if (config.unicast() && config.checkUnicastSrc()) {
                UnicastPeer peer = null;
                for (int i = 0; i < peerBytes.length; i++) {
                    if (Arrays.equals(peerBytes[i], p.source())) {
                        peer = config.unicastPeers().get(i);
                        break;
                    }
                }
                if (peer == null) {
                    return VrrpDrop.UNICAST_SOURCE;
                }
                if (p.ttl() < peer.minTtl() || p.ttl() > peer.maxTtl()) {
                    return VrrpDrop.UNICAST_TTL;
                }
            }
        }
        if (a.priority() == 0) {
            counters.count(Event.PRIORITY_ZERO_RECEIVED);
        }
        return null;
    }

    private boolean passwordMatches(ReceivedAdvert p, int count) {
        long at = p.advert().addressOffset(count, false);
        int diff = 0;
        for (int i = 0; i < VrrpAdvertView.AUTH_LENGTH; i++) {
            diff |= p.segment().get(ValueLayout.JAVA_BYTE, at + i) ^ authData[i];
        }
        return diff == 0;
    }

    private boolean checksumValid(ReceivedAdvert p) {
        int length = p.vrrpLength();
        int version = config.version();
        if (version == 3 && config.v3ChecksumAsV2() && !p.ipv6()) {
            return true; // v3_checksum_as_v2 also stops verifying received v3 checksums
        }
        byte[] dst = oldUnicastChecksum ? groupBytes : p.destination();
        long pseudo = VrrpChecksum.pseudoHeader(version, p.source(), dst, length, false);
        if (VrrpChecksum.valid(p.segment(), p.ipHeaderLength(), length, pseudo)) {
            return true;
        }
        if (version == 3 && !p.ipv6() && config.unicast() && !oldUnicastChecksum) {
            // keepalived ≤ 1.3.6 put 224.0.0.18 in the pseudo-header even for unicast: follow such a peer
            long old = VrrpChecksum.pseudoHeader(version, p.source(), groupBytes, length, false);
            if (VrrpChecksum.valid(p.segment(), p.ipHeaderLength(), length, old)) {
                oldUnicastChecksum = true;
                node.log("(" + name() + ") Setting unicast VRRPv3 checksum to old version");
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ send

    /** One advert with {@code priority}: to the group, or to every unicast peer. */
    void sendAdvert(int priority) {
        if (source == null) {
            if (!noSourceLogged) {
                node.log("(" + name() + ") no source address on " + config.interfaceName() + " - advert not sent");
                noSourceLogged = true;
            }
            return;
        }
        noSourceLogged = false;
        ipId = (ipId + 1) & 0xffff;
        if (ipId == 0) {
            ipId = 1; // the kernel fills in an ID of 0 itself
        }
        if (!config.unicast()) {
            int length = packets.write(sendBuffer, priority, source, groupBytes, ipId, VrrpPackets.TTL_VRRP,
                    groupBytes);
            host.transmit(this, sendBuffer, length);
        } else {
            int ttl = config.unicastTtl() >= 0 ? config.unicastTtl() : config.ipv6() ? 64 : VrrpPackets.TTL_VRRP;
            for (byte[] peer : peerBytes) {
                int length = packets.write(sendBuffer, priority, source, peer, ipId, ttl,
                        oldUnicastChecksum ? groupBytes : peer);
                host.transmit(this, sendBuffer, length);
            }
        }
        counters.count(Event.ADVERTS_SENT);
        if (priority == 0) {
            counters.count(Event.PRIORITY_ZERO_SENT);
        }
    }

    // ------------------------------------------------------------------ state changes and notifications

    VrrpState wantState() {
        return wantState;
    }

    void wantState(VrrpState s) {
        wantState = s;
    }

    /** Restarts the master-down timer (a sync group holding this member back). */
    void restartDownTimer(long nowUs) {
        sandsUs = nowUs + masterDownIntervalUs();
    }

    private void syncTransition(VrrpState prev, long nowUs) {
        if (group == null) {
            return;
        }
        if (state == VrrpState.MASTER) {
            group.syncMaster(this, nowUs);
        } else if (prev == VrrpState.MASTER && state == VrrpState.BACKUP) {
            group.syncBackup(this, nowUs);
        }
    }

    private void setState(VrrpState to, String message, long nowUs, boolean notify) {
        setState(state, to, message, notify);
    }

    private void setState(VrrpState from, VrrpState to, String message, boolean notify) {
        state = to;
        if (message != null) {
            node.log("(" + name() + ") " + message);
        }
        if (notify) {
            sendNotifies();
        }
        node.stateChanged(name(), false, from, to, effectivePriority);
    }

    /** keepalived's send_instance_notifies: state script, then {@code notify INSTANCE name STATE prio}. */
    private void sendNotifies() {
        if (notifiesSent && group != null && state == group.state()) {
            return; // already there through the sync group
        }
        notifiesSent = true;
        long killAfter = state == VrrpState.STOP ? VrrpInstanceConfig.SECOND_US : 0;
        List<String> script = config.notifyScripts().forState(state);
        if (script != null) {
            host.runNotify(script, killAfter);
        }
        if (config.notifyScripts().generic() != null) {
            List<String> argv = new ArrayList<>(config.notifyScripts().generic());
            argv.addAll(List.of("INSTANCE", name(), state.name(), Integer.toString(effectivePriority)));
            host.runNotify(argv, killAfter);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Unsigned big-endian comparison of two addresses of the same length. */
    static int compareAddresses(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }

    /** Dotted quad, or IPv6 with the longest run of zero groups as "::" (as keepalived prints it). */
    static String addressText(byte[] address) {
        if (address.length == 4) {
            return (address[0] & 0xff) + "." + (address[1] & 0xff) + "." + (address[2] & 0xff) + "." + (address[3] & 0xff);
        }
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((address[2 * i] & 0xff) << 8) | (address[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; i++) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = Math.max(i, j);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return name() + "[" + state + " prio " + effectivePriority + "]";
    }
}
