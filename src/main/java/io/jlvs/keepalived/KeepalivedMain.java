package io.jlvs.keepalived;

import io.jlvs.app.JlvsMain;
import io.jlvs.io.linux.Libc;

/**
 * Entry point of {@code bin/keepalived}: keepalived's command line, its {@code -t} config test, and the daemon.
 * jlvs never forks: without {@code -n} it says so and stays in the foreground.
 */
public final class KeepalivedMain {
    /** The system property through which the launcher passes the program name as invoked ($0). */
    public static final String ARGV0_PROPERTY = "jlvs.argv0";

    private KeepalivedMain() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs keepalived with {@code args}; returns the exit status. */
    public static int run(String[] args) {
        String prog = System.getProperty(ARGV0_PROPERTY, "keepalived");
        Options o;
        try {
            o = Options.parse(args);
        } catch (Options.UsageException e) {
            System.err.println(e.getMessage());
            System.err.print(Options.usage(prog));
            return 1;
        }
        if (o.help()) {
            System.err.print(Options.usage(prog));
            return 0;
        }
        if (o.version()) {
            System.err.println("Keepalived v2.2.7 (jlvs " + JlvsMain.VERSION + ", configuration language of keepalived 2.2)");
            return 0;
        }
        if (o.configTest()) {
            return ConfigTest.run(o.configFile(), o.configId(), o.configTestOutput(), System.err);
        }
        Log log = Log.stderr(o.logDetail());
        if (!o.dontFork()) {
            log.info("jlvs: keepalived does not fork in jlvs; staying in the foreground (as with -n)");
        }
        for (String ignored : o.ignored()) {
            log.detail("jlvs: option " + ignored + " accepted, no effect");
        }
        if (Libc.geteuid() != 0) {
            log.info("jlvs keepalived: must run as root (it drives the director and runs check scripts)");
            return 1;
        }
        KeepalivedDaemon d = new KeepalivedDaemon(o, log);
        int status = d.start();
        if (status >= 0) {
            return status;
        }
        try {
            d.awaitStop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }
}
