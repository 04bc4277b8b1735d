package io.jlvs.forward;

import io.jlvs.control.ServiceConfig;
import io.jlvs.sched.Scheduler;

/**
 * An IPv6 virtual service as the data plane uses it ({@link ServiceRuntime}'s counterpart); immutable, published
 * inside an {@link Ipv6Config}. {@code dests} is in the kernel's list order (most recently added first).
 *
 * @param protocol        IP protocol (6, 17)
 * @param vipHi           virtual address, high 64 bits
 * @param vipLo           virtual address, low 64 bits
 * @param vport           virtual port (0: any port)
 * @param flags           {@code ServiceConfig.F_*}
 * @param persistTimeoutS persistence timeout in seconds (when {@code F_PERSISTENT})
 * @param prefixLength    persistence granularity: the client address is cut to this many leading bits (IPVS
 *                        takes {@code -M} as a prefix length for IPv6; 128 = one client)
 * @param localAddresses  FULLNAT local address pool, (hi, lo) pairs, used round robin
 */
public record Service6Runtime(int serviceId, int protocol, long vipHi, long vipLo, int vport, int flags,
                              int persistTimeoutS, int prefixLength, Scheduler scheduler, Dest6Runtime[] dests,
                              long[] localAddresses) {

    /** A non-persistent service without local addresses. */
    public Service6Runtime(int serviceId, int protocol, long vipHi, long vipLo, int vport, int flags,
                           Scheduler scheduler, Dest6Runtime[] dests) {
        this(serviceId, protocol, vipHi, vipLo, vport, flags, 0, 128, scheduler, dests, new long[0]);
    }

    public boolean persistent() {
        return (flags & ServiceConfig.F_PERSISTENT) != 0;
    }

    public boolean onePacket() {
        return (flags & ServiceConfig.F_ONEPACKET) != 0;
    }

    /** High half of the mask of {@link #prefixLength} leading bits. */
    public long maskHi() {
        return maskHi(prefixLength);
    }

    /** Low half of the mask of {@link #prefixLength} leading bits. */
    public long maskLo() {
        return maskLo(prefixLength);
    }

    static long maskHi(int prefixLength) {
        return prefixLength <= 0 ? 0L : prefixLength >= 64 ? -1L : -1L << (64 - prefixLength);
    }

    static long maskLo(int prefixLength) {
        return prefixLength <= 64 ? 0L : prefixLength >= 128 ? -1L : -1L << (128 - prefixLength);
    }
}
