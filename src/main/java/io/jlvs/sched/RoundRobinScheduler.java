package io.jlvs.sched;

import java.util.HashSet;
import java.util.Set;

/**
 * Round robin, ip_vs_rr.c (ipvsadm {@code -s rr}).
 *
 * <p>The state is a cursor on the server chosen last, or "before the head" for a fresh service. A
 * choice walks the list circularly starting just after the cursor and takes the first eligible server
 * (weight above 0, not overloaded); the cursor's own server is looked at last, so a lone eligible
 * server keeps being chosen. Weights only gate eligibility; they never make a server come up twice.
 * When a full circle finds nothing the answer is "none" and the cursor stays put.
 *
 * <p>The cursor is kept as a {@link DestinationView#destId destId} across list changes, as the
 * kernel keeps a pointer: a server that survives the change keeps the cursor; if the cursor's server
 * was deleted the cursor falls back to the nearest surviving predecessor in the old list (or before
 * the head), so the rotation resumes with the deleted server's successor; an added server goes to the
 * head and is reached on wrap-around without moving the cursor.
 */
public final class RoundRobinScheduler implements Scheduler {
    public static final String NAME = "rr";

    /** Cursor value meaning "before the first entry" (the kernel's list head). */
    static final int HEAD = -1;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SchedulerState newState(DestinationView dests, SchedulerState previous) {
        int[] destIds = new int[dests.count()];
        for (int i = 0; i < destIds.length; i++) {
            destIds[i] = dests.destId(i);
        }
        int cursor = previous instanceof State old ? old.carryCursor(destIds) : HEAD;
        return new State(destIds, cursor);
    }

    /** The cursor plus the destId order of the list it indexes (needed to find predecessors later). */
    static final class State implements SchedulerState {
        private final int[] destIds;
        private int cursor;

        State(int[] destIds, int cursor) {
            this.destIds = destIds;
            this.cursor = cursor;
        }

        /** Index of the server chosen last, or {@link #HEAD}. */
        int cursor() {
            return cursor;
        }

        /** DestId under the cursor, or -1 at the head (for tests and diagnostics). */
        int cursorDestId() {
            return cursor == HEAD ? -1 : destIds[cursor];
        }

        @Override
        public int schedule(DestinationView dests, FlowView flow) {
            int n = dests.count();
            if (cursor >= n) {
                cursor = HEAD; // a view shorter than the list this state was built for
            }
            int i = cursor;
            for (int k = 0; k < n; k++) {
                i = i + 1 == n ? 0 : i + 1;
                if (!dests.overloaded(i) && dests.weight(i) > 0) {
                    cursor = i;
                    return i;
                }
            }
            return -1;
        }

        /** This state's cursor translated onto the list {@code newIds}. */
        int carryCursor(int[] newIds) {
            if (cursor == HEAD) {
                return HEAD;
            }
            int kept = indexOf(newIds, destIds[cursor]);
            if (kept >= 0) {
                return kept;
            }
            Set<Integer> present = new HashSet<>();
            for (int id : newIds) {
                present.add(id);
            }
            for (int p = cursor - 1; p >= 0; p--) {
                if (present.contains(destIds[p])) {
                    return indexOf(newIds, destIds[p]);
                }
            }
            return HEAD;
        }

        private static int indexOf(int[] ids, int id) {
            for (int i = 0; i < ids.length; i++) {
                if (ids[i] == id) {
                    return i;
                }
            }
            return -1;
        }
    }
}
