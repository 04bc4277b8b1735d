package io.jlvs.keepalived.config;

import io.jlvs.bgp.BgpConfigFile;
import io.jlvs.bgp.BgpPeer;
import io.jlvs.bgp.BgpSettings;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;

/**
 * jlvs's {@code bgp_speaker} block in keepalived.conf (not a keepalived keyword: the real keepalived
 * rejects it), the same statements as {@code jlvs director --bgp-config} (docs/scale-out.md):
 * <pre>
 * bgp_speaker {
 *     router_id 198.18.1.11
 *     local_as 65001
 *     neighbor 198.18.1.1 65000        # repeat for each router; "neighbor ADDR as AS" also reads
 *     withdraw_delay_ms 2000
 * }
 * </pre>
 * Read in the first pass only; a bad statement is an error naming file:line and is not applied.
 */
final class BgpKeywords {
    private BgpKeywords() {}

    /** What the block said (null where it said nothing). */
    static final class Builder {
        Inet4Address routerId;
        Long localAs;
        final List<BgpPeer> peers = new ArrayList<>();
        Long withdrawDelayMs;
        boolean seen;

        BgpConfigFile.Partial build() {
            return new BgpConfigFile.Partial(routerId, localAs, List.copyOf(peers), withdrawDelayMs);
        }
    }

    static void install(Keyword.Table t, boolean active, ParseContext c) {
        Builder b = c.bgp;
        Reporter r = c.reporter;
        t.root("bgp_speaker", w -> {
            if (w != null && b.seen) {
                r.error(ConfigStatus.GENERAL_ERROR, "a second bgp_speaker block (there is one per director) - ignoring");
                c.parser.skipBlock(true);
                return;
            }
            if (w != null) {
                b.seen = true;
            }
        }, active);
        t.kw("router_id", w -> apply(r, w, 2, () -> b.routerId = BgpSettings.parseRouterId(w.slot(1))));
        t.kw("local_as", w -> apply(r, w, 2, () -> b.localAs = BgpSettings.parseAs(w.slot(1), "local_as")));
        t.kw("neighbor", w -> {
            List<String> args = new ArrayList<>();
            for (int i = 1; i < w.size(); i++) {
                args.add(w.slot(i));
            }
            if (args.size() == 3 && args.get(1).equalsIgnoreCase("as")) {
                args.remove(1);
            }
            if (args.size() != 2) {
                r.error(ConfigStatus.GENERAL_ERROR, "bgp_speaker: expected 'neighbor ADDR AS', found: " + w.raw().strip());
                return;
            }
            apply(r, w, w.size(), () -> {
                BgpPeer p = new BgpPeer(BgpPeer.address(args.get(0), "neighbor"),
                        BgpSettings.parseAs(args.get(1), "neighbor"));
                if (b.peers.stream().anyMatch(q -> q.address().equals(p.address()))) {
                    throw new IllegalArgumentException("neighbor given twice: address=" + args.get(0));
                }
                b.peers.add(p);
            });
        });
        t.kw("withdraw_delay_ms", w -> apply(r, w, 2, () -> {
            long ms;
            try {
                ms = Long.parseLong(w.slot(1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("withdraw_delay_ms must be a number of milliseconds: " + w.slot(1));
            }
            if (ms < 0) {
                throw new IllegalArgumentException("withdraw_delay_ms must not be negative: " + ms);
            }
            b.withdrawDelayMs = ms;
        }));
    }

    private static void apply(Reporter r, Words w, int arity, Runnable set) {
        if (w.size() != arity) {
            r.error(ConfigStatus.GENERAL_ERROR, "bgp_speaker: " + w.slot(0) + " takes " + (arity - 1)
                    + " value(s), found: " + w.raw().strip());
            return;
        }
        try {
            set.run();
        } catch (IllegalArgumentException e) {
            r.error(ConfigStatus.GENERAL_ERROR, "bgp_speaker: " + e.getMessage());
        }
    }
}
