package io.jlvs.keepalived.check;

import io.jlvs.keepalived.config.CheckerConfig;

/**
 * The retry state machine of one checker, as keepalived's checker epilogs drive it (check_tcp.c,
 * check_udp.c, check_http.c, check_misc.c …): whether the checker is up, whether it has run, how many
 * retries are spent, and when it runs next. Pure: results go in, the delay to the next run comes out, and
 * verdicts are handed to a {@link Verdicts} callback at the moment keepalived would act on them.
 *
 * <p>Starting state (keepalived's {@code validate_check_config}): up unless alpha, not run, the retry counter
 * preset to {@code retry} so that the first result is decisive.
 */
public final class CheckerState {
    /** Where verdicts go: keepalived's {@code update_svr_checker_state} and weight updates. */
    public interface Verdicts {
        /** A decisive result: alive or not (may repeat the current state on the first run). */
        void verdict(CheckerState state, boolean alive);

        /**
         * MISC_CHECK with misc_dynamic changed this checker's weight contribution; {@code push} is false when
         * keepalived only books the change (the server is about to go down).
         */
        default void weight(CheckerState state, long contribution, boolean push) {}
    }

    private final CheckerConfig.Timing timing;
    private final long retry;
    boolean up;
    boolean hasRun;
    long retryIt;
    // HTTP/SSL_GET: the URL under test and the URL that failed (-1: none)
    private final int urls;
    private int urlIt;
    private int failedUrl = -1;
    private final boolean fastRecovery;
    // MISC_CHECK
    private int lastExitCode;
    private long contribution;

    public CheckerState(CheckerConfig.Timing timing, int urls, boolean fastRecovery) {
        this.timing = timing;
        this.retry = timing.retry();
        this.urls = Math.max(0, urls);
        this.fastRecovery = fastRecovery;
        this.up = !timing.alpha();
        this.retryIt = retry;
    }

    public boolean up() {
        return up;
    }

    public boolean hasRun() {
        return hasRun;
    }

    public long retryIt() {
        return retryIt;
    }

    public CheckerConfig.Timing timing() {
        return timing;
    }

    /** The URL the next HTTP round checks (0-based). */
    public int urlIndex() {
        return urlIt;
    }

    public int lastExitCode() {
        return lastExitCode;
    }

    public long contribution() {
        return contribution;
    }

    /** keepalived's {@code set_checker_state}: the verdict is applied (called by the engine). */
    public void setUp(boolean v) {
        up = v;
    }

    /** keepalived's {@code update_svr_checker_state} marks the checker as having run. */
    public void markRun() {
        hasRun = true;
    }

    /** Carries state over from the same checker before a reload (keepalived's {@code migrate_checkers}). */
    public void inherit(CheckerState old) {
        up = old.up;
        hasRun = old.hasRun;
        retryIt = Math.min(old.retryIt, retry);
        lastExitCode = old.lastExitCode;
        contribution = old.contribution;
    }

    /** A reload found no failed checker: new checkers start as though they had passed once. */
    public void presetRun() {
        hasRun = false;
    }

    /**
     * TCP_CHECK ({@code tcp_epilog}): a failure is retried every {@code delay_before_retry}, whether up or down.
     *
     * @return µs until the next attempt
     */
    public long tcp(boolean success, Verdicts v) {
        long delay;
        if (success || retryIt >= retry) {
            delay = timing.delayLoopUs();
            retryIt = 0;
            if (success && (!up || !hasRun)) {
                v.verdict(this, true);
            } else if (!success && (up || !hasRun)) {
                v.verdict(this, false);
            }
        } else {
            delay = timing.delayBeforeRetryUs();
            retryIt++;
        }
        hasRun = true;
        return delay;
    }

    /**
     * UDP_CHECK, PING_CHECK, SMTP_CHECK, DNS_CHECK ({@code udp_epilog} and friends): retries only while up
     * (or before the first verdict).
     */
    public long standard(boolean success, Verdicts v) {
        long delay = timing.delayLoopUs();
        if (success || ((up || !hasRun) && retryIt >= retry)) {
            retryIt = 0;
            if (success && (!up || !hasRun)) {
                v.verdict(this, true);
            } else if (!success && (up || !hasRun)) {
                v.verdict(this, false);
            }
        } else if (up) {
            delay = timing.delayBeforeRetryUs();
            retryIt++;
        }
        hasRun = true;
        return delay;
    }

    /**
     * HTTP_GET/SSL_GET ({@code epilog} in check_http.c): one URL per round; a URL failure is retried on the same
     * URL; the final failure takes the checker down and remembers the URL, which is re-tried until it passes;
     * then every URL is checked again from the first, and only a clean pass brings the checker up.
     */
    public long http(boolean success, Verdicts v) {
        boolean retryMethod = false;
        if (success) {
            urlIt = urlIt + 1 >= urls ? -1 : urlIt + 1;
            retryIt = 0;
        } else if (up || !hasRun) {
            hasRun = true;
            retryMethod = true;
            retryIt++;
        }
        if (success && urlIt < 0 && failedUrl < 0) {
            if (!up || !hasRun) {
                v.verdict(this, true);
                hasRun = true;
            }
            urlIt = 0;
            retryIt = 0;
        } else if (retryMethod && retryIt > retry) {
            if (up || !hasRun) {
                v.verdict(this, false);
            }
            failedUrl = urlIt;
        } else if (success && failedUrl >= 0) {
            failedUrl = -1;
            urlIt = 0;
            retryIt = 0;
        }
        if (urlIt < 0) {
            urlIt = 0;
        }
        long delay;
        if (success) {
            delay = timing.delayLoopUs();
            if (!hasRun) {
                retryIt = retry;
            }
        } else if (failedUrl >= 0) {
            delay = Math.max(timing.delayBeforeRetryUs(), timing.delayLoopUs());
        } else {
            delay = timing.delayBeforeRetryUs();
        }
        if (fastRecovery && (!hasRun || (!up && failedUrl < 0))) {
            delay = 0;
        }
        return delay;
    }

    /**
     * MISC_CHECK ({@code misc_check_child_thread}).
     *
     * @param status  the exit status, or -1 when the script timed out or died of a signal
     * @param dynamic misc_dynamic: 2..255 are successes that set the weight
     * @param weight  the real server's configured weight (its contribution is {@code status - 2 - weight})
     * @return µs from the start of this run to the next one
     */
    public long misc(int status, boolean dynamic, long weight, Verdicts v) {
        Boolean verdict = null;
        if (status == 0 || (dynamic && status >= 2 && status <= 255)) {
            if (status != lastExitCode) {
                contribution = status != 0 ? status - 2 - weight : 0;
                v.weight(this, contribution, true);
                lastExitCode = status;
            }
            if (!up || !hasRun) {
                verdict = true;
            }
            retryIt = 0;
        } else if (up || !hasRun) {
            if (retryIt < retry) {
                retryIt++;
            } else {
                retryIt = 0;
                if (status >= 0) {
                    lastExitCode = status;
                }
                if (contribution != 0) {
                    contribution = 0;
                    v.weight(this, 0, false);
                }
                verdict = false;
            }
        }
        if (verdict != null) {
            v.verdict(this, verdict);
        }
        hasRun = true;
        return retryIt != 0 ? timing.delayBeforeRetryUs() : timing.delayLoopUs();
    }
}
