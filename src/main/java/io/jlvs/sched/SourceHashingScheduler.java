package io.jlvs.sched;

/**
 * Source hashing, ip_vs_sh.c (ipvsadm {@code -s sh}, flags {@code -b sh-fallback,sh-port}).
 *
 * <p>Client affinity without persistence templates: the client's address (and, with {@code sh-port},
 * its source port) is hashed onto a static table of 256 buckets ({@code CONFIG_IP_VS_SH_TAB_BITS} = 8)
 * whose buckets were dealt to the servers in proportion to their weights.
 *
 * <p><b>Table.</b> Walking the list in order and wrapping around, each server takes {@code weight}
 * consecutive buckets, until all 256 are taken. A server of weight 0 still takes one bucket (the
 * kernel moves on only once its count reaches the weight), which it cannot serve; servers reached
 * after the 256th bucket get none. The table is rebuilt on every list change, weight edits included,
 * so editing any weight may move clients between servers.
 *
 * <p><b>Lookup.</b> {@code h = }{@link KernelHash#hash32 hash_32}{@code (port + addr, 8)} (32-bit
 * wrap-around sum; port 0 without {@code sh-port}; kernels before 3.x took the low bits of {@code
 * addr * 2654435761}). The kernel's hash function is {@code (offset + h) & 255}, so the first bucket
 * is {@code h}. If its server is quiesced or overloaded: without {@code sh-fallback} the answer is
 * "none"; with it the kernel probes offsets {@code h + k} for k = 0..255, i.e. buckets {@code (2h + k)
 * & 255}, and takes the first usable server, so the probe does not start next to the original bucket.
 */
public final class SourceHashingScheduler implements Scheduler {
    public static final String NAME = "sh";

    /** {@code IP_VS_SVC_F_SCHED_SH_FALLBACK}, the service flag {@code ServiceConfig.F_SCHED1}. */
    public static final int FLAG_FALLBACK = 0x0008;

    /** {@code IP_VS_SVC_F_SCHED_SH_PORT}, the service flag {@code ServiceConfig.F_SCHED2}. */
    public static final int FLAG_PORT = 0x0010;

    /** {@code CONFIG_IP_VS_SH_TAB_BITS} (the kernel's default). */
    public static final int TAB_BITS = 8;

    /** Number of buckets. */
    public static final int TAB_SIZE = 1 << TAB_BITS;

    private static final int TAB_MASK = TAB_SIZE - 1;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SchedulerState newState(DestinationView dests, SchedulerState previous) {
        int n = dests.count();
        int[] buckets = new int[TAB_SIZE];
        int owner = 0;
        int taken = 0;
        for (int b = 0; b < TAB_SIZE; b++) {
            if (n == 0) {
                buckets[b] = -1;
                continue;
            }
            buckets[b] = owner;
            if (++taken >= dests.weight(owner)) {
                owner = owner + 1 == n ? 0 : owner + 1;
                taken = 0;
            }
        }
        return new State(buckets);
    }

    /** The hash part {@code h} of a client address and port (port 0 unless sh-port). */
    static int hash(int addr, int port) {
        return KernelHash.hash32(port + addr, TAB_BITS);
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
            int flags = dests.serviceFlags();
            int port = (flags & FLAG_PORT) != 0 ? flow.srcPort() : 0;
            int h = hash(flow.srcIpv4(), port);
            int n = dests.count();
            int i = buckets[h];
            if (i < 0 || i >= n) {
                return -1;
            }
            if (usable(dests, i)) {
                return i;
            }
            if ((flags & FLAG_FALLBACK) == 0) {
                return -1;
            }
            for (int k = 0; k < TAB_SIZE; k++) {
                i = buckets[(2 * h + k) & TAB_MASK];
                if (i < 0 || i >= n) {
                    return -1;
                }
                if (usable(dests, i)) {
                    return i;
                }
            }
            return -1;
        }

        private static boolean usable(DestinationView dests, int i) {
            return dests.weight(i) > 0 && !dests.overloaded(i);
        }
    }
}
