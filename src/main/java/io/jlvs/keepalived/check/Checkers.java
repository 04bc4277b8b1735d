package io.jlvs.keepalived.check;

import io.jlvs.keepalived.config.CheckerConfig;
import io.jlvs.keepalived.config.VirtualServer;

/** The one place a checker configuration becomes a running checker. */
public final class Checkers {
    private Checkers() {}

    public static HealthChecker create(CheckerConfig c, VirtualServer vs, ProcessRunner runner) {
        return switch (c) {
            case CheckerConfig.Tcp t -> new TcpChecker(t);
            case CheckerConfig.Http h -> new HttpChecker(h);
            case CheckerConfig.Misc m -> new MiscChecker(m, vs.delayLoopUs(), runner);
            case CheckerConfig.Dns d -> new DnsChecker(d);
            case CheckerConfig.Smtp s -> new SmtpChecker(s);
            case CheckerConfig.Udp u -> new UdpChecker(u);
            case CheckerConfig.Ping p -> new PingChecker(p);
            case CheckerConfig.File f -> new FileChecker(f);
            case CheckerConfig.Bfd b -> new BfdChecker(b);
        };
    }
}
