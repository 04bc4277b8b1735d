package io.jlvs.keepalived.config;

import java.util.List;

/**
 * A {@code virtual_server} after keepalived's validation and defaulting.
 *
 * @param kind          by address, by firewall mark or by group
 * @param address       address and port (address kind)
 * @param fwmark        firewall mark (fwmark kind)
 * @param group         group name (group kind)
 * @param groupIndex    index among the virtual servers using the same group (keepalived's display port)
 * @param af            2 or 10
 * @param protocol      6, 17, 132, or 0 (fwmark)
 * @param flags         IPVS service flags (persistent 0x1, one-packet 0x4, sched1..3 0x8/0x10/0x20)
 * @param persistenceGranularity IPv4 netmask as an int, or IPv6 prefix length; -1 when unset
 */
public record VirtualServer(Kind kind, Inet.SockAddr address, long fwmark, String group, int groupIndex, int af,
                            int protocol, String scheduler, int flags, long persistenceTimeoutS,
                            long persistenceGranularity, String persistenceEngine, Forwarding forwarding,
                            long delayLoopUs, boolean alpha, boolean omega, boolean inhibitOnFailure,
                            boolean haSuspend, long quorum, long hysteresis, Script quorumUp, Script quorumDown,
                            boolean smtpAlert, String virtualhost, RealServer sorryServer,
                            boolean sorryServerInhibit, List<RealServer> realServers) {
    public enum Kind { ADDRESS, FWMARK, GROUP }

    public VirtualServer {
        realServers = List.copyOf(realServers);
    }

    /** As keepalived prints a virtual server: {@code [ip]:tcp:80}, {@code FWM 7} or {@code [group]:0}. */
    public String display() {
        return switch (kind) {
            case ADDRESS -> address.trio(protocol);
            case FWMARK -> "FWM " + fwmark;
            case GROUP -> "[" + group + "]:" + groupIndex;
        };
    }

    /** keepalived's reload identity: group name + index, or family + fwmark, or family + protocol + address + port. */
    public String identity() {
        return switch (kind) {
            case ADDRESS -> "A" + af + "/" + protocol + "/" + address.pair();
            case FWMARK -> "F" + af + "/" + fwmark;
            case GROUP -> "G" + group + "/" + groupIndex;
        };
    }

    /** As keepalived prints a real server of this virtual server: {@code [ip]:tcp:80}. */
    public String display(RealServer rs) {
        return rs.address().trio(protocol);
    }
}
