package io.jlvs.bgp;

import io.jlvs.control.ControlProtocol;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code jlvs drain}: the director withdraws its announcements, so the routers send no new flow here,
 * and keeps forwarding the flows it has until they end. {@code jlvs drain --undo} announces again.
 * The director is idle when no connection is active (established); inactive ones (closing, TIME_WAIT)
 * carry no more data.
 */
public final class Drain {
    /** The director's connection counts, summed over its real servers. */
    public record Counts(long active, long inactive) {}

    private Drain() {}

    /** The {@code drain} op: {@code extra = {"undo": true|false}}. */
    public static Map<String, Object> drain(BgpSpeaker bgp, ControlProtocol.Request r, Supplier<Counts> counts) {
        if (bgp == null) {
            throw new IllegalArgumentException("drain: this director announces nothing "
                    + "(start it with --bgp-local-as, --bgp-peer and --bgp-router-id, or --bgp-config)");
        }
        boolean undo = r.extra() != null && r.extra().path("undo").asBoolean(false);
        bgp.drain(!undo);
        return status(bgp, counts.get());
    }

    /** The {@code drainStatus} op. */
    public static Map<String, Object> status(BgpSpeaker bgp, Counts c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("drained", bgp != null && bgp.drained());
        m.put("active_connections", c.active());
        m.put("inactive_connections", c.inactive());
        m.put("idle", c.active() == 0);
        return m;
    }
}
