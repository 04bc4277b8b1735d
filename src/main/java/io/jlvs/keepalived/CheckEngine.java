package io.jlvs.keepalived;

import io.jlvs.control.DestConfig;
import io.jlvs.control.Errno;
import io.jlvs.control.ForwardMethod;
import io.jlvs.control.IpvsApi;
import io.jlvs.control.IpvsException;
import io.jlvs.control.Protocol;
import io.jlvs.control.ServiceConfig;
import io.jlvs.control.ServiceKey;
import io.jlvs.keepalived.check.CheckerState;
import io.jlvs.keepalived.check.Checkers;
import io.jlvs.keepalived.check.FileChecker;
import io.jlvs.keepalived.check.HealthChecker;
import io.jlvs.keepalived.check.ProcessRunner;
import io.jlvs.keepalived.check.Scheduler;
import io.jlvs.keepalived.config.CheckerConfig;
import io.jlvs.keepalived.config.GlobalDefs;
import io.jlvs.keepalived.config.Inet;
import io.jlvs.keepalived.config.KeepalivedConfig;
import io.jlvs.keepalived.config.RealServer;
import io.jlvs.keepalived.config.VirtualServer;
import io.jlvs.keepalived.config.VirtualServerGroup;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.Executor;

/**
 * The checker daemon's core, keepalived's check/ipwrapper.c: it keeps the director's table in step with the
 * real servers' health exactly as keepalived drives kernel IPVS. Services and real servers are added at start
 * (alpha servers wait for their first success), a failed server is removed (or set to weight 0 with
 * {@code inhibit_on_failure}), a recovered one re-added, the sorry server takes over when the quorum is lost,
 * and everything it added is removed at stop. A reload matches old and new configuration and changes only the
 * difference, carrying over the health state of unchanged checkers.
 *
 * <p>Threads: each checker attempt runs on the probe executor (virtual threads), so a slow server delays only
 * itself; every state change happens under this object's lock, in the order results arrive. Time comes from a
 * {@link Scheduler}, so tests drive it by hand.
 */
public final class CheckEngine {
    private static final long BOOTSTRAP_DELAY_US = 1_000_000L;
    private static final long FILE_POLL_US = 1_000_000L;
    private static final int MAX_GROUP_ADDRESSES = 65536;

    /** Makes the running checker of a checker configuration (tests substitute scripted ones). */
    @FunctionalInterface
    public interface CheckerFactory {
        HealthChecker create(CheckerConfig config, VirtualServer vs);
    }

    private final IpvsApi ipvs;
    private final Scheduler scheduler;
    private final CheckerFactory factory;
    private final Executor probes;
    private final ProcessRunner runner;
    private final Notifier notifier;
    private final Log log;
    private final Random random;
    private GlobalDefs global;
    private List<VirtualServerGroup> groups = List.of();
    private final List<Vs> services = new ArrayList<>();
    private long generation;
    private boolean stopped;

    /** A virtual server at run time. */
    static final class Vs {
        VirtualServer cfg;
        List<ServiceKey> keys = List.of();
        boolean alive;
        boolean quorumUp;
        boolean reloaded;
        Rs sorry;
        final List<Rs> rs = new ArrayList<>();

        String display() {
            return cfg.display();
        }
    }

    /** A real (or sorry) server at run time. */
    static final class Rs {
        RealServer cfg;
        boolean alive;
        boolean set;
        long effectiveWeight;
        int numFailed;
        boolean reloaded;
        final List<Chk> checkers = new ArrayList<>();

        boolean inhibit() {
            return cfg.inhibitOnFailure();
        }
    }

    /** One checker at run time. */
    static final class Chk {
        CheckerConfig cfg;
        HealthChecker checker;
        CheckerState state;
        Vs vs;
        Rs rs;
        Scheduler.Task timer;
        long generation;
        long contribution;
        long fileStatus;
        boolean file;
    }

    public CheckEngine(IpvsApi ipvs, Scheduler scheduler, Executor probes, ProcessRunner runner, Notifier notifier,
                       Log log, Random random) {
        this(ipvs, scheduler, probes, runner, notifier, log, random, (c, vs) -> Checkers.create(c, vs, runner));
    }

    public CheckEngine(IpvsApi ipvs, Scheduler scheduler, Executor probes, ProcessRunner runner, Notifier notifier,
                       Log log, Random random, CheckerFactory factory) {
        this.factory = factory;
        this.ipvs = ipvs;
        this.scheduler = scheduler;
        this.probes = probes;
        this.runner = runner;
        this.notifier = notifier;
        this.log = log;
        this.random = random;
    }

    // ---------------------------------------------------------------- start

    /** keepalived's {@code start_check}: table set up from the configuration, checkers scheduled. */
    public synchronized void start(KeepalivedConfig config) {
        stopped = false;
        generation++;
        global = config.global();
        groups = config.groups();
        notifier.configure(global);
        if (global.lvsFlush()) {
            try {
                ipvs.flush();
            } catch (IpvsException e) {
                log.info("IPVS: can't flush the table: " + e.getMessage());
            }
        }
        warnUnsupported(config);
        for (VirtualServer v : config.virtualServers()) {
            services.add(build(v));
        }
        for (Vs v : services) {
            initServiceVs(v);
        }
        for (Vs v : services) {
            for (Rs r : v.rs) {
                for (Chk c : r.checkers) {
                    scheduleFirst(c);
                }
            }
        }
    }

    private void warnUnsupported(KeepalivedConfig config) {
        GlobalDefs g = config.global();
        if (g.lvsTimeouts().tcpS() != 0 || g.lvsTimeouts().tcpFinS() != 0 || g.lvsTimeouts().udpS() != 0) {
            log.info("jlvs: lvs_timeouts is not applied (the director's control API has no timeout command; "
                    + "use ipvsadm --set)");
        }
        for (VirtualServer v : config.virtualServers()) {
            if (v.haSuspend()) {
                log.info("jlvs: ha_suspend on VS " + v.display() + " is ignored: its checkers always run");
            }
            for (RealServer r : v.realServers()) {
                for (CheckerConfig c : r.checkers()) {
                    if (c instanceof CheckerConfig.Bfd b) {
                        log.info("jlvs: BFD_CHECK " + b.name() + " of " + v.display(r) + " is assumed up (no BFD in jlvs)");
                    }
                    CheckerConfig.Connection conn = connection(c);
                    if (conn != null && (conn.bindInterface() != null || conn.fwmark() != 0)) {
                        log.info("jlvs: bind_if/fwmark of " + c.type() + " for " + v.display(r) + " are not applied");
                    }
                }
            }
        }
    }

    private static CheckerConfig.Connection connection(CheckerConfig c) {
        return switch (c) {
            case CheckerConfig.Tcp t -> t.connection();
            case CheckerConfig.Http h -> h.connection();
            case CheckerConfig.Dns d -> d.connection();
            case CheckerConfig.Smtp s -> s.connection();
            case CheckerConfig.Udp u -> u.connection();
            case CheckerConfig.Ping p -> p.connection();
            default -> null;
        };
    }

    private Vs build(VirtualServer v) {
        Vs vs = new Vs();
        vs.cfg = v;
        vs.keys = keys(v);
        for (RealServer r : v.realServers()) {
            vs.rs.add(buildRs(vs, r));
        }
        if (v.sorryServer() != null) {
            Rs s = new Rs();
            s.cfg = withInhibit(v.sorryServer(), v.sorryServerInhibit());
            s.effectiveWeight = 1;
            vs.sorry = s;
        }
        return vs;
    }

    private static RealServer withInhibit(RealServer r, boolean inhibit) {
        return new RealServer(r.address(), r.forwarding(), r.weight(), r.upperThreshold(), r.lowerThreshold(), inhibit,
                r.alpha(), r.notifyUp(), r.notifyDown(), r.smtpAlert(), r.virtualhost(), r.checkers());
    }

    private Rs buildRs(Vs vs, RealServer r) {
        Rs rs = new Rs();
        rs.cfg = r;
        rs.effectiveWeight = r.weight();
        for (CheckerConfig c : r.checkers()) {
            Chk k = new Chk();
            k.cfg = c;
            k.vs = vs;
            k.rs = rs;
            k.checker = factory.create(c, vs.cfg);
            boolean http = c instanceof CheckerConfig.Http;
            k.state = new CheckerState(c.timing(), k.checker.steps(),
                    http && ((CheckerConfig.Http) c).fastRecovery());
            if (c instanceof CheckerConfig.File) {
                k.file = true;
                k.state.markRun();
                FileChecker f = (FileChecker) k.checker;
                k.fileStatus = f.status(f.readValue());
                if (k.fileStatus == FileChecker.FAULT) {
                    k.state.setUp(false);
                    rs.numFailed++;
                } else {
                    k.contribution = k.fileStatus;
                    rs.effectiveWeight += k.fileStatus;
                }
            } else if (c.timing().alpha()) {
                rs.numFailed++;
            }
            rs.checkers.add(k);
        }
        return rs;
    }

    // ---------------------------------------------------------------- IPVS mapping

    /** The IPVS services of a virtual server: one, or one per address and fwmark of its group. */
    private List<ServiceKey> keys(VirtualServer v) {
        Protocol proto = Protocol.ofNumber(v.protocol());
        return switch (v.kind()) {
            case ADDRESS -> List.of(ServiceKey.of(proto, v.address().address(), v.address().port()));
            case FWMARK -> List.of(ServiceKey.ofFwmark(v.af(), (int) v.fwmark()));
            case GROUP -> {
                List<ServiceKey> out = new ArrayList<>();
                VirtualServerGroup g = groups.stream().filter(x -> x.name().equals(v.group())).findFirst().orElse(null);
                if (g != null) {
                    for (VirtualServerGroup.Entry e : g.entries()) {
                        if (e.isFwmark()) {
                            out.add(ServiceKey.ofFwmark(e.fwmarkFamily() != 0 ? e.fwmarkFamily() : v.af(),
                                    (int) e.fwmark()));
                            continue;
                        }
                        byte[] a = e.start().getAddress();
                        byte[] end = e.end().getAddress();
                        int count = 0;
                        while (java.util.Arrays.compareUnsigned(a, end) <= 0 && count++ < MAX_GROUP_ADDRESSES) {
                            out.add(ServiceKey.of(proto, Inet.fromBytes(a.clone()), e.port()));
                            if (!increment(a)) {
                                break;
                            }
                        }
                    }
                }
                yield out;
            }
        };
    }

    private static boolean increment(byte[] a) {
        for (int i = a.length - 1; i >= 0; i--) {
            if (++a[i] != 0) {
                return true;
            }
        }
        return false;
    }

    private ServiceConfig serviceConfig(VirtualServer v, ServiceKey k) {
        int flags = v.flags();
        int timeout = 0;
        int netmask = k.af() == Inet.AF_INET6 ? 128 : 0xffffffff;
        if (v.persistenceTimeoutS() > 0) {
            flags |= ServiceConfig.F_PERSISTENT;
            timeout = (int) v.persistenceTimeoutS();
            if (v.persistenceGranularity() >= 0) {
                netmask = (int) v.persistenceGranularity();
            }
        }
        return new ServiceConfig(k, v.scheduler(), flags, timeout, netmask,
                v.persistenceTimeoutS() > 0 ? v.persistenceEngine() : null);
    }

    private static int realWeight(long w) {
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, w));
    }

    private DestConfig dest(ServiceKey k, Rs rs, int weight) {
        RealServer r = rs.cfg;
        ForwardMethod m = r.forwarding().method();
        int port = r.address().port();
        if (m != ForwardMethod.MASQ) {
            port = k.hasFwmark() ? 0 : k.port();
        }
        return new DestConfig(r.address().address(), port, m, weight, (int) Math.min(Integer.MAX_VALUE, r.upperThreshold()),
                (int) Math.min(Integer.MAX_VALUE, r.lowerThreshold()), r.forwarding().tunnelType(),
                r.forwarding().tunnelPort(), r.forwarding().tunnelFlags());
    }

    private enum Cmd { ADD_DEST, DEL_DEST, EDIT_DEST }

    /** keepalived's {@code ipvs_cmd} for a destination, with its {@code inhibit_on_failure} rewriting. */
    private boolean ipvsCmd(Cmd cmd, Vs vs, Rs rs) {
        int weight = realWeight(rs.effectiveWeight);
        if (cmd == Cmd.DEL_DEST && rs.inhibit()) {
            weight = 0;
            cmd = Cmd.EDIT_DEST;
        } else if (cmd == Cmd.ADD_DEST && rs.inhibit() && rs.set) {
            cmd = Cmd.EDIT_DEST;
        } else if (cmd == Cmd.ADD_DEST && !rs.set) {
            rs.set = true;
            if (rs.inhibit() && rs.numFailed > 0) {
                weight = 0;
            }
        } else if (cmd == Cmd.DEL_DEST && rs.set) {
            rs.set = false;
        }
        boolean ok = true;
        for (ServiceKey k : vs.keys) {
            DestConfig d = dest(k, rs, weight);
            try {
                switch (cmd) {
                    case ADD_DEST -> {
                        try {
                            ipvs.addDest(k, d);
                        } catch (IpvsException e) {
                            if (e.errno() != Errno.EEXIST) {
                                throw e;
                            }
                            ipvs.editDest(k, d);
                        }
                    }
                    case EDIT_DEST -> {
                        try {
                            ipvs.editDest(k, d);
                        } catch (IpvsException e) {
                            if (e.errno() != Errno.ENOENT) {
                                throw e;
                            }
                            ipvs.addDest(k, d);
                        }
                    }
                    case DEL_DEST -> {
                        try {
                            ipvs.deleteDest(k, d.address(), d.port());
                        } catch (IpvsException e) {
                            if (e.errno() != Errno.ENOENT) {
                                throw e;
                            }
                        }
                    }
                }
            } catch (IpvsException e) {
                log.info("IPVS (cmd " + cmd + ", errno " + e.errno() + "): " + e.getMessage());
                ok = false;
            }
        }
        return ok;
    }

    private void addServices(Vs vs, List<ServiceKey> keys) {
        for (ServiceKey k : keys) {
            ServiceConfig s = serviceConfig(vs.cfg, k);
            try {
                ipvs.addService(s);
            } catch (IpvsException e) {
                try {
                    if (e.errno() != Errno.EEXIST) {
                        throw e;
                    }
                    log.info("IPVS: service " + k + " exists already - taking it over");
                    ipvs.editService(s);
                } catch (IpvsException e2) {
                    log.info("IPVS (cmd ADD, errno " + e2.errno() + "): " + e2.getMessage());
                }
            }
        }
    }

    private void deleteServices(List<ServiceKey> keys) {
        for (ServiceKey k : keys) {
            try {
                ipvs.deleteService(k);
            } catch (IpvsException e) {
                if (e.errno() != Errno.ESRCH) {
                    log.info("IPVS (cmd DEL, errno " + e.errno() + "): " + e.getMessage());
                }
            }
        }
    }

    // ---------------------------------------------------------------- ipwrapper.c

    private void initServiceVs(Vs vs) {
        if (!vs.alive || vs.cfg.kind() == VirtualServer.Kind.GROUP) {
            if (!vs.reloaded) {
                addServices(vs, vs.keys);
            }
            vs.alive = true;
        }
        initServiceRs(vs);
        updateQuorumState(vs, true);
        Rs s = vs.sorry;
        if (s != null && s.inhibit() && !s.set) {
            if (sorryDuplicatesRs(vs)) {
                s.set = true;
            } else {
                s.numFailed = 1;
                ipvsCmd(Cmd.ADD_DEST, vs, s);
                s.numFailed = 0;
            }
        }
    }

    private static boolean sorryDuplicatesRs(Vs vs) {
        for (Rs r : vs.rs) {
            if (r.cfg.address().equals(vs.sorry.cfg.address())) {
                return true;
            }
        }
        return false;
    }

    private void initServiceRs(Vs vs) {
        for (Rs rs : vs.rs) {
            if (rs.reloaded) {
                continue;
            }
            if ((rs.numFailed == 0 && !rs.alive) || (rs.inhibit() && !rs.set)) {
                ipvsCmd(Cmd.ADD_DEST, vs, rs);
                if (rs.numFailed == 0) {
                    rs.alive = true;
                    if (global.rsInitNotifies()) {
                        doRsNotifies(vs, rs, false);
                    }
                }
            }
        }
    }

    private long weighLive(Vs vs) {
        long sum = 0;
        for (Rs r : vs.rs) {
            if (r.alive) {
                sum += realWeight(r.effectiveWeight);
            }
        }
        return sum;
    }

    private void doVsNotifies(Vs vs, boolean init, long threshold, long sum, boolean stopping) {
        if (stopping && !vs.cfg.omega()) {
            return;
        }
        var script = vs.quorumUp ? vs.cfg.quorumUp() : vs.cfg.quorumDown();
        if (stopping) {
            notifier.scriptAtStop(script);
        } else {
            notifier.script(script);
        }
        notifier.fifo("VS " + vs.display() + " " + (vs.quorumUp ? "UP" : "DOWN"));
        if (vs.cfg.smtpAlert()) {
            String what = stopping ? "=> Shutting down <="
                    : "=> " + (vs.quorumUp ? init ? "Starting with quorum up" : "Gained quorum"
                    : init ? "Starting with quorum down" : "Lost quorum") + " " + vs.cfg.quorum() + "+"
                    + vs.cfg.hysteresis() + "=" + threshold + " <= " + sum + " <=";
            log.info("SMTP alert (not sent by jlvs): [" + global.routerId() + "] Virtualserver " + vs.display() + " - "
                    + (vs.quorumUp ? "UP" : "DOWN") + " " + what);
        }
    }

    private void doRsNotifies(Vs vs, Rs rs, boolean stopping) {
        var script = rs.alive ? rs.cfg.notifyUp() : rs.cfg.notifyDown();
        if (stopping) {
            notifier.scriptAtStop(script);
        } else {
            notifier.script(script);
        }
        notifier.fifo("RS " + vs.cfg.display(rs.cfg) + " " + vs.display() + " " + (rs.alive ? "UP" : "DOWN"));
    }

    private void performQuorumState(Vs vs, boolean add) {
        log.info((add ? "Adding alive servers to" : "Removing alive servers from") + " the pool for VS " + vs.display());
        for (Rs r : vs.rs) {
            if (!r.alive) {
                continue;
            }
            ipvsCmd(add ? Cmd.ADD_DEST : Cmd.DEL_DEST, vs, r);
        }
    }

    /** keepalived's {@code update_quorum_state}. */
    private void updateQuorumState(Vs vs, boolean init) {
        long sum = weighLive(vs);
        long quorum = vs.cfg.quorum();
        long hyst = vs.cfg.hysteresis();
        long threshold = quorum + (vs.quorumUp ? -1 : 1) * hyst;
        if (!vs.quorumUp && sum >= threshold) {
            vs.quorumUp = true;
            log.info("Gained quorum " + quorum + "+" + hyst + "=" + threshold + " <= " + sum + " for VS " + vs.display());
            Rs s = vs.sorry;
            if (s != null && s.alive) {
                log.info((s.inhibit() ? "Disabling" : "Removing") + " sorry server " + vs.cfg.display(s.cfg)
                        + " from VS " + vs.display());
                ipvsCmd(Cmd.DEL_DEST, vs, s);
                s.alive = false;
                performQuorumState(vs, true);
            }
            doVsNotifies(vs, init, threshold, sum, false);
        } else if ((vs.quorumUp && (sum == 0 || sum < threshold))
                || (init && !vs.quorumUp && vs.sorry != null && !vs.sorry.alive)) {
            vs.quorumUp = false;
            log.info((init ? "Starting with quorum down" : "Lost quorum") + " " + quorum + "-" + hyst + "=" + threshold
                    + " > " + sum + " for VS " + vs.display());
            Rs s = vs.sorry;
            if (s != null && !s.alive) {
                log.info((s.inhibit() ? "Enabling" : "Adding") + " sorry server " + vs.cfg.display(s.cfg) + " to VS "
                        + vs.display());
                performQuorumState(vs, false);
                ipvsCmd(Cmd.ADD_DEST, vs, s);
                s.alive = true;
            }
            doVsNotifies(vs, init, threshold, sum, false);
        }
    }

    /** keepalived's {@code perform_svr_state}: the real server goes into or out of the pool. */
    private boolean performSvrState(boolean alive, Chk c) {
        Vs vs = c.vs;
        Rs rs = c.rs;
        if (rs.alive == alive) {
            return true;
        }
        log.info((alive ? rs.inhibit() ? "Enabl" : "Add" : rs.inhibit() ? "Disabl" : "Remov") + "ing service "
                + vs.cfg.display(rs.cfg) + " " + (rs.inhibit() ? "of" : alive ? "to" : "from") + " VS " + vs.display());
        if (vs.quorumUp || vs.sorry == null || !vs.sorry.alive) {
            if (!ipvsCmd(alive ? Cmd.ADD_DEST : Cmd.DEL_DEST, vs, rs)) {
                return false;
            }
        }
        rs.alive = alive;
        doRsNotifies(vs, rs, false);
        updateQuorumState(vs, false);
        return true;
    }

    private static void setCheckerState(Chk c, boolean up) {
        if (c.state.up() == up) {
            return;
        }
        c.state.setUp(up);
        if (!up) {
            c.rs.numFailed++;
        } else if (c.rs.numFailed > 0) {
            c.rs.numFailed--;
        }
    }

    /** keepalived's {@code update_svr_checker_state}. */
    private void updateSvrCheckerState(boolean alive, Chk c) {
        if (c.state.up() == alive) {
            if (!c.state.hasRun()) {
                if (c.cfg.timing().alpha() || !alive) {
                    doRsNotifies(c.vs, c.rs, false);
                }
                c.state.markRun();
            }
            return;
        }
        c.state.markRun();
        if (alive) {
            if (c.rs.numFailed <= 1 && !performSvrState(true, c)) {
                return;
            }
        } else if (c.rs.numFailed == 0 && !performSvrState(false, c)) {
            return;
        }
        setCheckerState(c, alive);
    }

    /** keepalived's {@code update_svr_wgt}: a new effective weight, pushed if the server is in the pool. */
    private void updateSvrWgt(long weight, Vs vs, Rs rs, boolean updateQuorum) {
        int newWeight = realWeight(weight);
        int oldWeight = realWeight(rs.effectiveWeight);
        rs.effectiveWeight = weight;
        if (newWeight != oldWeight) {
            log.info("Changing weight from " + oldWeight + " to " + newWeight + " for " + (rs.alive ? "" : "in")
                    + "active service " + vs.cfg.display(rs.cfg) + " of VS " + vs.display());
            if (rs.set && rs.alive && (vs.quorumUp || vs.sorry == null || !vs.sorry.alive)) {
                ipvsCmd(Cmd.EDIT_DEST, vs, rs);
            }
            if (updateQuorum) {
                updateQuorumState(vs, false);
            }
        }
    }

    // ---------------------------------------------------------------- running checkers

    private void scheduleFirst(Chk c) {
        if (c.file) {
            schedule(c, FILE_POLL_US);
            return;
        }
        long warmup = c.cfg.timing().warmupUs();
        long delay = BOOTSTRAP_DELAY_US + (warmup > 0 ? Math.floorMod(random.nextLong(), warmup) : 0);
        schedule(c, delay);
    }

    private void schedule(Chk c, long delayUs) {
        long gen = generation;
        c.generation = gen;
        c.timer = scheduler.schedule(delayUs, () -> launch(c, gen));
    }

    private void launch(Chk c, long gen) {
        int step;
        long startUs;
        synchronized (this) {
            if (stopped || c.generation != gen) {
                return;
            }
            step = c.state.urlIndex();
            startUs = scheduler.nowUs();
        }
        probes.execute(() -> {
            HealthChecker.Result r;
            try {
                r = c.checker.check(step);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                r = HealthChecker.Result.failed(c.cfg.type() + ": " + e);
            }
            complete(c, gen, r, startUs);
        });
    }

    private synchronized void complete(Chk c, long gen, HealthChecker.Result r, long startUs) {
        if (stopped || c.generation != gen) {
            return;
        }
        if (c.file) {
            fileResult(c, r);
            schedule(c, FILE_POLL_US);
            return;
        }
        boolean wasUp = c.state.up();
        if (!r.success() && (c.cfg.timing().logAllFailures() || global.checkerLogAllFailures()) && wasUp) {
            log.info(r.detail());
        }
        CheckerState.Verdicts v = new CheckerState.Verdicts() {
            @Override
            public void verdict(CheckerState s, boolean alive) {
                log.info(verdictMessage(c, r, alive));
                updateSvrCheckerState(alive, c);
            }

            @Override
            public void weight(CheckerState s, long contribution, boolean push) {
                long effective = c.rs.effectiveWeight - c.contribution + contribution;
                c.contribution = contribution;
                if (push) {
                    updateSvrWgt(effective, c.vs, c.rs, true);
                } else {
                    c.rs.effectiveWeight = effective;
                }
            }
        };
        long delay = switch (c.cfg) {
            case CheckerConfig.Tcp t -> c.state.tcp(r.success(), v);
            case CheckerConfig.Http h -> c.state.http(r.success(), v);
            case CheckerConfig.Misc m -> {
                long d = c.state.misc(r.exitStatus(), m.dynamic(), c.rs.cfg.weight(), v);
                yield Math.max(1, d - (scheduler.nowUs() - startUs));
            }
            case CheckerConfig.Bfd b -> {
                if (!c.state.hasRun()) {
                    updateSvrCheckerState(true, c);
                }
                yield c.cfg.timing().delayLoopUs();
            }
            default -> c.state.standard(r.success(), v);
        };
        schedule(c, delay);
    }

    private String verdictMessage(Chk c, HealthChecker.Result r, boolean alive) {
        String chk = c.vs.cfg.display(c.rs.cfg);
        String type = c.cfg.type();
        if (alive) {
            return switch (type) {
                case "HTTP_GET", "SSL_GET" -> "Remote Web server " + chk + " succeed on service.";
                case "MISC_CHECK" -> "Misc check for [" + chk + " VS " + c.vs.display() + "] by ["
                        + ((CheckerConfig.Misc) c.cfg).script().argv().getFirst() + "] succeeded.";
                default -> r.detail();
            };
        }
        long retry = c.cfg.timing().retry();
        String after = retry > 0 && c.state.hasRun() ? " failed after " + retry + " retries." : " failed.";
        return switch (type) {
            case "HTTP_GET", "SSL_GET" -> "HTTP_CHECK on service " + chk + after + " (" + r.detail() + ")";
            case "MISC_CHECK" -> "Misc check for [" + chk + " VS " + c.vs.display() + "] by ["
                    + ((CheckerConfig.Misc) c.cfg).script().argv().getFirst() + "] " + r.detail();
            default -> type + " on service " + chk + after + " (" + r.detail() + ")";
        };
    }

    /** keepalived's {@code process_update_checker_track_file_status}. */
    private void fileResult(Chk c, HealthChecker.Result r) {
        long status = r.success() ? r.exitStatus() : FileChecker.FAULT;
        long previous = c.fileStatus;
        if (status == previous) {
            return;
        }
        c.fileStatus = status;
        if (status == FileChecker.FAULT) {
            log.info("(" + c.vs.cfg.display(c.rs.cfg) + "): " + r.detail());
            updateSvrCheckerState(false, c);
            c.rs.effectiveWeight -= c.contribution;
            c.contribution = 0;
        } else if (previous == FileChecker.FAULT) {
            log.info("(" + c.vs.cfg.display(c.rs.cfg) + "): tracked file leaving FAULT state");
            c.contribution = status;
            c.rs.effectiveWeight += status;
            updateSvrCheckerState(true, c);
        } else {
            updateSvrWgt(c.rs.effectiveWeight + status - previous, c.vs, c.rs, true);
            c.contribution = status;
        }
    }

    // ---------------------------------------------------------------- stop

    /** keepalived's {@code clear_services} at SIGTERM: remove what was installed, per {@code lvs_flush_on_stop}. */
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        generation++;
        cancelAll();
        if (global == null) {
            return;
        }
        if (global.lvsFlushOnStop() == GlobalDefs.FlushOnStop.FULL) {
            try {
                ipvs.flush();
            } catch (IpvsException e) {
                log.info("IPVS: can't flush the table: " + e.getMessage());
            }
            for (Vs vs : services) {
                updateVsNotifies(vs, true);
            }
        } else {
            for (Vs vs : services) {
                clearServiceVs(vs, true);
            }
        }
        services.clear();
        notifier.close();
    }

    private void cancelAll() {
        for (Vs vs : services) {
            for (Rs r : vs.rs) {
                for (Chk c : r.checkers) {
                    cancel(c);
                }
            }
        }
    }

    private static void cancel(Chk c) {
        if (c.timer != null) {
            c.timer.cancel();
        }
        c.checker.close();
    }

    private void updateVsNotifies(Vs vs, boolean stopping) {
        long threshold = vs.cfg.quorum() - vs.cfg.hysteresis();
        long sum = weighLive(vs);
        if (stopping || (vs.quorumUp && (sum == 0 || sum < threshold))) {
            vs.quorumUp = false;
            doVsNotifies(vs, false, threshold, sum, stopping);
        }
    }

    private void clearServiceRs(Vs vs, Rs rs, boolean stopping) {
        if (rs.set || stopping) {
            log.info((stopping ? "Shutting down" : "Removing") + " " + (rs.inhibit() && !rs.alive ? "(inhibited) " : "")
                    + "service " + vs.cfg.display(rs.cfg) + " from VS " + vs.display());
        }
        if (!rs.set) {
            return;
        }
        deleteDest(vs, rs);
        if (!rs.alive) {
            return;
        }
        rs.alive = false;
        if (!vs.cfg.omega() && stopping) {
            return;
        }
        doRsNotifies(vs, rs, stopping);
    }

    /** A destination removed for good (inhibit or not): keepalived clears the inhibit flag for this. */
    private void deleteDest(Vs vs, Rs rs) {
        for (ServiceKey k : vs.keys) {
            DestConfig d = dest(k, rs, 0);
            try {
                ipvs.deleteDest(k, d.address(), d.port());
            } catch (IpvsException e) {
                if (e.errno() != Errno.ENOENT && e.errno() != Errno.ESRCH) {
                    log.info("IPVS (cmd DEL_DEST, errno " + e.errno() + "): " + e.getMessage());
                }
            }
        }
        rs.set = false;
    }

    private void clearServiceVs(Vs vs, boolean stopping) {
        if (global.lvsFlushOnStop() != GlobalDefs.FlushOnStop.VS || !stopping) {
            Rs s = vs.sorry;
            if (s != null && s.set) {
                if (sorryDuplicatesRs(vs)) {
                    s.set = false;
                } else {
                    deleteDest(vs, s);
                }
                s.alive = false;
            }
            for (Rs r : vs.rs) {
                clearServiceRs(vs, r, stopping);
            }
            updateVsNotifies(vs, stopping);
        } else {
            updateVsNotifies(vs, stopping);
            if (vs.sorry != null) {
                vs.sorry.alive = false;
            }
        }
        deleteServices(vs.keys);
        vs.alive = false;
    }

    // ---------------------------------------------------------------- reload

    /**
     * keepalived's reload ({@code clear_diff_services} and {@code migrate_checkers}): virtual servers matched
     * by identity, real servers by address and port, checkers by type and parameters. What is gone is removed,
     * what is new is set up as at start, what is kept keeps its health, its place in the table and its
     * connections; only changed parameters are pushed.
     */
    public synchronized void reload(KeepalivedConfig config) {
        long oldGen = generation;
        generation++;
        GlobalDefs oldGlobal = global;
        global = config.global();
        groups = config.groups();
        notifier.configure(global);
        Map<String, Vs> old = new HashMap<>();
        for (Vs v : services) {
            old.put(v.cfg.identity(), v);
        }
        List<Vs> next = new ArrayList<>();
        for (VirtualServer v : config.virtualServers()) {
            next.add(build(v));
        }
        Map<String, Vs> kept = new HashMap<>();
        for (Vs v : next) {
            kept.put(v.cfg.identity(), v);
        }
        // cancel every old checker; matched ones carry their state into the new ones
        for (Vs v : services) {
            for (Rs r : v.rs) {
                for (Chk c : r.checkers) {
                    cancel(c);
                }
            }
        }
        for (Vs o : services) {
            if (!kept.containsKey(o.cfg.identity())) {
                log.info("Removing Virtual Server " + o.display());
                clearServiceVs(o, false);
            }
        }
        for (Vs n : next) {
            Vs o = old.get(n.cfg.identity());
            if (o == null) {
                continue;
            }
            migrateVs(o, n);
        }
        services.clear();
        services.addAll(next);
        for (Vs v : services) {
            initServiceVs(v);
        }
        for (Vs v : services) {
            for (Rs r : v.rs) {
                for (Chk c : r.checkers) {
                    scheduleFirst(c);
                }
            }
        }
        log.detail("reload done (generation " + oldGen + " -> " + generation + ", global changed: "
                + !Objects.equals(oldGlobal, global) + ")");
    }

    private void migrateVs(Vs o, Vs n) {
        n.alive = o.alive;
        n.quorumUp = o.quorumUp;
        n.reloaded = true;
        // service parameters and group entries
        List<ServiceKey> gone = new ArrayList<>(o.keys);
        gone.removeAll(n.keys);
        List<ServiceKey> added = new ArrayList<>(n.keys);
        added.removeAll(o.keys);
        deleteServices(gone);
        List<ServiceKey> same = new ArrayList<>(n.keys);
        same.retainAll(o.keys);
        for (ServiceKey k : same) {
            ServiceConfig was = serviceConfig(o.cfg, k);
            ServiceConfig now = serviceConfig(n.cfg, k);
            if (!was.equals(now)) {
                try {
                    ipvs.editService(now);
                } catch (IpvsException e) {
                    log.info("IPVS (cmd EDIT, errno " + e.errno() + "): " + e.getMessage());
                }
            }
        }
        addServices(n, added);
        // real servers
        for (Rs ors : o.rs) {
            Rs nrs = findRs(n, ors);
            if (nrs == null) {
                log.info("service " + o.cfg.display(ors.cfg) + " no longer exist");
                clearServiceRs(o, ors, false);
                continue;
            }
            migrateRs(o, n, ors, nrs);
        }
        // dests for added group entries: every server in the pool goes into the new services too
        if (!added.isEmpty()) {
            List<ServiceKey> keep = n.keys;
            n.keys = added;
            for (Rs r : n.rs) {
                if (r.set) {
                    int w = r.alive ? realWeight(r.effectiveWeight) : 0;
                    for (ServiceKey k : added) {
                        try {
                            ipvs.addDest(k, dest(k, r, w));
                        } catch (IpvsException e) {
                            log.info("IPVS (cmd ADD_DEST, errno " + e.errno() + "): " + e.getMessage());
                        }
                    }
                }
            }
            n.keys = keep;
        }
        // sorry server kept if its address is the same
        if (o.sorry != null && o.sorry.set) {
            if (n.sorry != null && n.sorry.cfg.address().equals(o.sorry.cfg.address())) {
                n.sorry.set = o.sorry.set;
                n.sorry.alive = o.sorry.alive;
            } else {
                deleteDest(o, o.sorry);
            }
        }
    }

    private static Rs findRs(Vs n, Rs ors) {
        for (Rs r : n.rs) {
            if (r.cfg.address().equals(ors.cfg.address())) {
                return r;
            }
        }
        return null;
    }

    private void migrateRs(Vs o, Vs n, Rs ors, Rs nrs) {
        nrs.reloaded = true;
        nrs.alive = ors.alive;
        nrs.set = ors.set;
        // checkers: same type and parameters inherit their state
        List<Chk> unmatched = new ArrayList<>(ors.checkers);
        boolean failed = false;
        boolean anyRun = false;
        for (Chk oc : ors.checkers) {
            failed |= !oc.state.up();
            anyRun |= oc.state.hasRun();
        }
        nrs.numFailed = 0;
        nrs.effectiveWeight = nrs.cfg.weight();
        for (Chk nc : nrs.checkers) {
            Chk match = null;
            for (Chk oc : unmatched) {
                if (oc.cfg.equals(nc.cfg)) {
                    match = oc;
                    break;
                }
            }
            if (match != null) {
                unmatched.remove(match);
                nc.state.inherit(match.state);
                nc.contribution = match.contribution;
                nc.fileStatus = match.fileStatus;
            } else if (failed || (!ors.alive && !anyRun)) {
                // must pass once before the server is (re-)added
                nc.state.setUp(false);
            } else if (!nc.file) {
                nc.state.setUp(!nc.cfg.timing().alpha());
            }
            if (!nc.state.up()) {
                nrs.numFailed++;
            }
            nrs.effectiveWeight += nc.contribution;
        }
        // the table: weight, method or thresholds changed → one edit; health changed → add/remove
        boolean nowAlive = nrs.numFailed == 0;
        boolean changed = false;
        if (!o.keys.isEmpty() && !n.keys.isEmpty()) {
            DestConfig before = dest(o.keys.getFirst(), ors, realWeight(ors.effectiveWeight));
            DestConfig after = dest(n.keys.getFirst(), nrs, realWeight(nrs.effectiveWeight));
            changed = !before.equals(after);
        }
        if (nrs.set && nrs.alive && nowAlive && changed
                && (n.quorumUp || n.sorry == null || !n.sorry.alive)) {
            log.info("Changing " + n.cfg.display(nrs.cfg) + " of VS " + n.display() + " (weight "
                    + realWeight(ors.effectiveWeight) + " -> " + realWeight(nrs.effectiveWeight) + ")");
            ipvsCmd(Cmd.EDIT_DEST, n, nrs);
        } else if (nrs.set && nrs.inhibit() != ors.inhibit() && !nrs.alive) {
            ipvsCmd(Cmd.EDIT_DEST, n, nrs);
        }
        if (nrs.alive && !nowAlive) {
            nrs.alive = false;
            if (nrs.set) {
                ipvsCmd(Cmd.DEL_DEST, n, nrs);
            }
        } else if (!nrs.alive && nowAlive) {
            ipvsCmd(Cmd.ADD_DEST, n, nrs);
            nrs.alive = true;
        }
    }

    // ---------------------------------------------------------------- inspection

    /** A checker as seen from outside (tests, status). */
    public record CheckerView(String type, boolean up, boolean hasRun, long retryIt) {}

    /** A real server as seen from outside. */
    public record ServerView(InetAddress address, int port, boolean alive, boolean inTable, long effectiveWeight,
                             List<CheckerView> checkers) {}

    /** A virtual server as seen from outside. */
    public record ServiceView(String display, boolean quorumUp, boolean sorryActive, List<ServerView> servers) {}

    public synchronized List<ServiceView> view() {
        List<ServiceView> out = new ArrayList<>();
        for (Vs v : services) {
            List<ServerView> rs = new ArrayList<>();
            for (Rs r : v.rs) {
                List<CheckerView> cs = new ArrayList<>();
                for (Chk c : r.checkers) {
                    cs.add(new CheckerView(c.cfg.type(), c.state.up(), c.state.hasRun(), c.state.retryIt()));
                }
                rs.add(new ServerView(r.cfg.address().address(), r.cfg.address().port(), r.alive, r.set,
                        r.effectiveWeight, cs));
            }
            out.add(new ServiceView(v.display(), v.quorumUp, v.sorry != null && v.sorry.alive, rs));
        }
        return out;
    }
}
