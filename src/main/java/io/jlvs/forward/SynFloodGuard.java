package io.jlvs.forward;

import io.jlvs.conn.ConnectionFlags;
import io.jlvs.conn.ConnectionRecords;
import io.jlvs.conn.TcpState;
import io.jlvs.packet.TcpView;
import io.jlvs.sched.DestinationView;
import io.jlvs.stats.DropReason;
import io.jlvs.stats.WorkerCounters;

import java.security.SecureRandom;

/**
 * One worker's SYN flood defence: a spoofed-source SYN flood must never evict an established flow (the
 * table never evicts: a full table only refuses new entries) and must never fill the table so that new
 * legitimate connections are refused. The kernel's answer is {@code secure_tcp} and SYN cookies in the
 * real server; DPVS's is a SYN proxy. jlvs's:
 *
 * <ul>
 *   <li><b>Half-open accounting.</b> Every TCP entry a SYN creates carries {@link #HALF_OPEN} and counts in
 *       {@link #halfOpen()} until it leaves NONE/SYN_RECV/SYN_SENT (the client's ACK) or expires.</li>
 *   <li><b>Pressure</b> ({@code halfOpen >= pressureThreshold}): half-open entries are re-armed with
 *       {@code pressureTimeoutMs} (default 3 s) instead of SYN_RECV's 60 s, so a flood's entries leave
 *       twenty times sooner; a legitimate client's ACK follows the SYN-ACK within one round trip. The real
 *       server's SYN-ACK (and its retransmissions) never re-arm a half-open entry under pressure.</li>
 *   <li><b>Stateless SYN</b> (pressure, DR and TUN real servers, non-persistent services): the SYN is
 *       forwarded to the real server a weighted rendezvous hash of the flow picks among the service's
 *       available real servers, and nothing stays in the table. The client's first non-SYN segment
 *       (its ACK) finds no entry, computes the same hash and <em>adopts</em> the flow: an entry is created
 *       then. Scheduler fairness (rr, wlc, …) is replaced by the hash only while under pressure and for
 *       {@code adoptWindowMs} after the last stateless SYN (the window in which ACKs are adopted).</li>
 *   <li><b>Cap</b> ({@code halfOpen >= halfOpenLimit}): a SYN that would need a new half-open entry
 *       (NAT, FULLNAT, persistent services) is dropped, counted as {@link DropReason#SYN_HALF_OPEN_LIMIT}.
 *       So at least {@code capacity - halfOpenLimit} entries stay for connections that completed their
 *       handshake.</li>
 *   <li><b>SYN proxy</b> (pressure, services whose real servers are all NAT or FULLNAT): the director
 *       answers the SYN itself with a cookie and no entry ({@link SynProxy}); the cap then only meets SYNs
 *       of other services.</li>
 * </ul>
 *
 * <p>An adopted entry counts as half-open (and lives {@code pressureTimeoutMs}) until the client's second
 * segment, so a spoofed ACK flood during the window costs short-lived entries under the same cap, never the
 * established ones. Flags {@link #HALF_OPEN} and {@link #ADOPTED} are jlvs-only and never synced.
 *
 * <p>Single worker thread, allocation-free.
 */
public final class SynFloodGuard {
    /** Connection flag: the entry counts in {@link #halfOpen()}. */
    public static final int HALF_OPEN = 0x4000;
    /** Connection flag: created from a non-SYN segment (adopted); cleared by its first transition. */
    public static final int ADOPTED = 0x8000;
    /** Both jlvs-only flags, masked out of sync messages. */
    public static final int FLAGS = HALF_OPEN | ADOPTED;

    /** {@link #onSyn} / {@link #onOrphan}: create an entry as the scheduler decides. */
    public static final int STATEFUL = -1;
    /** {@link #onSyn} / {@link #onOrphan}: drop (counted by the guard). */
    public static final int DROP = -2;

    public static final long DEFAULT_PRESSURE_TIMEOUT_MS = 3_000;
    public static final long DEFAULT_ADOPT_WINDOW_MS = 60_000;
    /** How long the SYN proxy keeps acting after the half-open count was last at the threshold. */
    public static final long PRESSURE_HOLD_MS = 10_000;

    private final int halfOpenLimit;
    private final int pressureThreshold;
    private final long pressureTimeoutMs;
    private final long adoptWindowMs;
    private final long seed;
    private final WorkerCounters counters;
    private int halfOpen;
    /** The totals gauge this guard keeps its half-open count in (the IPv6 pipeline's guard has its own). */
    private int gauge = WorkerCounters.HALF_OPEN;
    private long lastStatelessMs = Long.MIN_VALUE / 2;
    private long lastPressureMs = Long.MIN_VALUE / 2;

    /** Defaults for a table of {@code capacity}: cap at a quarter, pressure at a sixteenth. */
    public static SynFloodGuard forCapacity(int capacity, WorkerCounters counters) {
        int limit = Math.max(4, capacity / 4);
        return new SynFloodGuard(limit, Math.max(1, capacity / 16), DEFAULT_PRESSURE_TIMEOUT_MS,
                DEFAULT_ADOPT_WINDOW_MS, new SecureRandom().nextLong(), counters);
    }

    /**
     * @param halfOpenLimit     most half-open entries; SYNs needing another one are dropped
     * @param pressureThreshold half-open entries from which the short timeout and stateless SYNs apply
     * @param pressureTimeoutMs timeout of a half-open entry under pressure
     * @param adoptWindowMs     how long after the last stateless SYN a non-SYN segment may be adopted
     * @param seed              key of the flow hash, so an attacker cannot aim flows at one real server
     */
    public SynFloodGuard(int halfOpenLimit, int pressureThreshold, long pressureTimeoutMs, long adoptWindowMs,
                         long seed, WorkerCounters counters) {
        if (halfOpenLimit <= 0 || pressureThreshold <= 0 || pressureThreshold > halfOpenLimit || pressureTimeoutMs <= 0) {
            throw new IllegalArgumentException("invalid SYN flood guard: halfOpenLimit=" + halfOpenLimit
                    + ", pressureThreshold=" + pressureThreshold + ", pressureTimeoutMs=" + pressureTimeoutMs
                    + ", expected 0 < pressureThreshold <= halfOpenLimit and a positive timeout");
        }
        this.halfOpenLimit = halfOpenLimit;
        this.pressureThreshold = pressureThreshold;
        this.pressureTimeoutMs = pressureTimeoutMs;
        this.adoptWindowMs = adoptWindowMs;
        this.seed = seed;
        this.counters = counters;
    }

    /** Keeps the half-open count in {@code field} of the worker's totals instead (before the first SYN). */
    void gauge(int field) {
        this.gauge = field;
    }

    /** Half-open entries of this worker now. */
    public int halfOpen() {
        return halfOpen;
    }

    public boolean underPressure() {
        return halfOpen >= pressureThreshold;
    }

    /**
     * Pressure with a memory, for the {@link SynProxy}: true while under pressure and for
     * {@value #PRESSURE_HOLD_MS} ms after. The proxy keeps a flood's SYNs out of the table, so the half-open
     * count falls as soon as it acts; without the memory it would stop and start again every few seconds.
     */
    public boolean pressured(long nowMs) {
        if (halfOpen >= pressureThreshold) {
            lastPressureMs = nowMs;
            return true;
        }
        return nowMs - lastPressureMs < PRESSURE_HOLD_MS;
    }

    public int halfOpenLimit() {
        return halfOpenLimit;
    }

    public int pressureThreshold() {
        return pressureThreshold;
    }

    public long pressureTimeoutMs() {
        return pressureTimeoutMs;
    }

    /**
     * A SYN with no entry for service {@code svc} (whose real servers {@code dests} shows). Returns the index
     * of the real server to forward to without state, {@link #STATEFUL}, or {@link #DROP} (counted).
     */
    public int onSyn(ServiceRuntime svc, DestinationView dests, int src, int sport, int dst, int dport, long nowMs) {
        return onSyn(svc.persistent(), dests, src, sport, dst, dport, nowMs);
    }

    /**
     * As above, for any address family: {@code dests} must know each server's {@link DestinationView#forwardMethod};
     * addresses as the pipeline folds them for hashing.
     */
    public int onSyn(boolean persistent, DestinationView dests, int src, int sport, int dst, int dport, long nowMs) {
        if (halfOpen < pressureThreshold) {
            return STATEFUL;
        }
        if (!persistent) {
            int i = choose(dests, src, sport, dst, dport);
            if (i >= 0 && statelessMethod(dests.forwardMethod(i))) {
                lastStatelessMs = nowMs;
                counters.addTotal(WorkerCounters.SYN_STATELESS, 1);
                return i;
            }
        }
        if (halfOpen >= halfOpenLimit) {
            counters.drop(DropReason.SYN_HALF_OPEN_LIMIT);
            return DROP;
        }
        return STATEFUL;
    }

    /**
     * A TCP segment without SYN and with no entry. Returns the index of the real server that a stateless
     * SYN of this flow went to (adopt it), or {@link #DROP} (not counted: the caller counts NO_CONNECTION
     * unless the cap was the reason, counted here).
     */
    public int onOrphan(ServiceRuntime svc, DestinationView dests, int tcpFlags, int src, int sport, int dst,
                        int dport, long nowMs) {
        return onOrphan(svc.persistent(), dests, tcpFlags, src, sport, dst, dport, nowMs);
    }

    /** As above, for any address family (see {@link #onSyn(boolean, DestinationView, int, int, int, int, long)}). */
    public int onOrphan(boolean persistent, DestinationView dests, int tcpFlags, int src, int sport, int dst,
                        int dport, long nowMs) {
        if ((tcpFlags & (TcpView.ACK | TcpView.SYN | TcpView.RST)) != TcpView.ACK || persistent
                || nowMs - lastStatelessMs > adoptWindowMs) {
            return DROP;
        }
        int i = choose(dests, src, sport, dst, dport);
        if (i < 0 || !statelessMethod(dests.forwardMethod(i))) {
            return DROP;
        }
        if (halfOpen >= halfOpenLimit) {
            counters.drop(DropReason.SYN_HALF_OPEN_LIMIT);
            return DROP;
        }
        counters.addTotal(WorkerCounters.ACK_ADOPTED, 1);
        return i;
    }

    /** Real servers a SYN may reach without state: DR and TUN (the director never sees their replies anyway). */
    static boolean statelessMethod(int method) {
        return method == ConnectionFlags.FWD_DROUTE || method == ConnectionFlags.FWD_TUNNEL;
    }

    /** A SYN (or an adopted segment) just created {@code slot}: it counts as half-open from now. */
    public void created(ConnectionRecords conns, int slot, boolean adopted) {
        conns.flags(slot, conns.flags(slot) | HALF_OPEN | (adopted ? ADOPTED : 0));
        halfOpen++;
        counters.setTotal(gauge, halfOpen);
    }

    /**
     * After the state machine ran on a half-open entry: the idle timeout to arm, or -1 to keep its expiry. The
     * entry leaves the count when it leaves the handshake (an adopted one at its second segment). While it stays
     * and the worker is under pressure it gets {@code pressureTimeoutMs} from a client segment and nothing from
     * the real server's: a server retransmitting its SYN-ACK to a spoofed client must not keep the entry alive.
     *
     * @param fromClient     the segment came from the client (not the real server)
     * @param stateTimeoutMs the timeout of the entry's new state
     */
    public long timeoutMs(ConnectionRecords conns, int slot, boolean fromClient, long stateTimeoutMs) {
        int flags = conns.flags(slot);
        if ((flags & ADOPTED) != 0) {
            conns.flags(slot, flags & ~ADOPTED);
            return pressureTimeoutMs;
        }
        int state = conns.state(slot);
        if (state == TcpState.NONE || state == TcpState.SYN_RECV || state == TcpState.SYN_SENT
                || state == TcpState.SYNACK) {
            if (halfOpen < pressureThreshold) {
                return stateTimeoutMs;
            }
            return fromClient ? Math.min(pressureTimeoutMs, stateTimeoutMs) : -1;
        }
        conns.flags(slot, flags & ~HALF_OPEN);
        release();
        return stateTimeoutMs;
    }

    /** A half-open entry expired or was removed. */
    public void release() {
        if (halfOpen > 0) {
            halfOpen--;
        }
        counters.setTotal(gauge, halfOpen);
    }

    /**
     * Weighted rendezvous hashing (an exponential race): each available real server draws
     * {@code -ln(u) / weight} from the flow's keyed hash, the smallest wins. The same flow and the same set of
     * servers give the same answer; a server's share is proportional to its weight; a server leaving moves
     * only its own flows. -1 when none is available (weight 0 or overloaded).
     */
    int choose(DestinationView dests, int src, int sport, int dst, int dport) {
        long flow = mix(seed ^ (((long) src << 32) | (dst & 0xffff_ffffL)));
        flow = mix(flow ^ (((long) (sport & 0xffff) << 16) | (dport & 0xffff)));
        int best = -1;
        double bestScore = Double.MAX_VALUE;
        for (int i = 0, n = dests.count(); i < n; i++) {
            int w = dests.weight(i);
            if (w <= 0 || dests.overloaded(i)) {
                continue;
            }
            long h = mix(flow ^ (((long) dests.serverIpv4(i) << 16) | (dests.serverPort(i) & 0xffff)));
            double u = ((h >>> 11) + 1) * 0x1.0p-53; // (0, 1]
            double score = -Math.log(u) / w;
            if (score < bestScore) {
                bestScore = score;
                best = i;
            }
        }
        return best;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }
}
