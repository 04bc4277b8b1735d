package io.jlvs.system;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * LVS/NAT end to end with {@code --syn-proxy always}: every connection's handshake is completed by the
 * director with a SYN cookie, and the real server's connection is opened on the client's ACK, so the whole
 * NAT suite (round robin, wrk keep-alive, ipvsadm, a 1 MiB download with window scaling and SACK, a clean
 * stop) runs over shifted sequence numbers.
 */
class SynProxyNatSystemTest extends NatSystemTest {
    @Override
    String[] directorOptions() {
        return new String[] {"--syn-proxy", "always"};
    }

    @Test
    @Order(4)
    void shouldOpenEveryConnectionThroughProxyWhenEachRequestIsANewConnection() {
        SynProxyChecks.shouldOpenEveryConnectionThroughProxy(bed, URL, getClass().getSimpleName(), this::diagnostics);
    }
}
