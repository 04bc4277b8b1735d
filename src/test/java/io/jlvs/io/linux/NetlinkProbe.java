package io.jlvs.io.linux;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.function.Supplier;

/**
 * Runs {@link Netlink}'s address and route calls inside a network namespace, for
 * {@link NetlinkTest}: a JVM cannot move one thread into another namespace, so the test starts
 * this class under {@code ip netns exec}. It only acts and prints {@code key=value} lines; the
 * test makes the assertions. A failed call prints {@code errno:N}.
 *
 * <p>Expects (set up by the test): link {@code args[0]} up, 198.18.1.1/24 and 2001:db8:1::1/64 on
 * it, and routes 198.19.0.0/16 via 198.18.1.254 and 2001:db8:2::/48 via 2001:db8:1::fe.
 */
public final class NetlinkProbe {
    private NetlinkProbe() {}

    public static void main(String[] args) throws UnknownHostException {
        String ifname = args[0];
        InetAddress vip4 = InetAddress.getByName("198.18.0.1");
        InetAddress vip6 = InetAddress.getByName("2001:db8::1");
        InetAddress vip6NoDad = InetAddress.getByName("2001:db8:5::1");
        try (Netlink netlink = Netlink.open()) {
            int ifindex = netlink.links().stream().filter(l -> l.name().equals(ifname))
                    .mapToInt(Netlink.Link::ifindex).findFirst().orElse(-1);
            print("ifindex", String.valueOf(ifindex));
            step("add4", () -> { netlink.addAddress(ifindex, vip4, 24, ifname + ":v"); return "ok"; });
            step("add4.again", () -> { netlink.addAddress(ifindex, vip4, 24, ifname + ":v"); return "ok"; });
            step("add6", () -> { netlink.addAddress(ifindex, vip6, 64, null); return "ok"; });
            step("add6.nodad", () -> {
                netlink.addAddress(ifindex, vip6NoDad, 64, null, Netlink.IFA_F_NODAD);
                return "ok";
            });
            step("add.badIfindex", () -> { netlink.addAddress(0x7ffffff0, vip4, 24, null); return "ok"; });
            addresses(netlink, "before");
            route(netlink, "route.onlink4", "198.18.0.2");
            route(netlink, "route.local4", "198.18.0.1");
            route(netlink, "route.gateway4", "198.19.0.1");
            route(netlink, "route.unreachable4", "198.18.200.1");
            route(netlink, "route.onlink6", "2001:db8::2");
            route(netlink, "route.gateway6", "2001:db8:2::1");
            route(netlink, "route.unreachable6", "2001:db8:ff::1");
            step("delete4", () -> { netlink.deleteAddress(ifindex, vip4, 24); return "ok"; });
            step("delete6", () -> { netlink.deleteAddress(ifindex, vip6, 64); return "ok"; });
            step("delete4.again", () -> { netlink.deleteAddress(ifindex, vip4, 24); return "ok"; });
            step("delete6.again", () -> { netlink.deleteAddress(ifindex, vip6, 64); return "ok"; });
            addresses(netlink, "after");
        }
    }

    private static void addresses(Netlink netlink, String key) {
        for (Netlink.Address a : netlink.addresses()) {
            print(key, a.ifindex() + "|" + a.family() + "|" + a.address().getHostAddress() + "|"
                    + a.prefixLength() + "|" + a.label());
        }
    }

    private static void route(Netlink netlink, String key, String destination) {
        step(key, () -> {
            Netlink.Route r = netlink.routeTo(address(destination));
            return r.ifindex() + "|" + host(r.gateway()) + "|" + host(r.preferredSource()) + "|" + r.type();
        });
    }

    private static String host(InetAddress a) {
        return a == null ? "null" : a.getHostAddress();
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static void step(String key, Supplier<String> action) {
        String result;
        try {
            result = action.get();
        } catch (NativeException e) {
            result = "errno:" + e.errno();
        }
        print(key, result);
    }

    private static void print(String key, String value) {
        System.out.println(key + "=" + value);
    }
}
