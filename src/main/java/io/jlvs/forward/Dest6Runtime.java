package io.jlvs.forward;

/**
 * An IPv6 real server as the data plane uses it ({@link DestRuntime}'s counterpart), computed by the control
 * plane (route lookup included) and published inside an {@link Ipv6Config}; immutable. Addresses are two longs,
 * high half first, as {@code Ipv6View} reads them.
 *
 * @param destId         stable id (indexes the workers' counters, shared with IPv4 real servers)
 * @param hi             real server address, high 64 bits
 * @param lo             real server address, low 64 bits
 * @param port           real server port (0: keep the packet's port)
 * @param method         forwarding method code ({@code ForwardMethod.code()})
 * @param weight         scheduling weight
 * @param upperThreshold connection upper threshold, 0 = none
 * @param lowerThreshold connection lower threshold, 0 = none
 * @param outIfindex     interface towards the real server, 0 when none is served (then: drop, no_route)
 * @param nextHopHi      whose MAC the frame is sent to (the real server for DR, else the route's gateway or the
 *                       real server), high half
 * @param nextHopLo      low half of the next hop
 */
public record Dest6Runtime(int destId, long hi, long lo, int port, int method, int weight, int upperThreshold,
                           int lowerThreshold, int outIfindex, long nextHopHi, long nextHopLo) {

    /** The four 32-bit words of the address xor-ed, as the kernel folds an IPv6 address for its hashing schedulers. */
    public int folded() {
        return Ipv6Config.fold(hi, lo);
    }
}
