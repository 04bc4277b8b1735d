package io.jlvs.vrrp;

import io.jlvs.keepalived.config.GlobalDefs;
import io.jlvs.keepalived.config.KeepalivedConfig;
import io.jlvs.keepalived.config.Script;
import io.jlvs.keepalived.config.VrrpConfig;
import io.jlvs.vrrp.VrrpInstanceConfig.Garp;
import io.jlvs.vrrp.VrrpInstanceConfig.NotifyScripts;
import io.jlvs.vrrp.VrrpInstanceConfig.TrackedInterface;
import io.jlvs.vrrp.VrrpInstanceConfig.TrackedScript;
import io.jlvs.vrrp.VrrpInstanceConfig.UnicastPeer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Turns the VRRP part of a parsed keepalived.conf ({@code io.jlvs.keepalived.config}) into jlvs's VRRP records,
 * applying the {@code global_defs} defaults ({@code vrrp_garp_*}, {@code vrrp_mcast_group4/6},
 * {@code vrrp_lower_prio_no_advert} …) where an instance says nothing. Keywords jlvs does not run (use_vmac,
 * virtual_routes/rules, track_file/process/bfd, AH) are reported through {@code warn} and skipped.
 */
public final class KeepalivedVrrpAdapter {
    private static final long S = VrrpInstanceConfig.SECOND_US;

    private KeepalivedVrrpAdapter() {}

    public static VrrpSettings settings(KeepalivedConfig config, Consumer<String> warn) {
        return settings(config.vrrp(), config.global() == null ? null : config.global().vrrp(), warn);
    }

    /**
     * @param globals {@code global_defs} VRRP values, {@code null} for keepalived's defaults
     * @throws IllegalArgumentException for values jlvs cannot run (an address that does not parse …)
     */
    public static VrrpSettings settings(VrrpConfig vrrp, GlobalDefs.VrrpGlobals globals, Consumer<String> warn) {
        List<VrrpScriptConfig> scripts = new ArrayList<>();
        for (VrrpConfig.VrrpScript s : vrrp.scripts()) {
            if (s.script() == null || s.script().argv().isEmpty()) {
                warn.accept("vrrp_script " + s.name() + ": no script - ignored");
                continue;
            }
            scripts.add(new VrrpScriptConfig(s.name(), s.script().argv(), Math.max(1, s.intervalS()) * S,
                    s.timeoutS() * S, s.weight(), s.weightReverse(), (int) Math.max(1, s.rise()),
                    (int) Math.max(1, s.fall()), s.initFail()));
        }
        List<String> scriptNames = scripts.stream().map(VrrpScriptConfig::name).toList();
        List<VrrpInstanceConfig> instances = new ArrayList<>();
        for (VrrpConfig.Instance i : vrrp.instances()) {
            instances.add(instance(i, globals, scriptNames, warn));
        }
        List<VrrpSyncGroupConfig> groups = new ArrayList<>();
        for (VrrpConfig.SyncGroup g : vrrp.syncGroups()) {
            groups.add(new VrrpSyncGroupConfig(g.name(), g.group() == null ? List.of() : g.group(),
                    trackInterfaces(g.trackInterface()), trackScripts(g.trackScript(), scriptNames, g.name(), warn),
                    notify(g.notifyScripts()), g.keywords().containsKey("sync_group_tracking_weight")));
        }
        return new VrrpSettings(instances, groups, scripts);
    }

    private static VrrpInstanceConfig instance(VrrpConfig.Instance i, GlobalDefs.VrrpGlobals g,
                                               List<String> scriptNames, Consumer<String> warn) {
        Map<String, List<List<String>>> kw = i.keywords();
        if (i.interfaceName() == null) {
            throw new IllegalArgumentException("vrrp_instance: jlvs needs an interface: instance=" + i.name());
        }
        VrrpInstanceConfig.Builder b = VrrpInstanceConfig.builder(i.name(), i.interfaceName(), i.virtualRouterId());
        if (i.priority() != 0) {
            b.priority(i.priority());
        }
        if (i.state() != null) {
            b.stateMaster("MASTER".equals(i.state()));
        }
        int version = i.version() != 0 ? i.version() : g != null && g.version() > 0 ? g.version() : 0;
        if (version != 0) {
            b.version(version);
        }
        b.advertIntUs(i.advertIntUs() > 0 ? i.advertIntUs() : S);
        if ("PASS".equals(i.authType())) {
            b.authPass(i.authPass());
        } else if (i.authType() != null) {
            warn.accept("(" + i.name() + ") auth_type " + i.authType() + " is not supported by jlvs - ignored");
        }
        for (List<String> line : i.virtualIpaddress()) {
            b.vip(VirtualAddress.parse(line));
        }
        for (List<String> line : i.virtualIpaddressExcluded()) {
            b.excluded(VirtualAddress.parse(line));
        }
        String src = i.unicastSrcIp() != null && !i.unicastPeers().isEmpty() ? i.unicastSrcIp() : i.mcastSrcIp();
        if (src != null) {
            b.source(VirtualAddress.literal(src));
        }
        for (List<String> peer : i.unicastPeers()) {
            int min = 0;
            int max = 255;
            for (int k = 1; k + 1 < peer.size(); k += 2) {
                if (peer.get(k).equals("min_ttl")) {
                    min = Integer.parseInt(peer.get(k + 1));
                } else if (peer.get(k).equals("max_ttl")) {
                    max = Integer.parseInt(peer.get(k + 1));
                }
            }
            b.unicastPeer(new UnicastPeer(VirtualAddress.literal(peer.get(0)), min, max));
        }
        String dst = first(kw, "mcast_dst_ip");
        boolean v6 = !i.virtualIpaddress().isEmpty() && i.virtualIpaddress().getFirst().getFirst().contains(":");
        if (dst != null) {
            b.multicastGroup(VirtualAddress.literal(dst));
        } else if (g != null) {
            String group = v6 ? g.mcastGroup6() : g.mcastGroup4();
            if (group != null) {
                b.multicastGroup(VirtualAddress.literal(group));
            }
        }
        String ttl = first(kw, "unicast_ttl");
        if (ttl != null) {
            b.unicastTtl(Integer.parseInt(ttl));
        }
        b.nopreempt(i.nopreempt());
        b.preemptDelayUs(i.preemptDelayUs());
        for (TrackedInterface t : trackInterfaces(i.trackInterface())) {
            b.trackInterface(t.name(), t.weight(), t.reverse());
        }
        for (TrackedScript t : trackScripts(i.trackScript(), scriptNames, i.name(), warn)) {
            b.trackScript(t.name(), t.weight(), t.reverse());
        }
        b.dontTrackPrimary(kw.containsKey("dont_track_primary"));
        b.garp(garp(kw, g));
        b.notifyScripts(notify(i.notifyScripts()));
        String down = first(kw, "down_timer_adverts");
        b.downTimerAdverts(down != null ? Integer.parseInt(down)
                : g != null && g.downTimerAdverts() > 0 ? (int) g.downTimerAdverts() : 3);
        b.lowerPrioNoAdvert(flag(kw, "lower_prio_no_advert", g != null && g.lowerPrioNoAdvert()));
        b.higherPrioSendAdvert(flag(kw, "higher_prio_send_advert", g != null && g.higherPrioSendAdvert()));
        b.skipCheckAdvAddr(flag(kw, "skip_check_adv_addr", g != null && g.skipCheckAdvAddr()));
        b.checkUnicastSrc(flag(kw, "check_unicast_src", g != null && g.checkUnicastSrc()));
        b.v3ChecksumAsV2(flag(kw, "v3_checksum_as_v2", false));
        for (String unsupported : List.of("use_vmac", "virtual_routes", "virtual_rules", "track_file",
                "track_process", "track_bfd", "track_src_ip")) {
            if (kw.containsKey(unsupported)) {
                warn.accept("(" + i.name() + ") " + unsupported + " is not supported by jlvs - ignored");
            }
        }
        return b.build();
    }

    private static Garp garp(Map<String, List<List<String>>> kw, GlobalDefs.VrrpGlobals g) {
        Garp d = Garp.DEFAULT;
        long delay = g != null && g.garpMasterDelayUs() >= 0 ? g.garpMasterDelayUs() : d.masterDelayUs();
        int repeat = g != null && g.garpMasterRepeat() >= 0 ? (int) g.garpMasterRepeat() : d.masterRepeat();
        long refresh = g != null && g.garpMasterRefreshS() >= 0 ? g.garpMasterRefreshS() * S : d.masterRefreshUs();
        int refreshRepeat = g != null && g.garpMasterRefreshRepeat() >= 0 ? (int) g.garpMasterRefreshRepeat()
                : d.masterRefreshRepeat();
        if (g != null && g.minGarp()) {
            repeat = 1;
            delay = 0;
            refresh = 0;
        }
        long lowerDelay = g != null && g.garpLowerPrioDelayUs() >= 0 ? g.garpLowerPrioDelayUs() : delay;
        int lowerRepeat = g != null && g.garpLowerPrioRepeat() >= 0 ? (int) g.garpLowerPrioRepeat() : repeat;
        delay = seconds(kw, "garp_master_delay", delay);
        repeat = (int) count(kw, "garp_master_repeat", repeat);
        refresh = seconds(kw, "garp_master_refresh", refresh);
        refreshRepeat = (int) count(kw, "garp_master_refresh_repeat", refreshRepeat);
        lowerDelay = seconds(kw, "garp_lower_prio_delay", lowerDelay);
        lowerRepeat = (int) count(kw, "garp_lower_prio_repeat", lowerRepeat);
        return new Garp(delay, Math.max(1, repeat), refresh, Math.max(1, refreshRepeat), lowerDelay, lowerRepeat);
    }

    private static long seconds(Map<String, List<List<String>>> kw, String key, long dflt) {
        String v = first(kw, key);
        return v == null ? dflt : Math.round(Double.parseDouble(v) * S);
    }

    private static long count(Map<String, List<List<String>>> kw, String key, long dflt) {
        String v = first(kw, key);
        return v == null ? dflt : Long.parseLong(v);
    }

    private static boolean flag(Map<String, List<List<String>>> kw, String key, boolean dflt) {
        List<List<String>> lines = kw.get(key);
        if (lines == null || lines.isEmpty()) {
            return dflt;
        }
        List<String> last = lines.getLast();
        return last.isEmpty() || !List.of("false", "no", "off", "0").contains(last.getFirst().toLowerCase());
    }

    private static String first(Map<String, List<List<String>>> kw, String key) {
        List<List<String>> lines = kw.get(key);
        if (lines == null || lines.isEmpty() || lines.getLast().isEmpty()) {
            return null;
        }
        return lines.getLast().getFirst();
    }

    private static List<TrackedInterface> trackInterfaces(List<List<String>> lines) {
        List<TrackedInterface> out = new ArrayList<>();
        for (List<String> l : lines == null ? List.<List<String>>of() : lines) {
            int weight = 0;
            boolean reverse = false;
            for (int k = 1; k < l.size(); k++) {
                if (l.get(k).equals("weight") && k + 1 < l.size()) {
                    weight = Math.clamp(Integer.parseInt(l.get(++k)), -253, 253);
                } else if (l.get(k).equals("reverse")) {
                    reverse = true;
                }
            }
            out.add(new TrackedInterface(l.getFirst(), weight, reverse));
        }
        return out;
    }

    private static List<TrackedScript> trackScripts(List<List<String>> lines, List<String> known, String owner,
                                                    Consumer<String> warn) {
        List<TrackedScript> out = new ArrayList<>();
        for (List<String> l : lines == null ? List.<List<String>>of() : lines) {
            if (!known.contains(l.getFirst())) {
                warn.accept("(" + owner + ") track script " + l.getFirst() + " not found, ignoring...");
                continue;
            }
            Integer weight = null;
            boolean reverse = false;
            for (int k = 1; k < l.size(); k++) {
                if (l.get(k).equals("weight") && k + 1 < l.size()) {
                    weight = Math.clamp(Integer.parseInt(l.get(++k)), -253, 253);
                } else if (l.get(k).equals("reverse")) {
                    reverse = true;
                }
            }
            out.add(new TrackedScript(l.getFirst(), weight, reverse));
        }
        return out;
    }

    private static NotifyScripts notify(Map<String, Script> m) {
        if (m == null || m.isEmpty()) {
            return NotifyScripts.NONE;
        }
        return new NotifyScripts(argv(m, "notify_master"), argv(m, "notify_backup"), argv(m, "notify_fault"),
                argv(m, "notify_stop"), argv(m, "notify"), argv(m, "notify_master_rx_lower_pri"));
    }

    private static List<String> argv(Map<String, Script> m, String key) {
        Script s = m.get(key);
        return s == null ? null : s.argv();
    }
}
