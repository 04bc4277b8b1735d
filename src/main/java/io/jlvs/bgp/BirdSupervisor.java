package io.jlvs.bgp;

import java.io.IOException;
import java.lang.System.Logger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs BIRD as the director's child and keeps it running: {@code bird -f -c CONF -s SOCK}, restarted with
 * a doubling backoff (1 s … 30 s; back to 1 s after a run of a minute) when it ends.
 *
 * <p>BIRD must not outlive the director, even one killed with SIGKILL: a BIRD left running would keep
 * announcing the VIP of a director that forwards nothing. So it is started through
 * {@code setpriv --pdeathsig KILL}: the kernel kills it when the thread that started it dies, and its
 * peers see the session drop at once and withdraw the routes. That thread is this supervisor's own,
 * which lives as long as the director.
 */
public final class BirdSupervisor implements AutoCloseable {
    private static final Logger LOG = System.getLogger("jlvs.bgp");
    static final long MIN_BACKOFF_MS = 1000;
    static final long MAX_BACKOFF_MS = 30_000;
    static final long STABLE_RUN_MS = 60_000;

    /** Waits out a restart backoff; tests pass one that returns at once and records the wait. */
    @FunctionalInterface
    interface Pause {
        void pause(long ms) throws InterruptedException;
    }

    private final List<String> command;
    private final Pause pause;
    private final java.util.concurrent.Semaphore started = new java.util.concurrent.Semaphore(0);
    private volatile boolean closed;
    private volatile Process process;
    private volatile int starts;
    private Thread thread;

    public BirdSupervisor(Path config, Path socket) {
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setpriv"))) {
            cmd.addAll(List.of("/usr/bin/setpriv", "--pdeathsig", "KILL", "--"));
        } else {
            LOG.log(Logger.Level.WARNING, "setpriv not found: BIRD may outlive a director killed with SIGKILL");
        }
        cmd.addAll(List.of(birdBinary(), "-f", "-c", config.toString(), "-s", socket.toString()));
        this.command = List.copyOf(cmd);
        this.pause = Thread::sleep;
    }

    /** Supervises any command, waiting out backoffs with {@code pause} (tests). */
    BirdSupervisor(List<String> command, Pause pause) {
        this.command = List.copyOf(command);
        this.pause = pause;
    }

    /** BIRD 2's daemon: Debian installs it as /usr/sbin/bird. */
    static String birdBinary() {
        for (String p : List.of("/usr/sbin/bird", "/usr/local/sbin/bird", "/usr/bin/bird")) {
            if (Files.isExecutable(Path.of(p))) {
                return p;
            }
        }
        return "bird";
    }

    public List<String> command() {
        return command;
    }

    /** How many times BIRD was started (1 after a clean start; more after restarts). */
    public int starts() {
        return starts;
    }

    /** Waits until the daemon has been started {@code n} more times (tests and start-up checks). */
    boolean awaitStarts(int n, long timeoutMs) throws InterruptedException {
        return started.tryAcquire(n, timeoutMs, TimeUnit.MILLISECONDS);
    }

    /** After {@link #close}: waits for the supervising thread to end. */
    boolean awaitStopped(long timeoutMs) throws InterruptedException {
        Thread t = thread;
        if (t != null) {
            t.join(timeoutMs);
            return !t.isAlive();
        }
        return true;
    }

    public boolean running() {
        Process p = process;
        return p != null && p.isAlive();
    }

    public synchronized void start() {
        thread = Thread.ofPlatform().name("jlvs-bird-supervisor").daemon().start(this::supervise);
    }

    private void supervise() {
        long backoffMs = MIN_BACKOFF_MS;
        while (!closed) {
            long startedNs = System.nanoTime();
            try {
                // stdout/stderr to the director's own stderr: BIRD logs to stderr
                Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
                process = p;
                starts++;
                started.release();
                LOG.log(Logger.Level.INFO, "bird started: pid=" + p.pid());
                int rc = p.waitFor();
                if (closed) {
                    return;
                }
                LOG.log(Logger.Level.WARNING, "bird ended: exit=" + rc + "; restarting in " + backoffMs + " ms");
            } catch (IOException e) {
                LOG.log(Logger.Level.ERROR, "bird not started: " + e.getMessage() + "; retrying in " + backoffMs + " ms");
            } catch (InterruptedException e) {
                return;
            }
            long ranMs = (System.nanoTime() - startedNs) / 1_000_000L;
            backoffMs = ranMs >= STABLE_RUN_MS ? MIN_BACKOFF_MS : backoffMs;
            try {
                pause.pause(backoffMs);
            } catch (InterruptedException e) {
                return;
            }
            backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        }
    }

    /** SIGTERM (BIRD closes its sessions with a Cease notification), SIGKILL after 3 s. */
    @Override
    public void close() {
        closed = true;
        Process p = process;
        if (p != null && p.isAlive()) {
            p.destroy();
            try {
                if (!p.waitFor(3, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(3, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }
}
