package io.jlvs.keepalived;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The daemon's log: keepalived logs to syslog, or with {@code -l} to the console; jlvs always writes to
 * stderr (one line per message, keepalived's text, prefixed with the time), which systemd or the shell
 * collects. {@code -D} adds detail messages.
 */
public interface Log {
    void info(String message);

    /** Only with {@code -D}. */
    void detail(String message);

    static Log stderr(boolean detail) {
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        DateTimeFormatter f = DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss yyyy");
        return new Log() {
            @Override
            public synchronized void info(String message) {
                err.println(LocalDateTime.now().format(f) + ": " + message);
            }

            @Override
            public void detail(String message) {
                if (detail) {
                    info(message);
                }
            }
        };
    }

    Log NONE = new Log() {
        @Override
        public void info(String message) {
        }

        @Override
        public void detail(String message) {
        }
    };
}
