package io.jlvs.ops;

import io.jlvs.io.linux.Libc;
import io.jlvs.io.linux.NativeException;
import io.jlvs.io.linux.Netlink;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A real server in memory: links, addresses, sysctls; the state file in a test directory. */
final class FakeRealServerHost implements RealServerHost {
    final Map<String, Netlink.Link> links = new HashMap<>();
    final List<Netlink.Address> addresses = new ArrayList<>();
    final Map<String, String> sysctl = new HashMap<>();
    final List<String> changes = new ArrayList<>();
    private final Path stateFile;

    FakeRealServerHost(Path dir) {
        this.stateFile = dir.resolve("realserver.json");
        link(1, "lo", true);
        link(2, "eth0", true);
        for (String dev : List.of("all", "default", "lo", "eth0")) {
            sysctl.put("net.ipv4.conf." + dev + ".arp_ignore", "0");
            sysctl.put("net.ipv4.conf." + dev + ".arp_announce", "0");
            sysctl.put("net.ipv4.conf." + dev + ".rp_filter", "0");
        }
    }

    FakeRealServerHost link(int ifindex, String name, boolean up) {
        links.put(name, new Netlink.Link(ifindex, name, 0, 1500, up ? Netlink.IFF_UP : 0, up, name.equals("lo"),
                name.equals("lo") ? Netlink.ARPHRD_LOOPBACK : Netlink.ARPHRD_ETHER));
        if (!name.equals("lo") && !name.equals("eth0")) {
            for (String key : List.of("arp_ignore", "arp_announce", "rp_filter")) {
                sysctl.put("net.ipv4.conf." + name + "." + key, key.equals("rp_filter") ? "1" : "0");
            }
        }
        return this;
    }

    @Override
    public List<Netlink.Address> addresses() {
        return List.copyOf(addresses);
    }

    @Override
    public Optional<Netlink.Link> link(String name) {
        return Optional.ofNullable(links.get(name));
    }

    @Override
    public void addAddress(int ifindex, InetAddress address, int prefixLength, String label) {
        for (Netlink.Address a : addresses) {
            if (a.ifindex() == ifindex && a.address().equals(address)) {
                throw new NativeException("RTM_NEWADDR", 17);
            }
        }
        addresses.add(new Netlink.Address(ifindex, address instanceof Inet4Address ? Libc.AF_INET : Libc.AF_INET6,
                address, prefixLength, label));
        changes.add("add " + address.getHostAddress() + "/" + prefixLength + " " + ifindex + " " + label);
    }

    @Override
    public void deleteAddress(int ifindex, InetAddress address, int prefixLength) {
        addresses.removeIf(a -> a.ifindex() == ifindex && a.address().equals(address));
        changes.add("del " + address.getHostAddress() + "/" + prefixLength + " " + ifindex);
    }

    @Override
    public void setLinkUp(String name, boolean up) {
        Netlink.Link l = links.get(name);
        links.put(name, new Netlink.Link(l.ifindex(), name, l.mac(), l.mtu(), up ? Netlink.IFF_UP : 0, up,
                l.loopback(), l.type()));
        changes.add((up ? "up " : "down ") + name);
    }

    @Override
    public Optional<String> readSysctl(String name) {
        return Optional.ofNullable(sysctl.get(name));
    }

    @Override
    public void writeSysctl(String name, String value) {
        if (!sysctl.containsKey(name)) {
            throw new IllegalStateException("no sysctl " + name);
        }
        sysctl.put(name, value);
        changes.add(name + "=" + value);
    }

    @Override
    public int routeType(InetAddress address) {
        for (Netlink.Address a : addresses) {
            if (a.address().equals(address)) {
                return Netlink.RTN_LOCAL;
            }
        }
        return Netlink.RTN_UNICAST;
    }

    @Override
    public Path stateFile() {
        return stateFile;
    }
}
