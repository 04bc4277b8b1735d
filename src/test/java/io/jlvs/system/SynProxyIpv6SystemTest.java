package io.jlvs.system;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The IPv6 suite ({@link Ipv6SystemTest}: DR, NAT, FULLNAT with TOA, UDP, persistence by prefix, wrk) with
 * {@code --syn-proxy always}: every IPv6 NAT and FULLNAT handshake is completed by the director with a SYN cookie,
 * and 5 s of wrk opening a new connection per request goes through the proxy without a socket error.
 */
class SynProxyIpv6SystemTest extends Ipv6SystemTest {
    @Override
    String[] directorOptions() {
        return new String[] {"--syn-proxy", "always"};
    }

    @Test
    @Order(6)
    void shouldOpenEveryIpv6NatConnectionThroughProxyWhenEachRequestIsANewConnection() {
        SynProxyChecks.shouldOpenEveryConnectionThroughProxy(bed, "http://" + NAT + "/", getClass().getSimpleName(),
                () -> "\n" + bed.jlvs("status").output());
    }
}
