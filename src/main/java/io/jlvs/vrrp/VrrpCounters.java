package io.jlvs.vrrp;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Per-instance statistics, keepalived's SIGUSR2 set (vrrp.md §13) plus one counter per {@link VrrpDrop}. Written by
 * the VRRP thread only, read by anyone (the monitor, tests); increments allocate nothing.
 */
public final class VrrpCounters {
    enum Event { ADVERTS_RECEIVED, ADVERTS_SENT, BECAME_MASTER, RELEASED_MASTER, PRIORITY_ZERO_RECEIVED,
        PRIORITY_ZERO_SENT, LOWER_PRIORITY_DISCARDED }

    private static final int EVENTS = Event.values().length;
    private final AtomicLongArray values = new AtomicLongArray(EVENTS + VrrpDrop.values().length);

    void count(Event e) {
        values.incrementAndGet(e.ordinal());
    }

    void drop(VrrpDrop reason) {
        values.incrementAndGet(EVENTS + reason.ordinal());
    }

    /** Adds another set (a reload keeps an instance's statistics, as keepalived's restore_vrrp_state). */
    void addAll(VrrpCounters other) {
        for (int i = 0; i < values.length(); i++) {
            values.addAndGet(i, other.values.get(i));
        }
    }

    public long drops(VrrpDrop reason) {
        return values.get(EVENTS + reason.ordinal());
    }

    /** Every drop counter, zeros included. */
    public Map<VrrpDrop, Long> drops() {
        Map<VrrpDrop, Long> m = new EnumMap<>(VrrpDrop.class);
        for (VrrpDrop d : VrrpDrop.values()) {
            m.put(d, drops(d));
        }
        return m;
    }

    public long totalDrops() {
        long n = 0;
        for (VrrpDrop d : VrrpDrop.values()) {
            n += drops(d);
        }
        return n;
    }

    /** Adverts that passed the packet checks (keepalived's advert_rcvd). */
    public long advertsReceived() {
        return values.get(Event.ADVERTS_RECEIVED.ordinal());
    }

    public long advertsSent() {
        return values.get(Event.ADVERTS_SENT.ordinal());
    }

    public long becameMaster() {
        return values.get(Event.BECAME_MASTER.ordinal());
    }

    public long releasedMaster() {
        return values.get(Event.RELEASED_MASTER.ordinal());
    }

    public long priorityZeroReceived() {
        return values.get(Event.PRIORITY_ZERO_RECEIVED.ordinal());
    }

    public long priorityZeroSent() {
        return values.get(Event.PRIORITY_ZERO_SENT.ordinal());
    }

    /** Valid lower-priority adverts a backup ignored so it can preempt. */
    public long lowerPriorityDiscarded() {
        return values.get(Event.LOWER_PRIORITY_DISCARDED.ordinal());
    }
}
