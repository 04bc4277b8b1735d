package io.jlvs.keepalived.config;

/**
 * A handler read a word the line does not have: keepalived reports it and exits with status 2 at once
 * (its {@code null_strvec} handler); the parse ends here.
 */
public final class MissingParameterException extends RuntimeException {
    public MissingParameterException(String message) {
        super(message, null, false, false);
    }
}
