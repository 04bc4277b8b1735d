package io.jlvs.vrrp;

import java.util.List;

/** Everything {@link VrrpEngine} runs: instances, sync groups, scripts. */
public record VrrpSettings(List<VrrpInstanceConfig> instances, List<VrrpSyncGroupConfig> syncGroups,
                           List<VrrpScriptConfig> scripts) {
    public VrrpSettings {
        instances = List.copyOf(instances);
        syncGroups = List.copyOf(syncGroups);
        scripts = List.copyOf(scripts);
    }
}
