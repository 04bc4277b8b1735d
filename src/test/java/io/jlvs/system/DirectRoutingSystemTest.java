package io.jlvs.system;

/**
 * LVS/DR end to end: the director rewrites only the destination MAC; the real servers hold the VIP on
 * {@code lo} and answer the client directly (their replies cross the director's kernel as a router).
 */
class DirectRoutingSystemTest extends ForwardingSystemTestBase {
    @Override
    String methodOption() {
        return "-g";
    }

    @Override
    String methodListName() {
        return "Route";
    }
}
