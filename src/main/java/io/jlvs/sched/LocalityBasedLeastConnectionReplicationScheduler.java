package io.jlvs.sched;

/**
 * Locality-based least connection with replication, ip_vs_lblcr.c (ipvsadm {@code -s lblcr}).
 *
 * <p>lblc for caches whose hot content outgrows one server: a destination address maps to a
 * <em>set</em> of servers that grows while its members are busy and shrinks again once it has been
 * stable for a while, so a popular origin is replicated on several caches and an unpopular one on one.
 *
 * <p><b>Decision.</b> Look the destination address up and mark the entry used now.
 * <ul>
 *   <li>Hit: take the set's weighted-least-connection member ({@code overhead / weight} as in wlc,
 *       members still listed with a positive weight and no overload flag, earlier member on ties; set
 *       order is most recently inserted first). Then, if the set has more than one member and has not
 *       changed for longer than the expiration time ({@code now > lastmod + expiration}), drop its most
 *       loaded member (largest {@code overhead / weight} among members with a positive weight, earlier
 *       on ties), which may be the member just chosen: the choice stands. If there was a member and it
 *       is not overloaded in lblc's sense ({@link LocalityLoad}), it is the answer. Otherwise schedule
 *       the whole service by wlc, add the winner to the set (if not already in it) and answer it; no
 *       winner → "none".
 *   <li>Miss: schedule the service by wlc and create an entry whose set holds the winner.
 * </ul>
 * Adding or removing a member sets the set's lastmod to now.
 *
 * <p><b>Table.</b> As lblc's, see {@link LocalityCache} (sysctl {@code lblcr_expiration}, 24 h, both for
 * unused entries and for set shrinking). A member whose server has been deleted from the list can no
 * longer be chosen (the kernel's AVAILABLE test); this state also cannot read its weight or counters,
 * so it treats it as weight 0 and never drops it as the most loaded (the kernel may, using the deleted
 * server's last weight and draining counters). Time is the flow's {@link FlowView#nowMs()}.
 */
public final class LocalityBasedLeastConnectionReplicationScheduler extends LocalityScheduler {
    public static final String NAME = "lblcr";

    /** The kernel's default expiration (sysctl {@code lblcr_expiration}, 24 h). */
    public LocalityBasedLeastConnectionReplicationScheduler() {
        this(LocalityCache.DEFAULT_EXPIRATION_MS);
    }

    /** Expiration for unused entries and for shrinking a stable set (sysctl {@code lblcr_expiration}). */
    public LocalityBasedLeastConnectionReplicationScheduler(long expirationMs) {
        this(expirationMs, LocalityCache.DEFAULT_CAPACITY);
    }

    LocalityBasedLeastConnectionReplicationScheduler(long expirationMs, int capacity) {
        super(expirationMs, capacity, true, State::new);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** lblcr's decision over the shared table (server sets), index and load helper. */
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
            if (e < 0) {
                int chosen = load.leastLoaded(dests);
                if (chosen < 0) {
                    return -1;
                }
                e = cache.insert(daddr, nowMs);
                if (e >= 0) {
                    cache.setInsert(e, dests.destId(chosen), false, nowMs);
                }
                return chosen;
            }
            cache.touch(e, nowMs);
            int member = leastLoadedMember(dests, e);
            if (cache.setSize(e) > 1 && nowMs > cache.setLastModMs(e) + cache.expirationMs()) {
                int most = mostLoadedMember(dests, e);
                if (most >= 0) {
                    cache.setErase(e, dests.destId(most), nowMs);
                }
            }
            if (member >= 0 && !load.overloaded(dests, member)) {
                return member;
            }
            int chosen = load.leastLoaded(dests);
            if (chosen < 0) {
                return -1;
            }
            cache.setInsert(e, dests.destId(chosen), true, nowMs);
            return chosen;
        }

        /** List index of the i-th member's server, or -1 when it left the list. */
        private int listed(DestinationView dests, int m) {
            int i = index.indexOf(cache.memberDest(m));
            return i < dests.count() ? i : -1;
        }

        /** {@code ip_vs_dest_set_min}: list index of the set's wlc choice, or -1. */
        private int leastLoadedMember(DestinationView dests, int e) {
            int least = -1;
            long leastOverhead = 0;
            for (int m = cache.firstMember(e); m >= 0; m = cache.nextMember(m)) {
                int i = listed(dests, m);
                if (i < 0 || dests.overloaded(i)) {
                    continue;
                }
                long overhead = ConnOverhead.of(dests, i);
                if (least < 0) {
                    if (dests.weight(i) > 0) {
                        least = i;
                        leastOverhead = overhead;
                    }
                } else if (leastOverhead * dests.weight(i) > overhead * dests.weight(least)) {
                    least = i;
                    leastOverhead = overhead;
                }
            }
            return least;
        }

        /** {@code ip_vs_dest_set_max}: list index of the most loaded member with a positive weight, or -1. */
        private int mostLoadedMember(DestinationView dests, int e) {
            int most = -1;
            long mostOverhead = 0;
            for (int m = cache.firstMember(e); m >= 0; m = cache.nextMember(m)) {
                int i = listed(dests, m);
                if (i < 0 || dests.weight(i) <= 0) {
                    continue;
                }
                long overhead = ConnOverhead.of(dests, i);
                if (most < 0 || mostOverhead * dests.weight(i) < overhead * dests.weight(most)) {
                    most = i;
                    mostOverhead = overhead;
                }
            }
            return most;
        }
    }
}
