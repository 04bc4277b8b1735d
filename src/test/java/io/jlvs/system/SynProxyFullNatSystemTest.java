package io.jlvs.system;

import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * FULLNAT end to end with {@code --syn-proxy always}: as {@link FullNatSystemTest} (TOA in the handshake's
 * last ACK, which the director now writes itself), with every handshake completed by the director.
 */
class SynProxyFullNatSystemTest extends FullNatSystemTest {
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
