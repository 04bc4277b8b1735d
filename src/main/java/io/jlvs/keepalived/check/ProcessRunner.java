package io.jlvs.keepalived.check;

import io.jlvs.keepalived.config.Script;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs keepalived's scripts: as the configured account (through {@code runuser} when jlvs runs as root and the
 * script names another user), with stdin/stdout/stderr on /dev/null, and, on timeout, SIGTERM to the script and
 * its descendants followed by SIGKILL two seconds later — keepalived kills the script's process group.
 */
public interface ProcessRunner {
    /** Exit status, or -1 when the script timed out (and was killed) or could not be started. */
    int run(Script script, long timeoutUs) throws InterruptedException;

    /** Starts a script and does not wait for it (notify scripts). */
    void start(Script script);

    ProcessRunner SYSTEM = new ProcessRunner() {
        @Override
        public int run(Script script, long timeoutUs) throws InterruptedException {
            Process p;
            try {
                p = builder(script).start();
            } catch (IOException e) {
                return -1;
            }
            long timeoutMs = Math.max(1, timeoutUs / 1000);
            if (p.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
                return p.exitValue();
            }
            kill(p, false);
            if (!p.waitFor(2, TimeUnit.SECONDS)) {
                kill(p, true);
                p.waitFor(2, TimeUnit.SECONDS);
            }
            return -1;
        }

        @Override
        public void start(Script script) {
            try {
                Process p = builder(script).start();
                Thread.ofVirtual().name("keepalived-notify").start(() -> {
                    try {
                        p.waitFor();
                    } catch (InterruptedException e) {
                        kill(p, false);
                    }
                });
            } catch (IOException e) {
                // keepalived logs nothing more when a notify script cannot run
            }
        }

        private void kill(Process p, boolean hard) {
            p.descendants().forEach(d -> {
                if (hard) {
                    d.destroyForcibly();
                } else {
                    d.destroy();
                }
            });
            if (hard) {
                p.destroyForcibly();
            } else {
                p.destroy();
            }
        }

        private ProcessBuilder builder(Script s) {
            List<String> argv = new ArrayList<>();
            String me = System.getProperty("user.name");
            if (s.user() != null && !s.user().equals(me) && "root".equals(me)) {
                argv.addAll(List.of("runuser", "-u", s.user()));
                if (s.group() != null) {
                    argv.addAll(List.of("-g", s.group()));
                }
                argv.add("--");
            }
            argv.addAll(s.argv());
            File devNull = new File("/dev/null");
            return new ProcessBuilder(argv).redirectInput(devNull).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
        }
    };
}
