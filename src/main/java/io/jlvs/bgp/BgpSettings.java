package io.jlvs.bgp;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * What the director announces its VIPs with: its BGP identity and its peers. From the
 * {@code --bgp-*} options of {@code jlvs director} and/or a {@code bgp_speaker} block
 * ({@link BgpConfigFile}).
 *
 * @param routerId        the BGP router id (an IPv4 address, as BGP-4 requires)
 * @param localAs         this director's AS number
 * @param peers           the routers to announce to (at least one)
 * @param withdrawDelayMs how long a stopping director keeps forwarding after it withdrew its routes, so the
 *                        routers move the flows away before it stops
 */
public record BgpSettings(Inet4Address routerId, long localAs, List<BgpPeer> peers, long withdrawDelayMs) {
    public static final long DEFAULT_WITHDRAW_DELAY_MS = 2000;

    public BgpSettings {
        checkAs(localAs, "local AS");
        peers = List.copyOf(peers);
        if (peers.isEmpty()) {
            throw new IllegalArgumentException("bgp: no peer (give at least one --bgp-peer ADDR:AS)");
        }
        List<InetAddress> seen = new ArrayList<>();
        for (BgpPeer p : peers) {
            if (seen.contains(p.address())) {
                throw new IllegalArgumentException("bgp: peer given twice: address=" + p.address().getHostAddress());
            }
            seen.add(p.address());
        }
        if (withdrawDelayMs < 0 || withdrawDelayMs > 600_000) {
            throw new IllegalArgumentException("bgp: withdraw delay out of range 0..600000 ms: delay=" + withdrawDelayMs);
        }
    }

    static void checkAs(long as, String what) {
        if (as < 1 || as > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("bgp: " + what + " out of range 1..4294967295: as=" + as);
        }
    }

    public static long parseAs(String text, String what) {
        try {
            long as = Long.parseLong(text.strip());
            checkAs(as, what + " AS");
            return as;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + ": AS is not a number: as=" + text);
        }
    }

    /** The router id as {@code --bgp-router-id} takes it: an IPv4 address. */
    public static Inet4Address parseRouterId(String text) {
        if (!(BgpPeer.address(text, "bgp router id") instanceof Inet4Address v4)) {
            throw new IllegalArgumentException("bgp router id: must be an IPv4 address: router_id=" + text);
        }
        return v4;
    }
}
