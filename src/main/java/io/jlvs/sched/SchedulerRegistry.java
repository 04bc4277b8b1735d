package io.jlvs.sched;

import java.util.List;

/**
 * The schedulers jlvs knows, by ipvsadm name, in the order {@code ipvsadm -h} lists them (twos, which
 * the help text predates, last). A name is matched exactly (the kernel compares with {@code strcmp}), so
 * {@code "RR"} is unknown. Schedulers are stateless; the per-service state comes from
 * {@link Scheduler#newState}.
 */
public final class SchedulerRegistry {
    /** Scheduler of a service added without {@code -s} (ipvsadm's {@code DEF_SCHED}). */
    public static final String DEFAULT = WeightedLeastConnectionScheduler.NAME;

    private static final List<Scheduler> SCHEDULERS = List.of(
            new RoundRobinScheduler(),
            new WeightedRoundRobinScheduler(),
            new LeastConnectionScheduler(),
            new WeightedLeastConnectionScheduler(),
            new LocalityBasedLeastConnectionScheduler(),
            new LocalityBasedLeastConnectionReplicationScheduler(),
            new DestinationHashingScheduler(),
            new SourceHashingScheduler(),
            new ShortestExpectedDelayScheduler(),
            new NeverQueueScheduler(),
            new WeightedFailoverScheduler(),
            new WeightedOverflowScheduler(),
            new MaglevHashingScheduler(),
            new WeightedPowerOfTwoScheduler());

    private static final List<String> NAMES = SCHEDULERS.stream().map(Scheduler::name).toList();

    private SchedulerRegistry() {}

    /** The scheduler registered as {@code name}, or null when there is none (or name is null). */
    public static Scheduler byName(String name) {
        if (name == null) {
            return null;
        }
        for (Scheduler s : SCHEDULERS) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        return null;
    }

    public static boolean exists(String name) {
        return byName(name) != null;
    }

    /** Every registered name, in registry order; unmodifiable. */
    public static List<String> names() {
        return NAMES;
    }
}
