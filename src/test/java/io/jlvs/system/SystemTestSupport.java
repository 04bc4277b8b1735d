package io.jlvs.system;

import io.jlvs.app.Testbed;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What every {@code *SystemTest} needs before it builds a {@link Testbed}: root and the tools. On a
 * developer's machine a missing prerequisite skips the test; under {@code CI=true} it fails it, so a CI
 * machine without nginx or wrk cannot pass by running nothing.
 */
final class SystemTestSupport {
    static final String[] TOOLS = {"ip", "sysctl", "nginx", "curl", "wrk", "nft"};

    private SystemTestSupport() {}

    static void requireEnvironment() {
        List<String> missing = new ArrayList<>();
        if (!Testbed.isRoot()) {
            missing.add("root");
        }
        missing.addAll(Testbed.missingTools(TOOLS));
        if (missing.isEmpty()) {
            return;
        }
        String message = "system tests need " + String.join(", ", missing)
                + " (Debian: apt-get install iproute2 procps nginx-light curl wrk nftables; run as root)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message + "; CI=true, so a missing prerequisite is a failure, not a skip");
        }
        assumeTrue(false, message);
    }
}
