package io.jlvs.monitor;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Limits failed logins, per client address and per user name alike: after {@code maxFailures} failures
 * within {@code windowMs}, further attempts from that address (or for that name) are refused, without
 * checking the password, until the oldest failure leaves the window. A success clears the name's and the
 * address's record. Time is passed in.
 */
public final class LoginThrottle {
    public static final int DEFAULT_MAX_FAILURES = 5;
    public static final long DEFAULT_WINDOW_MS = 5 * 60_000L;
    /** Keys kept at most, so a flood of made-up names cannot grow memory without bound. */
    private static final int MAX_KEYS = 10_000;

    private final int maxFailures;
    private final long windowMs;
    private final Map<String, Deque<Long>> failures = new HashMap<>();

    public LoginThrottle(int maxFailures, long windowMs) {
        this.maxFailures = maxFailures;
        this.windowMs = windowMs;
    }

    /** 0 when an attempt may be checked now; else how many ms until one may. */
    public synchronized long retryAfterMs(String address, String user, long nowMs) {
        return Math.max(wait("addr:" + address, nowMs), wait("user:" + user, nowMs));
    }

    public synchronized void failed(String address, String user, long nowMs) {
        if (failures.size() >= MAX_KEYS) {
            failures.entrySet().removeIf(e -> e.getValue().isEmpty()
                    || nowMs - e.getValue().peekLast() >= windowMs);
        }
        add("addr:" + address, nowMs);
        add("user:" + user, nowMs);
    }

    public synchronized void succeeded(String address, String user) {
        failures.remove("addr:" + address);
        failures.remove("user:" + user);
    }

    private void add(String key, long nowMs) {
        Deque<Long> q = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
        q.addLast(nowMs);
        while (q.size() > maxFailures) {
            q.removeFirst();
        }
    }

    private long wait(String key, long nowMs) {
        Deque<Long> q = failures.get(key);
        if (q == null) {
            return 0;
        }
        while (!q.isEmpty() && nowMs - q.peekFirst() >= windowMs) {
            q.removeFirst();
        }
        if (q.isEmpty()) {
            failures.remove(key);
            return 0;
        }
        return q.size() >= maxFailures ? windowMs - (nowMs - q.peekFirst()) : 0;
    }
}
