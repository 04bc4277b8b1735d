package io.jlvs.vrrp;

import java.util.List;

/**
 * A {@code vrrp_script} (vrrp.md §10.2): run every {@code intervalUs}; exit 0 is success, anything else (or running past
 * {@code timeoutUs}) a failure; OK after {@code rise} successes in a row, FAILED after {@code fall} failures in a row.
 * Until its first result the script is in INIT (FAILED at once with {@code initFail}).
 */
public record VrrpScriptConfig(String name, List<String> argv, long intervalUs, long timeoutUs, int weight,
                               boolean weightReverse, int rise, int fall, boolean initFail) {
    public VrrpScriptConfig {
        argv = List.copyOf(argv);
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("vrrp_script: no script: name=" + name);
        }
        intervalUs = intervalUs <= 0 ? VrrpInstanceConfig.SECOND_US : intervalUs;
        timeoutUs = timeoutUs <= 0 ? intervalUs : timeoutUs;
        weight = Math.clamp(weight, -253, 253);
        rise = Math.max(1, rise);
        fall = Math.max(1, fall);
    }

    /** keepalived's defaults: every second, weight 0, rise 1, fall 1. */
    public static VrrpScriptConfig of(String name, List<String> argv) {
        return new VrrpScriptConfig(name, argv, VrrpInstanceConfig.SECOND_US, 0, 0, false, 1, 1, false);
    }
}
