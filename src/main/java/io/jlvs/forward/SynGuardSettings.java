package io.jlvs.forward;

import io.jlvs.stats.WorkerCounters;

import java.security.SecureRandom;

/**
 * The SYN flood guard's thresholds as the operator sets them ({@code jlvs director --syn-half-open-max},
 * {@code --syn-pressure-threshold}, {@code --syn-pressure-timeout-ms}); a null field keeps the default. The
 * counts are for the whole director and are split evenly over the workers, as {@code --conn-table-size} is:
 * each worker has its own table and its own {@link SynFloodGuard}.
 *
 * <pre>
 *   default half-open cap        = table capacity / 4    (at least 4 per worker)
 *   default pressure threshold   = table capacity / 16   (at least 1 per worker, at most the cap)
 *   default pressure timeout     = 3 s                   (SYN_RECV's own timeout is 60 s)
 * </pre>
 *
 * @param halfOpenMax       most half-open entries, or null for the default
 * @param pressureThreshold half-open entries from which pressure applies, or null for the default
 * @param pressureTimeoutMs idle timeout of a half-open entry under pressure, or null for the default
 */
public record SynGuardSettings(Integer halfOpenMax, Integer pressureThreshold, Long pressureTimeoutMs) {
    public static final SynGuardSettings DEFAULTS = new SynGuardSettings(null, null, null);
    /** SYN_RECV's timeout: a longer pressure timeout would never apply (the guard takes the smaller). */
    public static final long MAX_PRESSURE_TIMEOUT_MS = 60_000;

    /**
     * Checks the settings against a director with {@code connTableSize} connections; the message names the
     * option and the accepted range.
     *
     * @throws IllegalArgumentException when a value is out of range
     */
    public void validate(int connTableSize) {
        if (halfOpenMax != null && (halfOpenMax < 1 || halfOpenMax > connTableSize)) {
            throw new IllegalArgumentException("--syn-half-open-max must be 1 to --conn-table-size (" + connTableSize
                    + "), not " + halfOpenMax);
        }
        int max = halfOpenMax != null ? halfOpenMax : Math.max(4, connTableSize / 4);
        if (pressureThreshold != null && (pressureThreshold < 1 || pressureThreshold > max)) {
            throw new IllegalArgumentException("--syn-pressure-threshold must be 1 to the half-open cap ("
                    + (halfOpenMax != null ? "--syn-half-open-max " : "--conn-table-size / 4 = ") + max + "), not "
                    + pressureThreshold);
        }
        if (pressureTimeoutMs != null && (pressureTimeoutMs < 1 || pressureTimeoutMs > MAX_PRESSURE_TIMEOUT_MS)) {
            throw new IllegalArgumentException("--syn-pressure-timeout-ms must be 1 to " + MAX_PRESSURE_TIMEOUT_MS
                    + ", not " + pressureTimeoutMs);
        }
    }

    public boolean isDefault() {
        return halfOpenMax == null && pressureThreshold == null && pressureTimeoutMs == null;
    }

    /**
     * The guard of one of {@code workers} workers whose table holds {@code capacity} connections: a set count is
     * divided by the number of workers (rounded up), an unset one is the default for {@code capacity}.
     */
    public SynFloodGuard guardFor(int capacity, int workers, WorkerCounters counters) {
        SynFloodGuard defaults = SynFloodGuard.forCapacity(capacity, counters);
        if (isDefault()) {
            return defaults;
        }
        int max = halfOpenMax != null ? perWorker(halfOpenMax, workers) : defaults.halfOpenLimit();
        int threshold = pressureThreshold != null ? perWorker(pressureThreshold, workers) : defaults.pressureThreshold();
        long timeoutMs = pressureTimeoutMs != null ? pressureTimeoutMs : SynFloodGuard.DEFAULT_PRESSURE_TIMEOUT_MS;
        return new SynFloodGuard(max, Math.min(threshold, max), timeoutMs, SynFloodGuard.DEFAULT_ADOPT_WINDOW_MS,
                new SecureRandom().nextLong(), counters);
    }

    private static int perWorker(int total, int workers) {
        return (total + workers - 1) / workers;
    }
}
