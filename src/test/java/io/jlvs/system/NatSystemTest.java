package io.jlvs.system;

/**
 * LVS/NAT end to end: the director rewrites the destination to the real server and, on the way back,
 * the source to the VIP; the real servers route through the director.
 */
class NatSystemTest extends ForwardingSystemTestBase {
    @Override
    String methodOption() {
        return "-m";
    }

    @Override
    String methodListName() {
        return "Masq";
    }
}
