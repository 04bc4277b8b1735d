package io.jlvs.system;

import io.jlvs.app.Testbed;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Active-active directors behind a router's ECMP, announced by BGP (docs/scale-out.md). Addresses from
 * 198.18.0.0/15 only; namespaces {@code <prefix>r}, {@code cl}, {@code lan}, {@code d1..d3}, {@code rs1..rs2}:
 * <pre>
 *  cl 198.18.20.2 ── r eth0 198.18.20.1        r: BIRD 2, AS 65000, ECMP into its kernel (merge paths,
 *                    r eth1 198.18.21.1 ──┐        fib_multipath_hash_policy=1: L4 hash)
 *   d1 198.18.21.11  d2 .12  d3 .13 ──────┼── br0 (namespace lan)   jlvs director, AS 65001, mh
 *   rs1 198.18.21.21  rs2 .22 ────────────┘        nginx; VIP 198.18.22.100 on lo (DR)
 * </pre>
 * Every process is stopped by PID and every namespace deleted by {@link #close()}.
 */
final class EcmpBed implements AutoCloseable {
    static final String VIP = "198.18.22.100";
    static final String ROUTER = "198.18.21.1";
    static final String[] DIRECTORS = {"d1", "d2", "d3"};
    static final String[] REAL_SERVERS = {"rs1", "rs2"};
    /** A third nginx, not in the directors' tables at first ({@code EcmpSyncSystemTest} adds it). */
    static final String SPARE_REAL_SERVER = "rs3";
    /** A 1.5 MB file each nginx sends at 150 KB/s per connection (a flow that lives ~10 s). */
    static final String SLOW_PATH = "/slow/big.bin";
    static final int SLOW_BYTES = 1_500_000;

    /** A started process and its log. */
    record Proc(String name, Process process, Path log) {}

    final String prefix;
    final Path dir;
    private final List<String> namespaces = new ArrayList<>();
    private final List<Proc> procs = new ArrayList<>();
    private final Map<String, Proc> directors = new LinkedHashMap<>();
    private final List<Path> nginxPids = new ArrayList<>();
    private int logCount;

    private final List<String> realServers;

    EcmpBed() throws IOException {
        this(false);
    }

    /** With {@code spareRealServer}, also {@link #SPARE_REAL_SERVER} (its nginx runs; no director has it yet). */
    EcmpBed(boolean spareRealServer) throws IOException {
        realServers = spareRealServer ? List.of("rs1", "rs2", SPARE_REAL_SERVER) : List.of(REAL_SERVERS);
        prefix = "je" + (ProcessHandle.current().pid() % 100000) + "-";
        dir = Files.createTempDirectory("jlvs-ecmp-");
        // nginx's workers run unprivileged: they must reach the document root
        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        try {
            build();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    String ns(String role) {
        return prefix + role;
    }

    static String directorIp(String d) {
        return "198.18.21.1" + d.charAt(1);
    }

    static String realServerIp(String rs) {
        return "198.18.21.2" + rs.charAt(2);
    }

    private void build() throws IOException {
        List<String> roles = new ArrayList<>(List.of("lan", "r", "cl", "d1", "d2", "d3"));
        roles.addAll(realServers);
        for (String role : roles) {
            VrrpBed.sh("ip", "netns", "add", ns(role));
            namespaces.add(ns(role));
            VrrpBed.sh("ip", "-n", ns(role), "link", "set", "lo", "up");
        }
        VrrpBed.sh("ip", "-n", ns("lan"), "link", "add", "br0", "type", "bridge", "forward_delay", "0", "stp_state", "0");
        VrrpBed.sh("ip", "-n", ns("lan"), "link", "set", "br0", "up");
        // client ── router
        VrrpBed.sh("ip", "-n", ns("cl"), "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", ns("r"));
        up("cl", "eth0", "198.18.20.2/24");
        up("r", "eth0", "198.18.20.1/24");
        VrrpBed.sh("ip", "-n", ns("cl"), "route", "add", "default", "via", "198.18.20.1");
        sysctl("cl", "net.ipv4.ip_local_port_range=1024 65535", "net.ipv4.tcp_tw_reuse=1");
        // the shared segment
        int n = 0;
        for (String role : roles.subList(1, roles.size())) {
            if (role.equals("cl")) {
                continue;
            }
            String port = "p" + (n++);
            VrrpBed.sh("ip", "-n", ns(role), "link", "add", role.equals("r") ? "eth1" : "eth0", "type", "veth", "peer",
                    "name", port, "netns", ns("lan"));
            VrrpBed.sh("ip", "-n", ns("lan"), "link", "set", port, "master", "br0", "up");
        }
        up("r", "eth1", ROUTER + "/24");
        sysctl("r", "net.ipv4.ip_forward=1", "net.ipv4.fib_multipath_hash_policy=1",
                "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0",
                "net.ipv4.conf.eth0.rp_filter=0", "net.ipv4.conf.eth1.rp_filter=0");
        for (String d : DIRECTORS) {
            up(d, "eth0", directorIp(d) + "/24");
            VrrpBed.sh("ip", "-n", ns(d), "route", "add", "default", "via", ROUTER);
        }
        for (String rs : realServers) {
            up(rs, "eth0", realServerIp(rs) + "/24");
            VrrpBed.sh("ip", "-n", ns(rs), "route", "add", "default", "via", ROUTER);
            VrrpBed.sh("ip", "-n", ns(rs), "addr", "add", VIP + "/32", "dev", "lo");
            sysctl(rs, "net.ipv4.conf.all.arp_ignore=1", "net.ipv4.conf.all.arp_announce=2",
                    "net.ipv4.conf.eth0.arp_ignore=1", "net.ipv4.conf.eth0.arp_announce=2", "net.core.somaxconn=4096");
            startNginx(rs);
        }
    }

    private void up(String role, String dev, String cidr) {
        VrrpBed.sh("ip", "-n", ns(role), "link", "set", dev, "up");
        VrrpBed.sh("ip", "-n", ns(role), "addr", "add", cidr, "dev", dev);
    }

    private void sysctl(String role, String... settings) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns(role), "sysctl", "-qw"));
        cmd.addAll(List.of(settings));
        VrrpBed.sh(cmd.toArray(String[]::new));
    }

    private void startNginx(String rs) throws IOException {
        Path d = dir.resolve(rs);
        Files.createDirectories(d.resolve("www"));
        Files.createDirectories(d.resolve("tmp"));
        Files.writeString(d.resolve("www/index.html"), "<h1>" + rs + "</h1>\n");
        Files.createDirectories(d.resolve("www/slow"));
        Files.write(d.resolve("www" + SLOW_PATH), new byte[SLOW_BYTES]);
        String conf = """
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 4096; }
                http {
                  access_log off;
                  keepalive_timeout 65; keepalive_requests 1000000;
                  client_body_temp_path %1$s/tmp/body; proxy_temp_path %1$s/tmp/proxy;
                  fastcgi_temp_path %1$s/tmp/fastcgi; uwsgi_temp_path %1$s/tmp/uwsgi; scgi_temp_path %1$s/tmp/scgi;
                  types { text/html html; }
                  server { listen %2$s:80 backlog=4096; listen %3$s:80 backlog=4096; root %1$s/www;
                    location /slow/ { limit_rate 150k; } }
                }
                """.formatted(d, realServerIp(rs), VIP);
        Files.writeString(d.resolve("nginx.conf"), conf);
        nginxPids.add(d.resolve("nginx.pid"));
        VrrpBed.sh("ip", "netns", "exec", ns(rs), "nginx", "-p", d.toString(), "-e", d + "/error.log",
                "-c", d + "/nginx.conf");
    }

    // ---------------------------------------------------------------- processes

    Proc start(String role, String name, String... cmd) throws IOException {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns(role)));
        argv.addAll(List.of(cmd));
        Path log = dir.resolve(name + "-" + (++logCount) + ".log");
        // `ip netns exec` execs the command in place: the PID is the command's own
        Process p = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).redirectOutput(log.toFile()).start();
        Proc proc = new Proc(name, p, log);
        procs.add(proc);
        return proc;
    }

    /** BIRD on the router: one eBGP session per director, the best routes merged into ECMP in the kernel. */
    Proc startRouterBird() throws IOException {
        StringBuilder conf = new StringBuilder("""
                router id 198.18.21.1;
                log stderr all;
                protocol device { scan time 10; }
                protocol kernel {
                  ipv4 { import none; export all; };
                  merge paths on;
                }
                """);
        for (String d : DIRECTORS) {
            conf.append("protocol bgp ").append(d).append(" {\n  local ").append(ROUTER).append(" as 65000;\n")
                    .append("  neighbor ").append(directorIp(d)).append(" as 65001;\n")
                    .append("  connect retry time 1; error wait time 1, 2; connect delay time 1;\n")
                    .append("  ipv4 { import all; export none; };\n}\n");
        }
        Path file = dir.resolve("router-bird.conf");
        Files.writeString(file, conf.toString());
        return start("r", "router-bird", "bird", "-f", "-c", file.toString(), "-s", dir.resolve("router-bird.ctl").toString());
    }

    /**
     * {@code bin/jlvs director} with BGP in each named director's namespace (the JVMs start together), then
     * waits until each answers and gives it the VIP service.
     */
    void startDirectors(String... ds) throws IOException {
        String jlvs = Testbed.jlvsHome().resolve("bin/jlvs").toString();
        for (String d : ds) {
            directors.put(d, start(d, "director-" + d, jlvs, "director", "--conn-table-size", "65536",
                    "--no-state-file", // the bed configures every (re)started director itself
                    "--bgp-local-as", "65001", "--bgp-peer", ROUTER + ":65000", "--bgp-router-id", directorIp(d),
                    "--bgp-withdraw-delay-ms", "1500"));
        }
        for (String d : ds) {
            Proc p = directors.get(d);
            long deadlineNs = System.nanoTime() + Duration.ofSeconds(40).toNanos();
            while (!answers(d)) {
                if (!p.process().isAlive() || System.nanoTime() > deadlineNs) {
                    throw new IOException("director " + d + " did not come up; its log:\n" + log(p));
                }
                sleep(100);
            }
            // the same table, in the same order, on every director: mh then maps a flow alike everywhere
            String rules = "-A -t " + VIP + ":80 -s mh -b mh-port\n"
                    + "-a -t " + VIP + ":80 -r " + realServerIp("rs1") + " -g -w 1\n"
                    + "-a -t " + VIP + ":80 -r " + realServerIp("rs2") + " -g -w 1\n";
            Path file = dir.resolve("rules-" + d);
            Files.writeString(file, rules);
            check(exec(d, "sh", "-c", Testbed.jlvsHome().resolve("bin/ipvsadm") + " -R < " + file));
            String listed = call(d, "{\"op\":\"services\"}").toString();
            if (!listed.contains(realServerIp("rs2"))) {
                throw new IOException("director " + d + ": ipvsadm -R left the table as " + listed);
            }
        }
    }

    /**
     * {@code ipvsadm --start-daemon master} and {@code backup} on each named director, both on eth0 (the
     * segment every director shares) with syncid 1: each director then holds every other one's connections.
     */
    void startSyncDaemons(String... ds) throws IOException {
        String ipvsadm = Testbed.jlvsHome().resolve("bin/ipvsadm").toString();
        for (String d : ds) {
            for (String state : List.of("master", "backup")) {
                check(exec(d, ipvsadm, "--start-daemon", state, "--mcast-interface", "eth0", "--syncid", "1"));
            }
        }
    }

    /** The control socket of director {@code d}: keyed by its namespace's inode (as ipvsadm finds it there). */
    Path controlSocket(String d) throws IOException {
        Object inode = Files.getAttribute(Path.of("/run/netns", ns(d)), "unix:ino");
        return io.jlvs.control.ControlSocket.runDir().resolve("ctl-" + inode + ".sock");
    }

    private boolean answers(String d) {
        try {
            call(d, "{\"op\":\"info\"}");
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** One request on director {@code d}'s control socket, straight from the test (no JVM to start). */
    com.fasterxml.jackson.databind.JsonNode call(String d, String requestJson) throws IOException {
        try (java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            ch.connect(java.net.UnixDomainSocketAddress.of(controlSocket(d)));
            ch.write(java.nio.ByteBuffer.wrap((requestJson + "\n").getBytes(StandardCharsets.UTF_8)));
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
                    java.nio.channels.Channels.newInputStream(ch), StandardCharsets.UTF_8));
            String line = in.readLine();
            if (line == null) {
                throw new IOException("director " + d + ": no answer");
            }
            com.fasterxml.jackson.databind.JsonNode n = io.jlvs.control.ControlProtocol.JSON.readTree(line);
            if (!n.path("ok").asBoolean()) {
                throw new IOException("director " + d + ": " + line);
            }
            return n.path("result");
        }
    }

    Proc director(String d) {
        return directors.get(d);
    }

    Testbed.Result jlvs(String d, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Testbed.jlvsHome().resolve("bin/jlvs").toString()));
        cmd.addAll(List.of(args));
        return exec(d, cmd.toArray(String[]::new));
    }

    /** Runs a command in a namespace (60 s at most); never throws for a non-zero exit. */
    Testbed.Result exec(String role, String... cmd) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns(role)));
        argv.addAll(List.of(cmd));
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Testbed.Result(Testbed.TIMED_OUT, new String(out, StandardCharsets.UTF_8));
            }
            return new Testbed.Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Testbed.Result(127, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Testbed.Result(130, "interrupted");
        }
    }

    static void check(Testbed.Result r) throws IOException {
        if (!r.ok()) {
            throw new IOException("command failed (" + r.exitCode() + "): " + r.output());
        }
    }

    /** The next hops of the router's kernel route to the VIP, sorted (empty: no route). */
    List<String> nextHops() {
        String out = VrrpBed.sh("ip", "-n", ns("r"), "-4", "route", "show", VIP + "/32");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("via (\\S+)").matcher(out);
        List<String> hops = new ArrayList<>();
        while (m.find()) {
            hops.add(m.group(1));
        }
        return hops.stream().sorted().toList();
    }

    /** Sends a signal to a director's JVM by its PID (returns at once). */
    void signal(String d, String signal) {
        VrrpBed.sh("kill", "-" + signal, Long.toString(directors.get(d).process().pid()));
    }

    /** Waits for a director's JVM to end. */
    void awaitExit(String d) {
        Proc p = directors.get(d);
        try {
            if (!p.process().waitFor(15, TimeUnit.SECONDS)) {
                p.process().destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** PIDs of the processes still inside a namespace. */
    List<Long> pidsIn(String role) {
        String out;
        try {
            out = VrrpBed.sh("ip", "netns", "pids", ns(role));
        } catch (RuntimeException e) {
            return List.of();
        }
        return out.lines().filter(l -> !l.isBlank()).map(l -> Long.parseLong(l.strip())).toList();
    }

    static String log(Proc p) {
        try {
            return Files.readString(p.log());
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    String logs() {
        StringBuilder sb = new StringBuilder();
        for (Proc p : procs) {
            String text = log(p);
            List<String> lines = text.lines().toList();
            sb.append("==== ").append(p.name()).append('\n')
                    .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()))).append('\n');
        }
        return sb.toString();
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        for (Proc p : procs.reversed()) {
            if (p.process().isAlive()) {
                try {
                    VrrpBed.sh("kill", "-TERM", Long.toString(p.process().pid()));
                    if (!p.process().waitFor(10, TimeUnit.SECONDS)) {
                        p.process().destroyForcibly();
                    }
                } catch (RuntimeException | InterruptedException ignored) {
                    p.process().destroyForcibly();
                }
            }
        }
        for (Path pid : nginxPids) {
            try {
                long n = Long.parseLong(Files.readString(pid).strip());
                VrrpBed.sh("kill", "-QUIT", Long.toString(n));
            } catch (IOException | RuntimeException ignored) {
                // not started or gone
            }
        }
        // anything left inside our namespaces (a BIRD child, nginx workers), by PID
        for (String n : namespaces) {
            for (long pid : pidsIn(n.substring(prefix.length()))) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        for (String n : namespaces.reversed()) {
            try {
                VrrpBed.sh("ip", "netns", "del", n);
            } catch (RuntimeException ignored) {
                // best effort
            }
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a temporary directory
        }
    }
}
