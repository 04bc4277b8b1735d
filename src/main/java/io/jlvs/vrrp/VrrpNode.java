package io.jlvs.vrrp;

import io.jlvs.vrrp.VrrpInstanceConfig.TrackedInterface;
import io.jlvs.vrrp.VrrpInstanceConfig.TrackedScript;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Everything VRRP one director runs — its instances, sync groups and {@code vrrp_script}s — as one single-threaded
 * agent driven from outside: {@link #receive} for each packet, {@link #tick} when {@link #nextDeadlineUs()} has come,
 * {@link #linkChanged}/{@link #scriptResult} for tracked objects. Time is always passed in (µs, monotonic), so the
 * same code runs under {@link VrrpEngine} on Linux and in seeded simulations with a manual clock.
 */
public final class VrrpNode {
    /** A {@code vrrp_script}'s state: no result yet, or after {@code rise} successes / {@code fall} failures. */
    public enum ScriptStatus { INIT, OK, FAILED }

    /** A {@code vrrp_script} being run periodically, with keepalived's rise/fall counter. */
    public static final class ScriptTracker {
        private final VrrpScriptConfig config;
        private final List<VrrpInstance> tracking = new ArrayList<>();
        private ScriptStatus status;
        private int result;
        private boolean running;
        private long nextRunUs;

        ScriptTracker(VrrpScriptConfig config) {
            this.config = config;
            this.status = config.initFail() ? ScriptStatus.FAILED : ScriptStatus.INIT;
            this.result = config.initFail() ? 0 : config.rise() - 1;
        }

        public VrrpScriptConfig config() {
            return config;
        }

        public ScriptStatus status() {
            return status;
        }

        /** keepalived's counter: 0..rise-1 failed, rise..rise+fall-1 OK; returns true when the status changed. */
        boolean record(boolean success) {
            int rise = config.rise();
            int fall = config.fall();
            ScriptStatus before = status;
            if (success) {
                if (result < rise - 1) {
                    result++;
                } else {
                    result = rise + fall - 1;
                    status = ScriptStatus.OK;
                }
            } else {
                if (result > rise) {
                    result--;
                } else {
                    result = 0;
                    status = ScriptStatus.FAILED;
                }
            }
            return status != before;
        }
    }

    private final VrrpHost host;
    private final Consumer<String> log;
    private final List<VrrpInstance> instances = new ArrayList<>();
    private final List<VrrpSyncGroup> groups = new ArrayList<>();
    private final Map<String, ScriptTracker> scripts = new LinkedHashMap<>();
    /** Interface name → [IPv4, IPv6] → VRID → instances: found per packet without allocating. */
    private final Map<String, VrrpInstance[][][]> byInterface = new HashMap<>();
    private final List<VrrpStateListener> listeners = new CopyOnWriteArrayList<>();
    private final ReceivedAdvert received = new ReceivedAdvert();
    private final VrrpCounters unmatched = new VrrpCounters();
    private boolean started;
    private boolean stopped;

    /**
     * @param log receives keepalived-style log lines ("(VI_1) Entering MASTER STATE")
     * @throws IllegalArgumentException for a duplicate instance, an unknown script or sync-group member
     */
    public VrrpNode(List<VrrpInstanceConfig> instanceConfigs, List<VrrpSyncGroupConfig> groupConfigs,
                    List<VrrpScriptConfig> scriptConfigs, VrrpHost host, Consumer<String> log) {
        this.host = Objects.requireNonNull(host);
        this.log = Objects.requireNonNull(log);
        for (VrrpScriptConfig s : scriptConfigs) {
            scripts.put(s.name(), new ScriptTracker(s));
        }
        Map<String, VrrpSyncGroupConfig> groupOf = new HashMap<>();
        for (VrrpSyncGroupConfig g : groupConfigs) {
            for (String m : g.members()) {
                if (groupOf.putIfAbsent(m, g) != null) {
                    log("Virtual router " + m + " cannot exist in more than one sync group; ignoring " + g.name());
                }
            }
        }
        Map<String, VrrpInstance> byName = new HashMap<>();
        for (VrrpInstanceConfig c : instanceConfigs) {
            if (byName.containsKey(c.name())) {
                throw new IllegalArgumentException("vrrp_instance: duplicate name: instance=" + c.name());
            }
            VrrpSyncGroupConfig g = groupOf.get(c.name());
            List<TrackedInterface> ifs = new ArrayList<>(c.trackInterfaces());
            List<TrackedScript> scs = new ArrayList<>(c.trackScripts());
            if (g != null) {
                ifs.addAll(g.trackInterfaces());
                scs.addAll(g.trackScripts());
            }
            boolean weightsAllowed = g == null || g.trackingWeight();
            if (!weightsAllowed) {
                // keepalived: in a sync group, weighted interfaces become unweighted, weighted scripts are dropped
                ifs.replaceAll(t -> t.weight() == 0 ? t : new TrackedInterface(t.name(), 0, t.reverse()));
            }
            VrrpInstance instance = new VrrpInstance(c, this, host, ifs);
            for (TrackedScript ts : scs) {
                ScriptTracker tracker = scripts.get(ts.name());
                if (tracker == null) {
                    throw new IllegalArgumentException("track_script: no such vrrp_script: instance=" + c.name()
                            + ", script=" + ts.name());
                }
                int weight = ts.weight() != null ? ts.weight() : tracker.config.weight();
                boolean reverse = ts.weight() != null ? ts.reverse() : tracker.config.weightReverse();
                if (weight != 0 && (!weightsAllowed || c.owner())) {
                    log("(" + c.name() + ") ignoring weighted track_script " + ts.name()
                            + (c.owner() ? " on an address owner" : " in a sync group"));
                    continue;
                }
                instance.addScriptTracker(new VrrpInstance.Tracker(tracker, weight, reverse));
                tracker.tracking.add(instance);
            }
            instances.add(instance);
            byName.put(c.name(), instance);
            VrrpInstance[][][] families = byInterface.computeIfAbsent(c.interfaceName(), k -> new VrrpInstance[2][][]);
            int f = c.ipv6() ? 1 : 0;
            if (families[f] == null) {
                families[f] = new VrrpInstance[256][];
            }
            VrrpInstance[][] byVrid = families[f];
            VrrpInstance[] same = byVrid[c.virtualRouterId()];
            same = same == null ? new VrrpInstance[1] : Arrays.copyOf(same, same.length + 1);
            same[same.length - 1] = instance;
            byVrid[c.virtualRouterId()] = same;
        }
        for (VrrpSyncGroupConfig gc : groupConfigs) {
            VrrpSyncGroup group = new VrrpSyncGroup(gc, this, host);
            for (String m : gc.members()) {
                VrrpInstance member = byName.get(m);
                if (member == null) {
                    log("Virtual router " + m + " specified in sync group " + gc.name() + " doesn't exist - ignoring");
                } else if (member.group == null) {
                    group.add(member);
                }
            }
            if (group.members().size() == 1) {
                log("Sync group " + gc.name() + " has only 1 virtual router(s) - this probably isn't what you want");
            }
            if (!group.members().isEmpty()) {
                groups.add(group);
            }
        }
    }

    public void addListener(VrrpStateListener listener) {
        listeners.add(listener);
    }

    public List<VrrpInstance> instances() {
        return List.copyOf(instances);
    }

    public List<VrrpSyncGroup> groups() {
        return List.copyOf(groups);
    }

    public VrrpInstance instance(String name) {
        for (VrrpInstance i : instances) {
            if (i.name().equals(name)) {
                return i;
            }
        }
        return null;
    }

    /** Drops of adverts no instance claimed (too short, not VRRP, unknown VRID). */
    public VrrpCounters unmatched() {
        return unmatched;
    }

    /** The (interface, family) pairs adverts must be received on. */
    public List<String[]> listenKeys() {
        List<String[]> out = new ArrayList<>();
        for (VrrpInstance i : instances) {
            String[] k = {i.config().interfaceName(), i.config().ipv6() ? "6" : "4"};
            if (out.stream().noneMatch(e -> e[0].equals(k[0]) && e[1].equals(k[1]))) {
                out.add(k);
            }
        }
        return out;
    }

    public ScriptStatus scriptStatus(String name) {
        ScriptTracker t = scripts.get(name);
        return t == null ? null : t.status;
    }

    // ------------------------------------------------------------------ driving

    /** Starts every instance (INIT → BACKUP/FAULT) and schedules the scripts' first runs now. */
    public void start(long nowUs) {
        if (started) {
            return;
        }
        started = true;
        for (ScriptTracker s : scripts.values()) {
            s.nextRunUs = nowUs;
        }
        for (VrrpInstance i : instances) {
            i.start(nowUs);
        }
        for (VrrpSyncGroup g : groups) {
            g.started(nowUs);
        }
    }

    /** A packet received on {@code interfaceName}: a complete IPv4 or IPv6 packet (see {@link ReceivedAdvert}). */
    public void receive(String interfaceName, MemorySegment packet, int length, long nowUs) {
        if (!started || stopped) {
            return;
        }
        VrrpDrop pre = received.wrap(packet, length);
        if (pre != null) {
            unmatched.drop(pre);
            return;
        }
        VrrpInstance[][][] families = byInterface.get(interfaceName);
        VrrpInstance[][] byVrid = families == null ? null : families[received.ipv6() ? 1 : 0];
        VrrpInstance[] candidates = byVrid == null ? null : byVrid[received.advert().virtualRouterId()];
        if (candidates == null) {
            unmatched.drop(VrrpDrop.UNKNOWN_VRID);
            return;
        }
        VrrpInstance target = candidates[0];
        if (candidates.length > 1) {
            // unicast instances sharing a VRID: the sender picks the instance by its peer list
            target = null;
            for (VrrpInstance c : candidates) {
                for (VrrpInstanceConfig.UnicastPeer peer : c.config().unicastPeers()) {
                    if (Arrays.equals(peer.address().getAddress(), received.source())) {
                        target = c;
                    }
                }
            }
            if (target == null) {
                unmatched.drop(VrrpDrop.UNKNOWN_VRID);
                return;
            }
        }
        target.receive(received, nowUs);
    }

    /** Runs every timer due at {@code nowUs}: adverts, master-down, GARP sets, script runs. */
    public void tick(long nowUs) {
        if (!started || stopped) {
            return;
        }
        for (ScriptTracker s : scripts.values()) {
            if (s.nextRunUs <= nowUs) {
                s.nextRunUs = nowUs + s.config.intervalUs();
                if (s.running) {
                    log("Track script " + s.config.name() + " is already running, expect idle - skipping run");
                } else if (!s.tracking.isEmpty()) {
                    s.running = true;
                    host.startScript(s.config);
                }
            }
        }
        for (VrrpInstance i : instances) {
            if (i.nextDeadlineUs() <= nowUs) {
                i.tick(nowUs);
            }
        }
    }

    /** The earliest deadline of any instance or script, {@link Long#MAX_VALUE} when none. */
    public long nextDeadlineUs() {
        if (!started || stopped) {
            return Long.MAX_VALUE;
        }
        long next = Long.MAX_VALUE;
        for (VrrpInstance i : instances) {
            next = Math.min(next, i.nextDeadlineUs());
        }
        for (ScriptTracker s : scripts.values()) {
            if (!s.tracking.isEmpty()) {
                next = Math.min(next, s.nextRunUs);
            }
        }
        return next;
    }

    /** An interface went up or down (the host's {@link VrrpHost#linkUp} already answers the new state). */
    public void linkChanged(String interfaceName, long nowUs) {
        if (!started || stopped) {
            return;
        }
        for (VrrpInstance i : instances) {
            i.refreshSource();
            i.trackingChanged(nowUs);
        }
    }

    /** Addresses may have changed: re-read the instances' source addresses. */
    public void addressesChanged() {
        for (VrrpInstance i : instances) {
            i.refreshSource();
        }
    }

    /** One run of a {@code vrrp_script} finished ({@code success}: exit status 0 within its timeout). */
    public void scriptResult(String scriptName, boolean success, long nowUs) {
        ScriptTracker s = scripts.get(scriptName);
        if (s == null || stopped) {
            return;
        }
        s.running = false;
        if (s.record(success)) {
            log("VRRP_Script(" + scriptName + ") " + (success ? "succeeded" : "failed"));
            for (VrrpInstance i : s.tracking) {
                i.trackingChanged(nowUs);
            }
        }
    }

    /**
     * SIGHUP (keepalived's reload, vrrp.c clear_diff_vrrp): a node for the new configuration that takes over this
     * one's live state. An old instance matches a new one with the same VRID, family, interface, unicast-or-not and
     * multicast group (keepalived's vrrp_exist), whatever its name: a matching master keeps the VIPs both configs
     * name, loses the ones only the old names and gains the new ones without a new election; an old instance with
     * no match stops as on shutdown (priority 0 from a master, addresses removed, STOP). New instances start.
     * Scripts whose configuration did not change keep their results. This node is finished afterwards.
     *
     * @throws IllegalArgumentException when the new configuration is inconsistent; nothing changed then
     */
    public VrrpNode reload(List<VrrpInstanceConfig> instanceConfigs, List<VrrpSyncGroupConfig> groupConfigs,
                           List<VrrpScriptConfig> scriptConfigs, long nowUs) {
        VrrpNode next = new VrrpNode(instanceConfigs, groupConfigs, scriptConfigs, host, log);
        next.listeners.addAll(listeners);
        for (ScriptTracker t : next.scripts.values()) {
            ScriptTracker old = scripts.get(t.config.name());
            if (old != null && old.config.equals(t.config)) {
                t.status = old.status;
                t.result = old.result;
                t.running = old.running;
                t.nextRunUs = old.nextRunUs;
            } else {
                t.nextRunUs = nowUs;
            }
        }
        Map<VrrpInstance, VrrpInstance> oldOf = new HashMap<>();
        for (VrrpInstance old : instances) {
            VrrpInstance match = null;
            for (VrrpInstance n : next.instances) {
                if (!oldOf.containsKey(n) && sameRouter(old.config(), n.config())) {
                    match = n;
                    break;
                }
            }
            if (match == null) {
                log("(" + old.name() + ") no longer configured - removing");
                if (started && !stopped) {
                    old.stop(nowUs);
                }
                continue;
            }
            oldOf.put(match, old);
            if (old.addressesSet()) {
                List<VirtualAddress> gone = new ArrayList<>();
                for (VirtualAddress v : allAddresses(old.config())) {
                    if (allAddresses(match.config()).stream().noneMatch(w -> w.address().equals(v.address()))) {
                        gone.add(v);
                    }
                }
                if (!gone.isEmpty()) {
                    host.removeAddresses(old.config(), gone);
                }
            }
        }
        stopped = true;
        next.started = true;
        for (VrrpInstance n : next.instances) {
            VrrpInstance old = oldOf.get(n);
            if (old != null && old.state() != VrrpState.INIT && old.state() != VrrpState.STOP) {
                n.restoreFrom(old, nowUs);
            } else {
                n.start(nowUs);
            }
        }
        for (VrrpSyncGroup g : next.groups) {
            g.restored(nowUs);
        }
        return next;
    }

    /** keepalived's vrrp_exist: the same virtual router on the same link, whatever the instance is called. */
    private static boolean sameRouter(VrrpInstanceConfig a, VrrpInstanceConfig b) {
        if (a.virtualRouterId() != b.virtualRouterId() || a.ipv6() != b.ipv6()
                || !a.interfaceName().equals(b.interfaceName()) || a.unicast() != b.unicast()) {
            return false;
        }
        return a.unicast() ? Objects.equals(a.sourceAddress(), b.sourceAddress())
                : a.multicastGroup().equals(b.multicastGroup());
    }

    private static List<VirtualAddress> allAddresses(VrrpInstanceConfig c) {
        List<VirtualAddress> all = new ArrayList<>(c.virtualAddresses());
        all.addAll(c.excludedAddresses());
        return all;
    }

    /** Shutdown: masters send priority 0 and drop their addresses; every instance, then every group, reports STOP. */
    public void stop(long nowUs) {
        if (stopped) {
            return;
        }
        if (started) {
            for (VrrpInstance i : instances) {
                i.stop(nowUs);
            }
            for (VrrpSyncGroup g : groups) {
                g.stop(nowUs);
            }
        }
        stopped = true;
    }

    public boolean stopped() {
        return stopped;
    }

    // ------------------------------------------------------------------ callbacks from instances and groups

    void log(String line) {
        log.accept(line);
    }

    void stateChanged(String name, boolean group, VrrpState from, VrrpState to, int priority) {
        for (VrrpStateListener l : listeners) {
            try {
                l.stateChanged(name, group, from, to, priority);
            } catch (RuntimeException e) {
                log("state listener failed: " + e);
            }
        }
    }
}
