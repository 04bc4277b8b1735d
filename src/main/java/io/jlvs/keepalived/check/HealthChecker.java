package io.jlvs.keepalived.check;

/**
 * One health checker of a real server: a single attempt, run on its own (virtual) thread and bounded by
 * the checker's own timeout, so a slow server never delays another. What the results mean over time
 * (retries, up/down) is {@link CheckerState}'s business, not the checker's.
 */
public interface HealthChecker {
    /**
     * The outcome of one attempt.
     *
     * @param success    whether the server passed
     * @param detail     what happened, for the log ("connection refused", "HTTP status code error to …")
     * @param exitStatus MISC_CHECK's exit status (-1 when timed out or killed); 0 for the others
     */
    record Result(boolean success, String detail, int exitStatus) {
        public static Result ok(String detail) {
            return new Result(true, detail, 0);
        }

        public static Result failed(String detail) {
            return new Result(false, detail, 0);
        }
    }

    /** The configuration keyword: TCP_CHECK, HTTP_GET … */
    String type();

    /**
     * Runs one attempt. {@code step} is the URL index for HTTP_GET/SSL_GET, 0 otherwise. Network failures are
     * results, not exceptions.
     */
    Result check(int step) throws InterruptedException;

    /** Steps of a full round: the number of URLs for HTTP_GET/SSL_GET, 1 otherwise. */
    default int steps() {
        return 1;
    }

    /** Releases what the checker holds (nothing for most). */
    default void close() {}
}
