package io.jlvs.keepalived.config;

import java.util.List;

/**
 * {@code bfd_instance NAME { … }} (keepalived/bfd/bfd_parser.c): jlvs runs no BFD, so only the names are
 * kept (BFD_CHECK refers to them) and every sub-keyword is accepted so that no false "Unknown keyword" is
 * printed.
 */
final class BfdKeywords {
    private BfdKeywords() {}

    static void install(Keyword.Table t, boolean active, ParseContext c, List<String> names) {
        t.root("bfd_instance", w -> {
            if (w == null) {
                return;
            }
            String name = w.slot(1);
            if (names.contains(name)) {
                c.reporter.error(ConfigStatus.GENERAL_ERROR, "BFD instance " + name + " already configured - ignoring");
                c.parser.skipBlock(true);
                return;
            }
            names.add(name);
        }, active);
        for (String k : List.of("source_ip", "neighbor_ip", "neighbour_ip", "min_rx", "min_tx", "idle_tx", "multiplier",
                "passive", "ttl", "hoplimit", "max_hops", "weight", "vrrp", "checker")) {
            t.kw(k, w -> { });
        }
    }
}
