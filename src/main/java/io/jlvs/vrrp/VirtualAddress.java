package io.jlvs.vrrp;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * One {@code virtual_ipaddress} (or {@code virtual_ipaddress_excluded}) entry: the address, its prefix length, the
 * interface it goes on and, for IPv4, its label, as {@code ip addr add ADDR/LEN dev DEV label LABEL} would take them.
 *
 * @param device the interface, or {@code null} for the instance's own interface
 * @param label  the IPv4 label ({@code eth0:vip}), or {@code null}
 */
public record VirtualAddress(InetAddress address, int prefixLength, String device, String label) {
    public VirtualAddress {
        int max = address instanceof Inet4Address ? 32 : 128;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("virtual address: prefix length out of range: address="
                    + address.getHostAddress() + ", prefixLength=" + prefixLength);
        }
    }

    public boolean ipv6() {
        return !(address instanceof Inet4Address);
    }

    /** The interface this address lives on: its own {@code dev}, else {@code instanceInterface}. */
    public String deviceOr(String instanceInterface) {
        return device != null ? device : instanceInterface;
    }

    /**
     * Parses the words of one keepalived entry: {@code IP[/LEN] [dev IF] [label L] [brd X] [scope S] …}. Words jlvs
     * does not act on ({@code brd}, {@code scope}, {@code peer}, flags) are skipped with their arguments; the default
     * prefix is /32 or /128 as in keepalived.
     *
     * @throws IllegalArgumentException when the address does not parse
     */
    public static VirtualAddress parse(List<String> words) {
        if (words.isEmpty()) {
            throw new IllegalArgumentException("virtual address: empty entry");
        }
        String first = words.get(0);
        int slash = first.indexOf('/');
        String host = slash < 0 ? first : first.substring(0, slash);
        InetAddress address = literal(host);
        int prefix = address instanceof Inet4Address ? 32 : 128;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(first.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("virtual address: bad prefix length: entry=" + first, e);
            }
        }
        String device = null;
        String label = null;
        for (int i = 1; i < words.size(); i++) {
            String w = words.get(i);
            boolean hasArg = i + 1 < words.size();
            switch (w) {
                case "dev" -> device = hasArg ? words.get(++i) : null;
                case "label" -> label = hasArg ? words.get(++i) : null;
                case "brd", "broadcast", "scope", "peer", "preferred_lft", "track_group", "use_vmac" -> i++;
                default -> { }
            }
        }
        return new VirtualAddress(address, prefix, device, label);
    }

    /** An IPv4 or IPv6 literal (never a DNS lookup). */
    static InetAddress literal(String text) {
        if (text.isEmpty() || !(Character.digit(text.charAt(0), 16) >= 0 || text.charAt(0) == ':')
                || text.chars().anyMatch(c -> !(Character.digit(c, 16) >= 0 || c == '.' || c == ':'))) {
            throw new IllegalArgumentException("not an IP address literal: text=" + text);
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address literal: text=" + text, e);
        }
    }

    @Override
    public String toString() {
        return address.getHostAddress() + "/" + prefixLength + (device != null ? " dev " + device : "")
                + (label != null ? " label " + label : "");
    }
}
