package io.jlvs.bgp;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * A prefix the director announces: a VIP as a host route (/32 or /128), or a firewall-mark rule's
 * network.
 *
 * @param network      the network address (host bits zero)
 * @param prefixLength 0..32 or 0..128
 */
public record Announcement(InetAddress network, int prefixLength) implements Comparable<Announcement> {
    public Announcement {
        int max = network instanceof Inet4Address ? 32 : 128;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("announcement: prefix length out of range 0.." + max
                    + ": prefix=" + network.getHostAddress() + "/" + prefixLength);
        }
    }

    /** A VIP's host route. */
    public static Announcement host(InetAddress vip) {
        return new Announcement(vip, vip instanceof Inet4Address ? 32 : 128);
    }

    public boolean ipv4() {
        return network instanceof Inet4Address;
    }

    @Override
    public String toString() {
        return network.getHostAddress() + "/" + prefixLength;
    }

    @Override
    public int compareTo(Announcement o) {
        if (ipv4() != o.ipv4()) {
            return ipv4() ? -1 : 1;
        }
        int c = java.util.Arrays.compareUnsigned(network.getAddress(), o.network.getAddress());
        return c != 0 ? c : Integer.compare(prefixLength, o.prefixLength);
    }
}
