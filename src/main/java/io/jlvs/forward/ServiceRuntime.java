package io.jlvs.forward;

import io.jlvs.sched.Scheduler;

/**
 * A virtual service as the data plane uses it; immutable, published inside a {@link DataplaneConfig}.
 * {@code dests} is in the kernel's list order (most recently added first).
 *
 * @param protocol           IP protocol (6, 17); 0 for a firewall-mark service (any protocol)
 * @param vip                virtual IPv4 address; 0 for a firewall-mark service
 * @param vport              virtual port; 0 for a firewall-mark or port-0 service
 * @param fwmark             firewall mark, 0 for an address service
 * @param flags              {@code ServiceConfig.F_*}
 * @param persistTimeoutS    persistence timeout in seconds (when {@code F_PERSISTENT})
 * @param netmask            persistence netmask applied to the client address (IPv4, as an int)
 * @param localAddresses     FULLNAT local address pool (IPv4 ints), used round robin
 */
public record ServiceRuntime(int serviceId, int protocol, int vip, int vport, int fwmark, int flags,
                             int persistTimeoutS, int netmask, Scheduler scheduler, DestRuntime[] dests,
                             int[] localAddresses) {

    /** A service without FULLNAT local addresses. */
    public ServiceRuntime(int serviceId, int protocol, int vip, int vport, int fwmark, int flags, int persistTimeoutS,
                          int netmask, Scheduler scheduler, DestRuntime[] dests) {
        this(serviceId, protocol, vip, vport, fwmark, flags, persistTimeoutS, netmask, scheduler, dests, new int[0]);
    }

    /** A non-persistent address service. */
    public ServiceRuntime(int serviceId, int protocol, int vip, int vport, int flags, Scheduler scheduler,
                          DestRuntime[] dests) {
        this(serviceId, protocol, vip, vport, 0, flags, 0, 0xffffffff, scheduler, dests, new int[0]);
    }

    public boolean persistent() {
        return (flags & io.jlvs.control.ServiceConfig.F_PERSISTENT) != 0;
    }

    public boolean onePacket() {
        return (flags & io.jlvs.control.ServiceConfig.F_ONEPACKET) != 0;
    }

    /** The key services are looked up by: protocol, port and IPv4 address packed in one long. */
    public static long key(int protocol, int ipv4, int port) {
        return ((long) protocol << 48) | ((long) port << 32) | (ipv4 & 0xffffffffL);
    }

    /** The key of a firewall-mark service (a protocol value no address service uses). */
    public static long fwmarkKey(int fwmark) {
        return key(0xff, fwmark, 0);
    }
}
