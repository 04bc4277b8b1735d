package io.jlvs.forward;

import io.jlvs.sched.Scheduler;

/**
 * A virtual service as the data plane uses it; immutable, published inside a {@link DataplaneConfig}.
 * {@code dests} is in the kernel's list order (most recently added first).
 */
public record ServiceRuntime(int serviceId, int protocol, int vip, int vport, int flags,
                             Scheduler scheduler, DestRuntime[] dests) {

    /** The key services are looked up by: protocol, port and IPv4 address packed in one long. */
    public static long key(int protocol, int ipv4, int port) {
        return ((long) protocol << 48) | ((long) port << 32) | (ipv4 & 0xffffffffL);
    }
}
