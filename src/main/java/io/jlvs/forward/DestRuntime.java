package io.jlvs.forward;

/**
 * A real server as the data plane uses it, computed by the control plane (route lookup included) and
 * published inside a {@link DataplaneConfig}; immutable.
 *
 * @param destId         stable id (indexes the workers' counters)
 * @param ipv4           real server address
 * @param port           real server port (0: keep the packet's port)
 * @param method         forwarding method code ({@code ForwardMethod.code()})
 * @param weight         scheduling weight
 * @param upperThreshold connection upper threshold, 0 = none
 * @param lowerThreshold connection lower threshold, 0 = none
 * @param outIfindex     interface towards the real server, 0 when none is served (then: drop, no_route)
 * @param nextHopIpv4    whose MAC the frame is sent to: the real server itself for DR (forced next
 *                       hop), the route's gateway or the real server for NAT and TUN
 * @param tunnelType     TUN: {@code TunnelXmit.TYPE_IPIP} or {@code TYPE_GUE}
 * @param tunnelPort     TUN/GUE: the UDP destination port
 * @param tunnelFlags    TUN: {@code TunnelXmit.FLAG_CSUM}…
 */
public record DestRuntime(int destId, int ipv4, int port, int method, int weight,
                          int upperThreshold, int lowerThreshold, int outIfindex, int nextHopIpv4,
                          int tunnelType, int tunnelPort, int tunnelFlags) {

    public DestRuntime(int destId, int ipv4, int port, int method, int weight, int upperThreshold,
                       int lowerThreshold, int outIfindex, int nextHopIpv4) {
        this(destId, ipv4, port, method, weight, upperThreshold, lowerThreshold, outIfindex, nextHopIpv4, 0, 0, 0);
    }
}
