package io.jlvs.keepalived;

import io.jlvs.keepalived.check.ProcessRunner;
import io.jlvs.keepalived.config.GlobalDefs;
import io.jlvs.keepalived.config.Script;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * keepalived's notifications for the checker side: {@code notify_up}/{@code notify_down} and
 * {@code quorum_up}/{@code quorum_down} scripts run with exactly their configured arguments, and the FIFO
 * lines ({@code VS <vs> UP|DOWN}, {@code RS <rs> <vs> UP|DOWN}) written to {@code notify_fifo} and
 * {@code lvs_notify_fifo}. Scripts and FIFO writes never block the checkers: scripts run asynchronously, FIFO
 * lines go through a queue to a writer thread (a FIFO without a reader would block its writer).
 */
public class Notifier {
    private final ProcessRunner runner;
    private final Log log;
    private final List<Path> fifos = new ArrayList<>();
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private Thread writer;

    public Notifier(ProcessRunner runner, Log log) {
        this.runner = runner;
        this.log = log;
    }

    /** Uses the FIFOs of a (new) configuration; their scripts are started with the FIFO path as last argument. */
    public synchronized void configure(GlobalDefs g) {
        fifos.clear();
        for (GlobalDefs.Fifo f : new GlobalDefs.Fifo[] {g.notifyFifo(), g.lvsNotifyFifo()}) {
            if (f == null) {
                continue;
            }
            fifos.add(Path.of(f.path()));
            if (f.script() != null) {
                List<String> argv = new ArrayList<>(f.script().argv());
                argv.add(f.path());
                runner.start(new Script(argv, f.script().user(), f.script().group()));
            }
        }
        if (!fifos.isEmpty() && writer == null) {
            writer = Thread.ofVirtual().name("keepalived-fifo").start(this::drain);
        }
    }

    /** Runs a notify script (absent: nothing). */
    public void script(Script s) {
        if (s != null) {
            log.detail("Running notify script " + s.quoted());
            runner.start(s);
        }
    }

    /** Queues a FIFO line (without its newline). */
    public void fifo(String line) {
        if (!fifos.isEmpty()) {
            lines.add(line + "\n");
        }
    }

    private void drain() {
        try {
            while (true) {
                String line = lines.take();
                List<Path> targets;
                synchronized (this) {
                    targets = List.copyOf(fifos);
                }
                for (Path p : targets) {
                    if (!Files.exists(p)) {
                        continue;
                    }
                    try (OutputStream out = Files.newOutputStream(p, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                        out.write(line.getBytes(StandardCharsets.ISO_8859_1));
                    } catch (IOException e) {
                        log.detail("notify fifo " + p + ": " + e.getMessage());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs a script at shutdown and waits up to a second for it (keepalived kills stop-time scripts after 1 s). */
    public void scriptAtStop(Script s) {
        if (s == null) {
            return;
        }
        try {
            runner.run(s, 1_000_000L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public void close() {
        if (writer != null) {
            writer.interrupt();
        }
    }
}
