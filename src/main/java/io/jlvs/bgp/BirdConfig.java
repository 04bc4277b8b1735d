package io.jlvs.bgp;

import java.net.Inet4Address;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedSet;

/**
 * Writes the BIRD 2 configuration a director runs its BGP speaker with. The operator never writes it:
 * it follows from {@link BgpSettings} and the prefixes to announce, and is rewritten (then reloaded with
 * {@code configure}) whenever those change.
 *
 * <pre>
 * router id R;                               from --bgp-router-id
 * protocol device { }                        interfaces, so BGP sees its directly connected peers
 * protocol static jlvs_vips  { ipv4; route VIP/32 blackhole; … }     what is announced, nothing else:
 * protocol static jlvs_vips6 { ipv6; route VIP/128 blackhole; … }    no kernel protocol, so these
 *                                                                      routes never reach the director's kernel
 * protocol bgp jlvs_peer_A { local as L; neighbor A as P;
 *     ipv4 { import none; export where proto = "jlvs_vips"; }; }      only the VIP routes leave
 * </pre>
 * The routes are blackholes inside BIRD only; BGP sends them with this director as next hop.
 */
public final class BirdConfig {
    /** The static protocols holding the announced routes. */
    public static final String STATIC4 = "jlvs_vips";
    public static final String STATIC6 = "jlvs_vips6";

    private BirdConfig() {}

    /** The configuration text for {@code settings} announcing exactly {@code announced}. */
    public static String render(BgpSettings settings, SortedSet<Announcement> announced) {
        StringBuilder sb = new StringBuilder();
        sb.append("# written by jlvs director: do not edit, it is rewritten on every change\n");
        sb.append("router id ").append(settings.routerId().getHostAddress()).append(";\n");
        sb.append("log stderr { info, remote, warning, error, auth, fatal, bug };\n");
        // one token per time, so `show protocols` splits into columns
        sb.append("timeformat protocol \"%F_%T\";\n");
        sb.append("protocol device {\n  scan time 10;\n}\n");
        staticProtocol(sb, STATIC4, "ipv4", announced.stream().filter(Announcement::ipv4).toList());
        staticProtocol(sb, STATIC6, "ipv6", announced.stream().filter(a -> !a.ipv4()).toList());
        for (BgpPeer p : settings.peers()) {
            boolean v4 = p.address() instanceof Inet4Address;
            sb.append("protocol bgp ").append(p.protocolName()).append(" {\n");
            sb.append("  local as ").append(settings.localAs()).append(";\n");
            sb.append("  neighbor ").append(p.address().getHostAddress()).append(" as ").append(p.as()).append(";\n");
            // a peer that restarts (or a director restarted after kill -9) reconnects without waiting minutes
            sb.append("  connect retry time 2;\n  error wait time 1, 10;\n");
            sb.append("  ").append(v4 ? "ipv4" : "ipv6").append(" {\n    import none;\n    export where proto = \"")
                    .append(v4 ? STATIC4 : STATIC6).append("\";\n  };\n");
            sb.append("}\n");
        }
        return sb.toString();
    }

    private static void staticProtocol(StringBuilder sb, String name, String channel, List<Announcement> routes) {
        sb.append("protocol static ").append(name).append(" {\n  ").append(channel).append(";\n");
        for (Announcement a : routes) {
            sb.append("  route ").append(a).append(" blackhole;\n");
        }
        sb.append("}\n");
    }

    /** Where a director's BIRD files live: next to its control socket, keyed by the network namespace. */
    public static Path configPath(Path runDir, String netnsId) {
        return runDir.resolve("bird-" + netnsId + ".conf");
    }

    public static Path socketPath(Path runDir, String netnsId) {
        return runDir.resolve("bird-" + netnsId + ".ctl");
    }
}
