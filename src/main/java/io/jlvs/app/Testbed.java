package io.jlvs.app;

import io.jlvs.control.ControlSocket;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The network-namespace test bed of {@code jlvs demo} and the system tests: a client, a director and two
 * real servers on one machine, each in its own namespace, with addresses from the benchmarking range
 * 198.18.0.0/15 only.
 *
 * <pre>
 *   cl 198.18.0.2 ──┐                                       ┌── rs1 198.19.0.11
 *                   brc ── eth0  lb  eth1 ── brs ───────────┤
 *                          198.18.0.1  198.19.0.1           └── rs2 198.19.0.12
 *                          VIP 198.18.0.100 (eth0:0)
 *   (the bridges brc and brs live in the namespace lan)
 * </pre>
 * The same bed carries IPv6 from 2001:db8::/32 (addresses added with {@code nodad}, so they are usable at once):
 * the client 2001:db8:1::2, the director 2001:db8:1::1 and 2001:db8:2::1, the real servers 2001:db8:2::11 and
 * 2001:db8:2::12 with the IPv6 VIP 2001:db8:1::100 on {@code lo}. The director does not hold the IPv6 VIP: jlvs
 * answers Neighbor Solicitations for it itself. nginx listens on {@code [::]:80} too.
 * The director routes between the segments ({@code ip_forward=1}) and holds the VIP as the seeds do
 * ({@code ip addr add VIP/32 dev eth0 label eth0:0}). The real servers route through the director (NAT
 * replies pass it) and carry the VIP on {@code lo} without announcing it ({@code arp_ignore=1},
 * {@code arp_announce=2}) for direct routing, so one bed serves both. Each real server runs its own nginx
 * ({@code worker_processes 1}, config, pid and logs under {@link #runDir()}) on RIP:80 and VIP:80, serving a
 * page that names it ({@code <h1>rs1</h1>}) and {@link #BIG_FILE}, 1 MiB.
 *
 * <p>Everything this class starts is stopped by PID, and every namespace it made is deleted, by
 * {@link #close()}, which is idempotent and never throws. A bed left running by another process
 * ({@code jlvs demo --keep}) is taken down with {@link #destroy(String)}.
 */
public final class Testbed implements AutoCloseable {
    public static final String VIP = "198.18.0.100";
    public static final String CLIENT_IP = "198.18.0.2";
    public static final String LB_CLIENT_SIDE_IP = "198.18.0.1";
    public static final String LB_SERVER_SIDE_IP = "198.19.0.1";
    public static final String RS1_IP = "198.19.0.11";
    public static final String RS2_IP = "198.19.0.12";
    public static final String VIP6 = "2001:db8:1::100";
    public static final String CLIENT_IP6 = "2001:db8:1::2";
    public static final String LB_CLIENT_SIDE_IP6 = "2001:db8:1::1";
    public static final String LB_SERVER_SIDE_IP6 = "2001:db8:2::1";
    public static final String RS1_IP6 = "2001:db8:2::11";
    public static final String RS2_IP6 = "2001:db8:2::12";
    /** Served by both real servers; {@link #BIG_FILE_BYTES} long. */
    public static final String BIG_FILE = "/1m.bin";
    public static final int BIG_FILE_BYTES = 1 << 20;
    /** {@link Result#exitCode()} of a command that ran out of time (as coreutils' timeout says it). */
    public static final int TIMED_OUT = 124;

    /** Namespace roles, in creation order; a namespace is named prefix + role. */
    public static final List<String> ROLES = List.of("lan", "cl", "lb", "rs1", "rs2");

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_.-]{1,40}");
    private static final Path NETNS_DIR = Path.of("/run/netns");
    private static final Path RUN_BASE = Path.of(System.getProperty("java.io.tmpdir"), "jlvs-testbed");

    /** Fixed MACs, 02:00:c6:&lt;12|13&gt;:00:&lt;host&gt;, so frames can be told apart at a glance. */
    private record Port(String bridge, String lanIf, String role, String ifname, String mac) {}

    private static final List<Port> PORTS = List.of(
            new Port("brc", "cl", "cl", "eth0", "02:00:c6:12:00:02"),
            new Port("brc", "lb0", "lb", "eth0", "02:00:c6:12:00:01"),
            new Port("brs", "lb1", "lb", "eth1", "02:00:c6:13:00:01"),
            new Port("brs", "rs1", "rs1", "eth0", "02:00:c6:13:00:0b"),
            new Port("brs", "rs2", "rs2", "eth0", "02:00:c6:13:00:0c"));

    /** What a command printed (stdout and stderr together) and how it ended. */
    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    private final String prefix;
    private final Path runDir;
    private final List<String> namespaces = Collections.synchronizedList(new ArrayList<>());
    private final List<Process> started = Collections.synchronizedList(new ArrayList<>());
    private final Map<Long, Path> logs = new ConcurrentHashMap<>();
    private final AtomicInteger logCount = new AtomicInteger();
    private boolean closed;
    /** Transmit and receive queues of every veth (1 unless a multi-queue bed was asked for). */
    private int queues = 1;

    private Testbed(String prefix) {
        this.prefix = prefix;
        this.runDir = RUN_BASE.resolve(prefix);
    }

    /** Builds a bed under a fresh {@link #randomPrefix()}. */
    public static Testbed create() throws IOException {
        return create(randomPrefix());
    }

    /**
     * Builds the bed: namespaces, links, addresses, sysctls, nginx on both real servers, then checks that
     * the client reaches both real servers through the director's kernel. On failure everything made so
     * far is removed and the IOException says which command failed and what it printed.
     */
    public static Testbed create(String prefix) throws IOException {
        return create(prefix, 1);
    }

    /**
     * A bed whose veths have {@code queues} transmit and receive queues each: frames then spread over the
     * receive queues by flow, as on a multi-queue NIC (several workers on AF_XDP need that).
     */
    public static Testbed createWithQueues(int queues) throws IOException {
        return create(randomPrefix(), queues);
    }

    private static Testbed create(String prefix, int queues) throws IOException {
        if (queues < 1 || queues > 16) {
            throw new IllegalArgumentException("testbed: queues must be 1 to 16: queues=" + queues);
        }
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("testbed: prefix must be 1-40 of [A-Za-z0-9_.-]: prefix=" + prefix);
        }
        if (!isRoot()) {
            throw new IOException("testbed: must run as root (network namespaces need CAP_SYS_ADMIN)");
        }
        List<String> missing = missingTools("ip", "sysctl", "nginx", "curl");
        if (!missing.isEmpty()) {
            throw new IOException("testbed: missing tools: " + String.join(", ", missing));
        }
        for (String role : ROLES) {
            if (Files.exists(NETNS_DIR.resolve(prefix + role))) {
                throw new IOException("testbed: namespace " + prefix + role + " exists already (a bed left running? "
                        + "take it down with: bin/jlvs demo --down --prefix " + prefix + ")");
            }
        }
        Testbed bed = new Testbed(prefix);
        bed.queues = queues;
        try {
            bed.build();
            return bed;
        } catch (IOException | RuntimeException e) {
            bed.close();
            throw e;
        }
    }

    /**
     * Transmit-queue choice by CPU (XPS) on a bridge port: a bridged frame otherwise keeps the queue its
     * sender's veth recorded (nearly always 0), so the next veth would receive everything on queue 0. By
     * CPU, frames spread over the receive queues as a NIC's RSS spreads them over its queues.
     */
    private void spreadByCpu(String lanIf) throws IOException {
        int cpus = Math.min(64, Runtime.getRuntime().availableProcessors());
        for (int q = 0; q < queues; q++) {
            long mask = 0;
            for (int cpu = q % cpus; cpu < cpus; cpu += queues) {
                mask |= 1L << cpu;
            }
            String file = "/sys/class/net/" + lanIf + "/queues/tx-" + q + "/xps_cpus";
            checked(List.of("ip", "netns", "exec", lan(), "sh", "-c",
                    "if [ -w " + file + " ]; then echo " + Long.toHexString(mask) + " > " + file + "; fi"));
        }
    }

    /** {@code jlvs-} and six random lowercase letters or digits, then {@code -}. */
    public static String randomPrefix() {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        SecureRandom random = new SecureRandom();
        StringBuilder sb = new StringBuilder("jlvs-");
        for (int i = 0; i < 6; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.append('-').toString();
    }

    /**
     * Takes down a bed left running by another process ({@code jlvs demo --keep}): nginx by its pid file,
     * every other process still inside one of its namespaces by PID, the namespaces, the run directory.
     *
     * @return the namespaces it deleted (empty when there was no such bed)
     */
    public static List<String> destroy(String prefix) {
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("testbed: prefix must be 1-40 of [A-Za-z0-9_.-]: prefix=" + prefix);
        }
        Testbed bed = new Testbed(prefix);
        for (String role : ROLES) {
            if (Files.exists(NETNS_DIR.resolve(prefix + role))) {
                bed.namespaces.add(prefix + role);
            }
        }
        List<String> found = List.copyOf(bed.namespaces);
        bed.close();
        return found;
    }

    public String prefix() {
        return prefix;
    }

    /** Where nginx's configs, pid files, logs and the background processes' logs are. */
    public Path runDir() {
        return runDir;
    }

    /** The namespace of a role ({@link #ROLES}). */
    public String ns(String role) {
        return prefix + role;
    }

    public String cl() {
        return ns("cl");
    }

    public String lb() {
        return ns("lb");
    }

    public String rs1() {
        return ns("rs1");
    }

    public String rs2() {
        return ns("rs2");
    }

    public String lan() {
        return ns("lan");
    }

    // ---------------------------------------------------------------- building

    private void build() throws IOException {
        deleteTree(runDir); // left by a bed of the same prefix whose namespaces are gone
        mkdirs(runDir);
        for (String role : ROLES) {
            String ns = ns(role);
            checked(List.of("ip", "netns", "add", ns));
            namespaces.add(ns);
            checked(List.of("ip", "-n", ns, "link", "set", "lo", "up"));
        }
        for (String br : List.of("brc", "brs")) {
            checked(List.of("ip", "-n", lan(), "link", "add", br, "type", "bridge",
                    "forward_delay", "0", "stp_state", "0", "mcast_snooping", "0"));
            checked(List.of("ip", "-n", lan(), "link", "set", br, "up"));
        }
        // bridged frames must not go through IP netfilter hooks; the knobs exist only with br_netfilter
        if (exec(lan(), "test", "-d", "/proc/sys/net/bridge").ok()) {
            sysctl(lan(), "net.bridge.bridge-nf-call-iptables=0", "net.bridge.bridge-nf-call-ip6tables=0",
                    "net.bridge.bridge-nf-call-arptables=0");
        }
        for (Port p : PORTS) {
            String q = Integer.toString(queues);
            checked(List.of("ip", "-n", lan(), "link", "add", p.lanIf(), "numtxqueues", q, "numrxqueues", q,
                    "type", "veth", "peer", "name", p.ifname(), "numtxqueues", q, "numrxqueues", q,
                    "netns", ns(p.role())));
            checked(List.of("ip", "-n", ns(p.role()), "link", "set", "dev", p.ifname(), "address", p.mac(), "up"));
            checked(List.of("ip", "-n", lan(), "link", "set", "dev", p.lanIf(), "master", p.bridge(), "up"));
            if (queues > 1) {
                spreadByCpu(p.lanIf());
            }
        }

        // client: its segment on-link, the rest of the range through the director
        addr(cl(), CLIENT_IP + "/24", "eth0");
        checked(List.of("ip", "-n", cl(), "route", "add", "198.18.0.0/15", "via", LB_CLIENT_SIDE_IP));
        sysctl(cl(), "net.ipv4.ip_local_port_range=1024 65535", "net.ipv4.tcp_tw_reuse=1");
        addr6(cl(), CLIENT_IP6 + "/64", "eth0");
        checked(List.of("ip", "-n", cl(), "-6", "route", "add", "2001:db8::/32", "via", LB_CLIENT_SIDE_IP6));

        // director: a router holding the VIP the seeds' way; DR replies (source VIP, a local address
        // here) cross it on their way back, so they must not be dropped as martians
        addr(lb(), LB_CLIENT_SIDE_IP + "/24", "eth0");
        addr(lb(), LB_SERVER_SIDE_IP + "/24", "eth1");
        checked(List.of("ip", "-n", lb(), "addr", "add", VIP + "/32", "dev", "eth0", "label", "eth0:0"));
        sysctl(lb(), "net.ipv4.ip_forward=1", "net.core.somaxconn=4096", "net.ipv6.conf.all.forwarding=1");
        addr6(lb(), LB_CLIENT_SIDE_IP6 + "/64", "eth0");
        addr6(lb(), LB_SERVER_SIDE_IP6 + "/64", "eth1");
        for (String c : List.of("all", "default", "eth0", "eth1")) {
            sysctl(lb(), "net.ipv4.conf." + c + ".rp_filter=0", "net.ipv4.conf." + c + ".accept_local=1");
        }

        for (String rs : List.of("rs1", "rs2")) {
            String ns = ns(rs);
            addr(ns, rip(rs) + "/24", "eth0");
            checked(List.of("ip", "-n", ns, "route", "add", "default", "via", LB_SERVER_SIDE_IP));
            checked(List.of("ip", "-n", ns, "addr", "add", VIP + "/32", "dev", "lo"));
            addr6(ns, rip6(rs) + "/64", "eth0");
            checked(List.of("ip", "-n", ns, "-6", "route", "add", "default", "via", LB_SERVER_SIDE_IP6));
            addr6(ns, VIP6 + "/128", "lo");
            sysctl(ns, "net.ipv4.conf.all.arp_ignore=1", "net.ipv4.conf.all.arp_announce=2",
                    "net.ipv4.conf.eth0.arp_ignore=1", "net.ipv4.conf.eth0.arp_announce=2",
                    "net.core.somaxconn=4096");
            startNginx(rs);
        }
        checkRouting();
    }

    private static String rip(String rs) {
        return rs.equals("rs1") ? RS1_IP : RS2_IP;
    }

    /** The real server's IPv6 address. */
    public static String rip6(String rs) {
        return rs.equals("rs1") ? RS1_IP6 : RS2_IP6;
    }

    /** An IPv6 address without duplicate address detection (usable at once). */
    private void addr6(String ns, String cidr, String dev) throws IOException {
        checked(List.of("ip", "-n", ns, "-6", "addr", "add", cidr, "dev", dev, "nodad"));
    }

    private void addr(String ns, String cidr, String dev) throws IOException {
        checked(List.of("ip", "-n", ns, "addr", "add", cidr, "dev", dev));
    }

    private void sysctl(String ns, String... settings) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, "sysctl", "-qw"));
        cmd.addAll(List.of(settings));
        checked(cmd);
    }

    private void startNginx(String rs) throws IOException {
        Path dir = runDir.resolve(rs);
        Path www = dir.resolve("www");
        mkdirs(www);
        mkdirs(dir.resolve("tmp"));
        write(www.resolve("index.html"), ("<html><body><h1>" + rs + "</h1><p>" + rip(rs) + "</p></body></html>\n")
                .getBytes(StandardCharsets.US_ASCII));
        byte[] big = new byte[BIG_FILE_BYTES];
        new Random(rs.hashCode()).nextBytes(big);
        write(www.resolve(BIG_FILE.substring(1)), big);
        String d = dir.toString();
        String conf = """
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 4096; }
                http {
                  access_log off;
                  sendfile on; tcp_nodelay on;
                  keepalive_timeout 65; keepalive_requests 100000;
                  client_body_temp_path %1$s/tmp/body; proxy_temp_path %1$s/tmp/proxy;
                  fastcgi_temp_path %1$s/tmp/fastcgi; uwsgi_temp_path %1$s/tmp/uwsgi; scgi_temp_path %1$s/tmp/scgi;
                  types { text/html html; application/octet-stream bin; }
                  server {
                    listen %2$s:80 backlog=4096;
                    listen %3$s:80 backlog=4096;
                    listen [::]:80 ipv6only=on backlog=4096;
                    root %1$s/www;
                    add_header X-Real-Server %4$s;
                  }
                }
                """.formatted(d, rip(rs), VIP, rs);
        write(dir.resolve("nginx.conf"), conf.getBytes(StandardCharsets.US_ASCII));
        // nginx daemonizes: the command returns once the master is up and its sockets listen
        checked(List.of("ip", "netns", "exec", ns(rs), "nginx", "-p", d, "-e", d + "/error.log", "-c", d + "/nginx.conf"));
        if (nginxPid(rs) <= 0) {
            throw new IOException("testbed: nginx in " + ns(rs) + " wrote no pid file: " + dir.resolve("nginx.pid"));
        }
    }

    /** The client reaches both real servers through the director's kernel (no director running yet). */
    private void checkRouting() throws IOException {
        for (String rs : List.of("rs1", "rs2")) {
            Result r = curl("http://" + rip(rs) + "/");
            if (!r.ok() || !r.output().contains("<h1>" + rs + "</h1>")) {
                throw new IOException("testbed: the client does not reach " + rs + " at http://" + rip(rs)
                        + "/ through the director's kernel: exit=" + r.exitCode() + ", output=" + r.output().strip());
            }
            String url6 = "http://[" + rip6(rs) + "]/";
            Result r6 = curl(url6, "-6", "-g");
            if (!r6.ok() || !r6.output().contains("<h1>" + rs + "</h1>")) {
                throw new IOException("testbed: the client does not reach " + rs + " at " + url6
                        + " through the director's kernel: exit=" + r6.exitCode() + ", output=" + r6.output().strip());
            }
        }
    }

    // ---------------------------------------------------------------- running things in the bed

    /** Runs a command inside a namespace and waits for it (30 s at most). */
    public Result exec(String ns, String... cmd) {
        return exec(DEFAULT_TIMEOUT, ns, cmd);
    }

    /** Runs a command inside a namespace and waits for it; when time runs out it is killed ({@link #TIMED_OUT}). */
    public Result exec(Duration timeout, String ns, String... cmd) {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        argv.addAll(List.of(cmd));
        return run(timeout, argv);
    }

    /**
     * Starts a command inside a namespace and returns at once. Its output (stdout and stderr) goes to
     * {@link #logFile(Process)}; {@link #close()} stops it if it still runs.
     */
    public Process startInBackground(String ns, String... cmd) throws IOException {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        argv.addAll(List.of(cmd));
        Path logDir = runDir.resolve("logs");
        mkdirs(logDir);
        String name = Path.of(cmd[0]).getFileName().toString().replaceAll("[^A-Za-z0-9_.-]", "_");
        Path log = logDir.resolve(ns.substring(prefix.length()) + "-" + name + "-" + logCount.incrementAndGet() + ".log");
        // `ip netns exec` execs the command in place, so the PID is the command's own
        Process p = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(log.toFile()).start();
        started.add(p);
        logs.put(p.pid(), log);
        return p;
    }

    /** Where a process of {@link #startInBackground} writes its output. */
    public Path logFile(Process p) {
        return logs.get(p.pid());
    }

    /** The last lines of a background process's output (for error messages). */
    public String logTail(Process p, int lines) {
        Path log = logFile(p);
        try {
            List<String> all = log == null ? List.of() : Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /**
     * SIGTERM, then SIGKILL if it has not ended within 10 s.
     *
     * @return its exit code
     */
    public int stop(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
        return p.isAlive() ? -1 : p.exitValue();
    }

    /**
     * {@code curl -sS} from the client, 10 s at most, each call a new connection. The output is the body
     * (or curl's error message); extra curl options go before the URL.
     */
    public Result curl(String url, String... curlOptions) {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--noproxy", "*", "--max-time", "10"));
        cmd.addAll(List.of(curlOptions));
        cmd.add(url);
        return exec(Duration.ofSeconds(15), cl(), cmd.toArray(String[]::new));
    }

    // ---------------------------------------------------------------- jlvs in the bed

    /**
     * Where jlvs is installed: the system property {@code jlvs.home} (set by {@code bin/jlvs}), else two
     * levels above this class's jar or class directory ({@code ROOT/target/jlvs.jar}).
     */
    public static Path jlvsHome() {
        String home = System.getProperty("jlvs.home");
        Path root;
        if (home != null && !home.isBlank()) {
            root = Path.of(home);
        } else {
            try {
                Path location = Path.of(Testbed.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                root = location.toAbsolutePath().getParent().getParent();
            } catch (Exception e) {
                throw new IllegalStateException("testbed: cannot tell where jlvs is installed; set -Djlvs.home", e);
            }
        }
        if (!Files.isExecutable(root.resolve("bin/jlvs"))) {
            throw new IllegalStateException("testbed: no launcher at " + root.resolve("bin/jlvs")
                    + "; set -Djlvs.home to the jlvs directory");
        }
        return root.toAbsolutePath().normalize();
    }

    /**
     * Starts {@code bin/jlvs director} in the director's namespace (its log: {@link #logFile}); its state file
     * is {@code runDir()/lb-state/rules} unless the options name one.
     */
    public Process startDirector(String... options) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(jlvsHome().resolve("bin/jlvs").toString(), "director"));
        cmd.addAll(List.of(options));
        if (!cmd.contains("--state-file") && !cmd.contains("--no-state-file")) {
            // the rules of a bed's director stay in the bed, gone with it
            cmd.addAll(List.of("--state-file", runDir.resolve("lb-state/rules").toString()));
        }
        return startInBackground(lb(), cmd.toArray(String[]::new));
    }

    /** Waits until {@code ipvsadm -Ln} answers in the director's namespace; fails early if the director ended. */
    public void awaitDirector(Process director, Duration timeout) throws IOException {
        long deadlineNs = System.nanoTime() + timeout.toNanos();
        Result last = null;
        while (System.nanoTime() < deadlineNs) {
            if (!director.isAlive()) {
                throw new IOException("testbed: the director ended (exit " + director.exitValue() + ") before "
                        + "answering; its log:\n" + logTail(director, 20));
            }
            last = ipvsadm("-Ln");
            if (last.ok()) {
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("testbed: interrupted while waiting for the director", e);
            }
        }
        throw new IOException("testbed: the director did not answer `ipvsadm -Ln` within " + timeout.toSeconds()
                + " s; last answer: " + (last == null ? "none" : last.output().strip()) + "\nits log:\n"
                + logTail(director, 20));
    }

    /** {@code bin/ipvsadm ARGS} in the director's namespace. */
    public Result ipvsadm(String... args) {
        List<String> cmd = new ArrayList<>(List.of(jlvsHome().resolve("bin/ipvsadm").toString()));
        cmd.addAll(List.of(args));
        return exec(lb(), cmd.toArray(String[]::new));
    }

    /** {@code bin/jlvs ARGS} in the director's namespace ({@code status}, for one). */
    public Result jlvs(String... args) {
        List<String> cmd = new ArrayList<>(List.of(jlvsHome().resolve("bin/jlvs").toString()));
        cmd.addAll(List.of(args));
        return exec(lb(), cmd.toArray(String[]::new));
    }

    /** The control socket a director in the director's namespace listens on. */
    public Path controlSocket() throws IOException {
        Object inode = Files.getAttribute(NETNS_DIR.resolve(lb()), "unix:ino");
        return ControlSocket.runDir().resolve("ctl-" + inode + ".sock");
    }

    // ---------------------------------------------------------------- teardown

    /**
     * Stops everything this bed started (by PID: the background processes, nginx by its pid file, then
     * whatever still runs inside its namespaces), deletes its namespaces and its run directory. Safe to call
     * more than once and after a partial build; problems are printed to stderr, never thrown.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<ProcessHandle> stopping = new ArrayList<>();
        synchronized (started) {
            for (Process p : started) {
                if (p.isAlive()) {
                    p.destroy();
                    stopping.add(p.toHandle());
                }
            }
        }
        for (String rs : List.of("rs1", "rs2")) {
            long pid = nginxPid(rs);
            if (pid > 0 && namespaces.contains(ns(rs)) && pidsIn(ns(rs)).contains(pid)) {
                ProcessHandle.of(pid).ifPresent(h -> {
                    h.destroy();
                    stopping.add(h);
                });
            }
        }
        awaitEnd(stopping);
        List<String> mine;
        synchronized (namespaces) {
            mine = new ArrayList<>(namespaces);
        }
        // whatever is left inside our namespaces (nginx workers, a command that outlived its timeout)
        List<ProcessHandle> left = new ArrayList<>();
        for (String ns : mine) {
            for (long pid : pidsIn(ns)) {
                ProcessHandle.of(pid).ifPresent(h -> {
                    h.destroy();
                    left.add(h);
                });
            }
        }
        awaitEnd(left);
        for (String ns : mine.reversed()) {
            Result r = run(DEFAULT_TIMEOUT, List.of("ip", "netns", "del", ns));
            if (r.ok() || !Files.exists(NETNS_DIR.resolve(ns))) {
                namespaces.remove(ns);
            } else {
                System.err.println("testbed: could not delete namespace " + ns + ": " + r.output().strip());
            }
        }
        deleteTree(runDir);
    }

    private static void awaitEnd(List<ProcessHandle> handles) {
        long deadlineNs = System.nanoTime() + STOP_GRACE.toNanos();
        for (ProcessHandle h : handles) {
            try {
                long leftNs = Math.max(1, deadlineNs - System.nanoTime());
                h.onExit().get(leftNs, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // keep tearing down, but without waiting
                h.destroyForcibly();
            } catch (ExecutionException | TimeoutException e) {
                if (h.isAlive()) {
                    System.err.println("testbed: pid " + h.pid() + " ignored SIGTERM for "
                            + STOP_GRACE.toSeconds() + " s; sending SIGKILL");
                    h.destroyForcibly();
                }
            }
        }
    }

    /** PIDs of the processes in a namespace ({@code ip netns pids}); empty when it cannot tell. */
    private static List<Long> pidsIn(String ns) {
        if (!Files.exists(NETNS_DIR.resolve(ns))) {
            return List.of();
        }
        Result r = run(DEFAULT_TIMEOUT, List.of("ip", "netns", "pids", ns));
        if (!r.ok()) {
            return List.of();
        }
        List<Long> pids = new ArrayList<>();
        for (String line : r.output().split("\\s+")) {
            if (line.matches("\\d+")) {
                long pid = Long.parseLong(line);
                if (pid != ProcessHandle.current().pid()) {
                    pids.add(pid);
                }
            }
        }
        return pids;
    }

    private long nginxPid(String rs) {
        try {
            Path f = runDir.resolve(rs).resolve("nginx.pid");
            String s = Files.exists(f) ? Files.readString(f).strip() : "";
            return s.matches("\\d+") ? Long.parseLong(s) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            System.err.println("testbed: could not delete " + dir + ": " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- helpers

    /** The tools of {@code names} that are not on PATH (nor in /sbin, /usr/sbin). */
    public static List<String> missingTools(String... names) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        List<String> missing = new ArrayList<>();
        for (String name : names) {
            boolean found = dirs.stream().filter(d -> !d.isEmpty())
                    .anyMatch(d -> Files.isExecutable(Path.of(d, name)));
            if (!found) {
                missing.add(name);
            }
        }
        return missing;
    }

    /** Whether this process runs as root (effective uid 0). */
    public static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[2].equals("0");
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return false;
    }

    private static void checked(List<String> argv) throws IOException {
        Result r = run(DEFAULT_TIMEOUT, argv);
        if (!r.ok()) {
            throw new IOException("testbed: `" + String.join(" ", argv) + "` failed (exit " + r.exitCode() + "): "
                    + r.output().strip());
        }
    }

    /** Runs argv with its output in a temporary file (a daemon keeping a pipe open cannot stall us). */
    private static Result run(Duration timeout, List<String> argv) {
        Path out;
        try {
            out = Files.createTempFile("jlvs-testbed-", ".out");
        } catch (IOException e) {
            return new Result(127, "cannot create a temporary file: " + e.getMessage());
        }
        try {
            Process p;
            try {
                p = new ProcessBuilder(argv).redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(out.toFile()).start();
            } catch (IOException e) {
                return new Result(127, argv.getFirst() + ": " + e.getMessage());
            }
            boolean done;
            try {
                done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                done = false;
            }
            if (!done) {
                p.destroyForcibly();
                try {
                    p.waitFor(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            String text = new String(Files.readAllBytes(out), StandardCharsets.UTF_8);
            if (!done) {
                return new Result(TIMED_OUT, text + "\n(killed after " + timeout.toSeconds() + " s)");
            }
            return new Result(p.exitValue(), text);
        } catch (IOException e) {
            return new Result(127, "cannot read the output of " + argv.getFirst() + ": " + e.getMessage());
        } finally {
            try {
                Files.deleteIfExists(out);
            } catch (IOException e) {
                // a stray temporary file is harmless
            }
        }
    }

    /** Creates a directory readable by nginx's unprivileged workers (rwxr-xr-x all the way). */
    private static void mkdirs(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (Path p = dir; p != null && p.startsWith(RUN_BASE); p = p.getParent()) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    private static void write(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    }
}
