package io.jlvs.conn;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The part of a connection table that does not depend on the address family: a slab of fixed-size records named by
 * slot, the LIFO free list through them, and the hashed timer wheel with lazy re-arming that expires them. The table
 * owns the segment, the record layout and the hash indexes; it tells the slab where four link fields sit in a record
 * and how to take a slot out of its hash chains ({@code unhash}), and the slab does the rest. Same single-thread rule
 * as the tables.
 *
 * <p>Link fields of a record: {@code nextFree} (int; the free list, and free for the table's use while the slot is
 * live, e.g. as its inbound chain), {@code nextTimer}/{@code prevTimer} (int) and {@code expiresAtMs} (long).
 * {@code prevTimer} also encodes where the slot is: {@link #FREE}, {@link #DETACHED} (live, in no wheel list, being
 * expired), {@code -(L + 1)} at the head of wheel list L, or the previous slot. List {@code wheelSlots} is the pending
 * list: the rest of a tick whose processing ran out of budget.
 *
 * <p>Expiry semantics (as {@link ConnectionTable}): a slot expires at the first {@link #expire} whose {@code nowMs}
 * is at least the tick boundary at or after its {@code expiresAtMs}; {@link #touch} to a later time only writes the
 * field and the wheel re-files the slot when it reaches it; a touch to an earlier time re-files at once; a listener
 * that re-arms the expiring slot to after now keeps it.
 */
final class ConnectionSlab {
    /** End of a chain or an empty bucket/list. */
    static final int NIL = -1;
    /** {@code prevTimer} of a free slot. */
    static final int FREE = Integer.MIN_VALUE;
    /** {@code prevTimer} of a live slot in no wheel list (being expired right now). */
    static final int DETACHED = Integer.MIN_VALUE + 1;

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;

    private final MemorySegment mem;
    private final int capacity;
    private final long recordBytes;
    private final long offNextFree;
    private final long offNextTimer;
    private final long offPrevTimer;
    private final long offExpiresAtMs;
    private final long wheelBase;
    private final int wheelSlots;
    private final int wheelMask;
    private final int pendingList;
    private final long tickMs;
    private final int refilesPerBudget;
    private final SlotVisitor unhash;

    private int freeHead;
    private int size;
    private long fullDrops;
    /** The next tick the wheel processes; tick t is due once nowMs &gt;= t * tickMs. */
    private long currentTick;
    private boolean started;

    /**
     * Chains every record of {@code mem[0, capacity * recordBytes)} into the free list and empties the wheel's
     * {@code wheelSlots + 1} int lists at {@code wheelBase}.
     *
     * @param unhash takes a live slot out of the table's hash chains; called just before the slot is freed
     */
    ConnectionSlab(MemorySegment mem, int capacity, int recordBytes, long offNextFree, long offNextTimer,
                   long offPrevTimer, long offExpiresAtMs, long wheelBase, int wheelSlots, long tickMs,
                   int refilesPerBudget, SlotVisitor unhash) {
        this.mem = mem;
        this.capacity = capacity;
        this.recordBytes = recordBytes;
        this.offNextFree = offNextFree;
        this.offNextTimer = offNextTimer;
        this.offPrevTimer = offPrevTimer;
        this.offExpiresAtMs = offExpiresAtMs;
        this.wheelBase = wheelBase;
        this.wheelSlots = wheelSlots;
        this.wheelMask = wheelSlots - 1;
        this.pendingList = wheelSlots;
        this.tickMs = tickMs;
        this.refilesPerBudget = refilesPerBudget;
        this.unhash = unhash;
        mem.asSlice(wheelBase, 4L * (wheelSlots + 1)).fill((byte) 0xFF);
        for (int s = 0; s < capacity; s++) {
            long r = rec(s);
            mem.set(INT, r + offNextFree, s + 1 < capacity ? s + 1 : NIL);
            mem.set(INT, r + offPrevTimer, FREE);
        }
        this.freeHead = 0;
    }

    long rec(int slot) {
        return slot * recordBytes;
    }

    // ---------------------------------------------------------------------------------------------- slots

    /**
     * Takes a slot off the free list and counts it live; the caller fills the record, links it into its hash
     * chains (the {@code nextFree} field is its own from now on) and then calls {@link #arm}.
     *
     * @return the slot, or {@link #NIL} when none is free (counted in {@link #fullDrops()})
     */
    int allocate(long nowMs) {
        int s = freeHead;
        if (s == NIL) {
            fullDrops++;
            return NIL;
        }
        start(nowMs);
        freeHead = mem.get(INT, rec(s) + offNextFree);
        size++;
        return s;
    }

    /** Sets the expiry of a just-allocated slot and files it in the wheel. */
    void arm(int s, long expiresAtMs) {
        mem.set(LONG, rec(s) + offExpiresAtMs, expiresAtMs);
        file(s, expiresAtMs);
    }

    /** Removes a live slot (hash chains, wheel, free list); a free or out-of-range slot is ignored. */
    void remove(int slot) {
        if (slot < 0 || slot >= capacity) {
            return;
        }
        int prev = mem.get(INT, rec(slot) + offPrevTimer);
        if (prev == FREE) {
            return;
        }
        if (prev != DETACHED) {
            unlinkTimer(slot);
        }
        release(slot);
    }

    boolean isLive(int slot) {
        return slot >= 0 && slot < capacity && mem.get(INT, rec(slot) + offPrevTimer) != FREE;
    }

    /** Unhashes a live slot that is in no wheel list and puts it on the free list. */
    private void release(int s) {
        unhash.visit(s);
        long r = rec(s);
        mem.set(INT, r + offPrevTimer, FREE);
        mem.set(INT, r + offNextTimer, NIL);
        mem.set(INT, r + offNextFree, freeHead);
        freeHead = s;
        size--;
    }

    // ---------------------------------------------------------------------------------------------- expiry

    /** See {@link ConnectionTable#touch}. */
    void touch(int slot, long nowMs, long timeoutMs) {
        long r = rec(slot);
        long expiresAtMs = nowMs + timeoutMs;
        long oldMs = mem.get(LONG, r + offExpiresAtMs);
        mem.set(LONG, r + offExpiresAtMs, expiresAtMs);
        if (expiresAtMs < oldMs && mem.get(INT, r + offPrevTimer) > DETACHED) {
            unlinkTimer(slot);
            file(slot, expiresAtMs);
        }
    }

    long expiresAtMs(int slot) {
        return mem.get(LONG, rec(slot) + offExpiresAtMs);
    }

    /** See {@link ConnectionTable#expire}. */
    int expire(long nowMs, ExpiryListener listener, int budget) {
        if (budget <= 0) {
            return 0;
        }
        start(nowMs);
        long dueTick = Math.floorDiv(nowMs, tickMs);
        long refileBudget = (long) budget * refilesPerBudget;
        long pendingHead = wheelBase + 4L * pendingList;
        int expired = 0;
        while (expired < budget && refileBudget > 0) {
            int s = mem.get(INT, pendingHead);
            if (s == NIL) {
                if (currentTick > dueTick) {
                    break;
                }
                if (dueTick - currentTick >= wheelSlots) {
                    // After a long pause one revolution visits every list; older ticks add nothing.
                    currentTick = dueTick - wheelSlots + 1;
                }
                moveToPending((int) (currentTick & wheelMask));
                currentTick++;
                continue;
            }
            unlinkTimer(s);
            long r = rec(s);
            long expiresAtMs = mem.get(LONG, r + offExpiresAtMs);
            if (expiresAtMs <= nowMs) {
                listener.onExpire(s);
                if (mem.get(INT, r + offPrevTimer) == DETACHED) {
                    long rearmedMs = mem.get(LONG, r + offExpiresAtMs);
                    if (rearmedMs > nowMs) {
                        file(s, rearmedMs); // the listener kept it (a persistence template with live connections)
                        refileBudget--;
                        continue;
                    }
                    release(s);
                }
                expired++;
            } else {
                file(s, expiresAtMs);
                refileBudget--;
            }
        }
        return expired;
    }

    /** Moves wheel list {@code list} to the (empty) pending list. */
    private void moveToPending(int list) {
        long from = wheelBase + 4L * list;
        int head = mem.get(INT, from);
        if (head == NIL) {
            return;
        }
        mem.set(INT, from, NIL);
        mem.set(INT, wheelBase + 4L * pendingList, head);
        mem.set(INT, rec(head) + offPrevTimer, -(pendingList + 1));
    }

    private void start(long nowMs) {
        if (!started) {
            started = true;
            currentTick = Math.floorDiv(nowMs, tickMs);
        }
    }

    /** Files a detached slot under the first tick boundary at or after {@code expiresAtMs}, never in the past. */
    private void file(int s, long expiresAtMs) {
        long tick = Math.max(Math.ceilDiv(expiresAtMs, tickMs), currentTick);
        int list = (int) (tick & wheelMask);
        long headAddr = wheelBase + 4L * list;
        int head = mem.get(INT, headAddr);
        long r = rec(s);
        mem.set(INT, r + offNextTimer, head);
        mem.set(INT, r + offPrevTimer, -(list + 1));
        if (head != NIL) {
            mem.set(INT, rec(head) + offPrevTimer, s);
        }
        mem.set(INT, headAddr, s);
    }

    /** Takes a slot out of whichever wheel list holds it; it is left DETACHED. */
    private void unlinkTimer(int s) {
        long r = rec(s);
        int prev = mem.get(INT, r + offPrevTimer);
        int next = mem.get(INT, r + offNextTimer);
        if (prev >= 0) {
            mem.set(INT, rec(prev) + offNextTimer, next);
        } else {
            mem.set(INT, wheelBase + 4L * (-prev - 1), next);
        }
        if (next != NIL) {
            mem.set(INT, rec(next) + offPrevTimer, prev);
        }
        mem.set(INT, r + offPrevTimer, DETACHED);
        mem.set(INT, r + offNextTimer, NIL);
    }

    // ---------------------------------------------------------------------------------------------- listing

    /** Calls {@code visitor} for every live slot, in slot order. */
    void forEach(SlotVisitor visitor) {
        for (int s = 0; s < capacity; s++) {
            if (mem.get(INT, rec(s) + offPrevTimer) != FREE) {
                visitor.visit(s);
            }
        }
    }

    int size() {
        return size;
    }

    int capacity() {
        return capacity;
    }

    long fullDrops() {
        return fullDrops;
    }

    long tickMs() {
        return tickMs;
    }
}
