package io.jlvs.app;

import io.jlvs.io.linux.Libc;
import io.jlvs.keepalived.KeepalivedDaemon;
import io.jlvs.keepalived.KeepalivedMain;
import io.jlvs.keepalived.Options;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code jlvs keepalived}: keepalived with its own command line ({@code -f FILE}, {@code -t}, {@code -n} …, as
 * {@code bin/keepalived} takes it), or with {@code --reload} a SIGHUP to the running one, found through its
 * pid file.
 */
@Command(name = "keepalived",
        description = {"Runs keepalived (health checkers driving this namespace's director) from a keepalived.conf.",
                "Takes keepalived's options: -f FILE, -t (config test), -n, -D, -l, -C, -p PIDFILE, -i ID, -h …",
                "With --reload, sends SIGHUP to the running keepalived (pid from -p, default /run/keepalived.pid)."})
public final class KeepalivedCommand implements Callable<Integer> {
    @Option(names = "--reload", description = "Send SIGHUP to the running keepalived and exit.")
    boolean reload;

    @Option(names = {"-p", "--pid"}, paramLabel = "FILE",
            description = "keepalived's pid file (default ${DEFAULT-VALUE}).", defaultValue = Options.DEFAULT_PID)
    String pidFile;

    @Unmatched
    List<String> keepalivedArgs = new ArrayList<>();

    @Override
    public Integer call() {
        if (reload) {
            return sendReload(Path.of(pidFile));
        }
        List<String> args = new ArrayList<>(keepalivedArgs);
        args.add("--pid=" + pidFile);
        return KeepalivedMain.run(args.toArray(String[]::new));
    }

    /** SIGHUP to the pid in {@code pidFile}; 0 when delivered. */
    static int sendReload(Path pidFile) {
        long pid = KeepalivedDaemon.readPid(pidFile);
        if (pid <= 0) {
            System.err.println("jlvs keepalived: no pid in " + pidFile + " (is keepalived running? use -p FILE)");
            return 1;
        }
        int r = Libc.kill((int) pid, Libc.SIGHUP);
        if (r < 0) {
            System.err.println("jlvs keepalived: cannot signal pid " + pid + " from " + pidFile + ": " + Libc.strerror(-r));
            return 1;
        }
        System.err.println("jlvs keepalived: sent SIGHUP to pid " + pid + "; it reloads " + "(errors keep the old "
                + "configuration and are logged with file:line)");
        return 0;
    }
}
