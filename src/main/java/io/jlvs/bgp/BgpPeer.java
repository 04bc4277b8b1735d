package io.jlvs.bgp;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A router this director holds a BGP session with: its address and autonomous system number.
 *
 * @param address the router's address (the session is made to it directly, eBGP or iBGP)
 * @param as      its AS number (1..4294967295)
 */
public record BgpPeer(InetAddress address, long as) {
    public BgpPeer {
        BgpSettings.checkAs(as, "peer AS");
    }

    /**
     * {@code ADDR:AS} as {@code --bgp-peer} takes it: {@code 198.18.1.1:65000}, {@code [2001:db8::1]:65000}
     * (an IPv6 address in brackets, or bare: the AS is always after the last colon).
     *
     * @throws IllegalArgumentException naming the text when it is not that
     */
    public static BgpPeer parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("bgp peer: expected ADDR:AS: peer=" + text);
        }
        String addr = text.substring(0, colon);
        if (addr.startsWith("[") && addr.endsWith("]")) {
            addr = addr.substring(1, addr.length() - 1);
        }
        return new BgpPeer(address(addr, "bgp peer"), BgpSettings.parseAs(text.substring(colon + 1), "bgp peer"));
    }

    /** A literal IPv4 or IPv6 address; never a name lookup. */
    public static InetAddress address(String text, String what) {
        boolean literal = !text.isEmpty() && (text.indexOf(':') >= 0 || text.chars().allMatch(c -> c == '.' || Character.isDigit(c)));
        if (!literal) {
            throw new IllegalArgumentException(what + ": not an IP address: address=" + text);
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(what + ": not an IP address: address=" + text);
        }
    }

    /** The BIRD protocol name of this peer ("peer_198_18_1_1"). */
    public String protocolName() {
        return "jlvs_peer_" + address.getHostAddress().replaceAll("[^0-9A-Za-z]", "_");
    }
}
