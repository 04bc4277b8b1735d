package io.jlvs.sched;

/**
 * Locality-based least connection, ip_vs_lblc.c (ipvsadm {@code -s lblc}).
 *
 * <p>Built for clusters of web caches, usually behind a firewall-mark service that catches traffic to
 * many origin servers: requests for one origin address should keep hitting the same cache so its
 * content stays hot, but not at any price. The key is the packet's <em>destination</em> address (for
 * an ordinary virtual service every client shares one key, the VIP).
 *
 * <p><b>Decision.</b> Look the destination address up in the service's table and mark the entry used
 * now. If it names a server that is still in the list, has a positive weight and is not overloaded in
 * lblc's sense (more active connections than its weight while some server of the service has fewer
 * than half its weight, see {@link LocalityLoad}), that server is the answer. Note that the upper
 * threshold's overload flag is <em>not</em> consulted for the cached server, as in the kernel. Otherwise
 * the service is scheduled by {@link WeightedLeastConnectionScheduler wlc} (which does skip overloaded
 * servers) and the entry is created or re-pointed at the winner; no winner → "none" and no entry.
 *
 * <p><b>Table.</b> Entries are forgotten only by the kernel's collector, see {@link LocalityCache}:
 * after the expiration time unused (24 h, {@link #LocalityBasedLeastConnectionScheduler(long)}), or
 * after 6 minutes unused while the table holds more than 16384 entries. The table survives list and
 * weight changes (entries name servers by destId; one deleted from the list no longer matches), and is
 * dropped when the service changes scheduler. Time is the flow's {@link FlowView#nowMs()}.
 */
public final class LocalityBasedLeastConnectionScheduler extends LocalityScheduler {
    public static final String NAME = "lblc";

    /** The kernel's default expiration (sysctl {@code lblc_expiration}, 24 h). */
    public LocalityBasedLeastConnectionScheduler() {
        this(LocalityCache.DEFAULT_EXPIRATION_MS);
    }

    /** Entries unused for {@code expirationMs} go at the next full sweep (sysctl {@code lblc_expiration}). */
    public LocalityBasedLeastConnectionScheduler(long expirationMs) {
        this(expirationMs, LocalityCache.DEFAULT_CAPACITY);
    }

    LocalityBasedLeastConnectionScheduler(long expirationMs, int capacity) {
        super(expirationMs, capacity, false, State::new);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** lblc's decision over the shared table, index and load helper. */
    static final class State extends LocalityScheduler.State {
        State(LocalityCache cache, DestinationView dests) {
            super(cache, dests);
        }

        @Override
        public int schedule(DestinationView dests, FlowView flow) {
            long nowMs = flow.nowMs();
            cache.tick(nowMs);
            int daddr = flow.dstIpv4();
            int e = cache.find(daddr);
            if (e >= 0) {
                cache.touch(e, nowMs);
                int i = index.indexOf(cache.dest(e));
                if (i >= 0 && i < dests.count() && dests.weight(i) > 0 && !load.overloaded(dests, i)) {
                    return i;
                }
            }
            int chosen = load.leastLoaded(dests);
            if (chosen < 0) {
                return -1;
            }
            if (e < 0) {
                e = cache.insert(daddr, nowMs);
            }
            if (e >= 0) {
                cache.dest(e, dests.destId(chosen));
            }
            return chosen;
        }
    }
}
