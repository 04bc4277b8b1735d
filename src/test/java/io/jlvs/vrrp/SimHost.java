package io.jlvs.vrrp;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * One simulated director: a {@link VrrpNode} over a {@link SimNetwork}, with the interface addresses, link states,
 * virtual addresses, announcements and notify runs it would have had on Linux recorded for assertions.
 */
final class SimHost implements VrrpHost {
    final String name;
    private final SimNetwork net;
    private final InetAddress address4;
    private final InetAddress address6;
    private final List<VrrpInstanceConfig> instances;
    private final List<VrrpSyncGroupConfig> groups;
    private final List<VrrpScriptConfig> scripts;
    final Map<String, Boolean> links = new HashMap<>();
    final Set<String> addresses = new LinkedHashSet<>();
    final List<String> notifies = new ArrayList<>();
    final List<String> log = new ArrayList<>();
    final List<String> transitions = new ArrayList<>();
    /** Script name → result of its next run (default success). */
    Function<String, Boolean> scriptOutcome = s -> true;
    long scriptRunUs = 10_000;
    int announcements;
    int transmitted;
    private VrrpNode node;
    private boolean running;

    SimHost(SimNetwork net, String name, int hostNumber, List<VrrpInstanceConfig> instances,
            List<VrrpSyncGroupConfig> groups, List<VrrpScriptConfig> scripts) {
        this.net = net;
        this.name = name;
        this.instances = instances;
        this.groups = groups;
        this.scripts = scripts;
        try {
            this.address4 = InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) hostNumber});
            byte[] ll = new byte[16];
            ll[0] = (byte) 0xfe;
            ll[1] = (byte) 0x80;
            ll[15] = (byte) hostNumber;
            this.address6 = InetAddress.getByAddress(ll);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        links.put("eth0", true);
        net.attach(this);
    }

    SimHost(SimNetwork net, String name, int hostNumber, VrrpInstanceConfig... instances) {
        this(net, name, hostNumber, List.of(instances), List.of(), List.of());
    }

    InetAddress address(boolean ipv6) {
        return ipv6 ? address6 : address4;
    }

    VrrpNode node() {
        return node;
    }

    boolean running() {
        return running;
    }

    /** Boots a fresh node (a restart after {@link #crash()} loses all state, as a new process would). */
    void start() {
        node = new VrrpNode(instances, groups, scripts, this, line -> log.add(net.nowUs + " " + name + " " + line));
        node.addListener((n, group, from, to, prio) ->
                transitions.add(net.nowUs + " " + n + (group ? " group " : " ") + from + "->" + to));
        running = true;
        node.start(net.nowUs);
    }

    /** SIGHUP with a new configuration ({@link VrrpNode#reload}); throws, keeping the old node, when it is bad. */
    void reload(VrrpInstanceConfig... newInstances) {
        node = node.reload(List.of(newInstances), List.of(), List.of(), net.nowUs);
    }

    /** kill -9: no priority 0, addresses stay where the kernel had them (lost with the process in the sim). */
    void crash() {
        running = false;
        addresses.clear();
    }

    /** Orderly stop: priority 0 and address removal. */
    void stop() {
        node.stop(net.nowUs);
        running = false;
    }

    VrrpState state(String instance) {
        return running ? node.instance(instance).state() : VrrpState.STOP;
    }

    void link(String ifname, boolean up) {
        links.put(ifname, up);
        if (running) {
            node.linkChanged(ifname, net.nowUs);
        }
    }

    // ------------------------------------------------------------------ VrrpHost

    @Override
    public void transmit(VrrpInstance instance, MemorySegment packet, int length) {
        transmitted++;
        net.send(this, packet.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE));
    }

    @Override
    public InetAddress interfaceAddress(String interfaceName, boolean ipv6) {
        return address(ipv6);
    }

    @Override
    public boolean linkUp(String interfaceName) {
        return links.getOrDefault(interfaceName, false);
    }

    @Override
    public void addAddresses(VrrpInstance instance) {
        instance.config().virtualAddresses().forEach(v -> addresses.add(v.address().getHostAddress()));
        instance.config().excludedAddresses().forEach(v -> addresses.add(v.address().getHostAddress()));
    }

    @Override
    public void removeAddresses(VrrpInstance instance) {
        instance.config().virtualAddresses().forEach(v -> addresses.remove(v.address().getHostAddress()));
        instance.config().excludedAddresses().forEach(v -> addresses.remove(v.address().getHostAddress()));
    }

    @Override
    public void removeAddresses(VrrpInstanceConfig instance, List<VirtualAddress> which) {
        which.forEach(v -> addresses.remove(v.address().getHostAddress()));
    }

    @Override
    public void announce(VrrpInstance instance, int rounds) {
        announcements += rounds;
    }

    @Override
    public void announceAddress(String interfaceName, InetAddress address) {
        announcements++;
    }

    @Override
    public void runNotify(List<String> argv, long killAfterUs) {
        notifies.add(String.join(" ", argv));
    }

    @Override
    public void startScript(VrrpScriptConfig script) {
        VrrpNode started = node;
        boolean ok = scriptOutcome.apply(script.name());
        net.at(net.nowUs + scriptRunUs, () -> {
            if (running && node == started) {
                node.scriptResult(script.name(), ok, net.nowUs);
            }
        });
    }
}
