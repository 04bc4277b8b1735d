package io.jlvs.vrrp;

import io.jlvs.vrrp.VrrpInstanceConfig.NotifyScripts;
import io.jlvs.vrrp.VrrpInstanceConfig.TrackedInterface;
import io.jlvs.vrrp.VrrpInstanceConfig.TrackedScript;

import java.util.List;

/**
 * A {@code vrrp_sync_group} (vrrp.md §11.2): member instances that change state together, the trackers applied to every
 * member and the group's own notify scripts (run with {@code GROUP name STATE 0}).
 *
 * @param trackingWeight {@code sync_group_tracking_weight}: keep members' weighted trackers (else they become
 *                       unweighted interfaces and dropped scripts, as keepalived does)
 */
public record VrrpSyncGroupConfig(String name, List<String> members, List<TrackedInterface> trackInterfaces,
                                  List<TrackedScript> trackScripts, NotifyScripts notifyScripts,
                                  boolean trackingWeight) {
    public VrrpSyncGroupConfig {
        members = List.copyOf(members);
        trackInterfaces = List.copyOf(trackInterfaces);
        trackScripts = List.copyOf(trackScripts);
        notifyScripts = notifyScripts == null ? NotifyScripts.NONE : notifyScripts;
    }

    public static VrrpSyncGroupConfig of(String name, List<String> members) {
        return new VrrpSyncGroupConfig(name, members, List.of(), List.of(), NotifyScripts.NONE, false);
    }
}
