package io.jlvs.keepalived.config;

import java.util.List;

/**
 * A {@code real_server} (or the sorry server) after keepalived's fix-ups: the port reset to the virtual
 * server's for DR/TUN, defaults taken from the virtual server.
 *
 * @param address        address and port as IPVS gets them
 * @param weight         configured weight ({@code iweight})
 * @param inhibitOnFailure on failure set weight 0 instead of removing the destination
 * @param checkers       health checkers; none means always alive
 */
public record RealServer(Inet.SockAddr address, Forwarding forwarding, long weight, long upperThreshold,
                         long lowerThreshold, boolean inhibitOnFailure, boolean alpha, Script notifyUp,
                         Script notifyDown, boolean smtpAlert, String virtualhost, List<CheckerConfig> checkers) {
    public RealServer {
        checkers = List.copyOf(checkers);
    }
}
