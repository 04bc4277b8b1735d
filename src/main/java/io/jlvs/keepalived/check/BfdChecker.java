package io.jlvs.keepalived.check;

import io.jlvs.keepalived.config.CheckerConfig;

/**
 * BFD_CHECK: jlvs runs no BFD sessions, so this checker never fails; the daemon says so at start-up
 * (docs/keepalived.md). It exists so that a configuration using it keeps its other checkers.
 */
public final class BfdChecker implements HealthChecker {
    private final CheckerConfig.Bfd config;

    public BfdChecker(CheckerConfig.Bfd config) {
        this.config = config;
    }

    @Override
    public String type() {
        return "BFD_CHECK";
    }

    @Override
    public Result check(int step) {
        return Result.ok("BFD_CHECK " + config.name() + ": no BFD in jlvs, assumed up");
    }
}
