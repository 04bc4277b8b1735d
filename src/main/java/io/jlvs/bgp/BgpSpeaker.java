package io.jlvs.bgp;

import io.jlvs.control.ConfigSnapshot;

import java.io.IOException;
import java.lang.System.Logger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The director's BGP side: keeps BIRD ({@link BirdSupervisor}) announcing exactly what
 * {@link AnnouncementPolicy} says, and reports the sessions.
 *
 * <p>A change (table, drain, stop) never waits for BIRD on the caller's thread: it is noted and the
 * {@code jlvs-bgp} thread rewrites the configuration file (atomically) and runs {@code configure} on
 * BIRD's control socket. A BIRD that is (re)starting reads the file as it is, so it is written before
 * anything else; a {@code configure} that fails is retried every second. The same thread polls
 * {@code show protocols} every second for {@link #status}.
 */
public final class BgpSpeaker implements AutoCloseable {
    private static final Logger LOG = System.getLogger("jlvs.bgp");
    private static final long POLL_MS = 1000;

    private final BgpSettings settings;
    private final Path configFile;
    private final BirdControl bird;
    private final BirdSupervisor supervisor;

    private ConfigSnapshot snapshot = ConfigSnapshot.EMPTY;
    private boolean drained;
    private boolean stopping;
    /** What the file says (and BIRD, once {@link #applied}). */
    private SortedSet<Announcement> written = new TreeSet<>();
    private boolean applied;
    private boolean wake;
    private volatile List<ProtocolStatus> protocols = List.of();
    private volatile String lastError;
    private volatile long lastAppliedNs;
    private Thread thread;
    private volatile boolean closed;

    public BgpSpeaker(BgpSettings settings, Path runDir, String netnsId) {
        this.settings = settings;
        this.configFile = BirdConfig.configPath(runDir, netnsId);
        this.bird = new BirdControl(BirdConfig.socketPath(runDir, netnsId), 5000);
        this.supervisor = new BirdSupervisor(configFile, bird.socket());
    }

    public BgpSettings settings() {
        return settings;
    }

    /** Writes the first configuration (nothing announced) and starts BIRD and the {@code jlvs-bgp} thread. */
    public void start() throws IOException {
        Files.createDirectories(configFile.getParent());
        write(new TreeSet<>());
        supervisor.start();
        thread = Thread.ofPlatform().name("jlvs-bgp").daemon().start(this::run);
    }

    /** A table change (the director's subscription to {@code Ipvs}). */
    public synchronized void onChange(ConfigSnapshot snap) {
        snapshot = snap;
        poke();
    }

    /** {@code jlvs drain} (true) / {@code jlvs drain --undo} (false). */
    public synchronized void drain(boolean on) {
        drained = on;
        poke();
    }

    public synchronized boolean drained() {
        return drained;
    }

    /**
     * The director is stopping: withdraw everything and wait until BIRD has taken the new configuration
     * (at most {@code timeoutMs}).
     *
     * @return true when something was announced before (the caller then gives the routers time to move the
     *         flows away before it stops forwarding)
     */
    public boolean withdrawAll(long timeoutMs) {
        boolean hadRoutes;
        synchronized (this) {
            stopping = true;
            hadRoutes = !written.isEmpty();
            poke();
        }
        long deadlineNs = System.nanoTime() + timeoutMs * 1_000_000L;
        synchronized (this) {
            while (!(applied && written.isEmpty()) && System.nanoTime() < deadlineNs && !closed) {
                try {
                    wait(Math.max(1, (deadlineNs - System.nanoTime()) / 1_000_000L));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        return hadRoutes;
    }

    private void poke() {
        wake = true;
        notifyAll();
    }

    private void run() {
        while (!closed) {
            SortedSet<Announcement> wanted;
            boolean mustApply;
            synchronized (this) {
                if (!wake) {
                    try {
                        wait(POLL_MS);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                wake = false;
                wanted = AnnouncementPolicy.announced(snapshot, drained || stopping);
                mustApply = !wanted.equals(written) || !applied;
            }
            if (closed) {
                return;
            }
            if (mustApply) {
                apply(wanted);
            }
            refreshProtocols();
        }
    }

    private void apply(SortedSet<Announcement> wanted) {
        try {
            write(wanted);
            synchronized (this) {
                written = wanted;
                applied = false;
            }
            BirdControl.Reply r = bird.configure();
            if (!r.ok()) {
                lastError = "configure: " + r.text();
                LOG.log(Logger.Level.ERROR, "bird refused the configuration: " + r.text());
                return;
            }
            synchronized (this) {
                applied = written.equals(wanted);
                lastAppliedNs = System.nanoTime();
                lastError = null;
                notifyAll();
            }
            LOG.log(Logger.Level.INFO, "bgp: announcing " + (wanted.isEmpty() ? "nothing" : wanted.toString()));
        } catch (IOException e) {
            lastError = "configure: " + e.getMessage();
            LOG.log(Logger.Level.DEBUG, "bird not reachable yet: " + e.getMessage());
        }
    }

    private void write(SortedSet<Announcement> wanted) throws IOException {
        Path tmp = configFile.resolveSibling(configFile.getFileName() + ".tmp");
        Files.writeString(tmp, BirdConfig.render(settings, wanted), StandardCharsets.UTF_8);
        Files.move(tmp, configFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private void refreshProtocols() {
        try {
            protocols = bird.showProtocols();
        } catch (IOException e) {
            protocols = List.of();
            if (lastError == null) {
                lastError = "show protocols: " + e.getMessage();
            }
        }
    }

    /**
     * For {@code jlvs status} and {@code jlvs doctor}: the peers and their session states, what is
     * announced, whether the director is drained, and BIRD's process.
     */
    public synchronized Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("router_id", settings.routerId().getHostAddress());
        m.put("local_as", settings.localAs());
        m.put("drained", drained);
        m.put("bird_running", supervisor.running());
        m.put("bird_starts", supervisor.starts());
        m.put("announced", applied ? written.stream().map(Announcement::toString).toList() : List.of());
        m.put("pending", applied ? List.of() : written.stream().map(Announcement::toString).toList());
        List<Map<String, Object>> peers = new ArrayList<>();
        for (BgpPeer p : settings.peers()) {
            Map<String, Object> pm = new LinkedHashMap<>();
            pm.put("address", p.address().getHostAddress());
            pm.put("as", p.as());
            String state = "unknown (bird not answering)";
            for (ProtocolStatus s : protocols) {
                if (s.name().equals(p.protocolName())) {
                    state = s.info().isEmpty() ? s.state() : s.info();
                }
            }
            pm.put("session", state);
            pm.put("established", state.startsWith("Established"));
            peers.add(pm);
        }
        m.put("peers", peers);
        if (lastError != null) {
            m.put("error", lastError);
        }
        return m;
    }

    /** Stops the thread and BIRD (which closes its sessions: the peers withdraw at once). */
    @Override
    public void close() {
        closed = true;
        synchronized (this) {
            notifyAll();
        }
        if (thread != null) {
            thread.interrupt();
        }
        supervisor.close();
        try {
            Files.deleteIfExists(configFile);
            Files.deleteIfExists(bird.socket()); // BIRD removes it too when it ends cleanly
        } catch (IOException e) {
            LOG.log(Logger.Level.DEBUG, "bird files not removed: " + e.getMessage());
        }
    }
}
