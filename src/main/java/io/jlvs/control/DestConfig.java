package io.jlvs.control;

import java.net.InetAddress;

/**
 * A real server of a service as configured ({@code ipvsadm -a/-e}).
 *
 * @param address            real server address
 * @param port               real server port (0: the packet's port, for fwmark services)
 * @param method             forwarding method
 * @param weight             weight, 0..65535 (0 quiesces)
 * @param upperThreshold     connection upper threshold ({@code -x}), 0 = none
 * @param lowerThreshold     connection lower threshold ({@code -y}), 0 = none
 * @param tunnelType         0 ipip, 1 gue, 2 gre
 * @param tunnelPort         GUE destination port
 * @param tunnelFlags        tunnel checksum flags (NOCSUM 0, CSUM 1, REMCSUM 2)
 */
public record DestConfig(InetAddress address, int port, ForwardMethod method, int weight,
                         int upperThreshold, int lowerThreshold,
                         int tunnelType, int tunnelPort, int tunnelFlags) {

    public static DestConfig of(InetAddress address, int port, ForwardMethod method, int weight) {
        return new DestConfig(address, port, method, weight, 0, 0, 0, 0, 0);
    }
}
