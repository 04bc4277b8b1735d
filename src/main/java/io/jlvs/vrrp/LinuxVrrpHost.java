package io.jlvs.vrrp;

import io.jlvs.io.linux.Libc;
import io.jlvs.io.linux.NativeException;
import io.jlvs.io.linux.Netlink;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@link VrrpHost} on Linux: raw VRRP sockets per interface and family, VIPs through netlink ({@code ip addr add …
 * label …}, as keepalived does it), GARP/NA through a packet socket, link states and interface addresses from
 * netlink dumps polled by the engine, notify and track scripts as child processes.
 *
 * <p>Everything but the script completions runs on the VRRP thread; script results are handed back through
 * {@code post}, which queues them for that thread.
 */
final class LinuxVrrpHost implements VrrpHost, AutoCloseable {
    private static final int IFF_UP = 0x1;
    private static final int IFF_RUNNING = 0x40;

    private final Netlink netlink = Netlink.open();
    private final Announcer announcer = new Announcer();
    private final Map<String, RawVrrpSocket> sockets = new LinkedHashMap<>();
    private final Consumer<String> log;
    private final Consumer<Runnable> post;
    private final java.util.function.LongSupplier clockUs;
    private Map<String, Netlink.Link> links = Map.of();
    private List<Netlink.Address> addresses = List.of();
    private final Set<InetAddress> ours = new HashSet<>();
    private VrrpNode node;

    LinuxVrrpHost(Consumer<String> log, Consumer<Runnable> post, java.util.function.LongSupplier clockUs) {
        this.log = log;
        this.post = post;
        this.clockUs = clockUs;
        refresh();
    }

    /**
     * Opens the sockets the node's instances listen on, before the node starts; on a reload again for the new node
     * (sockets already open stay; a new interface or family gets its own).
     */
    void open(VrrpNode node, List<VrrpInstanceConfig> instances) {
        this.node = node;
        for (VrrpInstanceConfig c : instances) {
            c.virtualAddresses().forEach(v -> ours.add(v.address()));
            c.excludedAddresses().forEach(v -> ours.add(v.address()));
        }
        for (String[] k : node.listenKeys()) {
            boolean ipv6 = k[1].equals("6");
            List<InetAddress> groups = new ArrayList<>();
            for (VrrpInstanceConfig c : instances) {
                if (c.interfaceName().equals(k[0]) && c.ipv6() == ipv6 && !c.unicast()
                        && !groups.contains(c.multicastGroup())) {
                    groups.add(c.multicastGroup());
                }
            }
            if (sockets.containsKey(key(k[0], ipv6))) {
                continue;
            }
            Netlink.Link link = links.get(k[0]);
            if (link == null) {
                throw new IllegalArgumentException("vrrp: no such interface: interface=" + k[0]);
            }
            sockets.put(key(k[0], ipv6), new RawVrrpSocket(k[0], link.ifindex(), ipv6, groups));
        }
    }

    /** Throws for an instance on an interface this host does not have (checked before a reload changes anything). */
    void requireInterfaces(List<VrrpInstanceConfig> instances) {
        for (VrrpInstanceConfig c : instances) {
            if (!links.containsKey(c.interfaceName())) {
                throw new IllegalArgumentException("vrrp: no such interface: instance=" + c.name() + ", interface="
                        + c.interfaceName());
            }
        }
    }

    List<RawVrrpSocket> sockets() {
        return List.copyOf(sockets.values());
    }

    private static String key(String ifname, boolean ipv6) {
        return ifname + (ipv6 ? "/6" : "/4");
    }

    /**
     * Re-reads links and addresses.
     *
     * @return names of interfaces whose up/down state changed (or that appeared or vanished)
     */
    List<String> refresh() {
        Map<String, Netlink.Link> now = new HashMap<>();
        for (Netlink.Link l : netlink.links()) {
            now.put(l.name(), l);
        }
        List<String> changed = new ArrayList<>();
        for (String name : union(now.keySet(), links.keySet())) {
            if (isUp(now.get(name)) != isUp(links.get(name))) {
                changed.add(name);
            }
        }
        links = now;
        addresses = netlink.addresses();
        return changed;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new HashSet<>(a);
        u.addAll(b);
        return u;
    }

    private static boolean isUp(Netlink.Link l) {
        return l != null && (l.flags() & (IFF_UP | IFF_RUNNING)) == (IFF_UP | IFF_RUNNING);
    }

    // ------------------------------------------------------------------ VrrpHost

    @Override
    public void transmit(VrrpInstance instance, MemorySegment packet, int length) {
        VrrpInstanceConfig c = instance.config();
        RawVrrpSocket s = sockets.get(key(c.interfaceName(), c.ipv6()));
        long r = s == null ? -Libc.ENXIO : s.send(packet, length);
        if (r < 0 && !(r == -Libc.ENETDOWN || r == -101 /* ENETUNREACH */) ) {
            log.accept("(" + c.name() + ") send advert error: " + Libc.strerror((int) -r));
        }
    }

    @Override
    public InetAddress interfaceAddress(String interfaceName, boolean ipv6) {
        Netlink.Link l = links.get(interfaceName);
        if (l == null) {
            return null;
        }
        for (Netlink.Address a : addresses) {
            if (a.ifindex() != l.ifindex() || (a.address() instanceof Inet6Address) != ipv6 || ours.contains(a.address())) {
                continue;
            }
            if (!ipv6 || a.address().isLinkLocalAddress()) {
                return a.address();
            }
        }
        return null;
    }

    @Override
    public boolean linkUp(String interfaceName) {
        return isUp(links.get(interfaceName));
    }

    private int ifindex(String name) {
        Netlink.Link l = links.get(name);
        return l == null ? -1 : l.ifindex();
    }

    @Override
    public void addAddresses(VrrpInstance instance) {
        VrrpInstanceConfig c = instance.config();
        for (VirtualAddress v : all(c)) {
            String dev = v.deviceOr(c.interfaceName());
            int index = ifindex(dev);
            try {
                if (index < 0) {
                    throw new NativeException("no such interface " + dev, Libc.ENXIO);
                }
                // IPv6 VIPs without DAD, as keepalived: VRRP is the duplicate detection
                netlink.addAddress(index, v.address(), v.prefixLength(), v.label(),
                        v.address() instanceof java.net.Inet6Address ? Netlink.IFA_F_NODAD : 0);
            } catch (NativeException e) {
                if (e.errno() != Libc.EEXIST) {
                    log.accept("(" + c.name() + ") cannot add " + v + ": " + e.getMessage());
                }
            }
        }
        addresses = netlink.addresses();
    }

    @Override
    public void removeAddresses(VrrpInstance instance) {
        removeAddresses(instance.config(), all(instance.config()));
    }

    @Override
    public void removeAddresses(VrrpInstanceConfig c, List<VirtualAddress> which) {
        for (VirtualAddress v : which) {
            int index = ifindex(v.deviceOr(c.interfaceName()));
            if (index < 0) {
                continue;
            }
            try {
                netlink.deleteAddress(index, v.address(), v.prefixLength());
            } catch (NativeException e) {
                if (e.errno() != Libc.EADDRNOTAVAIL) {
                    log.accept("(" + c.name() + ") cannot remove " + v + ": " + e.getMessage());
                }
            }
        }
        addresses = netlink.addresses();
    }

    private static List<VirtualAddress> all(VrrpInstanceConfig c) {
        List<VirtualAddress> all = new ArrayList<>(c.virtualAddresses());
        all.addAll(c.excludedAddresses());
        return all;
    }

    @Override
    public void announce(VrrpInstance instance, int rounds) {
        VrrpInstanceConfig c = instance.config();
        for (int r = 0; r < rounds; r++) {
            for (VirtualAddress v : all(c)) {
                announceAddress(v.deviceOr(c.interfaceName()), v.address());
            }
        }
    }

    @Override
    public void announceAddress(String interfaceName, InetAddress address) {
        Netlink.Link l = links.get(interfaceName);
        if (l == null) {
            return;
        }
        long r = announcer.announce(l.ifindex(), interfaceName, l.mac(), address);
        if (r < 0) {
            log.accept("gratuitous " + (address instanceof Inet6Address ? "NA" : "ARP") + " for "
                    + address.getHostAddress() + " on " + interfaceName + " failed: " + Libc.strerror((int) -r));
        }
    }

    @Override
    public void runNotify(List<String> argv, long killAfterUs) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (killAfterUs > 0) {
                Thread.ofVirtual().name("vrrp-notify-kill").start(() -> {
                    try {
                        if (!p.waitFor(killAfterUs, TimeUnit.MICROSECONDS)) {
                            p.destroyForcibly();
                        }
                    } catch (InterruptedException e) {
                        p.destroyForcibly();
                    }
                });
            }
        } catch (IOException e) {
            log.accept("Failed to exec notify script " + String.join(" ", argv) + ": " + e.getMessage());
        }
    }

    @Override
    public void startScript(VrrpScriptConfig script) {
        Thread.ofVirtual().name("vrrp-script-" + script.name()).start(() -> {
            boolean ok = runScript(script);
            post.accept(() -> node.scriptResult(script.name(), ok, clockUs.getAsLong()));
        });
    }

    /** Runs once: exit 0 within the timeout is success; past it SIGTERM, then SIGKILL 2 s later (a failure). */
    private boolean runScript(VrrpScriptConfig script) {
        try {
            Process p = new ProcessBuilder(script.argv()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (p.waitFor(script.timeoutUs(), TimeUnit.MICROSECONDS)) {
                return p.exitValue() == 0;
            }
            p.destroy();
            if (!p.waitFor(2, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            return false;
        } catch (IOException e) {
            post.accept(() -> log.accept("VRRP_Script(" + script.name() + ") cannot run: " + e.getMessage()));
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        sockets.values().forEach(RawVrrpSocket::close);
        sockets.clear();
        announcer.close();
        netlink.close();
    }
}
