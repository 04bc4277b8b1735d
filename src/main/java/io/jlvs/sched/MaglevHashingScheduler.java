package io.jlvs.sched;

import java.util.Arrays;

/**
 * Maglev hashing, ip_vs_mh.c (ipvsadm {@code -s mh}, flags {@code -b mh-fallback,mh-port}); the
 * algorithm of Google's Maglev load balancer (NSDI 2016, section 3.4).
 *
 * <p><b>Why.</b> Like sh it maps a client to a server through a static table, but the table is built
 * so that adding or removing one of N servers moves only about 1/N of the clients, and every server
 * owns a share of slots proportional to its weight.
 *
 * <p><b>Table.</b> {@code M} = 4093 slots, the prime at {@code CONFIG_IP_VS_MH_TAB_INDEX} = 12 (the
 * kernel's default; {@code IP_VS_MH_TAB_BITS} = 12 / 2 = 6). Each server derives a permutation of the
 * slots from its own address and port: a start {@code offset = mhkey(addr, port, hash1) mod M} and a
 * step {@code skip = mhkey(addr, port, hash2) mod (M - 1) + 1}; M being prime, stepping by {@code skip}
 * visits every slot. The servers then take turns, in list order and in rounds, each claiming the next
 * free slot of its own permutation; a server claims {@code turns} slots per round, its weight divided
 * by the gcd of all weights and shifted right so that the largest quotient fits in 6 bits (at least 1
 * for any non-zero weight). Filling stops the moment the M-th slot is taken.
 *
 * <p>The weights used are the kernel's {@code last_weight} (the weight at add, then the latest
 * non-zero edit), so quiescing a server to weight 0 keeps the table unchanged and only makes its slots
 * unusable. See {@link DestinationView#lastWeight}: when the view does not keep it, this state carries
 * it from the previous state by destId. A service whose servers all have last weight 0 has an empty
 * table. With more than M servers the kernel refuses to rebuild and keeps its last table; so does this
 * state (servers no longer listed become "none").
 *
 * <p><b>Hash.</b> {@code mhkey(addr, port, key, offset) = hsiphash(offset + port + addr)}, the sum taken
 * as a 32-bit integer in host order and hashed as its 4 little-endian bytes. On 64-bit kernels {@code
 * hsiphash} is SipHash-1-3 with 64-bit lanes truncated to 32 bits, and ip_vs_mh.c uses two fixed keys,
 * {@code hash1 = (2654435761, 2654435761)} and {@code hash2 = (2654446892, 2654446892)}, so a given set
 * of servers gives the same table on every host: this class computes the table a 64-bit kernel does
 * (32-bit kernels use HalfSipHash and differ).
 *
 * <p><b>Lookup.</b> A client (address, plus source port only with {@code mh-port}) goes to slot {@code
 * h = mhkey(client, hash1, 0) mod M}. A server is usable with weight above 0 and no overload flag.
 * Without {@code mh-fallback} an unusable slot means "none"; with it the kernel re-hashes with offsets
 * {@code (h + k) mod M} for k = 0..M-1 and takes the first usable slot, a full hash per probe.
 */
public final class MaglevHashingScheduler implements Scheduler {
    public static final String NAME = "mh";

    /** {@code IP_VS_SVC_F_SCHED_MH_FALLBACK}, the service flag {@code ServiceConfig.F_SCHED1}. */
    public static final int FLAG_FALLBACK = 0x0008;

    /** {@code IP_VS_SVC_F_SCHED_MH_PORT}, the service flag {@code ServiceConfig.F_SCHED2}. */
    public static final int FLAG_PORT = 0x0010;

    /** {@code CONFIG_IP_VS_MH_TAB_INDEX} (the kernel's default). */
    public static final int TAB_INDEX = 12;

    /** Primes the kernel can size the table with, for table index 8..17. */
    private static final int[] PRIMES = {251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071};

    /** Number of slots, {@code primes[TAB_INDEX - 8]}. */
    public static final int TAB_SIZE = PRIMES[TAB_INDEX - 8];

    /** {@code IP_VS_MH_TAB_BITS}: the largest weight quotient that turns are not shifted for. */
    static final int TAB_BITS = TAB_INDEX / 2;

    /** Both halves of the kernel's first key ({@code generate_hash_secret}). */
    static final long HASH1_KEY = 2654435761L;

    /** Both halves of the kernel's second key. */
    static final long HASH2_KEY = 2654446892L;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SchedulerState newState(DestinationView dests, SchedulerState previous) {
        State old = previous instanceof State s ? s : null;
        int n = dests.count();
        int[] ids = new int[n];
        int[] lastWeights = new int[n];
        DestIdIndex oldIndex = old == null ? null : old.index;
        for (int i = 0; i < n; i++) {
            ids[i] = dests.destId(i);
            lastWeights[i] = lastWeight(dests, i, old, oldIndex);
        }
        int[] slots;
        if (n > TAB_SIZE) {
            slots = old == null ? empty() : old.translated(new DestIdIndex(dests));
        } else {
            slots = populate(dests, lastWeights);
        }
        return new State(slots, ids, lastWeights, dests);
    }

    private static int lastWeight(DestinationView dests, int i, State old, DestIdIndex oldIndex) {
        int known = dests.lastWeight(i);
        if (known >= 0) {
            return known;
        }
        int weight = dests.weight(i);
        if (weight != 0) {
            return weight;
        }
        int before = oldIndex == null ? -1 : oldIndex.indexOf(dests.destId(i));
        return before < 0 ? 0 : old.lastWeights[before];
    }

    private static int[] empty() {
        int[] slots = new int[TAB_SIZE];
        Arrays.fill(slots, -1);
        return slots;
    }

    /** The kernel's permutation and population ({@code ip_vs_mh_permutate}, {@code ip_vs_mh_populate}). */
    static int[] populate(DestinationView dests, int[] lastWeights) {
        int n = lastWeights.length;
        int gcd = 0;
        int max = 0;
        for (int w : lastWeights) {
            if (w > 0) {
                gcd = gcd > 0 ? gcd(w, gcd) : w;
            }
            max = Math.max(max, w);
        }
        int[] slots = empty();
        if (gcd < 1) {
            return slots;
        }
        int rshift = Math.max(0, fls(max / gcd) - TAB_BITS);
        int[] turns = new int[n];
        int[] skip = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            int addr = dests.serverIpv4(i);
            int port = dests.serverPort(i);
            next[i] = Integer.remainderUnsigned(mhkey(HASH1_KEY, addr, port, 0), TAB_SIZE);
            skip[i] = Integer.remainderUnsigned(mhkey(HASH2_KEY, addr, port, 0), TAB_SIZE - 1) + 1;
            int lw = lastWeights[i];
            int t = (lw / gcd) >> rshift;
            turns[i] = t != 0 ? t : (lw != 0 ? 1 : 0);
        }
        boolean[] taken = new boolean[TAB_SIZE];
        int filled = 0;
        while (true) {
            for (int i = 0; i < n; i++) {
                for (int t = 0; t < turns[i]; t++) {
                    int c = next[i];
                    while (taken[c]) {
                        c += skip[i];
                        if (c >= TAB_SIZE) {
                            c -= TAB_SIZE;
                        }
                    }
                    next[i] = c;
                    taken[c] = true;
                    slots[c] = i;
                    if (++filled == TAB_SIZE) {
                        return slots;
                    }
                }
            }
        }
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int r = a % b;
            a = b;
            b = r;
        }
        return a;
    }

    /** Position of the highest set bit, 1-based; 0 for 0 (the kernel's {@code fls}). */
    private static int fls(int x) {
        return 32 - Integer.numberOfLeadingZeros(x);
    }

    /** {@code ip_vs_mh_hashkey} for an IPv4 address: hsiphash of {@code offset + port + addr} with key (k, k). */
    static int mhkey(long key, int addr, int port, int offset) {
        return hsiphash(key, key, offset + port + addr);
    }

    /**
     * The 64-bit kernel's {@code hsiphash} of the 4 little-endian bytes of {@code value}: SipHash-1-3
     * (one compression round, three finalisation rounds) over 64-bit lanes, the 64-bit result cut to
     * its low 32 bits.
     */
    static int hsiphash(long k0, long k1, int value) {
        long v0 = 0x736f6d6570736575L ^ k0;
        long v1 = 0x646f72616e646f6dL ^ k1;
        long v2 = 0x6c7967656e657261L ^ k0;
        long v3 = 0x7465646279746573L ^ k1;
        long b = (4L << 56) | (value & 0xffffffffL);
        v3 ^= b;
        for (int round = 0; round < 4; round++) {
            if (round == 1) {
                v0 ^= b;
                v2 ^= 0xff;
            }
            v0 += v1;
            v1 = Long.rotateLeft(v1, 13);
            v1 ^= v0;
            v0 = Long.rotateLeft(v0, 32);
            v2 += v3;
            v3 = Long.rotateLeft(v3, 16);
            v3 ^= v2;
            v0 += v3;
            v3 = Long.rotateLeft(v3, 21);
            v3 ^= v0;
            v2 += v1;
            v1 = Long.rotateLeft(v1, 17);
            v1 ^= v2;
            v2 = Long.rotateLeft(v2, 32);
        }
        return (int) (v0 ^ v1 ^ v2 ^ v3);
    }

    /** The lookup table (a list index per slot, -1 when empty) and what the next rebuild needs. */
    static final class State implements SchedulerState {
        private final int[] slots;
        private final int[] ids;
        private final int[] lastWeights;
        private final DestIdIndex index;

        State(int[] slots, int[] ids, int[] lastWeights, DestinationView dests) {
            this.slots = slots;
            this.ids = ids;
            this.lastWeights = lastWeights;
            this.index = new DestIdIndex(dests);
        }

        /** List index owning slot {@code s}, or -1 (for tests). */
        int slotOwner(int s) {
            return slots[s];
        }

        /** The last weight the table was built with for the i-th server (for tests). */
        int lastWeightOf(int i) {
            return lastWeights[i];
        }

        /** This table re-pointed at another list by destId; servers not in it leave their slots empty. */
        int[] translated(DestIdIndex other) {
            int[] out = new int[slots.length];
            for (int s = 0; s < slots.length; s++) {
                out[s] = slots[s] < 0 ? -1 : other.indexOf(ids[slots[s]]);
            }
            return out;
        }

        @Override
        public int schedule(DestinationView dests, FlowView flow) {
            int flags = dests.serviceFlags();
            int port = (flags & FLAG_PORT) != 0 ? flow.srcPort() : 0;
            int addr = flow.srcIpv4();
            int h = Integer.remainderUnsigned(mhkey(HASH1_KEY, addr, port, 0), TAB_SIZE);
            int n = dests.count();
            int i = slots[h];
            if (i < 0 || i >= n) {
                return -1;
            }
            if (usable(dests, i)) {
                return i;
            }
            if ((flags & FLAG_FALLBACK) == 0 || !anyUsable(dests, n)) {
                return -1;
            }
            for (int k = 0; k < TAB_SIZE; k++) {
                int offset = k + h < TAB_SIZE ? k + h : k + h - TAB_SIZE;
                i = slots[Integer.remainderUnsigned(mhkey(HASH1_KEY, addr, port, offset), TAB_SIZE)];
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

        /**
         * Whether any server could be the answer. The kernel's probe would find none after up to M
         * hashes; one walk over at most M servers gives the same "none" sooner.
         */
        private static boolean anyUsable(DestinationView dests, int n) {
            for (int i = 0; i < n; i++) {
                if (usable(dests, i)) {
                    return true;
                }
            }
            return false;
        }
    }
}
