package io.jlvs.keepalived.check;

import io.jlvs.keepalived.config.CheckerConfig;

import java.io.IOException;

/** TCP_CHECK (check_tcp.c): the three-way handshake completes within {@code connect_timeout}; closed at once. */
public final class TcpChecker implements HealthChecker {
    private final CheckerConfig.Tcp config;

    public TcpChecker(CheckerConfig.Tcp config) {
        this.config = config;
    }

    @Override
    public String type() {
        return "TCP_CHECK";
    }

    @Override
    public Result check(int step) {
        try {
            Endpoints.connect(config.connection()).close();
            return Result.ok("TCP connection to " + Endpoints.text(config.connection()) + " success.");
        } catch (IOException e) {
            return Result.failed("TCP connection to " + Endpoints.text(config.connection()) + " failed: " + e.getMessage());
        }
    }
}
