package io.jlvs.sched;

import java.util.Arrays;

/**
 * The lblc/lblcr table from a packet's destination address to its server (lblc) or set of servers
 * (lblcr), with the kernel's garbage collection; one per service and worker, updated by its own
 * scheduling decisions.
 *
 * <p><b>Layout.</b> As in ip_vs_lblc.c: 1024 buckets ({@code CONFIG_IP_VS_LBLC_TAB_BITS} = 10) chosen by
 * {@link KernelHash#hash32 hash_32}{@code (daddr, 10)}, each a chain of entries; the kernel's collector
 * walks whole buckets from a rover, so keeping its buckets keeps its choice of victims. Entries and set
 * members live in pre-sized primitive pools linked by index with free lists: nothing is allocated after
 * construction. When a pool is exhausted an entry or member is simply not created, which is what the
 * kernel does when its atomic allocation fails (the chosen server is still used).
 *
 * <p><b>Collection.</b> The kernel runs a timer every 60 s from service creation; here the runs happen
 * lazily, at the first decision made at or after their due time, each with its own due time as "now"
 * (the first decision starts the timer). A run counter starts at 1; a run finding the counter at a
 * multiple of 30 sweeps every bucket, dropping entries unused for the expiration time (sysctl
 * {@code lblc_expiration}/{@code lblcr_expiration}, 24 h) and resets the counter to 1; otherwise a run
 * with at most {@link #MAX_SIZE} entries only counts itself, and a run above it drops entries unused for
 * 6 minutes, whole buckets at a time from the rover, until {@code min((entries - 16384) * 4 / 3, 8192)}
 * are gone. After a gap of more than {@link #MAX_CATCH_UP_RUNS} due runs the older ones are skipped;
 * the runs replayed still include full sweeps at later times, which drop everything the skipped ones
 * would have.
 */
final class LocalityCache {
    static final int TAB_BITS = 10;
    static final int TAB_SIZE = 1 << TAB_BITS;
    static final int TAB_MASK = TAB_SIZE - 1;

    /** Entries above which a collector run starts deleting ({@code max_size}, 16 per bucket). */
    static final int MAX_SIZE = TAB_SIZE * 16;

    /** Default entry pool: twice {@link #MAX_SIZE}, since the table may outgrow it between runs. */
    static final int DEFAULT_CAPACITY = 2 * MAX_SIZE;

    static final long CHECK_EXPIRE_INTERVAL_MS = 60_000;
    static final long ENTRY_TIMEOUT_MS = 6 * 60_000;
    static final int COUNT_FOR_FULL_EXPIRATION = 30;

    /** Default of the lblc_expiration and lblcr_expiration sysctls. */
    static final long DEFAULT_EXPIRATION_MS = 24 * 60 * 60_000L;

    /** Due runs replayed one by one after a quiet gap; older ones are skipped. */
    static final int MAX_CATCH_UP_RUNS = 2 * COUNT_FOR_FULL_EXPIRATION;

    private final long expirationMs;
    private final int[] bucketHead = new int[TAB_SIZE];

    private final int[] key;
    private final int[] next;
    private final int[] value;
    private final long[] lastUseMs;
    private final int[] setSize;
    private final long[] setLastModMs;
    private final int[] memberDest;
    private final int[] memberNext;

    private int freeEntry;
    private int freeMember;
    private int entries;
    private int rover;
    private int counter = 1;
    private boolean timerArmed;
    private long nextCheckMs;

    /**
     * @param capacity     entries the pool holds
     * @param replicated   lblcr: entries hold server sets (a member pool of twice the capacity)
     * @param expirationMs the expiration sysctl
     */
    /** lblcr's kind of table (server sets per entry). */
    boolean replicated() {
        return setSize != null;
    }

    LocalityCache(int capacity, boolean replicated, long expirationMs) {
        this.expirationMs = expirationMs;
        Arrays.fill(bucketHead, -1);
        key = new int[capacity];
        next = new int[capacity];
        value = new int[capacity];
        lastUseMs = new long[capacity];
        for (int e = 0; e < capacity; e++) {
            next[e] = e + 1 < capacity ? e + 1 : -1;
        }
        freeEntry = capacity > 0 ? 0 : -1;
        int members = replicated ? 2 * capacity : 0;
        setSize = replicated ? new int[capacity] : null;
        setLastModMs = replicated ? new long[capacity] : null;
        memberDest = new int[members];
        memberNext = new int[members];
        for (int m = 0; m < members; m++) {
            memberNext[m] = m + 1 < members ? m + 1 : -1;
        }
        freeMember = members > 0 ? 0 : -1;
    }

    long expirationMs() {
        return expirationMs;
    }

    int entries() {
        return entries;
    }

    static int bucket(int daddr) {
        return KernelHash.hash32(daddr, TAB_BITS);
    }

    /** The entry for {@code daddr}, or -1. */
    int find(int daddr) {
        for (int e = bucketHead[bucket(daddr)]; e >= 0; e = next[e]) {
            if (key[e] == daddr) {
                return e;
            }
        }
        return -1;
    }

    /** A new entry for {@code daddr} (not present) at the head of its bucket, or -1 when the pool is empty. */
    int insert(int daddr, long nowMs) {
        int e = freeEntry;
        if (e < 0) {
            return -1;
        }
        freeEntry = next[e];
        int b = bucket(daddr);
        key[e] = daddr;
        value[e] = -1;
        lastUseMs[e] = nowMs;
        if (setSize != null) {
            setSize[e] = 0;
            setLastModMs[e] = nowMs;
        }
        next[e] = bucketHead[b];
        bucketHead[b] = e;
        entries++;
        return e;
    }

    void touch(int e, long nowMs) {
        lastUseMs[e] = nowMs;
    }

    long lastUseMs(int e) {
        return lastUseMs[e];
    }

    /** lblc: destId of the entry's server. */
    int dest(int e) {
        return value[e];
    }

    void dest(int e, int destId) {
        value[e] = destId;
    }

    // ------------------------------------------------------------ lblcr server sets

    int setSize(int e) {
        return setSize[e];
    }

    long setLastModMs(int e) {
        return setLastModMs[e];
    }

    /** First member of the entry's set (the most recently inserted), or -1. */
    int firstMember(int e) {
        return value[e];
    }

    int nextMember(int m) {
        return memberNext[m];
    }

    int memberDest(int m) {
        return memberDest[m];
    }

    /** Puts {@code destId} first in the set (unless {@code check} finds it there); a change sets lastmod. */
    void setInsert(int e, int destId, boolean check, long nowMs) {
        if (check) {
            for (int m = value[e]; m >= 0; m = memberNext[m]) {
                if (memberDest[m] == destId) {
                    return;
                }
            }
        }
        int m = freeMember;
        if (m < 0) {
            return;
        }
        freeMember = memberNext[m];
        memberDest[m] = destId;
        memberNext[m] = value[e];
        value[e] = m;
        setSize[e]++;
        setLastModMs[e] = nowMs;
    }

    /** Removes {@code destId} from the set if there; a change sets lastmod. */
    void setErase(int e, int destId, long nowMs) {
        int prev = -1;
        for (int m = value[e]; m >= 0; prev = m, m = memberNext[m]) {
            if (memberDest[m] == destId) {
                if (prev < 0) {
                    value[e] = memberNext[m];
                } else {
                    memberNext[prev] = memberNext[m];
                }
                memberNext[m] = freeMember;
                freeMember = m;
                setSize[e]--;
                setLastModMs[e] = nowMs;
                return;
            }
        }
    }

    // ------------------------------------------------------------ collection

    /** Runs the collector for every timer expiry due by {@code nowMs} (the first call starts the timer). */
    void tick(long nowMs) {
        if (!timerArmed) {
            timerArmed = true;
            nextCheckMs = nowMs + CHECK_EXPIRE_INTERVAL_MS;
            return;
        }
        if (nowMs < nextCheckMs) {
            return;
        }
        long due = (nowMs - nextCheckMs) / CHECK_EXPIRE_INTERVAL_MS + 1;
        if (due > MAX_CATCH_UP_RUNS) {
            nextCheckMs += (due - MAX_CATCH_UP_RUNS) * CHECK_EXPIRE_INTERVAL_MS;
        }
        while (nowMs >= nextCheckMs) {
            checkExpire(nextCheckMs);
            nextCheckMs += CHECK_EXPIRE_INTERVAL_MS;
        }
    }

    /** One timer run at {@code nowMs} ({@code ip_vs_lblc_check_expire}). */
    void checkExpire(long nowMs) {
        if (counter % COUNT_FOR_FULL_EXPIRATION == 0) {
            int j = rover;
            for (int i = 0; i < TAB_SIZE; i++) {
                j = (j + 1) & TAB_MASK;
                sweep(j, nowMs, expirationMs);
            }
            rover = j;
            counter = 1;
            return;
        }
        if (entries <= MAX_SIZE) {
            counter++;
            return;
        }
        int goal = (entries - MAX_SIZE) * 4 / 3;
        if (goal > MAX_SIZE / 2) {
            goal = MAX_SIZE / 2;
        }
        int j = rover;
        for (int i = 0; i < TAB_SIZE; i++) {
            j = (j + 1) & TAB_MASK;
            goal -= sweep(j, nowMs, ENTRY_TIMEOUT_MS);
            if (goal <= 0) {
                break;
            }
        }
        rover = j;
    }

    /** Deletes the entries of bucket {@code b} unused for {@code idleMs} or more; returns how many. */
    private int sweep(int b, long nowMs, long idleMs) {
        int deleted = 0;
        int prev = -1;
        int e = bucketHead[b];
        while (e >= 0) {
            int following = next[e];
            if (nowMs - lastUseMs[e] >= idleMs) {
                if (prev < 0) {
                    bucketHead[b] = following;
                } else {
                    next[prev] = following;
                }
                release(e);
                deleted++;
            } else {
                prev = e;
            }
            e = following;
        }
        return deleted;
    }

    private void release(int e) {
        if (setSize != null) {
            int m = value[e];
            while (m >= 0) {
                int following = memberNext[m];
                memberNext[m] = freeMember;
                freeMember = m;
                m = following;
            }
            setSize[e] = 0;
        }
        next[e] = freeEntry;
        freeEntry = e;
        entries--;
    }
}
