package io.jlvs.keepalived.check;

import io.jlvs.keepalived.config.CheckerConfig;
import io.jlvs.keepalived.config.Inet;

import java.net.InetAddress;

/** Checker configurations for tests: loopback destinations, short timeouts. */
final class Conn {
    static final CheckerConfig.Timing TIMING = new CheckerConfig.Timing(false, 1_000_000, 1_000_000, 1, 1_000_000, false);

    private Conn() {}

    static CheckerConfig.Connection to(String ip, int port, long timeoutMs) {
        try {
            return new CheckerConfig.Connection(new Inet.SockAddr(InetAddress.getByName(ip), port), null, null, 0,
                    timeoutMs * 1000);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static CheckerConfig.Connection local(int port) {
        return to("127.0.0.1", port, 1000);
    }

    /** A local TCP port with nothing listening on it. */
    static int closedTcpPort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
