package io.jlvs.keepalived.config;

/**
 * One configuration message as keepalived prints it.
 *
 * @param text      the whole line as printed, with keepalived's {@code (FILE: Line N) } or {@code (Line N) }
 *                  prefix when it has one
 * @param category  keepalived's category of the message
 * @param file      the file the message is about ({@code null} when it carries no position)
 * @param line      its line number, 0 when it carries no position
 * @param accepted  true when the value was taken anyway (a deprecated alias, an old keyword jlvs understands,
 *                  a rounded number): such a message never stops a reload
 */
public record Diagnostic(String text, ConfigStatus category, String file, int line, boolean accepted) {

    /** True when this message means the configuration is not what its author wrote, so a reload must not use it. */
    public boolean blocksReload() {
        if (accepted) {
            return false;
        }
        return switch (category) {
            case FILE_NOT_FOUND, BAD_IF, FATAL, MISSING_PARAMETER -> true;
            case UNKNOWN_KEYWORD, UNEXPECTED_BOB, MISSING_BOB, UNEXPECTED_EOB, MISSING_EOB, UNMATCHED_QUOTE -> true;
            case INVALID_NUMBER, GENERAL_ERROR -> line > 0;
            default -> false;
        };
    }

    /** {@code file:line: message} for jlvs's own logs: keepalived's message with the position in front instead. */
    public String withPosition() {
        if (line <= 0 || file == null) {
            return text;
        }
        String message = text;
        String prefix = "Line " + line + ") ";
        int at = text.startsWith("(") ? text.indexOf(prefix) : -1;
        if (at > 0) {
            message = text.substring(at + prefix.length());
        }
        return file + ":" + line + ": " + message;
    }
}
