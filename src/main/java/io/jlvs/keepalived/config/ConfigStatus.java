package io.jlvs.keepalived.config;

/**
 * keepalived's {@code config_err_t} (lib/parser.h): the category of every configuration message, in the
 * order that decides the status of a whole parse. A report replaces the status when its category comes
 * later in this list, so the latest-listed category seen wins (observed with keepalived 2.2.7 {@code -t}).
 */
public enum ConfigStatus {
    OK,
    FILE_NOT_FOUND,
    BAD_IF,
    FATAL,
    MULTIPLE_FILES,
    UNKNOWN_KEYWORD,
    UNEXPECTED_BOB,
    MISSING_BOB,
    UNEXPECTED_EOB,
    MISSING_EOB,
    UNMATCHED_QUOTE,
    MISSING_PARAMETER,
    INVALID_NUMBER,
    GENERAL_ERROR,
    WARNING,
    DEPRECATED,
    SECURITY_ERROR;

    /** The status after a report of {@code reported} on top of this one. */
    public ConfigStatus after(ConfigStatus reported) {
        return this == OK || ordinal() < reported.ordinal() ? reported : this;
    }

    /** {@code keepalived -t}'s exit status for a parse that ended with this status: 0, 4, 5 or 6. */
    public int configTestExitStatus() {
        return switch (this) {
            case OK -> 0;
            case FILE_NOT_FOUND, BAD_IF, FATAL -> 4;
            case SECURITY_ERROR -> 6;
            default -> 5;
        };
    }
}
