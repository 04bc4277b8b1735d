package io.jlvs.keepalived.config;

import java.util.List;
import java.util.Map;

/**
 * The VRRP part of a configuration, parsed but not run by jlvs's issue 7 (issue 8 runs it). Typed where
 * vrrp.md describes semantics; every keyword line of each block is also kept verbatim, in order, in
 * {@code keywords} (keyword → occurrences → words), and value blocks keep their lines as word lists.
 */
public record VrrpConfig(List<Instance> instances, List<SyncGroup> syncGroups, List<VrrpScript> scripts,
                         List<Block> otherBlocks) {
    public static final VrrpConfig EMPTY = new VrrpConfig(List.of(), List.of(), List.of(), List.of());

    public VrrpConfig {
        instances = List.copyOf(instances);
        syncGroups = List.copyOf(syncGroups);
        scripts = List.copyOf(scripts);
        otherBlocks = List.copyOf(otherBlocks);
    }

    /**
     * A {@code vrrp_instance}.
     *
     * @param state           MASTER, BACKUP, or null when unset
     * @param virtualRouterId 1..255, 0 when unset
     * @param priority        1..255, 0 when unset
     * @param advertIntUs     advertisement interval, µs (default 1 s)
     * @param version         2 or 3, 0 when unset
     * @param authType        PASS, AH or null
     * @param notifyScripts   notify_master, notify_backup, notify_fault, notify_stop, notify_deleted, notify,
     *                        notify_master_rx_lower_pri → script
     */
    public record Instance(String name, String state, String interfaceName, boolean interfaceExists,
                           int virtualRouterId, int priority, long advertIntUs, int version, String authType,
                           String authPass, List<List<String>> virtualIpaddress,
                           List<List<String>> virtualIpaddressExcluded, List<List<String>> virtualRoutes,
                           List<List<String>> virtualRules, boolean nopreempt, long preemptDelayUs,
                           String mcastSrcIp, String unicastSrcIp, List<List<String>> unicastPeers,
                           List<List<String>> trackInterface, List<List<String>> trackScript,
                           List<List<String>> trackFile, Map<String, Script> notifyScripts, Boolean smtpAlert,
                           Map<String, List<List<String>>> keywords) {}

    /** A {@code vrrp_sync_group}: member instances, tracking, notify scripts. */
    public record SyncGroup(String name, List<String> group, List<List<String>> trackInterface,
                            List<List<String>> trackScript, List<List<String>> trackFile, Map<String, Script> notifyScripts,
                            Boolean smtpAlert, Map<String, List<List<String>>> keywords) {}

    /**
     * A {@code vrrp_script}: interval/timeout in seconds (timeout 0 = interval), weight −253..253.
     */
    public record VrrpScript(String name, Script script, long intervalS, long timeoutS, int weight,
                             boolean weightReverse, long rise, long fall, boolean initFail,
                             Map<String, List<List<String>>> keywords) {}

    /** Any other VRRP-side root block kept verbatim (garp_group, static_ipaddress, track_group …). */
    public record Block(String keyword, List<String> header, List<List<String>> lines) {}
}
