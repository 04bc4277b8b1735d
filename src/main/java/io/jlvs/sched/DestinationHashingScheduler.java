package io.jlvs.sched;

/**
 * Destination hashing, ip_vs_dh.c (ipvsadm {@code -s dh}).
 *
 * <p>Meant for cache clusters behind a firewall-mark service: requests for the same origin address
 * should always reach the same cache, so the packet's <em>destination</em> address picks the server.
 * A static table of 256 buckets ({@code CONFIG_IP_VS_DH_TAB_BITS} = 8) is dealt out to the servers
 * round the list: bucket {@code b} belongs to the {@code (b mod n)}-th server in list order, whatever
 * the weights. A packet goes to bucket {@link KernelHash#hash32 hash_32}{@code (daddr, 8)} (the
 * golden-ratio multiply, top 8 bits; kernels before 3.x took the low bits of {@code daddr *
 * 2654435761}).
 *
 * <p>There is no second choice: if the bucket's server is quiesced (weight 0) or overloaded the answer
 * is "none" (the kernel suggests the cache_bypass sysctl for that case). The table depends only on the
 * list, so it is built in {@link #newState} and a decision is one multiply and two array reads.
 */
public final class DestinationHashingScheduler implements Scheduler {
    public static final String NAME = "dh";

    /** {@code CONFIG_IP_VS_DH_TAB_BITS}. */
    public static final int TAB_BITS = 8;

    /** Number of buckets. */
    public static final int TAB_SIZE = 1 << TAB_BITS;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SchedulerState newState(DestinationView dests, SchedulerState previous) {
        int n = dests.count();
        int[] buckets = new int[TAB_SIZE];
        for (int b = 0; b < TAB_SIZE; b++) {
            buckets[b] = n == 0 ? -1 : b % n;
        }
        return new State(buckets);
    }

    /** Bucket of a destination address. */
    static int bucket(int daddr) {
        return KernelHash.hash32(daddr, TAB_BITS);
    }

    /** The 256 buckets, each holding a list index (-1 for an empty service). */
    static final class State implements SchedulerState {
        private final int[] buckets;

        State(int[] buckets) {
            this.buckets = buckets;
        }

        /** List index held by bucket {@code b} (for tests). */
        int bucketOwner(int b) {
            return buckets[b];
        }

        @Override
        public int schedule(DestinationView dests, FlowView flow) {
            int i = buckets[bucket(flow.dstIpv4())];
            if (i < 0 || i >= dests.count() || dests.weight(i) <= 0 || dests.overloaded(i)) {
                return -1;
            }
            return i;
        }
    }
}
