package io.jlvs.keepalived.config;

import java.util.List;

/**
 * {@code global_defs} and the process-level root keywords (keepalived/core/global_parser.c). The keywords
 * that matter to a director (e-mail, scripts, LVS) and the VRRP globals of vrrp.md are read with
 * keepalived's checks and messages; the process-tuning ones (priorities, CPU affinity, netlink buffers,
 * SNMP, D-Bus …) are accepted and kept verbatim, since jlvs has no use for them.
 */
final class GlobalKeywords {
    private static final long UINT_MAX = Numbers.UINT_MAX;

    /** Keywords accepted without checks (kept in {@link GlobalDefs#keywords}). */
    private static final List<String> VERBATIM = List.of(
            "max_auto_priority", "min_auto_priority_delay", "disable_local_igmp",
            "vrrp_garp_extra_if", "vrrp_vmac_garp_intvl",
            "nftables", "nftables_priority", "nftables_ifindex", "nftables_ipvs", "nftables_ipvs_priority",
            "nftables_ipvs_start_fwmark", "nftables_counters",
            "vrrp_priority", "vrrp_no_swap", "vrrp_rt_priority", "vrrp_cpu_affinity", "vrrp_rlimit_rttime",
            "vrrp_rlimit_rtime", "fifo_write_vrrp_states_on_reload",
            "checker_priority", "checker_no_swap", "checker_rt_priority", "checker_cpu_affinity",
            "checker_rlimit_rttime", "checker_rlimit_rtime",
            "bfd_priority", "bfd_no_swap", "bfd_rt_priority", "bfd_cpu_affinity", "bfd_rlimit_rttime",
            "bfd_rlimit_rtime", "snmp_socket", "enable_traps", "enable_snmp_vrrp", "enable_snmp_keepalived",
            "enable_snmp_rfc", "enable_snmp_rfcv2", "enable_snmp_rfcv3", "enable_snmp_checker", "enable_dbus",
            "dbus_service_name", "vrrp_netlink_cmd_rcv_bufs", "vrrp_netlink_cmd_rcv_bufs_force",
            "vrrp_netlink_monitor_rcv_bufs", "vrrp_netlink_monitor_rcv_bufs_force", "process_monitor_rcv_bufs",
            "process_monitor_rcv_bufs_force", "lvs_netlink_cmd_rcv_bufs", "lvs_netlink_cmd_rcv_bufs_force",
            "lvs_netlink_monitor_rcv_bufs", "lvs_netlink_monitor_rcv_bufs_force", "vrrp_rx_bufs_policy",
            "vrrp_rx_bufs_multiplier", "log_unknown_vrids", "vmac_prefix", "vmac_addr_prefix", "umask",
            "reload_check_config", "reload_time_file", "reload_repeat", "reload_file", "config_save_dir",
            "tmp_config_directory", "data_use_instance", "process_names", "process_name", "vrrp_process_name",
            "checker_process_name", "lvs_process_name", "bfd_process_name");

    private GlobalKeywords() {}

    static void install(Keyword.Table t, boolean active, ParseContext c) {
        ParseContext.GlobalBuilder g = c.global;
        Reporter r = c.reporter;
        t.root("linkbeat_use_polling", w -> { }, active);
        t.root("net_namespace", w -> {
            if (w == null) {
                return;
            }
            if (w.size() < 2) {
                r.error(ConfigStatus.GENERAL_ERROR, "net_namespace name missing - ignoring");
            } else if (g.netNamespace == null) {
                g.netNamespace = w.slot(1);
            } else {
                r.error(ConfigStatus.GENERAL_ERROR, "Duplicate net_namespace definition " + w.slot(1) + " - ignoring");
            }
        }, active);
        t.root("net_namespace_ipvs", w -> { }, active);
        t.root("namespace_with_ipsets", w -> { }, active);
        t.root("use_pid_dir", w -> { }, active);
        t.root("instance", w -> {
            if (w == null) {
                return;
            }
            if (w.size() < 2) {
                r.error(ConfigStatus.GENERAL_ERROR, "instance name missing - ignoring");
            } else if (g.instance == null) {
                g.instance = w.slot(1);
            } else {
                r.error(ConfigStatus.GENERAL_ERROR, "Duplicate instance definition " + w.slot(1) + " - ignoring");
            }
        }, active);
        t.root("child_wait_time", w -> {
            if (w == null) {
                return;
            }
            if (Numbers.readUnsigned(r, w.slot(1), 0, UINT_MAX, false) == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "Invalid child_wait_time " + w.slot(1));
            }
        }, active);
        t.root("global_defs", null, active);

        kw(t, g, "router_id", w -> {
            if (w.size() < 2) {
                r.error(ConfigStatus.GENERAL_ERROR, "routerid name missing - ignoring");
                return;
            }
            g.routerId = w.slot(1);
        });
        kw(t, g, "notification_email_from", w -> {
            if (w.size() < 2) {
                r.error(ConfigStatus.GENERAL_ERROR, "emailfrom missing - ignoring");
                return;
            }
            g.emailFrom = w.slot(1);
        });
        kw(t, g, "smtp_server", w -> {
            String port = w.size() >= 3 ? w.slot(2) : "25";
            String host = w.slot(1);
            Inet.SockAddr a = null;
            if (host.indexOf('-') < 0 && host.indexOf('/') < 0) {
                a = Inet.stoSockAddr(r, host, port);
            }
            int portNumber = a != null ? a.port() : -1;
            if (a == null) {
                // keepalived falls back to a host name (getaddrinfo); jlvs keeps the name unresolved
                Long p = Numbers.readUnsigned(r, port, 1, 65535, true);
                if (p != null && isHostName(host)) {
                    portNumber = p.intValue();
                }
            }
            if (portNumber < 0) {
                r.error(ConfigStatus.GENERAL_ERROR, "Invalid smtp server " + host + " " + port);
                return;
            }
            g.smtpServer = host;
            g.smtpPort = portNumber;
        });
        kw(t, g, "smtp_helo_name", w -> {
            if (w.size() >= 2) {
                g.smtpHelo = w.slot(1);
            }
        });
        kw(t, g, "smtp_connect_timeout", w -> {
            Long v = Numbers.readUnsigned(r, w.slot(1), 0, UINT_MAX / Numbers.TIMER_HZ, true);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "smtp_connect_timeout '" + w.slot(1) + "' must be in [0, "
                        + UINT_MAX / Numbers.TIMER_HZ + "] - ignoring");
                return;
            }
            if (v == 0) {
                r.error(ConfigStatus.GENERAL_ERROR, "smtp_conect_timeout must be greater than 0, setting to 1");
                v = 1L;
            }
            g.smtpTimeoutS = v;
        });
        kw(t, g, "notification_email", w -> {
            List<String> emails = c.parser.valueBlockWords(w);
            if (emails == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "Warning - empty notification_email block");
                return;
            }
            g.emails.addAll(emails);
        });
        kw(t, g, "smtp_alert", w -> {
            Boolean b = bool(w, r, "Invalid value '%s' for global smtp_alert specified");
            if (b != null) {
                g.smtpAlert = b;
            }
        });
        kw(t, g, "startup_script", w -> startShutdown(c, w, true));
        kw(t, g, "startup_script_timeout", w -> scriptTimeout(c, w, true));
        kw(t, g, "shutdown_script", w -> startShutdown(c, w, false));
        kw(t, g, "shutdown_script_timeout", w -> scriptTimeout(c, w, false));
        kw(t, g, "smtp_alert_vrrp", w -> {
            Boolean b = bool(w, r, "Invalid value '%s' for global smtp_alert_vrrp specified");
            if (b != null) {
                g.smtpAlertVrrp = b;
            }
        });
        kw(t, g, "smtp_alert_checker", w -> {
            Boolean b = bool(w, r, "Invalid value '%s' for global smtp_alert_checker specified");
            if (b != null) {
                g.smtpAlertChecker = b;
            }
        });
        kw(t, g, "checker_log_all_failures", w -> {
            Boolean b = bool(w, r, "Invalid value for checker_log_all_failures specified");
            if (b != null) {
                g.checkerLogAllFailures = b;
            }
        });
        kw(t, g, "dynamic_interfaces", w -> {
            g.dynamicInterfaces = true;
            if (w.size() >= 2 && !w.slot(1).equals("allow_if_changes")) {
                r.error(ConfigStatus.GENERAL_ERROR, "Unknown dynamic_interfaces option '" + w.slot(1) + "'");
            }
        });
        kw(t, g, "no_email_faults", w -> g.noEmailFaults = true);
        kw(t, g, "default_interface", w -> {
            if (w.size() < 2) {
                r.error(ConfigStatus.GENERAL_ERROR, "default_interface requires interface name");
                return;
            }
            g.defaultInterface = w.slot(1);
        });
        kw(t, g, "lvs_timeouts", w -> lvsTimeouts(r, g, w));
        kw(t, g, "lvs_flush", w -> g.lvsFlush = true);
        kw(t, g, "lvs_flush_on_stop", w -> flushOnStop(r, g, w));
        kw(t, g, "lvs_flush_onstop", w -> flushOnStop(r, g, w));
        kw(t, g, "lvs_sync_daemon", w -> syncDaemon(r, g, w));
        kw(t, g, "vrrp_mcast_group4", w -> mcast(r, g, w, false));
        kw(t, g, "vrrp_mcast_group6", w -> mcast(r, g, w, true));
        kw(t, g, "vrrp_garp_master_delay", w -> {
            Long v = Numbers.readUnsigned(r, w.slot(1), 0, UINT_MAX / Numbers.TIMER_HZ, true);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "vrrp_garp_master_delay '" + w.slot(1) + "' invalid - ignoring");
            } else {
                g.garpDelayUs = v * Numbers.TIMER_HZ;
            }
        });
        kw(t, g, "vrrp_garp_master_repeat", w -> {
            Long v = Numbers.readUnsigned(r, w.slot(1), 0, UINT_MAX, true);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "vrrp_garp_master_repeat '" + w.slot(1) + "' invalid - ignoring");
                return;
            }
            if (v == 0) {
                r.error(ConfigStatus.GENERAL_ERROR, "vrrp_garp_master_repeat must be greater than 0, setting to 1");
                v = 1L;
            }
            g.garpRepeat = v;
        });
        kw(t, g, "vrrp_garp_master_refresh", w -> {
            Long v = Numbers.readUnsigned(r, w.slot(1), 0, UINT_MAX, true);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "Invalid vrrp_garp_master_refresh '" + w.slot(1) + "' - ignoring");
                g.garpRefreshS = 0;
            } else {
                g.garpRefreshS = v;
            }
        });
        kw(t, g, "vrrp_garp_master_refresh_repeat", w -> {
            Long v = Numbers.readUnsigned(r, w.slot(1), 0, UINT_MAX, true);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "vrrp_garp_master_refresh_repeat '" + w.slot(1)
                        + "' invalid - ignoring");
                return;
            }
            if (v == 0) {
                r.error(ConfigStatus.GENERAL_ERROR,
                        "vrrp_garp_master_refresh_repeat must be greater than 0, setting to 1");
                v = 1L;
            }
            g.garpRefreshRepeat = v;
        });
        kw(t, g, "vrrp_garp_lower_prio_delay", w -> {
            Long v = Numbers.readUnsigned(r, w.slot(1), 0, UINT_MAX / Numbers.TIMER_HZ, true);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "vrrp_garp_lower_prio_delay '" + w.slot(1) + "' invalid - ignoring");
            } else {
                g.garpLowerDelayUs = v * Numbers.TIMER_HZ;
            }
        });
        kw(t, g, "vrrp_garp_lower_prio_repeat", w -> {
            Long v = Numbers.readUnsigned(r, w.slot(1), 0, Integer.MAX_VALUE, true);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "Invalid vrrp_garp_lower_prio_repeat '" + w.slot(1) + "'");
            } else {
                g.garpLowerRepeat = v;
            }
        });
        kw(t, g, "vrrp_down_timer_adverts", w -> {
            Long v = Numbers.readUnsigned(r, w.slot(1), 1, 100, true);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "Invalid vrrp_down_timer_adverts [1:100] '" + w.slot(1) + "'");
            } else {
                g.downTimerAdverts = v;
            }
        });
        kw(t, g, "vrrp_garp_interval", w -> {
            Long v = Numbers.readDecimal(r, w.slot(1), 1, UINT_MAX, 6, true);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "vrrp_garp_interval '" + w.slot(1) + "' is invalid");
            } else {
                g.garpIntervalUs = v;
            }
        });
        kw(t, g, "vrrp_gna_interval", w -> {
            Long v = Numbers.readDecimal(r, w.slot(1), 1, UINT_MAX, 6, true);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "vrrp_gna_interval '" + w.slot(1) + "' is invalid");
            } else {
                g.gnaIntervalUs = v;
            }
        });
        kw(t, g, "vrrp_min_garp", w -> {
            if (w.size() >= 2) {
                int b = Numbers.trueFalse(w.slot(1));
                if (b < 0) {
                    r.error(ConfigStatus.GENERAL_ERROR, "Invalid value for vrrp_min_garp specified");
                    return;
                }
                if (b == 0) {
                    return;
                }
            }
            g.minGarp = true;
        });
        kw(t, g, "vrrp_lower_prio_no_advert", w -> {
            Boolean b = bool(w, r, "Invalid value for vrrp_lower_prio_no_advert specified");
            if (b != null) {
                g.lowerPrioNoAdvert = b;
            }
        });
        kw(t, g, "vrrp_higher_prio_send_advert", w -> {
            Boolean b = bool(w, r, "Invalid value for vrrp_higher_prio_send_advert specified");
            if (b != null) {
                g.higherPrioSendAdvert = b;
            }
        });
        kw(t, g, "vrrp_version", w -> {
            Integer v = Numbers.readInt(r, w.slot(1), 2, 3, true);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "VRRP Error: Version must be either 2 or 3");
            } else {
                g.vrrpVersion = v;
            }
        });
        kw(t, g, "vrrp_iptables", w -> r.error(ConfigStatus.GENERAL_ERROR, "iptables not supported, using nftables "
                + "instead. Please replace 'vrrp_iptables and 'vrrp_ipsets' with 'nftables' config option"));
        kw(t, g, "vrrp_check_unicast_src", w -> g.checkUnicastSrc = true);
        kw(t, g, "vrrp_skip_check_adv_addr", w -> g.skipCheckAdvAddr = true);
        kw(t, g, "vrrp_strict", w -> g.strict = true);
        kw(t, g, "notify_fifo", w -> fifo(c, w, "", 0));
        kw(t, g, "notify_fifo_script", w -> fifoScript(c, w, "", 0));
        kw(t, g, "vrrp_notify_fifo", w -> fifo(c, w, "vrrp_", 2));
        kw(t, g, "vrrp_notify_fifo_script", w -> fifoScript(c, w, "vrrp_", 2));
        kw(t, g, "vrrp_notify_priority_changes", w -> {
            Boolean b = bool(w, r, "Invalid vrrp_notify_priority_changes parameter %s");
            if (b != null) {
                g.notifyPriorityChanges = b;
            }
        });
        kw(t, g, "lvs_notify_fifo", w -> fifo(c, w, "lvs_", 1));
        kw(t, g, "lvs_notify_fifo_script", w -> fifoScript(c, w, "lvs_", 1));
        kw(t, g, "script_user", w -> {
            if (w.size() < 2) {
                r.error(ConfigStatus.GENERAL_ERROR, "No script username specified");
                return;
            }
            g.scriptUser = w.slot(1);
            g.scriptGroup = w.size() > 2 ? w.slot(2) : null;
            if (c.scripts.setDefault(w.slot(1), g.scriptGroup)) {
                r.error(ConfigStatus.GENERAL_ERROR, "Error setting global script uid/gid");
            }
        });
        kw(t, g, "enable_script_security", w -> {
            g.scriptSecurity = true;
            c.scripts.scriptSecurity = true;
        });
        kw(t, g, "rs_init_notifies", w -> g.rsInitNotifies = true);
        kw(t, g, "no_checker_emails", w -> g.noCheckerEmails = true);
        kw(t, g, "vrrp_startup_delay", w -> {
            Long v = Numbers.readDecimal(r, w.slot(1), Numbers.TIMER_HZ / 1000, UINT_MAX, 6, true);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "vrrp_startup_delay '" + w.slot(1) + "' is invalid");
            } else {
                g.startupDelayUs = v;
            }
        });
        kw(t, g, "random_seed", w -> {
            if (Numbers.readUnsigned(r, w.slot(1), 0, UINT_MAX, false) == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "random_seed " + w.slot(1) + " invalid");
            }
        });
        kw(t, g, "include_check", w -> includeCheck(c, w));
        for (String k : VERBATIM) {
            kw(t, g, k, w -> {
                if (k.equals("lvs_process_name")) {
                    r.log("'lvs_process_name' is deprecated - please use 'checker_process_name'");
                } else if (k.endsWith("_rlimit_rtime")) {
                    r.log("Keyword '" + k + "' is deprecated - please use '" + k.substring(0, k.length() - 5) + "rttime'");
                } else if (k.equals("vrrp_vmac_garp_intvl")) {
                    r.error(ConfigStatus.DEPRECATED,
                            "Keyword \"vrrp_vmac_garp_intvl\" is deprecated - please use \"vrrp_garp_extra_if\"");
                }
                if (k.endsWith("process_name") && !k.equals("process_names")) {
                    w.slot(1);
                }
            });
        }
    }

    /** A global_defs keyword: its line is also kept verbatim. */
    private static void kw(Keyword.Table t, ParseContext.GlobalBuilder g, String name, Keyword.Handler h) {
        t.kw(name, w -> {
            g.keywords.put(name, w.all().subList(1, w.size()));
            h.handle(w);
        });
    }

    private static boolean isHostName(String s) {
        // keepalived resolves it (getaddrinfo); jlvs keeps it for later resolution but refuses what cannot be a name
        boolean numeric = s.chars().allMatch(ch -> Character.isDigit(ch) || ch == '.');
        return !s.isEmpty() && !numeric
                && s.chars().allMatch(ch -> Character.isLetterOrDigit(ch) || ch == '.' || ch == '-' || ch == '_');
    }

    /** An optional BOOL: absent = true; a bad one reported with {@code messageFormat} (%s = the word). */
    static Boolean bool(Words w, Reporter r, String messageFormat) {
        if (w.size() < 2) {
            return true;
        }
        int b = Numbers.trueFalse(w.slot(1));
        if (b < 0) {
            r.error(ConfigStatus.GENERAL_ERROR, messageFormat.replace("%s", w.slot(1)));
            return null;
        }
        return b == 1;
    }

    private static void startShutdown(ParseContext c, Words w, boolean startup) {
        if (c.pass != ParseContext.Pass.PARENT) {
            return;
        }
        String type = startup ? "startup" : "shutdown";
        ParseContext.GlobalBuilder g = c.global;
        if ((startup ? g.startup : g.shutdown) != null) {
            c.reporter.error(ConfigStatus.GENERAL_ERROR, type + " script already specified");
            return;
        }
        if (w.size() < 2) {
            c.reporter.error(ConfigStatus.GENERAL_ERROR, type + " script missing");
            return;
        }
        Script s = c.notifyScript(w, type);
        if (s == null) {
            c.reporter.error(ConfigStatus.GENERAL_ERROR, "Invalid " + type + " script");
            return;
        }
        if (startup) {
            g.startup = s;
            if (g.startupTimeoutS == 0) {
                g.startupTimeoutS = 10;
            }
        } else {
            g.shutdown = s;
            if (g.shutdownTimeoutS == 0) {
                g.shutdownTimeoutS = 10;
            }
        }
    }

    private static void scriptTimeout(ParseContext c, Words w, boolean startup) {
        String type = startup ? "startup" : "shutdown";
        if (w.size() < 2) {
            c.reporter.error(ConfigStatus.GENERAL_ERROR, type + "_script_timeout requires value");
            return;
        }
        Long v = Numbers.readUnsigned(c.reporter, w.slot(1), 1, 1000, true);
        if (v == null) {
            c.reporter.error(ConfigStatus.GENERAL_ERROR, type + "_script_timeout '" + w.slot(1)
                    + "' must be in [1, 1000] - ignoring");
            return;
        }
        if (startup) {
            c.global.startupTimeoutS = v;
        } else {
            c.global.shutdownTimeoutS = v;
        }
    }

    private static void lvsTimeouts(Reporter r, ParseContext.GlobalBuilder g, Words w) {
        if (w.size() < 3) {
            r.error(ConfigStatus.GENERAL_ERROR, "lvs_timeouts requires at least one option");
            return;
        }
        for (int i = 1; i < w.size(); i++) {
            String k = w.slot(i);
            if (k.equals("tcp") || k.equals("tcpfin") || k.equals("udp")) {
                if (i == w.size() - 1) {
                    r.error(ConfigStatus.GENERAL_ERROR, "No value specified for lvs_timeout " + k + " - ignoring");
                    continue;
                }
                Long v = Numbers.readUnsigned(r, w.slot(i + 1), 0, 86400 * 31, false);
                if (v == null) {
                    r.error(ConfigStatus.GENERAL_ERROR, "Invalid lvs_timeout " + k + " (" + w.slot(i + 1) + ") - ignoring");
                } else if (k.equals("tcp")) {
                    g.tcpTimeout = v;
                } else if (k.equals("tcpfin")) {
                    g.tcpFinTimeout = v;
                } else {
                    g.udpTimeout = v;
                }
                i++;
                continue;
            }
            r.error(ConfigStatus.GENERAL_ERROR, "Unknown option " + k + " specified for lvs_timeouts");
        }
    }

    private static void flushOnStop(Reporter r, ParseContext.GlobalBuilder g, Words w) {
        if (w.size() == 1) {
            g.flushOnStop = GlobalDefs.FlushOnStop.FULL;
        } else if (w.slot(1).equals("VS")) {
            g.flushOnStop = GlobalDefs.FlushOnStop.VS;
        } else {
            r.error(ConfigStatus.GENERAL_ERROR, "Unknown lvs_flush_on_stop type " + w.slot(1));
        }
    }

    private static void syncDaemon(Reporter r, ParseContext.GlobalBuilder g, Words w) {
        if (g.syncIf != null) {
            r.error(ConfigStatus.GENERAL_ERROR, "lvs_sync_daemon has already been specified as " + g.syncIf + " "
                    + (g.syncInst != null ? g.syncInst : "") + " - ignoring");
            return;
        }
        if (w.size() < 2) {
            r.error(ConfigStatus.GENERAL_ERROR, "lvs_sync_daemon requires interface");
            return;
        }
        if (w.slot(1).length() >= 16) {
            r.error(ConfigStatus.GENERAL_ERROR, "lvs_sync_daemon interface name '" + w.slot(1) + "' too long - ignoring");
            return;
        }
        g.syncIf = w.slot(1);
        for (int i = 2; i < w.size(); i++) {
            String k = w.slot(i);
            switch (k) {
                case "inst" -> {
                    if (g.syncInst != null) {
                        r.error(ConfigStatus.GENERAL_ERROR, "lvs_sync_daemon vrrp instance has already been specified as "
                                + g.syncInst + " - ignoring");
                    } else {
                        g.syncInst = w.slot(i + 1);
                    }
                    i++;
                    continue;
                }
                case "id" -> {
                    if (i == w.size() - 1) {
                        r.error(ConfigStatus.GENERAL_ERROR, "No value specified for lvs_sync_daemon id, defaulting to vrid");
                        continue;
                    }
                    Long v = Numbers.readUnsigned(r, w.slot(i + 1), 0, 255, false);
                    if (v == null) {
                        r.error(ConfigStatus.GENERAL_ERROR, "Invalid syncid (" + w.slot(i + 1) + ") - defaulting to vrid");
                    } else {
                        g.syncId = v.intValue();
                    }
                    i++;
                    continue;
                }
                case "maxlen", "port", "ttl" -> {
                    if (i == w.size() - 1) {
                        r.error(ConfigStatus.GENERAL_ERROR, "No value specified for lvs_sync_daemon " + k + " - ignoring");
                        continue;
                    }
                    long max = k.equals("maxlen") ? 65535 - 20 - 8 : k.equals("port") ? 65535 : 255;
                    Long v = Numbers.readUnsigned(r, w.slot(i + 1), 1, max, false);
                    if (v == null) {
                        r.error(ConfigStatus.GENERAL_ERROR, "Invalid lvs_sync_daemon " + k + " (" + w.slot(i + 1)
                                + ") - ignoring");
                    } else if (k.equals("maxlen")) {
                        g.syncMaxLen = v.intValue();
                    } else if (k.equals("port")) {
                        g.syncPort = v.intValue();
                    } else {
                        g.syncTtl = v.intValue();
                    }
                    i++;
                    continue;
                }
                case "group" -> {
                    if (i == w.size() - 1) {
                        r.error(ConfigStatus.GENERAL_ERROR, "No value specified for lvs_sync_daemon group - ignoring");
                        continue;
                    }
                    Inet.SockAddr a = Inet.stoSockAddr(r, w.slot(i + 1), null);
                    if (a == null) {
                        r.error(ConfigStatus.GENERAL_ERROR, "Invalid lvs_sync_daemon group (" + w.slot(i + 1)
                                + ") - ignoring");
                    } else if (!a.address().isMulticastAddress()) {
                        r.error(ConfigStatus.GENERAL_ERROR, "lvs_sync_daemon group address " + w.slot(i + 1)
                                + " is not multicast - ignoring");
                    } else {
                        g.syncGroup = w.slot(i + 1);
                    }
                    i++;
                    continue;
                }
                default -> { }
            }
            if (i == 2) {
                g.syncInst = w.slot(2);
                continue;
            }
            if (i == 3) {
                Long v = Numbers.readUnsigned(r, w.slot(3), 0, 255, false);
                if (v == null) {
                    r.error(ConfigStatus.GENERAL_ERROR, "Invalid syncid (" + w.slot(3) + ") - defaulting to vrid");
                } else {
                    r.accepted(ConfigStatus.GENERAL_ERROR, "Please use keyword \"id\" before lvs_sync_daemon SYNCID");
                    g.syncId = v.intValue();
                }
                continue;
            }
            r.error(ConfigStatus.GENERAL_ERROR, "Unknown option " + k + " specified for lvs_sync_daemon");
        }
    }

    private static void mcast(Reporter r, ParseContext.GlobalBuilder g, Words w, boolean v6) {
        String name = v6 ? "vrrp_mcast_group6" : "vrrp_mcast_group4";
        String s = w.slot(1);
        Inet.SockAddr a = Inet.stoSockAddr(r, s, null);
        if (a == null) {
            r.error(ConfigStatus.GENERAL_ERROR, "Can't parse " + name + " [" + s + "]. Skipping");
            return;
        }
        if ((a.af() == Inet.AF_INET6) != v6) {
            r.error(ConfigStatus.GENERAL_ERROR, name + " [" + s + "] is not " + (v6 ? "IPv6" : "IPv4") + ". Skipping");
            return;
        }
        if (!a.address().isMulticastAddress()) {
            r.error(ConfigStatus.GENERAL_ERROR, name + " [" + s + "] is not multicast. Skipping");
            return;
        }
        if (v6 && !a.address().isMCLinkLocal()) {
            r.error(ConfigStatus.WARNING, name + " [" + s + "] should be link-local multicast.");
        }
        if (v6) {
            g.mcast6 = s;
        } else {
            g.mcast4 = s;
        }
    }

    private static void fifo(ParseContext c, Words w, String type, int which) {
        ParseContext.GlobalBuilder g = c.global;
        if (w.size() < 2) {
            c.reporter.error(ConfigStatus.GENERAL_ERROR, "No " + type + "notify_fifo name specified");
            return;
        }
        String current = which == 0 ? g.fifo : which == 1 ? g.lvsFifo : g.vrrpFifo;
        if (current != null) {
            c.reporter.error(ConfigStatus.GENERAL_ERROR, type + "notify_fifo already specified - ignoring " + w.slot(1));
            return;
        }
        if (w.size() > 2) {
            if (c.scripts.ids(w.slot(2), w.size() > 3 ? w.slot(3) : null) == null) {
                c.reporter.log("Invalid user/group for " + type + " fifo (null) - ignoring");
                return;
            }
        } else if (c.scripts.withDefaultUser(List.of("fifo")) == null) {
            c.reporter.log("Failed to set default user for " + type + " fifo (null) - ignoring");
            return;
        }
        switch (which) {
            case 0 -> g.fifo = w.slot(1);
            case 1 -> g.lvsFifo = w.slot(1);
            default -> g.vrrpFifo = w.slot(1);
        }
    }

    private static void fifoScript(ParseContext c, Words w, String type, int which) {
        ParseContext.GlobalBuilder g = c.global;
        if (w.size() < 2) {
            c.reporter.error(ConfigStatus.GENERAL_ERROR, "No " + type + "notify_fifo_script specified");
            return;
        }
        Script current = which == 0 ? g.fifoScript : which == 1 ? g.lvsFifoScript : g.vrrpFifoScript;
        if (current != null) {
            c.reporter.error(ConfigStatus.GENERAL_ERROR, type + "notify_fifo_script already specified - ignoring "
                    + w.slot(1));
            return;
        }
        Script s = c.notifyScript(w, type + "notify_fifo");
        switch (which) {
            case 0 -> g.fifoScript = s;
            case 1 -> g.lvsFifoScript = s;
            default -> g.vrrpFifoScript = s;
        }
    }

    /** keepalived's {@code include_check_set}. */
    private static void includeCheck(ParseContext c, Words w) {
        LineReader lr = c.parser.reader();
        Reporter r = c.reporter;
        if (w.size() <= 1) {
            lr.includeCheck(LineReader.INCLUDE_R | LineReader.INCLUDE_M | LineReader.INCLUDE_W | LineReader.INCLUDE_B);
            return;
        }
        int value = lr.includeCheckValue();
        for (int i = 1; i < w.size(); i++) {
            String word = w.slot(i);
            int mode = 0;
            int offset = 1;
            if (word.startsWith("-")) {
                mode = -1;
            } else if (word.startsWith("+")) {
                mode = 1;
            } else {
                offset = 0;
                if (i == 1) {
                    value = 0;
                } else {
                    r.error(ConfigStatus.GENERAL_ERROR, "Duplicate include_check '" + word + "' specified - ignoring");
                    continue;
                }
            }
            String name = word.substring(offset);
            int flag = switch (name) {
                case "read" -> LineReader.INCLUDE_R;
                case "match" -> LineReader.INCLUDE_M;
                case "wildcard_match" -> LineReader.INCLUDE_W;
                case "brace_match" -> LineReader.INCLUDE_B;
                default -> {
                    r.error(ConfigStatus.GENERAL_ERROR, "Unknown include_check type '" + name + "' - ignoring");
                    yield 0;
                }
            };
            if (flag != 0) {
                if (mode == 0) {
                    value = LineReader.INCLUDE_R | flag;
                } else if (mode == 1) {
                    value |= flag;
                } else {
                    value &= ~flag;
                }
            }
        }
        lr.includeCheck(value);
    }
}
