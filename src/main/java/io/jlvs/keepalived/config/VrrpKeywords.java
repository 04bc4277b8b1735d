package io.jlvs.keepalived.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The VRRP side of the keyword tree (keepalived/vrrp/vrrp_parser.c), parsed into {@link VrrpConfig} for
 * issue 8 and for keepalived-identical {@code -t} output on the common keywords. Every keyword keepalived
 * 2.2.7 knows is known here (so nothing is reported unknown by mistake) and every line is kept verbatim;
 * the checks and messages of the frequently used ones are keepalived's. jlvs runs no VRRP in issue 7.
 */
final class VrrpKeywords {
    static final List<String> VALUE_BLOCKS = List.of("unicast_peer", "track_interface", "track_script", "track_file",
            "track_process", "track_bfd", "virtual_ipaddress", "virtual_ipaddress_excluded", "virtual_routes",
            "virtual_rules");
    static final List<String> NOTIFY = List.of("notify_backup", "notify_master", "notify_fault", "notify_stop",
            "notify_deleted", "notify", "notify_master_rx_lower_pri");
    static final List<String> INSTANCE_OTHER = List.of("use_vmac", "use_vmac_addr", "vmac_xmit_base", "use_ipvlan",
            "unicast_fault_no_peer", "check_unicast_src", "old_unicast_checksum", "native_ipv6", "vrf",
            "dont_track_primary", "mcast_dst_ip", "track_src_ip", "unicast_ttl", "promote_secondaries",
            "linkbeat_use_polling", "accept", "no_accept", "skip_check_adv_addr", "strict_mode",
            "notify_priority_changes", "lvs_sync_daemon_interface", "garp_master_delay", "garp_master_refresh",
            "garp_master_repeat", "garp_master_refresh_repeat", "garp_lower_prio_delay", "garp_lower_prio_repeat",
            "down_timer_adverts", "garp_extra_if", "vmac_garp_intvl", "lower_prio_no_advert",
            "higher_prio_send_advert", "kernel_rx_buf_size");

    private final ParseContext c;
    private final Reporter r;
    private final VrrpBuilder v;

    private VrrpKeywords(ParseContext c) {
        this.c = c;
        this.r = c.reporter;
        this.v = c.vrrp;
    }

    /** {@code init_vrrp_keywords}. */
    static void install(Keyword.Table t, boolean active, ParseContext c) {
        VrrpKeywords k = new VrrpKeywords(c);
        k.installAll(t, active);
    }

    private void installAll(Keyword.Table t, boolean active) {
        t.root("track_group", w -> {
            if (w == null) {
                return;
            }
            if (w.size() != 2) {
                r.error(ConfigStatus.GENERAL_ERROR, "track_group must have a name - skipping");
                c.parser.skipBlock(true);
                return;
            }
            v.currentBlock = new VrrpBuilder.Block("track_group", w.all());
            v.blocks.add(v.currentBlock);
        }, active);
        t.kw("group", w -> blockLines(w));
        for (String root : List.of("static_ipaddress", "static_routes", "static_rules")) {
            t.root(root, w -> {
                if (w == null) {
                    return;
                }
                VrrpBuilder.Block b = new VrrpBuilder.Block(root, w.all());
                v.blocks.add(b);
                c.parser.valueBlock(w, x -> {
                    if (!root.equals("static_ipaddress") || addressDevice(x)) {
                        b.lines.add(x.all());
                    }
                });
            }, active);
        }
        t.root("vrrp_sync_group", w -> {
            if (w == null) {
                return;
            }
            if (w.size() != 2) {
                r.error(ConfigStatus.GENERAL_ERROR, "vrrp_sync_group must have a name - skipping");
                c.parser.skipBlock(true);
                return;
            }
            String name = w.slot(1);
            if (v.groups.stream().anyMatch(g -> g.name.equals(name))) {
                r.error(ConfigStatus.GENERAL_ERROR, "vrrp sync group " + name + " already defined");
                c.parser.skipBlock(true);
                return;
            }
            v.groups.add(new VrrpBuilder.Group(name));
        }, active);
        kw(t, "group", () -> !v.groups.isEmpty(), w -> {
            VrrpBuilder.Group g = v.groups.getLast();
            if (g.members != null) {
                r.error(ConfigStatus.GENERAL_ERROR, "Group list already specified for sync group " + g.name);
                c.parser.skipBlock(true);
                return;
            }
            g.members = c.parser.valueBlockWords(w);
            if (g.members == null) {
                g.members = new ArrayList<>();
            }
        });
        for (String k : List.of("track_interface", "track_script", "track_file", "track_process", "track_bfd")) {
            kw(t, k, () -> !v.groups.isEmpty(), w -> {
                VrrpBuilder.Group g = v.groups.getLast();
                List<List<String>> lines = new ArrayList<>();
                c.parser.valueBlock(w, x -> lines.add(x.all()));
                g.keyword(k).addAll(lines);
            });
        }
        for (String k : List.of("notify_backup", "notify_master", "notify_fault", "notify_stop", "notify")) {
            kw(t, k, () -> !v.groups.isEmpty(), w -> {
                VrrpBuilder.Group g = v.groups.getLast();
                if (g.notify.containsKey(k)) {
                    r.error(ConfigStatus.GENERAL_ERROR, "(" + g.name + ") " + k + " script already specified - ignoring "
                            + w.slot(1));
                    return;
                }
                Script s = c.notifyScript(w, "notify");
                if (s != null) {
                    g.notify.put(k, s);
                }
            });
        }
        kw(t, "smtp_alert", () -> !v.groups.isEmpty(), w -> {
            VrrpBuilder.Group g = v.groups.getLast();
            Boolean b = GlobalKeywords.bool(w, r, "Invalid vrrp_group smtp_alert parameter %s");
            if (b != null) {
                g.smtpAlert = b;
            }
        });
        for (String k : List.of("global_tracking", "sync_group_tracking_weight", "notify_priority_changes")) {
            kw(t, k, () -> !v.groups.isEmpty(), w -> v.groups.getLast().keyword(k).add(w.all()));
        }

        t.root("garp_group", w -> {
            if (w == null) {
                return;
            }
            v.currentBlock = new VrrpBuilder.Block("garp_group", w.all());
            v.blocks.add(v.currentBlock);
            v.garpGroups++;
        }, active);
        for (String k : List.of("garp_interval", "gna_interval", "interface")) {
            t.kw(k, w -> v.currentBlock.lines.add(w.all()));
        }
        t.kw("interfaces", this::blockLines);
        t.subEndHandler(() -> {
            VrrpBuilder.Block b = v.currentBlock;
            boolean delay = b.lines.stream().anyMatch(l -> l.getFirst().equals("garp_interval")
                    || l.getFirst().equals("gna_interval"));
            if (!delay) {
                r.error(ConfigStatus.GENERAL_ERROR, "garp group " + (v.garpGroups - 1)
                        + " does not have any delay set - removing");
                v.blocks.remove(b);
            }
        });

        t.root("linkbeat_interfaces", w -> {
            if (w == null) {
                return;
            }
            VrrpBuilder.Block b = new VrrpBuilder.Block("linkbeat_interfaces", w.all());
            v.blocks.add(b);
            c.parser.valueBlock(w, x -> b.lines.add(x.all()));
        }, active);

        t.root("vrrp_instance", w -> {
            if (w == null) {
                return;
            }
            if (w.size() != 2) {
                r.error(ConfigStatus.GENERAL_ERROR, "vrrp_instance must have a name");
                c.parser.skipBlock(true);
                return;
            }
            String name = w.slot(1);
            if (v.instances.stream().anyMatch(i -> i.name.equals(name))) {
                r.error(ConfigStatus.GENERAL_ERROR, "vrrp instance " + name + " already defined");
                c.parser.skipBlock(true);
                return;
            }
            v.instances.add(new VrrpBuilder.Instance(name));
        }, active);
        installInstance(t);

        t.root("vrrp_script", w -> {
            if (w == null) {
                return;
            }
            v.scripts.add(new VrrpBuilder.ScriptB(w.slot(1)));
        }, active);
        installScript(t);

        t.root("vrrp_track_process", w -> {
            if (w == null) {
                return;
            }
            v.currentBlock = new VrrpBuilder.Block("vrrp_track_process", List.of(w.slot(0), w.slot(1)));
            v.blocks.add(v.currentBlock);
        }, active);
        for (String k : List.of("process", "param_match", "weight", "quorum", "quorum_max", "delay", "terminate_delay",
                "fork_delay", "full_command")) {
            t.kw(k, w -> v.currentBlock.lines.add(w.all()));
        }

        t.root("interface_up_down_delays", w -> {
            if (w == null) {
                return;
            }
            VrrpBuilder.Block b = new VrrpBuilder.Block("interface_up_down_delays", w.all());
            v.blocks.add(b);
            c.parser.valueBlock(w, x -> b.lines.add(x.all()));
        }, active);
    }

    private void blockLines(Words w) {
        VrrpBuilder.Block b = v.currentBlock;
        c.parser.valueBlock(w, x -> b.lines.add(x.all()));
    }

    /** A keyword that runs only when its block's object exists (keepalived would use whatever is in memory). */
    private static void kw(Keyword.Table t, String name, java.util.function.BooleanSupplier exists, Keyword.Handler h) {
        if (h == null) {
            t.kw(name, null);
            return;
        }
        t.kw(name, w -> {
            if (exists.getAsBoolean()) {
                h.handle(w);
            }
        });
    }

    private VrrpBuilder.Instance inst() {
        return v.instances.getLast();
    }

    private void installInstance(Keyword.Table t) {
        for (String k : VALUE_BLOCKS) {
            kw(t, k, () -> !v.instances.isEmpty(), w -> {
                VrrpBuilder.Instance i = inst();
                List<List<String>> lines = i.keyword(k);
                c.parser.valueBlock(w, x -> {
                    if (k.equals("track_interface")) {
                        trackInterface(i, x);
                    } else if (k.equals("track_script")) {
                        String name = x.slot(0);
                        if (v.scripts.stream().noneMatch(sc -> sc.name.equals(name))) {
                            r.error(ConfigStatus.GENERAL_ERROR, "(" + i.name + ") track script " + name
                                    + " not found, ignoring...");
                            return;
                        }
                    } else if ((k.equals("virtual_ipaddress") || k.equals("virtual_ipaddress_excluded"))
                            && !addressDevice(x)) {
                        return;
                    }
                    lines.add(x.all());
                });
            });
        }
        kw(t, "state", () -> !v.instances.isEmpty(), w -> {
            VrrpBuilder.Instance i = inst();
            String s = w.slot(1);
            record(i, w);
            if (s.equals("MASTER")) {
                i.state = "MASTER";
            } else if (s.equals("BACKUP")) {
                if ("MASTER".equals(i.state)) {
                    r.error(ConfigStatus.GENERAL_ERROR, "(" + i.name + ") state previously set as MASTER - ignoring BACKUP");
                } else {
                    i.state = "BACKUP";
                }
            } else {
                r.error(ConfigStatus.GENERAL_ERROR, "(" + i.name + ") unknown state '" + s + "', defaulting to BACKUP");
                i.state = "BACKUP";
            }
        });
        kw(t, "interface", () -> !v.instances.isEmpty(), w -> {
            VrrpBuilder.Instance i = inst();
            String name = w.slot(1);
            record(i, w);
            if (name.length() >= 16) {
                r.error(ConfigStatus.GENERAL_ERROR, "Interface name '" + name + "' too long - ignoring");
                return;
            }
            i.interfaceName = name;
            if (!ifExists(name)) {
                r.error(ConfigStatus.GENERAL_ERROR, "WARNING - interface " + name + " for vrrp_instance " + i.name
                        + " doesn't exist");
                i.interfaceExists = false;
            } else if (c.interfaceIsLoopback.test(name)) {
                r.error(ConfigStatus.GENERAL_ERROR, "(" + i.name + ") cannot use a loopback interface (" + name
                        + ") for vrrp - ignoring");
                i.interfaceName = null;
            } else {
                i.interfaceExists = true;
            }
        });
        kw(t, "virtual_router_id", () -> !v.instances.isEmpty(), w -> {
            VrrpBuilder.Instance i = inst();
            record(i, w);
            Long id = Numbers.readUnsigned(r, w.slot(1), 1, 255, false);
            if (id == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "(" + i.name + "): VRID '" + w.slot(1)
                        + "' not valid - must be between 1 & 255");
                return;
            }
            i.vrid = id.intValue();
        });
        kw(t, "priority", () -> !v.instances.isEmpty(), w -> {
            VrrpBuilder.Instance i = inst();
            record(i, w);
            Long p = Numbers.readUnsigned(r, w.slot(1), 1, 255, false);
            if (p == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "(" + i.name + ") Priority not valid! must be between 1 & 255."
                        + " Using default 100");
                i.priority = 100;
            } else {
                i.priority = p.intValue();
            }
        });
        kw(t, "advert_int", () -> !v.instances.isEmpty(), w -> {
            VrrpBuilder.Instance i = inst();
            record(i, w);
            Long a = Numbers.readDecimal(r, w.slot(1), Numbers.TIMER_HZ / 100, 255 * Numbers.TIMER_HZ, 6, true);
            if (a == null || a <= 0) {
                r.error(ConfigStatus.GENERAL_ERROR, "(" + i.name + ") Advert interval (" + w.slot(1)
                        + ") not valid! Must be > 0 - ignoring");
            } else {
                i.advertIntUs = a;
            }
        });
        kw(t, "version", () -> !v.instances.isEmpty(), w -> {
            VrrpBuilder.Instance i = inst();
            record(i, w);
            Integer ver = Numbers.readInt(r, w.slot(1), 2, 3, true);
            if (ver == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "(" + i.name + "): Version must be either 2 or 3");
                return;
            }
            if (i.version != 0 && i.version != ver) {
                r.error(ConfigStatus.GENERAL_ERROR, "(" + i.name + ") vrrp_version " + ver
                        + " conflicts with configured or deduced version " + i.version + "; ignoring.");
                return;
            }
            i.version = ver;
        });
        kw(t, "nopreempt", () -> !v.instances.isEmpty(), w -> {
            record(inst(), w);
            inst().nopreempt = true;
        });
        kw(t, "preempt", () -> !v.instances.isEmpty(), w -> {
            record(inst(), w);
            inst().nopreempt = false;
        });
        kw(t, "preempt_delay", () -> !v.instances.isEmpty(), w -> {
            VrrpBuilder.Instance i = inst();
            record(i, w);
            Long p = Numbers.readDecimal(r, w.slot(1), 0, 1000 * Numbers.TIMER_HZ, 6, true);
            if (p == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "(" + i.name + ") Preempt_delay not valid! must be between 0-1000");
                i.preemptDelayUs = 0;
            } else {
                i.preemptDelayUs = p;
            }
        });
        kw(t, "debug", () -> !v.instances.isEmpty(), w -> {
            VrrpBuilder.Instance i = inst();
            record(i, w);
            if (Numbers.readUnsigned(r, w.slot(1), 0, 4, true) == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "(" + i.name + ") Debug value '" + w.slot(1)
                        + "' not valid; must be between 0-4");
            }
        });
        kw(t, "mcast_src_ip", () -> !v.instances.isEmpty(), w -> {
            record(inst(), w);
            inst().mcastSrcIp = w.slot(1);
        });
        kw(t, "unicast_src_ip", () -> !v.instances.isEmpty(), w -> {
            record(inst(), w);
            inst().unicastSrcIp = w.slot(1);
        });
        kw(t, "smtp_alert", () -> !v.instances.isEmpty(), w -> {
            VrrpBuilder.Instance i = inst();
            record(i, w);
            Boolean b = GlobalKeywords.bool(w, r, "(" + i.name + ") invalid smtp_alert parameter %s");
            if (b != null) {
                i.smtpAlert = b;
            }
        });
        for (String k : NOTIFY) {
            kw(t, k, () -> !v.instances.isEmpty(), w -> {
                VrrpBuilder.Instance i = inst();
                record(i, w);
                if (i.notify.containsKey(k)) {
                    r.error(ConfigStatus.GENERAL_ERROR, "(" + i.name + ") " + k + " script already specified - ignoring "
                            + w.slot(1));
                    return;
                }
                Script s = c.notifyScript(w, "notify");
                if (s != null) {
                    i.notify.put(k, s);
                }
            });
        }
        kw(t, "lvs_sync_daemon_interface", () -> !v.instances.isEmpty(), w -> {
            VrrpBuilder.Instance i = inst();
            record(i, w);
            r.error(ConfigStatus.GENERAL_ERROR, "(" + i.name + ") Specifying lvs_sync_daemon_interface against a vrrp is"
                    + " deprecated.");
            r.error(ConfigStatus.GENERAL_ERROR, "      " + " ".repeat(Math.max(0, i.name.length() - 2))
                    + "Please use global lvs_sync_daemon");
            if (c.global.syncIf != null) {
                r.error(ConfigStatus.GENERAL_ERROR, "(" + i.name + ") lvs_sync_daemon_interface has already been specified as "
                        + c.global.syncIf + " - ignoring");
                return;
            }
            // as keepalived: the interface becomes the global lvs_sync_daemon's, following this instance
            c.global.syncIf = w.slot(1);
            c.global.syncInst = i.name;
        });
        kw(t, "strict_mode", () -> !v.instances.isEmpty(), w -> {
            VrrpBuilder.Instance i = inst();
            record(i, w);
            if (w.size() >= 2) {
                int b = Numbers.trueFalse(w.slot(1));
                if (b >= 0) {
                    i.strict = b == 1;
                } else {
                    r.error(ConfigStatus.GENERAL_ERROR, "(" + i.name + ") invalid strict_mode " + w.slot(1) + " specified");
                }
            } else {
                i.strict = true;
            }
        });
        for (String k : INSTANCE_OTHER) {
            if (!k.equals("lvs_sync_daemon_interface") && !k.equals("strict_mode")) {
                kw(t, k, () -> !v.instances.isEmpty(), w -> record(inst(), w));
            }
        }
        kw(t, "authentication", () -> !v.instances.isEmpty(), null);
        t.sub();
        kw(t, "auth_type", () -> !v.instances.isEmpty(), w -> {
            VrrpBuilder.Instance i = inst();
            record(i, w);
            String s = w.slot(1);
            if (s.equals("AH") || s.equals("PASS")) {
                i.authType = s;
            } else {
                r.error(ConfigStatus.GENERAL_ERROR, "(" + i.name + ") unknown authentication type '" + s + "'");
            }
        });
        kw(t, "auth_pass", () -> !v.instances.isEmpty(), w -> {
            VrrpBuilder.Instance i = inst();
            record(i, w);
            String s = w.slot(1);
            if (s.length() > 8) {
                r.error(ConfigStatus.GENERAL_ERROR, "Truncating auth_pass to 8 characters");
                s = s.substring(0, 8);
            }
            i.authPass = s;
        });
        t.subEnd();
        t.rootEnd(() -> { });
    }

    /** {@code parse_ipaddress}'s {@code dev IFNAME}: an entry naming a missing interface is dropped. */
    private boolean addressDevice(Words x) {
        for (int k = 0; k < x.size(); k++) {
            if (x.slot(k).equals("dev") && k + 1 < x.size()) {
                String dev = x.slot(k + 1);
                if (!ifExists(dev)) {
                    r.error(ConfigStatus.GENERAL_ERROR, "WARNING - interface " + dev + " for ip address " + x.slot(0)
                            + " doesn't exist");
                    return false;
                }
                return true;
            }
        }
        return true;
    }

    private void trackInterface(VrrpBuilder.Instance i, Words x) {
        String name = x.slot(0);
        if (!ifExists(name)) {
            r.error(ConfigStatus.GENERAL_ERROR, "(" + i.name + ") tracked interface " + name + " doesn't exist");
        }
    }

    /** {@code if_get_by_ifname(…, IF_CREATE_IF_DYNAMIC)}: a missing interface is fatal later unless dynamic. */
    private boolean ifExists(String name) {
        if (c.interfaceExists.test(name)) {
            return true;
        }
        if (!c.global.dynamicInterfaces) {
            v.nonExistentInterface = true;
        }
        return false;
    }

    private static void record(VrrpBuilder.Instance i, Words w) {
        i.keyword(w.slot(0)).add(w.all().subList(1, w.size()));
    }

    private void installScript(Keyword.Table t) {
        kw(t, "script", () -> !v.scripts.isEmpty(), w -> {
            VrrpBuilder.ScriptB s = v.scripts.getLast();
            List<String> argv = c.programWords(w);
            if (argv != null) {
                s.argv = argv;
            }
        });
        kw(t, "interval", () -> !v.scripts.isEmpty(), w -> {
            VrrpBuilder.ScriptB s = v.scripts.getLast();
            Long i = Numbers.readUnsigned(r, w.slot(1), 0, Numbers.UINT_MAX / Numbers.TIMER_HZ, true);
            if (i == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "(" + s.name + "): vrrp script interval '" + w.slot(1)
                        + "' must be between 1 and " + Numbers.UINT_MAX / Numbers.TIMER_HZ + " - ignoring");
                return;
            }
            if (i == 0) {
                r.error(ConfigStatus.GENERAL_ERROR, "(" + s.name + "): vrrp script interval must be greater than 0, setting to 1");
                i = 1L;
            }
            s.interval = i;
        });
        kw(t, "timeout", () -> !v.scripts.isEmpty(), w -> {
            VrrpBuilder.ScriptB s = v.scripts.getLast();
            Long i = Numbers.readUnsigned(r, w.slot(1), 0, Numbers.UINT_MAX / Numbers.TIMER_HZ, true);
            if (i == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "(" + s.name + "): vrrp script timeout '" + w.slot(1) + "' invalid - ignoring");
                return;
            }
            if (i == 0) {
                r.error(ConfigStatus.GENERAL_ERROR, "(" + s.name + "): vrrp script timeout must be greater than 0, setting to 1");
                i = 1L;
            }
            s.timeout = i;
        });
        kw(t, "weight", () -> !v.scripts.isEmpty(), w -> {
            VrrpBuilder.ScriptB s = v.scripts.getLast();
            Integer wt = Numbers.readInt(r, w.slot(1), -253, 253, true);
            if (wt == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "vrrp_script " + s.name + " weight " + w.slot(1) + " must be in [-253, 253]");
                Numbers.CParse p = Numbers.strtol(w.slot(1), 0, 10);
                wt = (int) p.value();
            }
            s.weight = wt;
            if (w.size() >= 3) {
                if (w.slot(2).equals("reverse")) {
                    s.reverse = true;
                } else {
                    r.error(ConfigStatus.GENERAL_ERROR, "vrrp_script " + s.name + " unknown weight option " + w.slot(2));
                }
            }
        });
        kw(t, "rise", () -> !v.scripts.isEmpty(), w -> {
            VrrpBuilder.ScriptB s = v.scripts.getLast();
            Long n = Numbers.readUnsigned(r, w.slot(1), 1, Integer.MAX_VALUE, true);
            if (n == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "(" + s.name + "): vrrp script rise value '" + w.slot(1)
                        + "' invalid, defaulting to 1");
                n = 1L;
            }
            s.rise = n;
        });
        kw(t, "fall", () -> !v.scripts.isEmpty(), w -> {
            VrrpBuilder.ScriptB s = v.scripts.getLast();
            Long n = Numbers.readUnsigned(r, w.slot(1), 1, Integer.MAX_VALUE, true);
            if (n == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "(" + s.name + "): vrrp script fall value '" + w.slot(1)
                        + "' invalid, defaulting to 1");
                n = 1L;
            }
            s.fall = n;
        });
        kw(t, "user", () -> !v.scripts.isEmpty(), w -> {
            VrrpBuilder.ScriptB s = v.scripts.getLast();
            String group = w.size() > 2 ? w.slot(2) : null;
            if (c.scripts.ids(w.slot(1), group) == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "Unable to set uid/gid for script "
                        + (s.argv == null ? "" : ShellWords.quoted(s.argv)));
                s.remove = true;
            } else {
                s.user = w.slot(1);
                s.group = group;
                s.remove = false;
                s.userSet = true;
            }
        });
        kw(t, "init_fail", () -> !v.scripts.isEmpty(), w -> v.scripts.getLast().initFail = true);
        t.subEndHandler(() -> {
            VrrpBuilder.ScriptB s = v.scripts.getLast();
            if (s.argv == null || s.argv.isEmpty()) {
                r.error(ConfigStatus.GENERAL_ERROR, "No script set for vrrp_script " + s.name + " - removing");
                s.remove = true;
            } else if (!s.remove && !s.userSet) {
                Script d = c.scripts.withDefaultUser(s.argv);
                if (d == null) {
                    r.error(ConfigStatus.GENERAL_ERROR, "Unable to set default user for vrrp script " + s.name + " - removing");
                    s.remove = true;
                }
            }
            if (s.remove) {
                v.scripts.removeLast();
            }
        });
    }

    /** What keepalived's {@code start_vrrp} checks after the VRRP pass under {@code -t}. */
    static void validate(ParseContext c) {
        VrrpBuilder v = c.vrrp;
        Reporter r = c.reporter;
        if (v.nonExistentInterface) {
            r.error(ConfigStatus.BAD_IF, "Non-existent interface specified in configuration");
            return;
        }
        if (!v.instances.isEmpty()) {
            int flags = 0;
            for (VrrpBuilder.ScriptB s : v.scripts) {
                flags |= c.scripts.secure(new Script(s.argv, s.user, s.group));
            }
            for (VrrpBuilder.Instance i : v.instances) {
                for (Script s : i.notify.values()) {
                    flags |= c.scripts.secure(s);
                }
            }
            for (VrrpBuilder.Group g : v.groups) {
                for (Script s : g.notify.values()) {
                    flags |= c.scripts.secure(s);
                }
            }
            if (!c.scripts.scriptSecurity && (flags & ScriptChecks.SC_ISSCRIPT) != 0) {
                r.error(ConfigStatus.SECURITY_ERROR, "SECURITY VIOLATION - scripts are being executed but script_security"
                        + " not enabled." + ((flags & ScriptChecks.SC_INSECURE) != 0 ? " There are insecure scripts." : ""));
            }
        }
        for (VrrpBuilder.Instance i : v.instances) {
            if (i.vrid == 0) {
                r.error(ConfigStatus.GENERAL_ERROR, "(" + i.name + ") the virtual router id must be set");
                return;
            }
            boolean unicast = !i.keyword("unicast_peer").isEmpty();
            if ((i.interfaceName == null || !i.interfaceExists) && !unicast) {
                r.error(ConfigStatus.GENERAL_ERROR, "(" + i.name + ") Unknown interface!");
                return;
            }
        }
        for (VrrpBuilder.Group g : new ArrayList<>(v.groups)) {
            if (g.members == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "Sync group " + g.name + " has no virtual router(s). removing");
                v.groups.remove(g);
            }
        }
        for (VrrpBuilder.Instance i : v.instances) {
            if (!completeInstance(c, i)) {
                return;
            }
        }
    }

    /** The first checks of keepalived's {@code vrrp_complete_instance} (defaults of state, priority, version). */
    private static boolean completeInstance(ParseContext c, VrrpBuilder.Instance i) {
        Reporter r = c.reporter;
        boolean strict = i.strict != null ? i.strict : c.global.strict;
        List<List<String>> vips = i.keyword("virtual_ipaddress");
        boolean v6 = !vips.isEmpty() && vips.getFirst().getFirst().indexOf(':') >= 0;
        if (v6) {
            if (i.version == 2 && strict) {
                r.error(ConfigStatus.GENERAL_ERROR, "(" + i.name + ") cannot use IPv6 with VRRP version 2; setting version 3");
                i.version = 3;
            } else if (i.version == 0) {
                i.version = 3;
            }
        }
        if (i.version == 0) {
            i.version = c.global.vrrpVersion != 0 ? c.global.vrrpVersion : 2;
        }
        if (vips.isEmpty()) {
            if (i.version == 3 || strict) {
                r.error(ConfigStatus.GENERAL_ERROR, "(" + i.name + ") No VIP specified; at least one is required");
                return false;
            }
            r.error(ConfigStatus.GENERAL_ERROR, "(" + i.name + ") No VIP specified; at least one is sensible");
        }
        if (i.priority == 0) {
            i.priority = "MASTER".equals(i.state) ? 255 : 100;
        }
        if (i.state == null) {
            i.state = i.priority == 255 ? "MASTER" : "BACKUP";
        } else if (strict && ("MASTER".equals(i.state) != (i.priority == 255))) {
            r.error(ConfigStatus.GENERAL_ERROR, "(" + i.name + ") State MASTER must match being address owner");
            i.state = i.priority == 255 ? "MASTER" : "BACKUP";
        }
        if (strict && i.authType != null) {
            r.error(ConfigStatus.GENERAL_ERROR, "(" + i.name + ") Strict mode does not support authentication. Ignoring.");
            i.authType = null;
        } else if (i.version == 3 && i.authType != null) {
            r.error(ConfigStatus.GENERAL_ERROR, "(" + i.name + ") VRRP version 3 does not support authentication. Ignoring.");
            i.authType = null;
        } else if (i.authType != null && (i.authPass == null || i.authPass.isEmpty())) {
            r.error(ConfigStatus.GENERAL_ERROR, "(" + i.name + ") Authentication specified but no password given. Ignoring");
            i.authType = null;
        } else if (v6 && "AH".equals(i.authType)) {
            r.error(ConfigStatus.GENERAL_ERROR, "(" + i.name + ") Cannot use AH authentication with IPv6. ignoring");
            i.authType = null;
        } else if ("AH".equals(i.authType) && "MASTER".equals(i.state) && i.priority != 255) {
            r.error(ConfigStatus.GENERAL_ERROR, "(" + i.name + ") Initial state master is incompatible with AH"
                    + " authentication - clearing");
            i.state = "BACKUP";
        }
        return true;
    }

    /** Kept verbatim as in keepalived's order. */
    static Map<String, List<List<String>>> copy(Map<String, List<List<String>>> m) {
        Map<String, List<List<String>>> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v.stream().map(List::copyOf).toList()));
        return out;
    }
}
