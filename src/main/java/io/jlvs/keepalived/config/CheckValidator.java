package io.jlvs.keepalived.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * What keepalived does between the checker pass and starting the checkers: {@code link_vsg_to_vs}, then
 * {@code validate_check_config} (defaults, port fix-ups, quorum clamps, each with keepalived's message and no
 * line prefix), then the script security check; and finally the parse state turned into records.
 */
final class CheckValidator {
    private final ParseContext c;
    private final Reporter r;
    private final CheckData d;

    CheckValidator(ParseContext c) {
        this.c = c;
        this.r = c.reporter;
        this.d = c.check;
    }

    /** {@code link_vsg_to_vs}: group references resolved, members numbered (messages go to the log only). */
    void linkGroups() {
        for (Iterator<CheckData.Vs> it = d.virtualServers.iterator(); it.hasNext(); ) {
            CheckData.Vs v = it.next();
            if (v.vsgName == null) {
                continue;
            }
            CheckData.Vsg g = d.groups.stream().filter(x -> x.name.equals(v.vsgName)).findFirst().orElse(null);
            if (g == null) {
                r.log("Virtual server group " + v.vsgName + " specified but not configured - ignoring virtual server "
                        + v.display());
                d.queue.removeIf(k -> k.vs == v);
                it.remove();
                continue;
            }
            v.vsg = g;
            int vsgAf = g.haveIpv4 == g.haveIpv6 ? 0 : g.haveIpv4 ? Inet.AF_INET : Inet.AF_INET6;
            boolean drop = false;
            if (g.haveIpv4 && g.haveIpv6 && v.af != 0) {
                r.log(v.vsgName + ": virtual server group with IPv4 & IPv6 doesn't match virtual server " + v.display()
                        + " - ignoring");
                drop = true;
            } else if ((g.haveIpv4 && v.af == Inet.AF_INET6) || (g.haveIpv6 && v.af == Inet.AF_INET)) {
                r.log(v.vsgName + ": address family doesn't match virtual server " + v.display() + " - ignoring");
                drop = true;
            } else if (vsgAf != 0) {
                if (v.af == 0) {
                    v.af = vsgAf;
                }
            } else if (v.af == 0 && g.fwmarkNoFamily) {
                r.log(v.vsgName + ": Virtual server " + v.display() + " address family cannot be determined, defaulting to IPv4");
            }
            if (drop) {
                d.queue.removeIf(k -> k.vs == v);
                it.remove();
            }
        }
        for (CheckData.Vsg g : d.groups) {
            int n = 0;
            for (CheckData.Vs v : d.virtualServers) {
                if (g.name.equals(v.vsgName)) {
                    v.groupIndex = n++;
                }
            }
        }
    }

    /** {@code validate_check_config}. */
    void validate(GlobalDefs global) {
        for (Iterator<CheckData.Vs> it = d.virtualServers.iterator(); it.hasNext(); ) {
            CheckData.Vs v = it.next();
            if (v.rs.isEmpty()) {
                r.error(ConfigStatus.GENERAL_ERROR, "Virtual server " + v.display() + " has no real servers - ignoring");
                d.queue.removeIf(k -> k.vs == v);
                it.remove();
                continue;
            }
            boolean fwmarks = v.fwmark != 0 || (v.vsg != null && v.vsg.hasFwmarks());
            if (v.haSuspend && fwmarks) {
                r.error(ConfigStatus.GENERAL_ERROR, "Virtual server " + v.display()
                        + ": cannot use ha_suspend with fwmarks - clearing ha_suspend");
                v.haSuspend = false;
            }
            if ((v.vsg != null && v.vsg.hasAddresses()) || (v.vsg == null && v.fwmark == 0)) {
                if (v.protocol == 0) {
                    r.error(ConfigStatus.GENERAL_ERROR, "Virtual server " + v.display()
                            + ": no protocol set - defaulting to UDP");
                    v.protocol = 17;
                }
                if ((v.flags & 0x4) != 0 && v.protocol != 17) {
                    r.error(ConfigStatus.GENERAL_ERROR, "Virtual server " + v.display()
                            + ": one packet scheduling requires UDP - resetting");
                    v.flags &= ~0x4;
                }
                if (v.persistenceTimeout == 0 && v.vsg == null && v.fwmark == 0 && v.port == 0) {
                    r.error(ConfigStatus.GENERAL_ERROR, "Virtual server " + v.display()
                            + ": zero port only valid for persistent services - setting");
                    v.persistenceTimeout = 360;
                }
            }
            if (v.persistenceTimeout == 0 && v.vsg != null) {
                for (VirtualServerGroup.Entry e : v.vsg.entries) {
                    if (!e.isFwmark() && e.port() == 0) {
                        r.error(ConfigStatus.GENERAL_ERROR, "Virtual server " + v.display()
                                + ": zero port only valid for persistent services - setting");
                        v.persistenceTimeout = 360;
                        break;
                    }
                }
            }
            if (v.protocol != 0 && ((v.vsg != null && !v.vsg.hasAddresses() && v.vsg.hasFwmarks())
                    || (v.vsg == null && v.fwmark != 0))) {
                r.error(ConfigStatus.GENERAL_ERROR, "Warning: Virtual server " + v.display()
                        + ": protocol specified for fwmark - protocol will be ignored");
                v.protocol = 0;
            }
            if (v.sched.isEmpty()) {
                r.error(ConfigStatus.GENERAL_ERROR, "Virtual server " + v.display()
                        + ": no scheduler set, setting default 'wlc'");
                v.sched = "wlc";
            }
            if (v.smtpAlert == -1) {
                v.smtpAlert = global.smtpAlertChecker() != null ? (global.smtpAlertChecker() ? 1 : 0)
                        : global.smtpAlert() != null ? (global.smtpAlert() ? 1 : 0) : 0;
            }
            long weightSum = 0;
            List<CheckData.Rs> kept = new ArrayList<>();
            for (CheckData.Rs s : new ArrayList<>(v.rs)) {
                boolean dup = false;
                for (CheckData.Rs earlier : kept) {
                    if (earlier.addr.equals(s.addr) && earlier.port == s.port) {
                        dup = true;
                        break;
                    }
                }
                if (dup) {
                    r.error(ConfigStatus.GENERAL_ERROR, "VS " + v.display() + ": real server "
                            + s.sock().trio(v.protocol) + " is duplicated - removing second rs");
                    v.rs.remove(s);
                    d.queue.removeIf(k -> k.rs == s);
                    continue;
                }
                kept.add(s);
                if (s.fwd.method == CheckData.FWD_UNSET) {
                    if (v.fwd.method == CheckData.FWD_UNSET) {
                        r.error(ConfigStatus.GENERAL_ERROR, "Virtual server " + v.display()
                                + ": no forwarding method set, setting default NAT");
                        v.fwd.method = 0;
                    }
                    s.fwd = v.fwd.copy();
                }
                if (s.alpha == -1) {
                    s.alpha = v.alpha ? 1 : 0;
                }
                if (s.inhibit == -1) {
                    s.inhibit = v.inhibit ? 1 : 0;
                }
                if (s.retry == CheckData.UNSET) {
                    s.retry = v.retry;
                }
                if (s.connectTimeoutUs == CheckData.UNSET) {
                    s.connectTimeoutUs = v.connectTimeoutUs;
                }
                if (s.delayLoopUs == CheckData.UNSET) {
                    s.delayLoopUs = v.delayLoopUs;
                }
                if (s.warmupUs == CheckData.UNSET) {
                    s.warmupUs = v.warmupUs;
                }
                if (s.delayBeforeRetryUs == CheckData.UNSET) {
                    s.delayBeforeRetryUs = v.delayBeforeRetryUs;
                }
                if (s.weight == CheckData.UNSET) {
                    s.weight = v.weight;
                }
                if (s.smtpAlert == -1) {
                    s.smtpAlert = global.smtpAlertChecker() != null ? (global.smtpAlertChecker() ? 1 : 0)
                            : global.smtpAlert() != null ? (global.smtpAlert() ? 1 : 0) : 1;
                }
                weightSum += s.weight;
                if (v.sorry != null && v.sorry.addr.equals(s.addr) && v.sorry.port == s.port) {
                    if (v.sorry.inhibit != s.inhibit) {
                        r.error(ConfigStatus.GENERAL_ERROR, "Virtual server " + v.display() + ": real server "
                                + s.sock().trio(v.protocol) + " matches sorry server, but inhibit setting differs, "
                                + (s.inhibit == 1 ? "sett" : "clear") + "ing on sorry server");
                        v.sorry.inhibit = s.inhibit;
                    }
                    v.sorryDuplicatesRs = true;
                }
            }
            if (v.sorry != null && v.sorry.fwd.method == CheckData.FWD_UNSET) {
                if (v.fwd.method == CheckData.FWD_UNSET) {
                    r.error(ConfigStatus.GENERAL_ERROR, "Virtual server " + v.display()
                            + ": no forwarding method set, setting default NAT");
                    v.fwd.method = 0;
                }
                v.sorry.fwd = v.fwd.copy();
            }
            long sum32 = weightSum & Numbers.UINT_MAX;
            if (v.quorum > sum32) {
                r.error(ConfigStatus.GENERAL_ERROR, "Warning - quorum " + v.quorum + " for " + v.display()
                        + " exceeds total weight of real servers " + sum32 + ", reducing quorum to " + sum32);
                v.quorum = sum32;
            }
            if (v.hysteresis >= v.quorum) {
                long h = (v.quorum - 1) & Numbers.UINT_MAX;
                r.error(ConfigStatus.GENERAL_ERROR, "Virtual server " + v.display() + ": hysteresis " + v.hysteresis
                        + " >= quorum " + v.quorum + "; setting hysteresis to " + h);
                v.hysteresis = h;
            }
            fixPorts(v);
        }
        for (CheckData.Checker k : d.queue) {
            CheckData.Rs s = k.rs;
            if (k.alpha == -1) {
                k.alpha = s.alpha;
            }
            if (k.launch) {
                if (k.retry == CheckData.UNSET) {
                    k.retry = s.retry != CheckData.UNSET ? s.retry : k.defaultRetry;
                }
                if (k.conn != null && k.conn.timeoutUs == CheckData.UNSET) {
                    k.conn.timeoutUs = s.connectTimeoutUs;
                }
                if (k.delayLoopUs == CheckData.UNSET) {
                    k.delayLoopUs = s.delayLoopUs;
                }
                if (k.warmupUs == CheckData.UNSET) {
                    k.warmupUs = s.warmupUs != CheckData.UNSET ? s.warmupUs : k.delayLoopUs;
                }
                if (k.delayBeforeRetryUs == CheckData.UNSET) {
                    k.delayBeforeRetryUs = s.delayBeforeRetryUs != CheckData.UNSET ? s.delayBeforeRetryUs
                            : k.defaultDelayBeforeRetryUs != 0 ? k.defaultDelayBeforeRetryUs : k.delayLoopUs;
                }
            }
        }
    }

    private void fixPorts(CheckData.Vs v) {
        if (v.vsg != null) {
            if (v.vsg.hasFwmarks()) {
                for (CheckData.Rs s : v.rs) {
                    if (s.fwd.method != 0 && s.port != 0) {
                        r.error(ConfigStatus.GENERAL_ERROR, "WARNING - fwmark virtual server " + v.display() + ", real server "
                                + s.sock().trio(v.protocol) + " has port specified - port will be ignored");
                    }
                }
                if (v.sorry != null && v.sorry.fwd.method != 0 && v.sorry.port != 0) {
                    r.error(ConfigStatus.GENERAL_ERROR, "WARNING - fwmark virtual server " + v.display()
                            + ", sorry server has port specified - port will be ignored");
                }
            }
            for (VirtualServerGroup.Entry e : v.vsg.entries) {
                if (e.isFwmark()) {
                    continue;
                }
                for (CheckData.Rs s : v.rs) {
                    if (s.fwd.method != 0 && s.port != 0 && e.port() != s.port) {
                        String ge = Inet.ntop(e.start()) + (e.start().equals(e.end()) ? "" : "-" + Inet.ntop(e.end()))
                                + "," + e.port();
                        r.error(ConfigStatus.GENERAL_ERROR, "virtual server " + v.display() + ":[" + ge + "] and real server "
                                + s.sock().trio(v.protocol) + " ports don't match");
                    }
                }
                if (v.sorry != null && v.sorry.fwd.method != 0 && v.sorry.port != 0 && e.port() != v.sorry.port) {
                    r.error(ConfigStatus.GENERAL_ERROR, "WARNING - virtual server " + v.display()
                            + ", sorry server has port specified - port will be ignored");
                }
            }
            return;
        }
        for (CheckData.Rs s : v.rs) {
            if (s.fwd.method == 0) {
                if (v.fwmark == 0 && s.port == 0) {
                    s.port = v.port;
                }
                continue;
            }
            if (v.fwmark != 0) {
                if (s.port != 0) {
                    r.error(ConfigStatus.GENERAL_ERROR, "WARNING - fwmark virtual server " + v.display() + ", real server "
                            + s.sock().trio(v.protocol) + " has port specified - clearing");
                    s.port = 0;
                }
            } else if (s.port == 0) {
                s.port = v.port;
            } else if (v.port != s.port) {
                r.error(ConfigStatus.GENERAL_ERROR, "WARNING - virtual server " + v.display() + " and real server "
                        + s.sock().trio(v.protocol) + " ports don't match - resetting");
                s.port = v.port;
            }
        }
        CheckData.Rs ss = v.sorry;
        if (ss != null && ss.fwd.method != 0) {
            if (v.fwmark != 0) {
                if (ss.port != 0) {
                    r.error(ConfigStatus.GENERAL_ERROR, "WARNING - virtual server " + v.display()
                            + ", sorry server has port specified - clearing");
                    ss.port = 0;
                }
            } else if (ss.port == 0) {
                ss.port = v.port;
            } else if (v.port != ss.port) {
                r.error(ConfigStatus.GENERAL_ERROR, "WARNING - virtual server " + v.display()
                        + " and sorry server ports don't match - resetting");
                ss.port = v.port;
            }
        }
    }

    /** {@code check_check_script_security}: unusable scripts dropped (log only), then the security verdict. */
    void scriptSecurity(GlobalDefs global) {
        if (d.virtualServers.isEmpty()) {
            return;
        }
        ScriptChecks sc = c.scripts;
        int flags = 0;
        for (Iterator<CheckData.Checker> it = d.queue.iterator(); it.hasNext(); ) {
            CheckData.Checker k = it.next();
            if (!k.type.equals("MISC_CHECK")) {
                continue;
            }
            int f = sc.secure(k.script);
            flags |= f;
            boolean drop = false;
            if ((f & ScriptChecks.SC_INHIBIT) != 0) {
                r.log("Disabling misc script " + k.script.quoted() + " due to insecure");
                drop = true;
            } else if ((f & ScriptChecks.SC_NOTFOUND) != 0) {
                r.log("Disabling misc script " + k.script.quoted() + " since not found/accessible");
                drop = true;
            } else if ((f & (ScriptChecks.SC_EXECUTABLE | ScriptChecks.SC_SYSTEM)) == 0) {
                drop = true;
            }
            if (drop) {
                it.remove();
                k.rs.checkers.remove(k);
            }
        }
        for (CheckData.Vs v : d.virtualServers) {
            flags |= notifySecure(v.quorumUp, s -> v.quorumUp = s);
            flags |= notifySecure(v.quorumDown, s -> v.quorumDown = s);
            for (CheckData.Rs s : v.rs) {
                flags |= notifySecure(s.notifyUp, x -> s.notifyUp = x);
                flags |= notifySecure(s.notifyDown, x -> s.notifyDown = x);
            }
        }
        if (global.notifyFifo() != null && global.notifyFifo().script() != null) {
            flags |= sc.secure(global.notifyFifo().script());
        }
        if (global.lvsNotifyFifo() != null && global.lvsNotifyFifo().script() != null) {
            flags |= sc.secure(global.lvsNotifyFifo().script());
        }
        if (!sc.scriptSecurity && (flags & ScriptChecks.SC_ISSCRIPT) != 0) {
            r.error(ConfigStatus.SECURITY_ERROR, "SECURITY VIOLATION - check scripts are being executed but "
                    + "script_security not enabled." + ((flags & ScriptChecks.SC_INSECURE) != 0
                    ? " There are insecure scripts." : ""));
        }
    }

    private int notifySecure(Script s, java.util.function.Consumer<Script> set) {
        if (s == null) {
            return 0;
        }
        int f = c.scripts.secure(s);
        if ((f & (ScriptChecks.SC_INHIBIT | ScriptChecks.SC_NOTFOUND)) != 0 || (f & ScriptChecks.SC_EXECUTABLE) == 0) {
            set.accept(null);
        }
        return f;
    }

    // ---------------------------------------------------------------- records

    List<VirtualServerGroup> groups() {
        List<VirtualServerGroup> out = new ArrayList<>();
        for (CheckData.Vsg g : d.groups) {
            out.add(new VirtualServerGroup(g.name, g.entries));
        }
        return out;
    }

    List<TrackFile> trackFiles() {
        return d.trackFiles.stream().map(CheckData.TrackFileB::record).toList();
    }

    List<VirtualServer> virtualServers() {
        Map<CheckData.TrackFileB, TrackFile> files = new HashMap<>();
        for (CheckData.TrackFileB f : d.trackFiles) {
            files.put(f, f.record());
        }
        List<VirtualServer> out = new ArrayList<>();
        for (CheckData.Vs v : d.virtualServers) {
            if (v.vsgName == null && v.fwmark == 0 && v.addr == null) {
                r.log("jlvs: virtual server fwmark 0 has neither a mark nor an address - ignored");
                continue;
            }
            List<RealServer> rss = new ArrayList<>();
            for (CheckData.Rs s : v.rs) {
                List<CheckerConfig> checkers = new ArrayList<>();
                for (CheckData.Checker k : d.queue) {
                    if (k.rs == s) {
                        checkers.add(checker(v, s, k));
                    }
                }
                for (CheckData.FileCheck f : s.fileChecks) {
                    checkers.add(new CheckerConfig.File(files.get(f.file), f.weight, f.reverse));
                }
                rss.add(real(s, checkers));
            }
            RealServer sorry = v.sorry == null ? null : real(v.sorry, List.of());
            VirtualServer.Kind kind = v.vsgName != null ? VirtualServer.Kind.GROUP
                    : v.fwmark != 0 ? VirtualServer.Kind.FWMARK : VirtualServer.Kind.ADDRESS;
            out.add(new VirtualServer(kind, v.addr == null ? null : new Inet.SockAddr(v.addr, v.port), v.fwmark,
                    v.vsgName, v.groupIndex, v.af == 0 ? Inet.AF_INET : v.af, v.protocol, v.sched, v.flags,
                    v.persistenceTimeout, v.granularity, v.persistenceEngine, fwd(v.fwd), v.delayLoopUs, v.alpha,
                    v.omega, v.inhibit, v.haSuspend, v.quorum, v.hysteresis, v.quorumUp, v.quorumDown,
                    v.smtpAlert == 1, v.virtualhost, sorry, v.sorry != null && v.sorry.inhibit == 1, rss));
        }
        return out;
    }

    private static Forwarding fwd(CheckData.Fwd f) {
        int m = f.method == CheckData.FWD_UNSET ? 0 : f.method;
        return new Forwarding(io.jlvs.control.ForwardMethod.ofCode(m), f.tunType, f.tunPort, f.tunFlags);
    }

    private static RealServer real(CheckData.Rs s, List<CheckerConfig> checkers) {
        return new RealServer(s.sock(), fwd(s.fwd), s.weight == CheckData.UNSET ? 1 : s.weight, s.uthreshold,
                s.lthreshold, s.inhibit == 1, s.alpha == 1, s.notifyUp, s.notifyDown, s.smtpAlert != 0, s.virtualhost,
                checkers);
    }

    private static CheckerConfig checker(CheckData.Vs v, CheckData.Rs s, CheckData.Checker k) {
        CheckerConfig.Timing timing = new CheckerConfig.Timing(k.alpha == 1, k.delayLoopUs, k.warmupUs, k.retry,
                k.delayBeforeRetryUs, k.logAllFailures);
        CheckerConfig.Connection conn = null;
        if (k.conn != null) {
            CheckData.Conn co = k.conn;
            conn = new CheckerConfig.Connection(co.dst == null ? null : new Inet.SockAddr(co.dst, co.dstPort),
                    co.bindTo == null ? null : new Inet.SockAddr(co.bindTo, co.bindPort), co.bindIf, co.fwmark,
                    co.timeoutUs);
        }
        return switch (k.type) {
            case "TCP_CHECK" -> new CheckerConfig.Tcp(timing, conn);
            case "PING_CHECK" -> new CheckerConfig.Ping(timing, conn);
            case "SMTP_CHECK" -> new CheckerConfig.Smtp(timing, conn, k.helo);
            case "DNS_CHECK" -> new CheckerConfig.Dns(timing, conn, k.dnsType, k.dnsName == null ? "" : k.dnsName);
            case "UDP_CHECK" -> new CheckerConfig.Udp(timing, conn, CheckKeywords.hex(k.payload), k.requireReply,
                    CheckKeywords.hex(k.reply), CheckKeywords.hex(k.replyMask), k.minReplyLen, k.maxReplyLen);
            case "MISC_CHECK" -> new CheckerConfig.Misc(timing, k.script, k.miscTimeoutUs, k.dynamic);
            case "BFD_CHECK" -> new CheckerConfig.Bfd(timing, k.bfdName);
            default -> {
                List<CheckerConfig.Url> urls = new ArrayList<>();
                for (CheckData.UrlB u : k.urls) {
                    List<Integer> codes = new ArrayList<>();
                    for (int code = 100; code < 600; code++) {
                        if (u.status[code]) {
                            codes.add(code);
                        }
                    }
                    urls.add(new CheckerConfig.Url(u.path, codes, u.digest, u.virtualhost, u.regex, u.regexNoMatch,
                            u.regexMin, u.regexMax));
                }
                String host = k.virtualhost != null ? k.virtualhost : s.virtualhost != null ? s.virtualhost : v.virtualhost;
                String sni = k.virtualhost != null ? k.virtualhost : v.virtualhost;
                yield new CheckerConfig.Http(k.type.equals("SSL_GET"), timing, conn, urls, k.httpProtocol, host,
                        k.fastRecovery, k.enableSni, sni, k.tlsCompliant);
            }
        };
    }
}
