package io.jlvs.keepalived;

import io.jlvs.app.Director;
import io.jlvs.control.ControlClient;
import io.jlvs.control.IpvsApi;
import io.jlvs.io.linux.PacketSocket;
import io.jlvs.keepalived.check.ProcessRunner;
import io.jlvs.keepalived.check.RealScheduler;
import io.jlvs.keepalived.config.ConfigLoader;
import io.jlvs.keepalived.config.Diagnostic;
import io.jlvs.keepalived.config.KeepalivedConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The running {@code keepalived}: reads the configuration, finds the director of this network namespace (or
 * starts one in-process when none runs, so a keepalived-only site needs nothing else), runs the checkers
 * through {@link CheckEngine}, reloads on SIGHUP and removes what it installed on SIGTERM/SIGINT.
 *
 * <p>Reload: the new file is parsed completely first; if it has any error (anything that makes the file not
 * what its author wrote: unknown keyword, bad value, brace problem, missing file or parameter) the running
 * configuration stays and every error is logged with {@code file:line}. Otherwise only the difference is
 * applied. This is keepalived's behaviour with {@code reload_check_config}, which jlvs always has.
 */
public final class KeepalivedDaemon {
    /** keepalived's exit statuses. */
    public static final int EXIT_OK = 0;
    public static final int EXIT_FATAL = 1;
    public static final int EXIT_CONFIG = 2;
    public static final int EXIT_NO_CONFIG = 6;

    private final Options options;
    private final Log log;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private CheckEngine engine;
    private io.jlvs.vrrp.VrrpEngine vrrp;
    private LvsSyncDaemon syncDaemon;
    private IpvsApi ipvs;
    private Director director;
    private ControlClient client;
    private RealScheduler scheduler;
    private ExecutorService probes;
    private volatile KeepalivedConfig config;
    private Path pidFile;

    public KeepalivedDaemon(Options options, Log log) {
        this.options = options;
        this.log = log;
    }

    /** Loads, connects, starts; returns the exit status when it cannot start, or -1 when running. */
    public int start() {
        ConfigLoader.Result r = ConfigLoader.load(ConfigLoader.Options.system(options.configFile(), false,
                options.configId()));
        report(r);
        if (r.noConfig()) {
            log.info("Unable to find configuration file " + options.configFile());
            return EXIT_NO_CONFIG;
        }
        if (r.fatal()) {
            log.info("Keepalived_healthcheckers exited with permanent error CONFIG. Terminating");
            return EXIT_CONFIG;
        }
        if (r.fileError()) {
            return EXIT_NO_CONFIG;
        }
        config = r.config();
        if (!writePidFile()) {
            return EXIT_FATAL;
        }
        IpvsApi ipvs;
        try {
            ipvs = connect();
        } catch (IOException | RuntimeException e) {
            log.info("IPVS: no director in this network namespace and none could be started: " + e.getMessage());
            deletePidFile();
            return EXIT_FATAL;
        }
        scheduler = new RealScheduler();
        probes = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("keepalived-check-", 0).factory());
        engine = new CheckEngine(ipvs, scheduler, probes, ProcessRunner.SYSTEM, new Notifier(ProcessRunner.SYSTEM, log),
                log, new SecureRandom());
        if (!options.vrrpOnly() || options.checkersOnly()) {
            engine.start(config);
        }
        this.ipvs = ipvs;
        boolean runsVrrp = runsVrrp(config);
        syncDaemon = syncDaemon(config, runsVrrp);
        if (runsVrrp) {
            // the VRRP half (keepalived's Keepalived_vrrp): VIPs move with mastership; not re-read on SIGHUP yet
            vrrp = io.jlvs.vrrp.VrrpEngine.start(io.jlvs.vrrp.KeepalivedVrrpAdapter.settings(config, log::info),
                    io.jlvs.vrrp.VrrpEngine.Options.DEFAULT,
                    syncDaemon != null && syncDaemon.instance() != null ? List.of(syncDaemon) : List.of());
            log.info("VRRP: " + config.vrrp().instances().size() + " instance(s) started");
        }
        installSignals();
        log.info("Startup complete (jlvs keepalived, pid " + ProcessHandle.current().pid() + ", "
                + config.virtualServers().size() + " virtual server(s))");
        return -1;
    }

    /**
     * {@code lvs_sync_daemon} as keepalived 2.2 runs it: following its VRRP instance (a backup daemon from now on,
     * switched by {@link LvsSyncDaemon#stateChanged}) when the instance runs here, or master and backup together
     * in the checker half when no instance is named. Null when there is nothing to run.
     */
    private LvsSyncDaemon syncDaemon(KeepalivedConfig config, boolean runsVrrp) {
        io.jlvs.keepalived.config.GlobalDefs.SyncDaemon sd = config.global().lvsSyncDaemon();
        if (sd == null) {
            return null;
        }
        if (sd.vrrpInstance() == null) {
            if (options.vrrpOnly() && !options.checkersOnly()) {
                return null;
            }
            LvsSyncDaemon d = new LvsSyncDaemon(ipvs, sd, -1, log);
            d.startBoth();
            return d;
        }
        if (!runsVrrp) {
            return null; // keepalived: the VRRP process owns a daemon that follows an instance
        }
        var instance = config.vrrp().instances().stream().filter(i -> i.name().equals(sd.vrrpInstance())).findFirst();
        if (instance.isEmpty()) {
            log.info("Unable to find vrrp instance " + sd.vrrpInstance() + " for lvs_syncd - clearing lvs_syncd config");
            return null;
        }
        LvsSyncDaemon d = new LvsSyncDaemon(ipvs, sd, instance.get().virtualRouterId(), log);
        d.instanceStarted(io.jlvs.vrrp.VrrpState.BACKUP);
        return d;
    }

    private boolean runsVrrp(KeepalivedConfig c) {
        return (!options.checkersOnly() || options.vrrpOnly()) && !c.vrrp().instances().isEmpty();
    }

    /**
     * The VRRP half of a reload (keepalived's reload_vrrp_thread): instances still configured keep their state,
     * removed ones stop, new ones start ({@link io.jlvs.vrrp.VrrpEngine#reload}); then {@code lvs_sync_daemon} is
     * restarted if its setting changed. False, with nothing changed, when the new VRRP part cannot run.
     */
    private boolean reloadVrrp(KeepalivedConfig next) {
        boolean runs = runsVrrp(next);
        try {
            if (vrrp != null && runs) {
                vrrp.reload(io.jlvs.vrrp.KeepalivedVrrpAdapter.settings(next, log::info));
                log.info("VRRP: reloaded, " + next.vrrp().instances().size() + " instance(s)");
            } else if (runs) {
                vrrp = io.jlvs.vrrp.VrrpEngine.start(io.jlvs.vrrp.KeepalivedVrrpAdapter.settings(next, log::info),
                        io.jlvs.vrrp.VrrpEngine.Options.DEFAULT, List.of());
                log.info("VRRP: " + next.vrrp().instances().size() + " instance(s) started");
            }
        } catch (RuntimeException e) {
            log.info("Reload abandoned: VRRP: " + e.getMessage() + "; still running the previous configuration");
            return false;
        }
        if (vrrp != null && !runs) {
            vrrp.stop();
            vrrp = null;
            log.info("VRRP: no vrrp_instance left - stopped");
        }
        var before = config.global().lvsSyncDaemon();
        var after = next.global().lvsSyncDaemon();
        if (!java.util.Objects.equals(before, after) || (syncDaemon != null && syncDaemon.instance() != null
                && vrrp == null)) {
            if (syncDaemon != null) {
                syncDaemon.stopAll();
            }
            syncDaemon = null;
            if (after != null) {
                syncDaemon = syncDaemonAfterReload(next, runs);
            }
        }
        return true;
    }

    private LvsSyncDaemon syncDaemonAfterReload(KeepalivedConfig next, boolean runs) {
        LvsSyncDaemon d = syncDaemon(next, runs);
        if (d != null && d.instance() != null && vrrp != null) {
            io.jlvs.vrrp.VrrpState now = vrrp.state(d.instance());
            if (now == io.jlvs.vrrp.VrrpState.MASTER) {
                d.stateChanged(d.instance(), false, io.jlvs.vrrp.VrrpState.BACKUP, now, 0);
            }
            vrrp.addListener(d);
        }
        return d;
    }

    /** The director to drive: the namespace's running one, else one started here. */
    private IpvsApi connect() throws IOException {
        try {
            client = ControlClient.connect();
            log.info("Using the jlvs director of this network namespace (control socket)");
            if (!config.bgp().empty()) {
                log.info("bgp_speaker: not used - the running director announces by its own --bgp-* options");
            }
            return new SynchronizedIpvs(client);
        } catch (IOException e) {
            log.info("No jlvs director runs in this network namespace - starting one in-process");
        }
        director = new Director(new Director.Options(List.of(), 1 << 20, PacketSocket.RingVersion.V3, 262144, 64, 1, 10));
        // VRRP moves the VIPs: only the director that holds one may answer ARP for it (as the kernel does)
        director.vipArpHeldOnly(!config.vrrp().instances().isEmpty());
        try {
            director.bgp(config.bgp().settings()); // null without a bgp_speaker block
        } catch (IllegalArgumentException e) {
            director.close();
            director = null;
            throw new IllegalStateException("bgp_speaker in " + config.mainFile() + ": " + e.getMessage(), e);
        }
        try {
            director.start();
        } catch (IOException | RuntimeException e) {
            director.close();
            director = null;
            throw e;
        }
        return director.ipvs();
    }

    private void report(ConfigLoader.Result r) {
        for (Diagnostic d : r.diagnostics()) {
            log.info(d.text());
        }
        for (String s : r.logs()) {
            log.detail(s);
        }
    }

    private void installSignals() {
        try {
            Signals.on("HUP", () -> Thread.ofVirtual().name("keepalived-reload").start(this::reload));
            Signals.on("USR1", this::dump);
        } catch (IllegalStateException e) {
            log.info("jlvs: cannot handle signals (" + e.getMessage() + "); reload with SIGHUP is not available");
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "keepalived-stop"));
    }

    /** SIGHUP: parse the file again; apply it only if it is clean, else keep running the old one. */
    public synchronized void reload() {
        log.info("Reloading");
        ConfigLoader.Result r = ConfigLoader.load(ConfigLoader.Options.system(options.configFile(), false,
                options.configId()));
        if (!r.usableForReload()) {
            for (Diagnostic d : r.diagnostics()) {
                log.info(d.withPosition());
            }
            if (r.noConfig()) {
                log.info("Reload abandoned: cannot read " + options.configFile());
            }
            log.info("Reload abandoned: the new configuration has " + Math.max(1, r.blocking().size())
                    + " error(s); still running the previous configuration");
            return;
        }
        report(r);
        if (!reloadVrrp(r.config())) {
            return;
        }
        try {
            engine.reload(r.config());
        } catch (RuntimeException e) {
            // the engine applies what it can; whatever failed is retried by the checkers' next transitions
            log.info("Reload incomplete: " + e);
            return;
        }
        config = r.config();
        log.info("Reload complete");
    }

    private void dump() {
        for (CheckEngine.ServiceView v : engine.view()) {
            log.info("VS " + v.display() + " quorum " + (v.quorumUp() ? "up" : "down")
                    + (v.sorryActive() ? " (sorry server active)" : ""));
            for (CheckEngine.ServerView s : v.servers()) {
                log.info("  RS " + s.address().getHostAddress() + ":" + s.port() + (s.alive() ? " alive" : " down")
                        + (s.inTable() ? " in table" : "") + " weight " + s.effectiveWeight() + " " + s.checkers());
            }
        }
    }

    /** SIGTERM: remove what was installed, stop the in-process director if there is one. */
    public void stop() {
        synchronized (this) {
            if (stopped.getCount() == 0) {
                return;
            }
            log.info("Stopping");
            if (vrrp != null) {
                vrrp.stop(); // priority 0 first: the backup takes the VIP at once
            }
            if (syncDaemon != null) {
                syncDaemon.stopAll();
            }
            if (engine != null) {
                engine.stop();
            }
            if (probes != null) {
                probes.shutdownNow();
            }
            if (scheduler != null) {
                scheduler.close();
            }
            if (client != null) {
                try {
                    client.close();
                } catch (IOException e) {
                    // the director may already be gone
                }
            }
            if (director != null) {
                director.close();
            }
            deletePidFile();
            stopped.countDown();
        }
        // stderr, not the log: logging may be shut down when this runs from the hook
        System.err.println("Stopped jlvs keepalived");
    }

    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    public CheckEngine engine() {
        return engine;
    }

    private boolean writePidFile() {
        if (options.pidFile() == null) {
            return true;
        }
        Path p = Path.of(options.pidFile());
        long running = readPid(p);
        if (running > 0 && running != ProcessHandle.current().pid()
                && ProcessHandle.of(running).map(ProcessHandle::isAlive).orElse(false)) {
            log.info("daemon is already running (pid " + running + " in " + p + ")");
            return false;
        }
        try {
            if (p.getParent() != null) {
                Files.createDirectories(p.getParent());
            }
            Files.writeString(p, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
            pidFile = p;
            return true;
        } catch (IOException e) {
            log.info("Unable to write pid file " + p + ": " + e.getMessage());
            return false;
        }
    }

    private void deletePidFile() {
        if (pidFile != null) {
            try {
                if (readPid(pidFile) == ProcessHandle.current().pid()) {
                    Files.deleteIfExists(pidFile);
                }
            } catch (IOException e) {
                // nothing more to do at exit
            }
        }
    }

    /** The pid in a pid file, or -1. */
    public static long readPid(Path p) {
        try {
            return Long.parseLong(Files.readString(p, StandardCharsets.US_ASCII).strip());
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }
}
