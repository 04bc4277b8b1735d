package io.jlvs.system;

import io.jlvs.app.Testbed;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A VRRP test bed of three namespaces on one bridge, addresses from 198.18.0.0/15 only:
 * <pre>
 *   d1 eth0 198.18.9.11 (02:00:c6:12:09:01) ──┐
 *   d2 eth0 198.18.9.12 (02:00:c6:12:09:02) ──┼── br0 (namespace lan)
 *   cl eth0 198.18.9.2  (02:00:c6:12:09:03) ──┘
 * </pre>
 * The two directors run jlvs's VRRP ({@code io.jlvs.vrrp.VrrpMain}) or the real keepalived, each with its own
 * config, pid and log files under {@link #dir}; the client accepts gratuitous ARP ({@code arp_accept=1}) so its
 * neighbour table shows which MAC holds the VIP. IPv6 DAD is off so link-local sources are usable at once. Every
 * process is stopped by PID and every namespace deleted by {@link #close()}. A NAT bed adds an inside segment
 * ({@link #addInsideNetwork}, {@link #addNatRealServer}):
 * <pre>
 *   d1 eth1 198.19.9.11 (02:00:c6:13:09:01) ──┐
 *   d2 eth1 198.19.9.12 (02:00:c6:13:09:02) ──┼── br1 ── NAT real servers, default via 198.19.9.1 (VRRP)
 * </pre>
 */
final class VrrpBed implements AutoCloseable {
    static final String D1_MAC = "02:00:c6:12:09:01";
    static final String D2_MAC = "02:00:c6:12:09:02";
    static final String VIP = "198.18.9.100";
    /** The NAT real servers' default gateway: a VRRP address on the inside segment (br1). */
    static final String INSIDE_GATEWAY = "198.19.9.1";
    static final String D1_INSIDE_IP = "198.19.9.11";
    static final String D2_INSIDE_IP = "198.19.9.12";
    static final String D1_INSIDE_MAC = "02:00:c6:13:09:01";
    static final String D2_INSIDE_MAC = "02:00:c6:13:09:02";

    /** A started process and its log. */
    record Proc(String name, Process process, Path log) {
        long pid() {
            return process.pid();
        }

        String output() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                return "";
            }
        }
    }

    final String prefix;
    final Path dir;
    private final List<Proc> procs = new ArrayList<>();
    private final List<String> namespaces = new ArrayList<>();
    private final List<Path> nginxPidFiles = new ArrayList<>();

    static void requireEnvironment(boolean keepalived) {
        List<String> missing = new ArrayList<>();
        if (!Testbed.isRoot()) {
            missing.add("root");
        }
        missing.addAll(Testbed.missingTools(keepalived ? new String[] {"ip", "keepalived"} : new String[] {"ip"}));
        if (missing.isEmpty()) {
            return;
        }
        String message = "VRRP system tests need " + String.join(", ", missing)
                + " (Debian: apt-get install iproute2 keepalived; run as root)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message + "; CI=true, so a missing prerequisite is a failure, not a skip");
        }
        assumeTrue(false, message);
    }

    VrrpBed(String tag) throws IOException {
        prefix = "jv" + tag + (ProcessHandle.current().pid() % 10000);
        dir = Files.createTempDirectory("jlvs-vrrp-" + tag);
        try {
            ip("netns", "add", ns("lan"));
            namespaces.add(ns("lan"));
            ip("-n", ns("lan"), "link", "add", "br0", "type", "bridge");
            ip("-n", ns("lan"), "link", "set", "br0", "up");
            String[][] hosts = {{"d1", "198.18.9.11", D1_MAC}, {"d2", "198.18.9.12", D2_MAC},
                    {"cl", "198.18.9.2", "02:00:c6:12:09:03"}};
            for (String[] h : hosts) {
                addHost(h[0], h[1], h[2]);
            }
            sh("ip", "netns", "exec", ns("cl"), "sysctl", "-qw", "net.ipv4.conf.eth0.arp_accept=1");
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** One more namespace on the bridge: eth0 with {@code ip}/24 and {@code mac}, IPv6 DAD off. */
    void addHost(String role, String ip, String mac) {
        String n = ns(role);
        ip("netns", "add", n);
        namespaces.add(n);
        sh("ip", "netns", "exec", n, "sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0",
                "net.ipv6.conf.default.accept_dad=0");
        ip("-n", n, "link", "set", "lo", "up");
        addLink(role, "eth0", role, "br0", ip, mac);
    }

    /** A veth {@code ifname} in {@code role}'s namespace, its peer {@code lanIf} on {@code bridge}, with ip/24. */
    private void addLink(String role, String ifname, String lanIf, String bridge, String ip, String mac) {
        String n = ns(role);
        ip("link", "add", ifname, "netns", n, "type", "veth", "peer", "name", lanIf, "netns", ns("lan"));
        ip("-n", ns("lan"), "link", "set", lanIf, "master", bridge, "up");
        ip("-n", n, "link", "set", ifname, "address", mac);
        ip("-n", n, "link", "set", ifname, "up");
        ip("-n", n, "addr", "add", ip + "/24", "dev", ifname);
    }

    /**
     * The inside segment of a NAT bed, before the directors start (the in-process director serves the interfaces
     * that are up when it starts): bridge br1 with eth1 on d1 ({@link #D1_INSIDE_IP}) and d2 ({@link #D2_INSIDE_IP}).
     * The directors keep {@code ip_forward=0}: jlvs forwards NAT traffic itself.
     */
    void addInsideNetwork() {
        ip("-n", ns("lan"), "link", "add", "br1", "type", "bridge");
        ip("-n", ns("lan"), "link", "set", "br1", "up");
        addLink("d1", "eth1", "d1i", "br1", D1_INSIDE_IP, D1_INSIDE_MAC);
        addLink("d2", "eth1", "d2i", "br1", D2_INSIDE_IP, D2_INSIDE_MAC);
    }

    /**
     * A NAT real server on the inside segment (br1): {@code ip}/24, default route via the floating gateway
     * {@link #INSIDE_GATEWAY}, gratuitous ARP accepted; nginx on {@code ip} as in {@link #addRealServer}.
     */
    void addNatRealServer(String role, String ip, String mac) throws IOException {
        String n = ns(role);
        ip("netns", "add", n);
        namespaces.add(n);
        ip("-n", n, "link", "set", "lo", "up");
        addLink(role, "eth0", role, "br1", ip, mac);
        ip("-n", n, "route", "add", "default", "via", INSIDE_GATEWAY);
        sh("ip", "netns", "exec", n, "sysctl", "-qw", "net.ipv4.conf.all.arp_accept=1",
                "net.ipv4.conf.eth0.arp_accept=1", "net.core.somaxconn=4096");
        startNginx(role, ip);
    }

    /**
     * A direct-routing real server: {@link #addHost} plus the VIP on {@code lo} without answering ARP for it, and
     * nginx on its address and the VIP serving a page naming it ({@code <h1>rsN</h1>}) and {@code /1m.bin}
     * (1 MiB), also as {@code /slow/1m.bin} sent at 80 KiB/s by nginx ({@code limit_rate}); nginx is stopped by
     * its pid file in {@link #close()}.
     */
    void addRealServer(String role, String ip, String mac) throws IOException {
        addHost(role, ip, mac);
        ip("-n", ns(role), "addr", "add", VIP + "/32", "dev", "lo");
        sh("ip", "netns", "exec", ns(role), "sysctl", "-qw", "net.ipv4.conf.all.arp_ignore=1",
                "net.ipv4.conf.all.arp_announce=2", "net.ipv4.conf.eth0.arp_ignore=1",
                "net.ipv4.conf.eth0.arp_announce=2", "net.core.somaxconn=4096");
        startNginx(role, ip, VIP);
    }

    /** nginx for {@code role} on port 80 of {@code listens}, serving its page, {@code /1m.bin} and {@code /slow/}. */
    private void startNginx(String role, String... listenAddresses) throws IOException {
        List<String> listens = List.of(listenAddresses);
        Path d = dir.resolve(role);
        Files.createDirectories(d.resolve("www"));
        Files.createDirectories(d.resolve("tmp"));
        for (Path p = d; p.startsWith(dir.getParent()) && !p.equals(dir.getParent()); p = p.getParent()) {
            p.toFile().setReadable(true, false);
            p.toFile().setExecutable(true, false);
        }
        d.resolve("www").toFile().setReadable(true, false);
        d.resolve("www").toFile().setExecutable(true, false);
        Files.writeString(d.resolve("www/index.html"), "<html><body><h1>" + role + "</h1></body></html>\n");
        byte[] big = new byte[1 << 20];
        new java.util.Random(role.hashCode()).nextBytes(big);
        Files.write(d.resolve("www/1m.bin"), big);
        d.resolve("www/index.html").toFile().setReadable(true, false);
        d.resolve("www/1m.bin").toFile().setReadable(true, false);
        Files.writeString(d.resolve("nginx.conf"), """
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 4096; }
                http {
                  access_log off;
                  sendfile on; tcp_nodelay on;
                  keepalive_timeout 65; keepalive_requests 1000000;
                  client_body_temp_path %1$s/tmp/body; proxy_temp_path %1$s/tmp/proxy;
                  fastcgi_temp_path %1$s/tmp/fastcgi; uwsgi_temp_path %1$s/tmp/uwsgi; scgi_temp_path %1$s/tmp/scgi;
                  types { text/html html; application/octet-stream bin; }
                  server {
                    %2$s
                    root %1$s/www;
                    location /slow/ { alias %1$s/www/; limit_rate 80k; }
                  }
                }
                """.formatted(d, listens.stream().distinct().map(a -> "listen " + a + ":80 backlog=4096;")
                .collect(java.util.stream.Collectors.joining(" "))));
        sh("ip", "netns", "exec", ns(role), "nginx", "-p", d.toString(), "-e", d + "/error.log", "-c",
                d + "/nginx.conf");
        nginxPidFiles.add(d.resolve("nginx.pid"));
    }

    /** {@code bin/keepalived} (jlvs) in the foreground, with its in-process director when none runs there. */
    Proc startJlvsKeepalived(String role, String name, String config) throws IOException {
        Path conf = write(name + ".conf", config);
        Path log = dir.resolve(name + ".log");
        Process p = new ProcessBuilder("ip", "netns", "exec", ns(role),
                Testbed.jlvsHome().resolve("bin/keepalived").toString(), "-n", "-l", "-D", "-f", conf.toString(),
                "-p", dir.resolve(name + ".pid").toString()).redirectErrorStream(true).redirectOutput(log.toFile())
                .start();
        Proc proc = new Proc(name, p, log);
        procs.add(proc);
        return proc;
    }

    String ns(String role) {
        return prefix + role;
    }

    void ip(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        sh(cmd.toArray(String[]::new));
    }

    /** Runs a command to completion (10 s at most); its output, or an exception when it fails. */
    static String sh(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + String.join(" ", cmd));
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException("failed (" + p.exitValue() + "): " + String.join(" ", cmd) + "\n" + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    /** jlvs's VRRP agent in {@code role}'s namespace ({@code ip netns exec} execs, so the PID is the JVM's). */
    Proc startJlvs(String role, String name, String config) throws IOException {
        Path conf = write(name + ".conf", config);
        Path log = dir.resolve(name + ".log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = Path.of("target", "jlvs.jar").toAbsolutePath() + File.pathSeparator
                + Path.of("target", "lib").toAbsolutePath() + File.separator + "*";
        Process p = new ProcessBuilder("ip", "netns", "exec", ns(role), java, "--enable-native-access=ALL-UNNAMED",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", cp, "io.jlvs.vrrp.VrrpMain", "-f",
                conf.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Proc proc = new Proc(name, p, log);
        procs.add(proc);
        return proc;
    }

    /** Any command in {@code role}'s namespace, logged to {@code name}.log and stopped by PID in {@link #close()}. */
    Proc startIn(String role, String name, String... cmd) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns(role)));
        full.addAll(List.of(cmd));
        Path log = dir.resolve(name + ".log");
        Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Proc proc = new Proc(name, p, log);
        procs.add(proc);
        return proc;
    }

    /** The real keepalived, VRRP only, in the foreground with its own pid files. */
    Proc startKeepalived(String role, String name, String config) throws IOException {
        Path conf = write(name + ".conf", config);
        Path log = dir.resolve(name + ".log");
        Process p = new ProcessBuilder("ip", "netns", "exec", ns(role), "keepalived", "--dont-fork", "--log-console",
                "--log-detail", "--vrrp", "-f", conf.toString(), "-p", dir.resolve(name + ".pid").toString(),
                "-r", dir.resolve(name + "-vrrp.pid").toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        Proc proc = new Proc(name, p, log);
        procs.add(proc);
        return proc;
    }

    /** SIGTERM and wait for the process (and keepalived's children) to exit. */
    void term(Proc p) {
        sh("kill", "-TERM", Long.toString(p.pid()));
        awaitExit(p);
    }

    /** SIGKILL: no priority 0, no cleanup. */
    void kill9(Proc p) {
        sh("kill", "-KILL", Long.toString(p.pid()));
        awaitExit(p);
    }

    private void awaitExit(Proc p) {
        try {
            if (!p.process().waitFor(10, TimeUnit.SECONDS)) {
                p.process().destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        p.process().descendants().forEach(ProcessHandle::destroyForcibly);
    }

    boolean hasAddress(String role, String address) {
        return hasAddress(role, "eth0", address);
    }

    boolean hasAddress(String role, String ifname, String address) {
        return sh("ip", "-n", ns(role), "addr", "show", "dev", ifname).contains(" " + address + "/");
    }

    /** The {@code ip addr} line of {@code address} on {@code role}'s eth0 (flags such as "nodad" included), or "". */
    String addressLine(String role, String address) {
        for (String line : sh("ip", "-n", ns(role), "addr", "show", "dev", "eth0").split("\n")) {
            if (line.contains(" " + address + "/")) {
                return line.strip();
            }
        }
        return "";
    }

    /** The client's neighbour entry for {@code address}: its MAC, or "" when none. */
    String clientNeighbour(String address) {
        return neighbour("cl", address);
    }

    /** {@code role}'s neighbour entry for {@code address}: its MAC, or "" when none. */
    String neighbour(String role, String address) {
        String line = sh("ip", "-n", ns(role), "neigh", "show", address);
        int at = line.indexOf("lladdr ");
        return at < 0 ? "" : line.substring(at + 7).split("\\s+")[0];
    }

    /** Polls every 20 ms until {@code condition} holds; returns the wait in ms, or fails with {@code what}. */
    static long await(String what, Duration timeout, BooleanSupplier condition) {
        long start = System.nanoTime();
        long end = start + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return (System.nanoTime() - start) / 1_000_000;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        fail("timed out after " + timeout.toMillis() + " ms waiting for " + what);
        return -1;
    }

    /** Waits for {@code role} to hold the VIP and the other director not to. */
    long awaitVipOn(String role, Duration timeout) {
        String other = role.equals("d1") ? "d2" : "d1";
        return await("VIP on " + role + " only", timeout, () -> hasAddress(role, VIP) && !hasAddress(other, VIP));
    }

    String logs() {
        StringBuilder sb = new StringBuilder();
        for (Proc p : procs) {
            sb.append("==== ").append(p.name()).append('\n').append(p.output());
        }
        return sb.toString();
    }

    @Override
    public void close() {
        for (Proc p : procs) {
            if (p.process().isAlive()) {
                try {
                    sh("kill", "-TERM", Long.toString(p.pid()));
                } catch (RuntimeException ignored) {
                    // already gone
                }
                awaitExit(p);
            }
        }
        for (Path pidFile : nginxPidFiles) {
            try {
                sh("kill", "-TERM", Files.readString(pidFile).strip());
                Files.deleteIfExists(pidFile.resolveSibling("www").resolve("1m.bin"));
            } catch (IOException | RuntimeException ignored) {
                // not running
            }
        }
        for (String n : namespaces.reversed()) {
            try {
                sh("ip", "netns", "del", n);
            } catch (RuntimeException ignored) {
                // best effort
            }
        }
    }
}
