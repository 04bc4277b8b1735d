package io.jlvs.system;

/**
 * LVS/DR end to end on {@code --transport af_xdp}: the client's frames for the VIP are steered into the
 * director's AF_XDP socket on eth0 and leave, re-addressed to a real server's MAC, through the socket on
 * eth1 (a copy between the two UMEMs); the replies go straight back through the director's kernel
 * (not steered). Same bed preparation as {@link AfXdpNatSystemTest}.
 */
class AfXdpDirectRoutingSystemTest extends AfXdpNatSystemTest {
    @Override
    String methodOption() {
        return "-g";
    }

    @Override
    String methodListName() {
        return "Route";
    }
}
