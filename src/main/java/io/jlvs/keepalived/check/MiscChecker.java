package io.jlvs.keepalived.check;

import io.jlvs.keepalived.config.CheckerConfig;

/**
 * MISC_CHECK (check_misc.c): runs the script; its exit status is the result (0 success; with
 * {@code misc_dynamic} 2..255 are successes that set the weight, 1 a failure). A script still running after
 * {@code misc_timeout} (default: the virtual server's delay_loop) is killed and counts as a failure.
 */
public final class MiscChecker implements HealthChecker {
    private final CheckerConfig.Misc config;
    private final long timeoutUs;
    private final ProcessRunner runner;

    /** @param vsDelayLoopUs the virtual server's delay_loop, the timeout when {@code misc_timeout} is 0 */
    public MiscChecker(CheckerConfig.Misc config, long vsDelayLoopUs, ProcessRunner runner) {
        this.config = config;
        this.timeoutUs = config.timeoutUs() != 0 ? config.timeoutUs() : vsDelayLoopUs;
        this.runner = runner;
    }

    @Override
    public String type() {
        return "MISC_CHECK";
    }

    public CheckerConfig.Misc config() {
        return config;
    }

    @Override
    public Result check(int step) throws InterruptedException {
        int status = runner.run(config.script(), timeoutUs);
        boolean ok = status == 0 || (config.dynamic() && status >= 2 && status <= 255);
        String how = status < 0 ? "timed out" : ok ? "succeeded" : "failed";
        return new Result(ok, "Misc check by [" + config.script().argv().getFirst() + "] " + how
                + (status >= 0 ? " (exited with status " + status + ")" : ""), status);
    }
}
