package io.jlvs.sched;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Weighted power of two choices, ip_vs_twos.c (ipvsadm {@code -s twos}).
 *
 * <p>Mitzenmacher's observation: picking two servers at random and sending the connection to the less
 * loaded of the two balances almost as well as finding the least loaded server, at the cost of two
 * random draws. The weighted form draws each candidate with probability proportional to its weight.
 *
 * <p><b>Draws.</b> With {@code T} the sum of the weights of the eligible servers (weight above 0, not
 * overloaded; none → "none"), the kernel draws {@code r1} and {@code r2} with {@code
 * get_random_u32_below(T + 1)} (multiply-shift, see {@link #below}), so in {@code [0, T]} inclusive.
 * Walking the eligible servers in list order and subtracting each weight from both, {@code choice1} is the first server at which {@code r1 <= 0}, {@code choice2} the
 * first at which {@code r2 <= 0}. Because 0 is a possible draw the first eligible server is chosen with
 * probability {@code (w1 + 1) / (T + 1)}, the others with {@code wi / (T + 1)}.
 *
 * <p><b>Choice.</b> {@code choice2} replaces {@code choice1} only when it carries less load per weight:
 * {@code w2 * overhead1 > w1 * overhead2}, in 32-bit int arithmetic as the kernel computes it (the
 * products can wrap for very large counts), {@link ConnOverhead overhead} being {@code active * 256 +
 * inactive}. Equal loads keep {@code choice1}.
 *
 * <p><b>Randomness.</b> The kernel takes its draws from the system's random generator. Here every
 * state has its own {@link RandomSource} (carried over when the list changes), made by the supplier the
 * scheduler was built with: by default a SplitMix64 generator seeded from the clock, with {@link
 * #WeightedPowerOfTwoScheduler(long)} seeded deterministically (state k of the scheduler gets the k-th
 * seed), and with {@link #WeightedPowerOfTwoScheduler(Supplier)} any source a test wants.
 *
 * <p>With a view that {@link DestinationView#notifiesChanges notifies changes} the eligible weights live
 * in a sum tree, and each draw is resolved by one descent instead of a walk over the list.
 */
public final class WeightedPowerOfTwoScheduler implements Scheduler {
    public static final String NAME = "twos";

    /** Uniformly distributed 32-bit values (the kernel's {@code get_random_u32}); must not allocate. */
    @FunctionalInterface
    public interface RandomSource {
        int nextU32();
    }

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private final Supplier<RandomSource> sources;

    /** Draws seeded from the clock, different per state. */
    public WeightedPowerOfTwoScheduler() {
        this(System.nanoTime() ^ System.currentTimeMillis() * GOLDEN_GAMMA);
    }

    /** Deterministic draws: the k-th state made gets the k-th seed of a sequence started at {@code seed}. */
    public WeightedPowerOfTwoScheduler(long seed) {
        AtomicLong seeds = new AtomicLong(seed);
        this.sources = () -> new SplitMix64(seeds.getAndAdd(GOLDEN_GAMMA));
    }

    /** Draws from a source per state made by {@code sources}. */
    public WeightedPowerOfTwoScheduler(Supplier<RandomSource> sources) {
        this.sources = sources;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SchedulerState newState(DestinationView dests, SchedulerState previous) {
        RandomSource random = previous instanceof State old ? old.random : sources.get();
        return dests.notifiesChanges() ? new Indexed(dests, random) : new State(random);
    }

    /** SplitMix64 (Steele, Lea, Flood 2014), upper 32 bits of each output. */
    static final class SplitMix64 implements RandomSource {
        private long state;

        SplitMix64(long seed) {
            this.state = seed;
        }

        @Override
        public int nextU32() {
            long z = state += GOLDEN_GAMMA;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return (int) ((z ^ (z >>> 31)) >>> 32);
        }
    }

    /** The kernel's two walks over the list. */
    static class State implements SchedulerState {
        final RandomSource random;

        State(RandomSource random) {
            this.random = random;
        }

        @Override
        public int schedule(DestinationView dests, FlowView flow) {
            int n = dests.count();
            int total = 0;
            boolean any = false;
            for (int i = 0; i < n; i++) {
                int weight = dests.weight(i);
                if (!dests.overloaded(i) && weight > 0) {
                    total += weight;
                    any = true;
                }
            }
            if (!any) {
                return -1;
            }
            int r1 = below(random, total + 1);
            int r2 = below(random, total + 1);
            int choice1 = -1;
            int choice2 = -1;
            for (int i = 0; i < n && (choice1 < 0 || choice2 < 0); i++) {
                int weight = dests.weight(i);
                if (dests.overloaded(i) || weight <= 0) {
                    continue;
                }
                r1 -= weight;
                r2 -= weight;
                if (r1 <= 0 && choice1 < 0) {
                    choice1 = i;
                }
                if (r2 <= 0 && choice2 < 0) {
                    choice2 = i;
                }
            }
            return lessLoaded(choice1, dests.weight(choice1), ConnOverhead.of(dests, choice1),
                    choice2, dests.weight(choice2), ConnOverhead.of(dests, choice2));
        }
    }

    /**
     * A uniform value in {@code [0, ceil)}, as the kernel's {@code get_random_u32_below}: the high half of
     * {@code ceil × u32} (Lemire's multiply-shift), with the rare draws that would bias it redrawn — those
     * whose low half falls below {@code 2^32 mod ceil}. No division on the common path.
     */
    static int below(RandomSource random, int ceil) {
        long c = ceil & 0xffff_ffffL;
        long mult = c * (random.nextU32() & 0xffff_ffffL);
        if ((mult & 0xffff_ffffL) < c) {
            long bound = (0x1_0000_0000L - c) % c; // -ceil % ceil in 32-bit unsigned arithmetic
            while ((mult & 0xffff_ffffL) < bound) {
                mult = c * (random.nextU32() & 0xffff_ffffL);
            }
        }
        return (int) (mult >>> 32);
    }

    /** {@code choice2} when {@code w2 * overhead1 > w1 * overhead2} in int arithmetic, else {@code choice1}. */
    static int lessLoaded(int choice1, int weight1, int overhead1, int choice2, int weight2, int overhead2) {
        return weight2 * overhead1 > weight1 * overhead2 ? choice2 : choice1;
    }

    /**
     * The eligible weights in a sum tree (every inner node the sum of its children), so "the first
     * server at which r has been used up" is found by one descent: the first leaf whose prefix sum
     * reaches {@code r}. A draw of 0 means the first eligible server, the first prefix reaching 1.
     */
    static final class Indexed extends State {
        private final int count;
        private final int leaves;
        private final long[] sums;

        Indexed(DestinationView dests, RandomSource random) {
            super(random);
            count = dests.count();
            int size = 1;
            while (size < count) {
                size <<= 1;
            }
            leaves = size;
            sums = new long[2 * size];
            for (int i = 0; i < count; i++) {
                sums[size + i] = eligibleWeight(dests, i);
            }
            for (int k = size - 1; k >= 1; k--) {
                sums[k] = sums[2 * k] + sums[2 * k + 1];
            }
        }

        private static int eligibleWeight(DestinationView dests, int i) {
            int weight = dests.weight(i);
            return !dests.overloaded(i) && weight > 0 ? weight : 0;
        }

        @Override
        public int schedule(DestinationView dests, FlowView flow) {
            if (dests.count() != count) {
                return super.schedule(dests, flow);
            }
            long total = sums[1];
            if (total == 0) {
                return -1;
            }
            int bound = (int) total + 1;
            int r1 = below(random, bound);
            int r2 = below(random, bound);
            descend(Math.max(r1, 1), Math.max(r2, 1));
            int choice1 = reached1;
            int choice2 = reached2;
            return lessLoaded(choice1, dests.weight(choice1), ConnOverhead.of(dests, choice1),
                    choice2, dests.weight(choice2), ConnOverhead.of(dests, choice2));
        }

        /** Results of {@link #descend}: the leaves the two draws reach. */
        private int reached1;
        private int reached2;

        /**
         * For each draw, the first leaf whose prefix sum reaches it (1 <= r <= total). Going left or right is a
         * coin toss for the branch predictor, so each step is computed from the sign of {@code left - r}; both
         * draws descend in one loop, so their two chains of dependent loads overlap (the tree is complete: both
         * take the same number of steps).
         */
        private void descend(long r1, long r2) {
            int k1 = 1;
            int k2 = 1;
            while (k1 < leaves) {
                long left1 = sums[2 * k1];
                long left2 = sums[2 * k2];
                int right1 = (int) ((left1 - r1) >>> 63);
                int right2 = (int) ((left2 - r2) >>> 63);
                r1 -= left1 & -right1;
                r2 -= left2 & -right2;
                k1 = 2 * k1 + right1;
                k2 = 2 * k2 + right2;
            }
            reached1 = k1 - leaves;
            reached2 = k2 - leaves;
        }

        /** Only eligibility matters to the sums (the weights change with a new state). */
        @Override
        public void destChanged(DestinationView dests, int i) {
            if (i < 0 || i >= count) {
                return;
            }
            int k = leaves + i;
            long weight = eligibleWeight(dests, i);
            if (sums[k] == weight) {
                return;
            }
            sums[k] = weight;
            for (k >>>= 1; k >= 1; k >>>= 1) {
                sums[k] = sums[2 * k] + sums[2 * k + 1];
            }
        }
    }
}
