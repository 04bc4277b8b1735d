package io.jlvs.sched;

/**
 * What a scheduler may read about a service's real servers, in the kernel's list order (the most
 * recently added first). Implemented by the worker over its published service snapshot and its own
 * connection counters; reading it never allocates.
 */
public interface DestinationView {
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
}
