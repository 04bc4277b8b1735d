package io.jlvs.keepalived;

import io.jlvs.keepalived.check.HealthChecker;
import io.jlvs.keepalived.config.CheckerConfig;
import io.jlvs.keepalived.config.VirtualServer;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Scripted health for {@link CheckEngine} tests: every checker of a real server answers with that server's
 * current health (a boolean, or a MISC exit status), and every attempt is recorded.
 */
final class Health implements CheckEngine.CheckerFactory {
    final Map<String, Boolean> up = new ConcurrentHashMap<>();
    final Map<String, Integer> exitStatus = new ConcurrentHashMap<>();
    final List<String> attempts = java.util.Collections.synchronizedList(new ArrayList<>());

    void set(String address, boolean healthy) {
        up.put(address, healthy);
    }

    static String address(CheckerConfig c) {
        CheckerConfig.Connection conn = switch (c) {
            case CheckerConfig.Tcp t -> t.connection();
            case CheckerConfig.Http h -> h.connection();
            case CheckerConfig.Udp u -> u.connection();
            case CheckerConfig.Ping p -> p.connection();
            case CheckerConfig.Smtp s -> s.connection();
            case CheckerConfig.Dns d -> d.connection();
            case CheckerConfig.Misc m -> null;
            default -> null;
        };
        if (conn != null) {
            return conn.destination().address().getHostAddress();
        }
        if (c instanceof CheckerConfig.Misc m) {
            return m.script().argv().getLast();
        }
        return "?";
    }

    @Override
    public HealthChecker create(CheckerConfig config, VirtualServer vs) {
        String a = address(config);
        return new HealthChecker() {
            @Override
            public String type() {
                return config.type();
            }

            @Override
            public int steps() {
                return config instanceof CheckerConfig.Http h ? h.urls().size() : 1;
            }

            @Override
            public Result check(int step) {
                attempts.add(a);
                if (config instanceof CheckerConfig.Misc) {
                    int s = exitStatus.getOrDefault(a, 0);
                    return new Result(s == 0 || (((CheckerConfig.Misc) config).dynamic() && s >= 2 && s <= 255),
                            "exited with status " + s, s);
                }
                boolean ok = up.getOrDefault(a, true);
                return ok ? Result.ok(config.type() + " to " + a + " success.") : Result.failed("refused");
            }
        };
    }

    long attemptsFor(String address) {
        synchronized (attempts) {
            return attempts.stream().filter(address::equals).count();
        }
    }

    static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
