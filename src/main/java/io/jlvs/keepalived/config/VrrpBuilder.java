package io.jlvs.keepalived.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The VRRP side while the VRRP pass parses it; {@link #build} turns it into {@link VrrpConfig}. */
final class VrrpBuilder {
    final List<Instance> instances = new ArrayList<>();
    final List<Group> groups = new ArrayList<>();
    final List<ScriptB> scripts = new ArrayList<>();
    final List<Block> blocks = new ArrayList<>();
    Block currentBlock;
    int garpGroups;
    boolean nonExistentInterface;

    static final class Instance {
        final String name;
        String state;
        String interfaceName;
        boolean interfaceExists;
        int vrid;
        int priority;
        long advertIntUs = Numbers.TIMER_HZ;
        int version;
        String authType;
        String authPass;
        boolean nopreempt;
        long preemptDelayUs;
        String mcastSrcIp;
        String unicastSrcIp;
        Boolean smtpAlert;
        Boolean strict;
        final Map<String, Script> notify = new LinkedHashMap<>();
        final Map<String, List<List<String>>> keywords = new LinkedHashMap<>();

        Instance(String name) {
            this.name = name;
        }

        List<List<String>> keyword(String k) {
            return keywords.computeIfAbsent(k, x -> new ArrayList<>());
        }
    }

    static final class Group {
        final String name;
        List<String> members;
        Boolean smtpAlert;
        final Map<String, Script> notify = new LinkedHashMap<>();
        final Map<String, List<List<String>>> keywords = new LinkedHashMap<>();

        Group(String name) {
            this.name = name;
        }

        List<List<String>> keyword(String k) {
            return keywords.computeIfAbsent(k, x -> new ArrayList<>());
        }
    }

    static final class ScriptB {
        final String name;
        List<String> argv;
        String user;
        String group;
        long interval = 1;
        long timeout;
        int weight;
        boolean reverse;
        long rise = 1;
        long fall = 1;
        boolean initFail;
        boolean remove;
        boolean userSet;

        ScriptB(String name) {
            this.name = name;
        }
    }

    static final class Block {
        final String keyword;
        final List<String> header;
        final List<List<String>> lines = new ArrayList<>();

        Block(String keyword, List<String> header) {
            this.keyword = keyword;
            this.header = List.copyOf(header);
        }
    }

    private static List<List<String>> kw(Map<String, List<List<String>>> m, String k) {
        return m.getOrDefault(k, List.of()).stream().map(List::copyOf).toList();
    }

    VrrpConfig build() {
        List<VrrpConfig.Instance> is = new ArrayList<>();
        for (Instance i : instances) {
            Map<String, List<List<String>>> k = VrrpKeywords.copy(i.keywords);
            is.add(new VrrpConfig.Instance(i.name, i.state, i.interfaceName, i.interfaceExists, i.vrid, i.priority,
                    i.advertIntUs, i.version, i.authType, i.authPass, kw(k, "virtual_ipaddress"),
                    kw(k, "virtual_ipaddress_excluded"), kw(k, "virtual_routes"), kw(k, "virtual_rules"), i.nopreempt,
                    i.preemptDelayUs, i.mcastSrcIp, i.unicastSrcIp, kw(k, "unicast_peer"), kw(k, "track_interface"),
                    kw(k, "track_script"), kw(k, "track_file"), Map.copyOf(i.notify), i.smtpAlert, k));
        }
        List<VrrpConfig.SyncGroup> gs = new ArrayList<>();
        for (Group g : groups) {
            Map<String, List<List<String>>> k = VrrpKeywords.copy(g.keywords);
            gs.add(new VrrpConfig.SyncGroup(g.name, g.members == null ? List.of() : List.copyOf(g.members),
                    kw(k, "track_interface"), kw(k, "track_script"), kw(k, "track_file"), Map.copyOf(g.notify),
                    g.smtpAlert, k));
        }
        List<VrrpConfig.VrrpScript> ss = new ArrayList<>();
        for (ScriptB s : scripts) {
            ss.add(new VrrpConfig.VrrpScript(s.name, new Script(s.argv, s.user, s.group), s.interval,
                    s.timeout == 0 ? s.interval : s.timeout, s.weight, s.reverse, s.rise, s.fall, s.initFail,
                    new HashMap<>()));
        }
        List<VrrpConfig.Block> bs = new ArrayList<>();
        for (Block b : blocks) {
            bs.add(new VrrpConfig.Block(b.keyword, b.header, b.lines.stream().map(List::copyOf).toList()));
        }
        return new VrrpConfig(is, gs, ss, bs);
    }
}
