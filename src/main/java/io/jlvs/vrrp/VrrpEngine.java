package io.jlvs.vrrp;

import io.jlvs.io.linux.Libc;
import io.jlvs.monitor.VrrpStatus;

import java.lang.System.Logger.Level;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The VRRP agent of a director: one thread ("vrrp") that owns the raw sockets, netlink and a {@link VrrpNode}, polls
 * the sockets with the node's next deadline as timeout, polls link states every {@link Options#linkPollMs}, and runs
 * script results the host hands back. Started by {@code jlvs keepalived} from the {@code vrrp_instance} blocks.
 *
 * <p>{@link #stop()} does what keepalived does on SIGTERM: masters send priority 0 and remove their addresses, then
 * every instance and group reports STOP. A failing VRRP agent never touches forwarding: it has its own thread and
 * only netlink addresses in common with the data plane.
 *
 * <p>Implements the monitor's {@link VrrpStatus}: {@link #instances()} may be called from any thread.
 */
public final class VrrpEngine implements VrrpStatus, AutoCloseable {
    private static final System.Logger LOG = System.getLogger("jlvs.vrrp");
    private static final int MAX_POLL_MS = 50;
    private static final int RECEIVE_BURST = 64;
    private static final int MAX_SOCKETS = 256;

    /**
     * @param linkPollMs how often links and addresses are re-read (keepalived reacts to netlink events; jlvs polls)
     * @param log        log lines (keepalived's wording); {@code null} for the "jlvs.vrrp" System.Logger
     */
    public record Options(long linkPollMs, Consumer<String> log) {
        public static final Options DEFAULT = new Options(200, null);
    }

    private final List<VrrpInstanceConfig> instanceConfigs;
    private final List<VrrpSyncGroupConfig> groupConfigs;
    private final List<VrrpScriptConfig> scriptConfigs;
    private final Options options;
    private final Consumer<String> log;
    private final List<VrrpStateListener> pendingListeners = new ArrayList<>();
    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final CountDownLatch ready = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean stopRequested;
    private volatile RuntimeException startFailure;
    private volatile VrrpNode node;
    private LinuxVrrpHost host;

    private VrrpEngine(List<VrrpInstanceConfig> instances, List<VrrpSyncGroupConfig> groups,
                       List<VrrpScriptConfig> scripts, Options options, List<VrrpStateListener> listeners) {
        this.instanceConfigs = List.copyOf(instances);
        this.groupConfigs = List.copyOf(groups);
        this.scriptConfigs = List.copyOf(scripts);
        this.options = options;
        this.log = options.log() != null ? options.log() : line -> LOG.log(Level.INFO, line);
        this.pendingListeners.addAll(listeners);
        this.thread = Thread.ofPlatform().name("vrrp").daemon(false).unstarted(this::run);
    }

    /** Starts VRRP for these instances with no sync groups or scripts. */
    public static VrrpEngine start(List<VrrpInstanceConfig> instances) {
        return start(instances, List.of(), List.of(), Options.DEFAULT, List.of());
    }

    /**
     * Opens the sockets, starts every instance (BACKUP or FAULT; an owner becomes MASTER at once) and returns once
     * that is done.
     *
     * @param listeners told of every state change from the first one on
     * @throws RuntimeException when a socket cannot be opened or the configuration is inconsistent
     */
    public static VrrpEngine start(List<VrrpInstanceConfig> instances, List<VrrpSyncGroupConfig> groups,
                                   List<VrrpScriptConfig> scripts, Options options,
                                   List<VrrpStateListener> listeners) {
        VrrpEngine e = new VrrpEngine(instances, groups, scripts, options, listeners);
        e.thread.start();
        try {
            e.ready.await();
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            e.stop();
            throw new IllegalStateException("vrrp: interrupted while starting", ie);
        }
        if (e.startFailure != null) {
            throw e.startFailure;
        }
        return e;
    }

    /** Starts from a parsed keepalived.conf (see {@link KeepalivedVrrpAdapter}). */
    public static VrrpEngine start(VrrpSettings settings, Options options, List<VrrpStateListener> listeners) {
        return start(settings.instances(), settings.syncGroups(), settings.scripts(), options, listeners);
    }

    private static long nowUs() {
        return System.nanoTime() / 1_000;
    }

    private void run() {
        LinuxVrrpHost host;
        VrrpNode n;
        try {
            host = new LinuxVrrpHost(log, queue::add, VrrpEngine::nowUs);
            n = new VrrpNode(instanceConfigs, groupConfigs, scriptConfigs, host, log);
            pendingListeners.forEach(n::addListener);
            n.addListener((name, group, from, to, prio) -> log.accept((group ? "VRRP_Group(" + name + ")" : "(" + name
                    + ")") + " state " + from + " -> " + to + (group ? "" : ", priority " + prio)));
            host.open(n, instanceConfigs);
            node = n;
            n.start(nowUs());
        } catch (RuntimeException e) {
            startFailure = e;
            ready.countDown();
            finished.countDown();
            return;
        }
        ready.countDown();
        this.host = host;
        List<RawVrrpSocket> sockets = List.of();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(Libc.POLLFD, MAX_SOCKETS);
            MemorySegment buf = arena.allocate(VrrpPackets.MAX_PACKET + 64, 8);
            long nextLinkPollUs = nowUs() + options.linkPollMs() * 1_000;
            while (!stopRequested) {
                Runnable r;
                while ((r = queue.poll()) != null) {
                    r.run();
                }
                n = node; // a reload may have replaced it
                if (sockets.size() != host.sockets().size()) {
                    sockets = host.sockets();
                    if (sockets.size() > MAX_SOCKETS) {
                        throw new IllegalStateException("vrrp: more than " + MAX_SOCKETS + " interface/family pairs");
                    }
                    for (int i = 0; i < sockets.size(); i++) {
                        fds.set(ValueLayout.JAVA_INT, i * 8L, sockets.get(i).fd());
                        fds.set(ValueLayout.JAVA_SHORT, i * 8L + 4, Libc.POLLIN);
                    }
                }
                long now = nowUs();
                if (now >= nextLinkPollUs) {
                    for (String changed : host.refresh()) {
                        log.accept("Netlink reports " + changed + " " + (host.linkUp(changed) ? "UP" : "DOWN"));
                        n.linkChanged(changed, now);
                    }
                    n.addressesChanged();
                    nextLinkPollUs = now + options.linkPollMs() * 1_000;
                }
                long deadline = Math.min(n.nextDeadlineUs(), nextLinkPollUs);
                long waitMs = deadline <= now ? 0 : Math.min(MAX_POLL_MS, (deadline - now + 999) / 1_000);
                for (int i = 0; i < sockets.size(); i++) {
                    fds.set(ValueLayout.JAVA_SHORT, i * 8L + 6, (short) 0);
                }
                int readable = sockets.isEmpty() ? 0 : Libc.poll(fds, sockets.size(), (int) waitMs);
                if (sockets.isEmpty() && waitMs > 0) {
                    Thread.sleep(waitMs);
                }
                if (readable > 0) {
                    for (int i = 0; i < sockets.size(); i++) {
                        if ((fds.get(ValueLayout.JAVA_SHORT, i * 8L + 6) & Libc.POLLIN) == 0) {
                            continue;
                        }
                        RawVrrpSocket s = sockets.get(i);
                        for (int k = 0; k < RECEIVE_BURST; k++) {
                            int len = s.receive(buf);
                            if (len < 0) {
                                break;
                            }
                            n.receive(s.interfaceName, buf, len, nowUs());
                        }
                    }
                }
                n.tick(nowUs());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.accept("VRRP agent failed: " + e);
            LOG.log(Level.ERROR, "vrrp agent failed", e);
        } finally {
            n = node;
            try {
                n.stop(nowUs());
            } catch (RuntimeException e) {
                log.accept("VRRP stop failed: " + e);
            }
            host.close();
            finished.countDown();
        }
    }

    /**
     * SIGHUP: runs the new configuration, keeping the state of the instances it still has (see
     * {@link VrrpNode#reload}). Returns once applied; on an inconsistent configuration nothing changes.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public void reload(VrrpSettings settings) {
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        queue.add(() -> {
            try {
                host.requireInterfaces(settings.instances());
                VrrpNode next = node.reload(settings.instances(), settings.syncGroups(), settings.scripts(), nowUs());
                node = next;
                host.open(next, settings.instances());
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        try {
            done.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("vrrp: reload not applied within 10 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("vrrp: interrupted while reloading", e);
        }
    }

    /** Adds a listener; it hears changes from now on (the VRRP thread calls it). */
    public void addListener(VrrpStateListener listener) {
        VrrpNode n = node;
        if (n != null) {
            n.addListener(listener);
        } else {
            pendingListeners.add(listener);
        }
    }

    /**
     * Orderly shutdown (keepalived's SIGTERM): priority-0 adverts from masters, VIPs removed, STOP notifications.
     * Returns once done (at most a few seconds).
     */
    public void stop() {
        stopRequested = true;
        try {
            if (!finished.await(10, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "vrrp: agent did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** The instances' live state machines (read-only use from other threads). */
    public List<VrrpInstance> instanceStates() {
        VrrpNode n = node;
        return n == null ? List.of() : n.instances();
    }

    /** State of one instance, {@code null} if unknown. */
    public VrrpState state(String instance) {
        VrrpNode n = node;
        VrrpInstance i = n == null ? null : n.instance(instance);
        return i == null ? null : i.state();
    }

    public VrrpCounters counters(String instance) {
        VrrpNode n = node;
        VrrpInstance i = n == null ? null : n.instance(instance);
        return i == null ? null : i.counters();
    }

    @Override
    public List<Instance> instances() {
        List<Instance> out = new ArrayList<>();
        for (VrrpInstance i : instanceStates()) {
            VrrpInstanceConfig c = i.config();
            VrrpState s = i.state();
            out.add(new Instance(c.name(), s == VrrpState.STOP ? "INIT" : s.name(), c.interfaceName(),
                    c.virtualRouterId(), i.effectivePriority(),
                    c.virtualAddresses().stream().map(v -> v.address().getHostAddress() + "/" + v.prefixLength())
                            .toList()));
        }
        return out;
    }
}
