package io.jlvs.bgp;

import io.jlvs.control.ConfigSnapshot;
import io.jlvs.control.MarkRule;

import java.util.HashSet;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Which prefixes a director announces. A VIP is announced while this director would forward a new flow
 * to it: the director runs, is not drained, and at least one service on the VIP has a real server with
 * weight above 0 (a service on another port with servers keeps the VIP; a VIP whose every server is gone
 * or quiesced is withdrawn, so the routers send its flows to a director that still has servers). A
 * firewall-mark service announces the networks of the marking rules that feed it, on the same condition.
 */
public final class AnnouncementPolicy {
    private AnnouncementPolicy() {}

    /** The prefixes to announce for this table; empty when {@code drained}. */
    public static SortedSet<Announcement> announced(ConfigSnapshot snap, boolean drained) {
        SortedSet<Announcement> out = new TreeSet<>();
        if (drained) {
            return out;
        }
        Set<Integer> liveMarks = new HashSet<>();
        for (ConfigSnapshot.Service s : snap.services()) {
            boolean available = s.dests().stream().anyMatch(d -> d.config().weight() > 0);
            if (!available) {
                continue;
            }
            if (s.config().key().hasFwmark()) {
                liveMarks.add(s.config().key().fwmark());
            } else {
                out.add(Announcement.host(s.config().key().address()));
            }
        }
        for (MarkRule r : snap.marks()) {
            if (liveMarks.contains(r.mark())) {
                out.add(new Announcement(network(r), r.prefixLength()));
            }
        }
        return out;
    }

    private static java.net.InetAddress network(MarkRule r) {
        byte[] b = r.address().getAddress();
        for (int bit = r.prefixLength(); bit < b.length * 8; bit++) {
            b[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        try {
            return java.net.InetAddress.getByAddress(b);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e); // 4 or 16 bytes: cannot happen
        }
    }
}
