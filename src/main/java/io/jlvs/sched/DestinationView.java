package io.jlvs.sched;

/**
 * What a scheduler may read about a service's real servers, in the kernel's list order (the most
 * recently added first). Implemented by the worker over its published service snapshot and its own
 * connection counters; reading it never allocates.
 */
public interface DestinationView {
    /** {@link #lastWeight} when the owner does not keep the kernel's {@code last_weight}. */
    int LAST_WEIGHT_UNKNOWN = -1;

    int count();

    /** Stable identity of the i-th real server (survives snapshot changes; never reused while referenced). */
    int destId(int i);

    int weight(int i);

    /** Upper-threshold overload flag ({@code IP_VS_DEST_F_OVERLOAD}). */
    boolean overloaded(int i);

    int activeConns(int i);

    int inactiveConns(int i);

    /** Persistent connections counted on the i-th real server (templates; used by ovf/lblc-style rules). */
    default int persistentConns(int i) {
        return 0;
    }

    /** The service's flags ({@code ServiceConfig.F_SCHED1..3}: sh/mh fallback and port hashing). */
    default int serviceFlags() {
        return 0;
    }

    /**
     * IPv4 address of the i-th real server, host order. mh hashes it (with {@link #serverPort}) into
     * the server's permutation, so the lookup table equals the kernel's only when this is the real
     * address; the default 0 gives every server the same permutation (a valid but different table).
     */
    default int serverIpv4(int i) {
        return 0;
    }

    /** Port of the i-th real server, host order (0 for a port-less service); hashed by mh. */
    /**
     * Forwarding method ({@code ConnectionFlags.FWD_*}) of server {@code i}; -1 when the view does not know (the
     * SYN flood guard sends SYNs without state only to DR and TUN servers).
     */
    default int forwardMethod(int i) {
        return -1;
    }

    default int serverPort(int i) {
        return 0;
    }

    /**
     * The kernel's {@code last_weight} of the i-th real server: the weight it was added with, then the
     * latest non-zero weight an edit gave it. mh fills its table from it, so quiescing a server (weight
     * 0) leaves the table as it was. {@link #LAST_WEIGHT_UNKNOWN} (the default) makes mh track it
     * itself across its states, which is exact as long as the scheduler state saw every weight edit.
     */
    default int lastWeight(int i) {
        return LAST_WEIGHT_UNKNOWN;
    }

    /**
     * True when the owner calls {@link SchedulerState#destChanged} after every change of a server's
     * active or inactive count or overload flag. The least-load schedulers then keep an index (a
     * tournament tree over the servers) and answer in constant time instead of scanning the list; a
     * change left unreported would go unseen, so the default is false (scan every time).
     */
    default boolean notifiesChanges() {
        return false;
    }
}
