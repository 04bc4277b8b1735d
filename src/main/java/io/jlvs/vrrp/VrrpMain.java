package io.jlvs.vrrp;

import io.jlvs.keepalived.config.ConfigLoader;
import io.jlvs.keepalived.config.Diagnostic;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Runs only the VRRP half of a keepalived.conf in the foreground: {@code VrrpMain -f FILE}. The system tests start it
 * in network namespaces (and {@code kill -9} it); {@code jlvs keepalived} embeds {@link VrrpEngine} the same way.
 * SIGTERM (or Ctrl-C) stops it as keepalived stops: priority 0 from masters, VIPs removed, STOP notifications.
 * Every log line goes to standard output with a time stamp.
 */
public final class VrrpMain {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private VrrpMain() {}

    public static void main(String[] args) throws InterruptedException {
        String file = null;
        for (int i = 0; i < args.length; i++) {
            if ((args[i].equals("-f") || args[i].equals("--use-file")) && i + 1 < args.length) {
                file = args[++i];
            }
        }
        if (file == null) {
            System.err.println("usage: VrrpMain -f keepalived.conf");
            System.exit(1);
        }
        ConfigLoader.Result r = ConfigLoader.load(ConfigLoader.Options.system(file, false, null));
        for (Diagnostic d : r.diagnostics()) {
            log(d.withPosition());
        }
        if (!r.usableForStart()) {
            log("configuration not usable: " + file);
            System.exit(2);
        }
        VrrpSettings settings = KeepalivedVrrpAdapter.settings(r.config(), VrrpMain::log);
        VrrpEngine engine = VrrpEngine.start(settings, new VrrpEngine.Options(200, VrrpMain::log), List.of());
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log("Stopping");
            engine.stop();
            log("Stopped");
            done.countDown();
        }));
        done.await();
    }

    private static synchronized void log(String line) {
        System.out.println(LocalTime.now().format(TIME) + " vrrp: " + line);
        System.out.flush();
    }
}
