package io.jlvs.keepalived.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects configuration messages as keepalived's {@code report_config_error} does: each one prefixed with
 * the position the line reader is at, and the overall status updated by its category. Messages keepalived
 * sends to syslog only ({@code log_message}) are kept apart: they never reach {@code -t} output nor change
 * the status.
 */
public final class Reporter {
    /** Where the parse is, for the message prefix; implemented by the line reader of the current pass. */
    public interface Position {
        /** {@code "(FILE: Line N) "}, {@code "(Line N) "} or {@code ""}. */
        String prefix();

        /** The file name the prefix shows, or the main file's name when the prefix shows none. */
        String file();

        /** The line the prefix shows, 0 for none. */
        int line();
    }

    private static final Position NOWHERE = new Position() {
        @Override
        public String prefix() {
            return "";
        }

        @Override
        public String file() {
            return null;
        }

        @Override
        public int line() {
            return 0;
        }
    };

    private final boolean configTest;
    private final List<Diagnostic> diagnostics = new ArrayList<>();
    private final List<String> logs = new ArrayList<>();
    private ConfigStatus status = ConfigStatus.OK;
    private Position position = NOWHERE;
    private boolean fileError;

    /** @param configTest true under {@code -t}: numbers are then reported without {@code WARNING - } */
    public Reporter(boolean configTest) {
        this.configTest = configTest;
    }

    public boolean configTest() {
        return configTest;
    }

    /** {@code "WARNING - "} outside {@code -t}, where a lenient number is still used; {@code ""} under it. */
    String warnPrefix() {
        return configTest ? "" : "WARNING - ";
    }

    void position(Position p) {
        this.position = p == null ? NOWHERE : p;
    }

    /** A configuration error: printed with the current position, status updated. */
    public void error(ConfigStatus category, String message) {
        add(category, message, false);
    }

    /** A message about a value that was taken anyway (deprecated alias, rounded number, jlvs kindness). */
    public void accepted(ConfigStatus category, String message) {
        add(category, message, true);
    }

    private void add(ConfigStatus category, String message, boolean accepted) {
        Position p = position;
        String prefix = p.prefix();
        diagnostics.add(new Diagnostic(prefix + message, category, prefix.isEmpty() ? null : p.file(),
                prefix.isEmpty() ? 0 : p.line(), accepted));
        status = status.after(category);
    }

    /** A message keepalived logs to syslog only: no {@code -t} output, no status change. */
    public void log(String message) {
        Position p = position;
        logs.add(p.line() > 0 && p.file() != null ? p.file() + ":" + p.line() + ": " + message : message);
    }

    /** An include failure that violates the active include checks ({@code -t} exits 6 before later passes). */
    void markFileError() {
        fileError = true;
    }

    public boolean fileError() {
        return fileError;
    }

    public ConfigStatus status() {
        return status;
    }

    public List<Diagnostic> diagnostics() {
        return List.copyOf(diagnostics);
    }

    public List<String> logs() {
        return List.copyOf(logs);
    }
}
