package io.jlvs.monitor;

import java.io.IOException;
import java.lang.System.Logger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;

/**
 * One line per login, logout and change made through the monitor, naming the user:
 * {@code 2025-01-01T12:00:00Z user=alice action=weight service="TCP 198.18.0.100:80" realserver=198.19.0.11:80
 * from=1 to=3 result=ok}. Lines go to the audit file (appended, when one is configured) and to the
 * {@code jlvs.audit} logger.
 */
public final class AuditLog {
    private static final Logger LOG = System.getLogger("jlvs.audit");

    private final Path file;

    /** {@code file} may be null: then only the logger gets the lines. */
    public AuditLog(Path file) {
        this.file = file;
    }

    /** Formats and writes one line; returns it (tests read it back). */
    public String record(long nowMs, String user, String action, Map<String, ?> details) {
        StringBuilder sb = new StringBuilder();
        sb.append(Instant.ofEpochMilli(nowMs)).append(" user=").append(value(user)).append(" action=").append(value(action));
        for (Map.Entry<String, ?> e : details.entrySet()) {
            sb.append(' ').append(e.getKey()).append('=').append(value(String.valueOf(e.getValue())));
        }
        String line = sb.toString();
        LOG.log(Logger.Level.INFO, line);
        if (file != null) {
            synchronized (this) {
                try {
                    Path dir = file.toAbsolutePath().getParent();
                    if (dir != null) {
                        Files.createDirectories(dir);
                    }
                    Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND, StandardOpenOption.WRITE);
                } catch (IOException e) {
                    LOG.log(Logger.Level.ERROR, "audit log not written: file=" + file + ", " + e.getMessage());
                }
            }
        }
        return line;
    }

    /** Quotes a value with spaces or quotes; strips line breaks so one record stays one line. */
    static String value(String v) {
        String s = v == null ? "-" : v.replace('\n', ' ').replace('\r', ' ');
        if (s.isEmpty() || s.chars().anyMatch(c -> c == ' ' || c == '"' || c == '=')) {
            return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
        }
        return s;
    }
}
