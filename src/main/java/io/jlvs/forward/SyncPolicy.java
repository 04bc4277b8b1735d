package io.jlvs.forward;

import io.jlvs.conn.ConnectionFlags;
import io.jlvs.conn.ConnectionTimeouts;
import io.jlvs.conn.TcpState;
import io.jlvs.stats.WorkerCounters;
import io.jlvs.sync.SyncEntry;

/**
 * The parts of connection sync ({@code ip_vs_sync.c}) that do not depend on address width, shared by the IPv4
 * {@link Forwarder} and the IPv6 {@link Forwarder6}: when a master sends a connection
 * ({@code ip_vs_sync_conn_needed} with sync_threshold 3, sync_period 50 and no refresh period), which flags a
 * synced entry keeps, and how a backup updates the entry ({@code ip_vs_proc_conn}).
 */
final class SyncPolicy {
    private SyncPolicy() {}

    /** sysctl sync_threshold: the packet that first sends a connection, and the one a backup's entry starts at. */
    static final int THRESHOLD = 3;
    /** sysctl sync_period. */
    static final int PERIOD = 50;
    private static final int PROTO_TCP = 6;

    /** The TCP states a connection is synced in: ESTABLISHED, FIN_WAIT, CLOSE, CLOSE_WAIT, TIME_WAIT. */
    static boolean syncedState(int state) {
        return state == TcpState.ESTABLISHED || state == TcpState.FIN_WAIT || state == TcpState.CLOSE
                || state == TcpState.CLOSE_WAIT || state == TcpState.TIME_WAIT;
    }

    /**
     * The master's decision after a client packet: TCP connections are sent when they enter a synced state other
     * than ESTABLISHED, and every {@value #PERIOD} packets from the {@value #THRESHOLD}rd on; one-packet
     * connections never (their template is sent by the caller).
     */
    static boolean needed(int proto, int flags, int stateBefore, int state, int pkts) {
        if ((flags & ConnectionFlags.ONE_PACKET) != 0) {
            return false;
        }
        boolean periodic = pkts % PERIOD == THRESHOLD;
        if (proto != PROTO_TCP) {
            return periodic;
        }
        return syncedState(state) && ((state != stateBefore && state != TcpState.ESTABLISHED) || periodic);
    }

    /** Whether a full resync (a backup asked for the whole table) sends this entry. */
    static boolean inFullSync(int proto, int flags, int state) {
        return (flags & ConnectionFlags.TEMPLATE) != 0 || proto != PROTO_TCP || syncedState(state);
    }

    /** The flags sent: jlvs's own bits (the SYN flood guard's and the SYN proxy's) never leave the director. */
    static int wireFlags(int flags) {
        return flags & ~(SynFloodGuard.FLAGS | SynProxy.FLAGS);
    }

    /** The flags of an entry a backup creates for a synced connection bound to a real server of {@code method}. */
    static int newEntryFlags(int method, boolean template) {
        int flags = method | ConnectionFlags.SYNC | ConnectionFlags.INACTIVE;
        if (template) {
            return flags | ConnectionFlags.TEMPLATE;
        }
        return method != ConnectionFlags.FWD_MASQ ? flags | ConnectionFlags.NOOUTPUT : flags;
    }

    /**
     * A synced connection's INACTIVE bit follows the message, moving the real server's count between active and
     * inactive; returns the entry's new flags.
     */
    static int followInactive(int flags, boolean inactive, WorkerCounters counters, int destId) {
        boolean wasInactive = (flags & ConnectionFlags.INACTIVE) != 0;
        if (wasInactive && !inactive) {
            counters.addDest(destId, WorkerCounters.INACTIVE, -1);
            counters.addDest(destId, WorkerCounters.ACTIVE, 1);
            return flags & ~ConnectionFlags.INACTIVE;
        }
        if (!wasInactive && inactive) {
            counters.addDest(destId, WorkerCounters.ACTIVE, -1);
            counters.addDest(destId, WorkerCounters.INACTIVE, 1);
            return flags | ConnectionFlags.INACTIVE;
        }
        return flags;
    }

    /** The backup's timer: the message's timeout (v1), else the state's (v0), 3 minutes for a v0 template. */
    static long timeoutMs(SyncEntry e, boolean template, ConnectionTimeouts timeouts) {
        return e.timeoutS() > 0 ? e.timeoutS() * 1000L
                : template ? 180_000L : timeouts.timeoutMs(e.protocol(), e.state());
    }
}
