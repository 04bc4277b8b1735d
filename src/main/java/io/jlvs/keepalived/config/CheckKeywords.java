package io.jlvs.keepalived.config;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.HexFormat;
import java.util.List;

/**
 * The checker side of the keyword tree (keepalived/check/check_parser.c and the per-checker keyword
 * installers): {@code virtual_server_group}, {@code virtual_server} with {@code real_server} and every
 * checker block, {@code SSL}, and the checker's view of {@code track_file} and {@code bfd_instance}. Every
 * message is keepalived's, reported at the line keepalived reports it.
 */
final class CheckKeywords {
    static final long UINT_MAX = Numbers.UINT_MAX;
    static final long WEIGHT_LIMIT = Integer.MAX_VALUE;
    static final long LVS_MAX_TIMEOUT = 86400L * 31;
    static final List<String> SCHEDULERS = List.of("rr", "wrr", "lc", "wlc", "lblc", "sh", "mh", "dh", "fo", "ovf",
            "lblcr", "sed", "nq", "twos");

    private final ParseContext c;
    private final Reporter r;
    private final CheckData d;
    private CheckData.TrackFileB currentTrackFile;
    private List<CheckData.TrackFileB> trackFileTarget;

    private CheckKeywords(ParseContext c) {
        this.c = c;
        this.r = c.reporter;
        this.d = c.check;
    }

    /** What the keywords being installed need to exist; keepalived would use whatever memory is there. */
    private java.util.function.Supplier<Object> need = () -> Boolean.TRUE;

    /** A keyword whose handler runs only when its context (virtual server, real server, checker) exists. */
    private void kw(Keyword.Table t, String name, Keyword.Handler h) {
        java.util.function.Supplier<Object> n = need;
        t.kw(name, w -> {
            if (n.get() != null) {
                h.handle(w);
            }
        });
    }

    /** A close handler that runs only when its block's context exists (see {@link #need}). */
    private void closeHandler(Keyword.Table t, Runnable r) {
        java.util.function.Supplier<Object> n = need;
        t.subEndHandler(() -> {
            if (n.get() != null) {
                r.run();
            }
        });
    }

    /** The current checker if it is of one of these types (the block being read belongs to it). */
    private CheckData.Checker chkOf(String type) {
        CheckData.Checker k = chk();
        return k != null && k.type.equals(type) && k.rs == rs() ? k : null;
    }

    private CheckData.Vs vs() {
        return d.virtualServers.isEmpty() ? null : d.virtualServers.getLast();
    }

    private CheckData.Rs rs() {
        CheckData.Vs v = vs();
        return v == null || v.rs.isEmpty() ? null : v.rs.getLast();
    }

    private CheckData.Checker chk() {
        return d.queue.isEmpty() ? null : d.queue.getLast();
    }

    /** {@code init_check_keywords}: SSL, virtual_server_group, virtual_server and its sub-levels. */
    static void install(Keyword.Table t, boolean active, ParseContext c) {
        CheckKeywords k = new CheckKeywords(c);
        k.installSsl(t, active);
        t.root("virtual_server_group", w -> {
            if (w != null) {
                k.vsg(w);
            }
        }, active);
        t.root("virtual_server", w -> {
            if (w != null) {
                k.allocVs(w.slot(1), w.size() >= 3 ? w.slot(2) : null);
            }
        }, active);
        t.rootEnd(k::vsEnd);
        k.installVs(t);
    }

    /** {@code add_track_file_keywords}: the top-level track_file blocks FILE_CHECK refers to. */
    static void installTrackFile(Keyword.Table t, boolean active, ParseContext c, List<CheckData.TrackFileB> into) {
        CheckKeywords k = new CheckKeywords(c);
        k.trackFileTarget = into;
        for (String root : List.of("track_file", "vrrp_track_file")) {
            t.root(root, w -> {
                if (w == null) {
                    return;
                }
                if (root.equals("vrrp_track_file")) {
                    c.reporter.log("\"vrrp_track_file\" is deprecated, please use \"track_file\"");
                }
                k.currentTrackFile = new CheckData.TrackFileB(w.slot(1));
            }, active);
            t.kw("file", k::trackFileFile);
            t.kw("weight", k::trackFileWeight);
            t.kw("init_file", k::trackFileInit);
            t.subEndHandler(k::trackFileEnd);
        }
    }

    // ---------------------------------------------------------------- SSL

    private void installSsl(Keyword.Table t, boolean active) {
        String[] password = new String[4];
        t.root("SSL", w -> {
            if (w == null) {
                return;
            }
            if (d.ssl) {
                r.error(ConfigStatus.GENERAL_ERROR, "SSL context already specified - replacing");
                java.util.Arrays.fill(password, null);
            }
            d.ssl = true;
        }, active);
        String[] names = {"password", "ca", "certificate", "key"};
        String[] types = {"password", "cafile", "certfile", "keyfile"};
        for (int i = 0; i < names.length; i++) {
            int idx = i;
            t.kw(names[i], w -> {
                if (w.size() < 2) {
                    r.error(ConfigStatus.GENERAL_ERROR, "SSL " + types[idx] + " missing");
                    return;
                }
                if (password[idx] != null) {
                    r.error(ConfigStatus.GENERAL_ERROR, "SSL " + types[idx] + " already specified - replacing");
                }
                password[idx] = w.slot(1);
            });
        }
    }

    // ---------------------------------------------------------------- virtual_server_group

    private void vsg(Words w) {
        CheckData.Vsg g = new CheckData.Vsg(w.slot(1));
        d.groups.add(g);
        if (w.size() > 2 && !w.get(2).equals("{")) {
            String message = "*** Configuration line starting `***MISSING ***` is missing a parameter at word position 1";
            r.error(ConfigStatus.MISSING_PARAMETER, message);
            throw new MissingParameterException(message);
        }
        List<String> rest = w.size() > 2 ? w.all().subList(2, w.size()) : List.of();
        java.util.ArrayList<String> head = new java.util.ArrayList<>();
        head.add(w.slot(0));
        head.addAll(rest);
        c.parser.valueBlock(new Words(head, w.raw(), r), e -> vsgEntry(g, e));
        if (g.entries.isEmpty()) {
            r.error(ConfigStatus.GENERAL_ERROR, "virtual server group " + g.name + " has no entries - removing");
            d.groups.remove(g);
        } else if (g.haveIpv4 && g.haveIpv6 && g.fwmarkNoFamily) {
            r.error(ConfigStatus.GENERAL_ERROR, "virtual server group " + g.name
                    + " cannot have IPv4, IPv6 and fwmark without family - removing");
            d.groups.remove(g);
        }
    }

    private void vsgEntry(CheckData.Vsg g, Words w) {
        String addr = w.slot(0);
        if (addr.equals("fwmark")) {
            Long fw = Numbers.readUnsigned(r, w.slot(1), 0, UINT_MAX, true);
            if (fw == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "(" + g.name + "): fwmark '" + w.slot(1) + "' must be in [0, "
                        + UINT_MAX + "] - ignoring");
                return;
            }
            int family = 0;
            if (w.size() > 2) {
                String f = w.slot(2);
                if (f.equals("inet")) {
                    family = Inet.AF_INET;
                    g.haveIpv4 = true;
                } else if (f.equals("inet6")) {
                    family = Inet.AF_INET6;
                    g.haveIpv6 = true;
                } else {
                    r.error(ConfigStatus.GENERAL_ERROR, "(" + g.name + "): fwmark '" + fw + "' family " + f
                            + " unknown - ignoring");
                    return;
                }
            } else {
                g.fwmarkNoFamily = true;
            }
            g.entries.add(new VirtualServerGroup.Entry(true, fw, family, null, null, 0));
            return;
        }
        String port = w.size() >= 2 ? w.slot(1) : null;
        if (port != null && port.chars().allMatch(ch -> ch == '0')) {
            port = null;
        }
        Inet.SockAddr a = Inet.stoSockAddr(r, addr, port);
        if (a == null) {
            r.error(ConfigStatus.GENERAL_ERROR, "Invalid virtual server group IP address " + addr + " "
                    + (port != null ? "/port/" + port : "") + " - skipping");
            return;
        }
        boolean v6 = a.af() == Inet.AF_INET6;
        byte[] start = a.address().getAddress();
        byte[] end = start.clone();
        int slash = addr.indexOf('/');
        if (slash >= 0) {
            String m = addr.substring(slash + 1);
            Numbers.CParse mp = Numbers.strtoul(m, 0, 10);
            long mask = mp.value();
            if (mp.end() < m.length() || mask == 0 || (!v6 && mask > 32) || (v6 && mask > 128)) {
                r.error(ConfigStatus.GENERAL_ERROR, "Invalid netmask - " + addr + " - skipping");
                return;
            }
            int bits = start.length * 8;
            for (int b = (int) mask; b < bits; b++) {
                if ((start[b / 8] & (0x80 >> (b % 8))) != 0) {
                    r.error(ConfigStatus.GENERAL_ERROR, "Address mask bits not empty - " + addr + " - skipping");
                    return;
                }
                end[b / 8] |= (byte) (0x80 >> (b % 8));
            }
        } else {
            int dash = addr.indexOf('-');
            if (dash >= 0 && ((!v6 && addr.indexOf('.', dash + 1) >= 0) || (v6 && addr.indexOf(':', dash + 1) >= 0))) {
                Inet.SockAddr e = Inet.stoSockAddr(r, addr.substring(dash + 1), port);
                if (e == null) {
                    r.error(ConfigStatus.GENERAL_ERROR, "Invalid range end " + addr + " - skipping");
                    return;
                }
                if (e.af() != a.af()) {
                    r.error(ConfigStatus.GENERAL_ERROR, "Range address families do not match " + addr + " - skipping");
                    return;
                }
                end = e.address().getAddress();
                if (java.util.Arrays.compareUnsigned(start, end) > 0) {
                    r.error(ConfigStatus.GENERAL_ERROR, "Address range end is less than address range start - "
                            + addr + " - skipping");
                    return;
                }
            } else if (dash >= 0) {
                String tail = addr.substring(dash + 1);
                Numbers.CParse rp = Numbers.strtoul(tail, 0, v6 ? 16 : 10);
                long range = rp.value();
                if (rp.end() < tail.length()) {
                    r.error(ConfigStatus.INVALID_NUMBER, r.warnPrefix() + "Virtual server group range '" + addr
                            + "' has extra characters at end '" + tail.substring(rp.end()) + "'");
                    if (r.configTest()) {
                        return;
                    }
                } else if (rp.erange() || (v6 && range > 0xffff) || (!v6 && range > 255)) {
                    r.error(ConfigStatus.INVALID_NUMBER, "Virtual server group range '" + addr + "' end '" + tail
                            + "' too large");
                    return;
                }
                long first;
                if (v6) {
                    first = ((start[14] & 0xff) << 8) | (start[15] & 0xff);
                    end[14] = (byte) (range >> 8);
                    end[15] = (byte) range;
                } else {
                    first = start[3] & 0xff;
                    end[3] = (byte) range;
                }
                if (first >= (range & (v6 ? 0xffff : 0xff))) {
                    r.error(ConfigStatus.GENERAL_ERROR, "Address range end is not greater than address range start - "
                            + addr + " - skipping");
                    return;
                }
            }
        }
        g.entries.add(new VirtualServerGroup.Entry(false, 0, 0, a.address(), Inet.fromBytes(end), a.port()));
        if (v6) {
            g.haveIpv6 = true;
        } else {
            g.haveIpv4 = true;
        }
    }

    // ---------------------------------------------------------------- virtual_server

    private void allocVs(String p1, String p2) {
        CheckData.Vs v = new CheckData.Vs();
        if (p1.equals("group")) {
            if (p2 == null) {
                throw missing(2, "virtual_server", "group");
            }
            v.vsgName = p2;
        } else if (p1.equals("fwmark")) {
            if (p2 == null) {
                throw missing(2, "virtual_server", "fwmark");
            }
            Long fw = Numbers.readUnsigned(r, p2, 0, UINT_MAX, true);
            if (fw == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "virtual server fwmark '" + p2 + "' must be in [0, " + UINT_MAX
                        + "] - ignoring");
                c.parser.skipBlock(true);
                return;
            }
            v.fwmark = fw;
        } else {
            String port = p2 != null && !p2.chars().allMatch(ch -> ch == '0') ? p2 : null;
            Inet.SockAddr a = Inet.stoSockAddr(r, p1, port);
            if (a == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "Invalid virtual server IP address" + (port != null ? "/port" : "")
                        + " " + p1 + (port != null ? "/" + port : "") + " - skipping");
                c.parser.skipBlock(true);
                return;
            }
            v.addr = a.address();
            v.port = a.port();
            v.af = a.af();
        }
        d.virtualServers.add(v);
    }

    private MissingParameterException missing(int index, String first, String previous) {
        String message = "*** Configuration line starting `" + first + "` is missing a parameter after keyword `"
                + previous + "` at word position " + (index + 1);
        r.error(ConfigStatus.MISSING_PARAMETER, message);
        return new MissingParameterException(message);
    }

    private void vsEnd() {
        CheckData.Vs v = vs();
        if (v == null) {
            return;
        }
        if (v.sorry != null && v.sorry.fwd.method != 2) {
            if (v.af == 0) {
                v.af = v.sorry.af();
            } else if (v.af != v.sorry.af()) {
                r.error(ConfigStatus.GENERAL_ERROR, "Address family of virtual server and sorry server "
                        + Inet.ntop(v.sorry.addr) + " don't match - skipping sorry server.");
                v.sorry = null;
            }
        }
        if (v.af == 0 && v.vsgName == null) {
            boolean mixed = false;
            if (v.sorry != null) {
                v.af = v.sorry.af();
            }
            for (CheckData.Rs s : v.rs) {
                if (v.af == 0) {
                    v.af = s.af();
                } else if (v.af != s.af()) {
                    mixed = true;
                    break;
                }
            }
            if (mixed || v.af == 0) {
                v.af = Inet.AF_INET;
            }
        }
    }

    private void installVs(Keyword.Table t) {
        need = this::vs;
        kw(t, "ip_family", w -> {
            CheckData.Vs v = vs();
            String f = w.slot(1);
            int af;
            if (f.equals("inet")) {
                af = Inet.AF_INET;
            } else if (f.equals("inet6")) {
                af = Inet.AF_INET6;
            } else {
                r.error(ConfigStatus.GENERAL_ERROR, "unknown address family " + f);
                return;
            }
            if (v.af != 0 && af != v.af) {
                r.error(ConfigStatus.GENERAL_ERROR, "Virtual server specified family " + f + " conflicts with server family");
                return;
            }
            v.af = af;
        });
        kw(t, "retry", w -> {
            Long v = Numbers.readUnsigned(r, w.slot(1), 1, UINT_MAX, false);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "retry value invalid - " + w.slot(1));
                return;
            }
            vs().retry = v;
        });
        kw(t, "delay_before_retry", w -> {
            Long v = Numbers.readTimer(r, w.slot(1), 0, 0, true);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "virtual server delay before retry '" + w.slot(1) + "' invalid - ignoring");
            } else {
                vs().delayBeforeRetryUs = v;
            }
        });
        kw(t, "warmup", w -> {
            Long v = Numbers.readTimer(r, w.slot(1), 0, 0, true);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "virtual server warmup '" + w.slot(1) + "' invalid - ignoring");
            } else {
                vs().warmupUs = v;
            }
        });
        kw(t, "connect_timeout", w -> {
            Long v = Numbers.readTimer(r, w.slot(1), 1, UINT_MAX, true);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "virtual server connect_timeout " + w.slot(1) + " invalid - ignoring");
            } else {
                vs().connectTimeoutUs = v;
            }
        });
        kw(t, "delay_loop", w -> {
            Long v = Numbers.readTimer(r, w.slot(1), 1, 0, true);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "virtual server delay loop '" + w.slot(1) + "' invalid - ignoring");
            } else {
                vs().delayLoopUs = v;
            }
        });
        kw(t, "inhibit_on_failure", w -> vs().inhibit = true);
        kw(t, "lb_algo", this::sched);
        kw(t, "lvs_sched", this::sched);
        for (String f : List.of("hashed", "ops", "flag-1", "flag-2", "flag-3", "sh-port", "sh-fallback", "mh-port",
                "mh-fallback")) {
            kw(t, f, this::lbFlags);
        }
        kw(t, "lb_kind", w -> vsForwarding(w));
        kw(t, "lvs_method", w -> vsForwarding(w));
        kw(t, "persistence_engine", w -> {
            String s = w.slot(1);
            if (s.length() > 15) {
                r.error(ConfigStatus.GENERAL_ERROR, "persistence_name too long, truncating - " + s);
                s = s.substring(0, 15);
            }
            vs().persistenceEngine = s;
        });
        kw(t, "persistence_timeout", w -> {
            if (w.size() < 2) {
                vs().persistenceTimeout = 360;
                return;
            }
            Long v = Numbers.readUnsigned(r, w.slot(1), 1, LVS_MAX_TIMEOUT, false);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "persistence_timeout invalid");
                return;
            }
            vs().persistenceTimeout = v;
        });
        kw(t, "persistence_granularity", w -> {
            CheckData.Vs v = vs();
            int af = v.af;
            String s = w.slot(1);
            if (af == 0) {
                af = s.indexOf('.') >= 0 ? Inet.AF_INET : Inet.AF_INET6;
            }
            if (af == Inet.AF_INET6) {
                Long g = Numbers.readUnsigned(r, s, 1, 128, false);
                if (g == null) {
                    r.error(ConfigStatus.GENERAL_ERROR, "Invalid IPv6 persistence_granularity specified - " + s);
                    return;
                }
                v.granularity = g;
            } else {
                Inet4Address m = Inet.pton4(s);
                if (m == null) {
                    r.error(ConfigStatus.GENERAL_ERROR, "Invalid IPv4 persistence_granularity specified - " + s);
                    return;
                }
                v.granularity = Inet.toInt(m) & 0xffffffffL;
            }
            if (v.af == 0) {
                v.af = af;
            }
            if (v.persistenceTimeout == 0) {
                v.persistenceTimeout = 360;
            }
        });
        kw(t, "protocol", w -> {
            String s = w.slot(1);
            if (s.equalsIgnoreCase("TCP")) {
                vs().protocol = 6;
            } else if (s.equalsIgnoreCase("SCTP")) {
                vs().protocol = 132;
            } else if (s.equalsIgnoreCase("UDP")) {
                vs().protocol = 17;
            } else {
                r.error(ConfigStatus.GENERAL_ERROR, "Unknown protocol " + s + " - ignoring");
            }
        });
        kw(t, "ha_suspend", w -> vs().haSuspend = true);
        kw(t, "smtp_alert", w -> {
            Boolean b = GlobalKeywords.bool(w, r, "Invalid virtual_server smtp_alert parameter %s");
            if (b != null) {
                vs().smtpAlert = b ? 1 : 0;
            }
        });
        kw(t, "virtualhost", w -> {
            if (w.size() < 2) {
                r.error(ConfigStatus.GENERAL_ERROR, "virtual server virtualhost missing");
                return;
            }
            vs().virtualhost = w.slot(1);
        });
        kw(t, "snmp_name", w -> {
            if (w.size() != 2) {
                r.error(ConfigStatus.GENERAL_ERROR, "virtual server snmp_name missing or extra parameters");
            }
        });
        kw(t, "alpha", w -> vs().alpha = true);
        kw(t, "omega", w -> vs().omega = true);
        kw(t, "quorum_up", w -> {
            CheckData.Vs v = vs();
            if (v.quorumUp != null) {
                r.error(ConfigStatus.GENERAL_ERROR, "(" + v.vsgName + ") quorum_up script already specified - ignoring "
                        + w.slot(1));
                return;
            }
            v.quorumUp = notify(w, "quorum");
        });
        kw(t, "quorum_down", w -> {
            CheckData.Vs v = vs();
            if (v.quorumDown != null) {
                r.error(ConfigStatus.GENERAL_ERROR, "(" + v.vsgName + ") quorum_down script already specified - ignoring "
                        + w.slot(1));
                return;
            }
            v.quorumDown = notify(w, "quorum");
        });
        kw(t, "quorum", w -> {
            Long v = Numbers.readUnsigned(r, w.slot(1), 1, UINT_MAX, true);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "Quorum " + w.slot(1) + " must be in [1, " + UINT_MAX
                        + "]. Setting to 1.");
                v = 1L;
            }
            vs().quorum = v;
        });
        kw(t, "hysteresis", w -> {
            Long v = Numbers.readUnsigned(r, w.slot(1), 0, UINT_MAX, true);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "Hysteresis " + w.slot(1) + " must be in [0, " + UINT_MAX
                        + "] - ignoring");
                return;
            }
            vs().hysteresis = v;
        });
        kw(t, "weight", w -> {
            Long v = Numbers.readUnsigned(r, w.slot(1), 1, WEIGHT_LIMIT, true);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "Virtual server weight " + w.slot(1) + " is outside range 1-"
                        + WEIGHT_LIMIT);
                return;
            }
            vs().weight = v;
        });
        kw(t, "sorry_server", w -> allocSorry(w.slot(1), w.size() >= 3 ? w.slot(2) : null));
        kw(t, "sorry_server_inhibit", w -> {
            CheckData.Vs v = vs();
            if (v.sorry != null) {
                v.sorry.inhibit = 1;
            } else {
                r.error(ConfigStatus.GENERAL_ERROR, "Ignoring sorry_server inhibit used before or without sorry_server");
            }
        });
        kw(t, "sorry_server_lvs_method", w -> {
            CheckData.Vs v = vs();
            if (v.sorry != null) {
                forwarding(v.sorry.fwd, w, "sorry");
            } else {
                r.error(ConfigStatus.GENERAL_ERROR, "sorry_server forwarding used without sorry_server");
            }
        });
        kw(t, "real_server", w -> allocRs(w.slot(1), w.size() >= 3 ? w.slot(2) : null));
        t.sub();
        installRs(t);
        t.subEndHandler(this::rsEnd);
        installCheckers(t);
        t.subEnd();
    }

    private void sched(Words w) {
        String s = w.slot(1);
        if (!SCHEDULERS.contains(s)) {
            r.error(ConfigStatus.GENERAL_ERROR, "Invalid lvs_scheduler '" + s + "' - ignoring");
            return;
        }
        vs().sched = s;
    }

    private void lbFlags(Words w) {
        CheckData.Vs v = vs();
        String s = w.slot(0);
        switch (s) {
            case "ops" -> v.flags |= 0x4;
            case "flag-1" -> v.flags |= 0x8;
            case "flag-2" -> v.flags |= 0x10;
            case "flag-3" -> v.flags |= 0x20;
            default -> {
                if (v.sched.equals("sh") || v.sched.equals("mh")) {
                    if (s.equals(v.sched + "-port")) {
                        v.flags |= 0x10;
                    }
                    if (s.equals(v.sched + "-fallback")) {
                        v.flags |= 0x8;
                    }
                    if (s.equals("hashed")) {
                        v.hashed = true;
                    }
                } else {
                    r.error(ConfigStatus.GENERAL_ERROR, s + " only applies to sh scheduler - ignoring");
                }
            }
        }
    }

    private void vsForwarding(Words w) {
        CheckData.Vs v = vs();
        CheckData.Fwd f = v.fwd.copy();
        forwarding(f, w, "virtual");
        v.fwd = f;
    }

    /** {@code svr_forwarding_handler}: NAT, DR or TUN with its options. */
    private void forwarding(CheckData.Fwd f, Words w, String type) {
        String s = w.slot(1);
        int method;
        switch (s) {
            case "NAT" -> method = 0;
            case "DR" -> method = 3;
            case "TUN" -> method = 2;
            default -> {
                r.error(ConfigStatus.GENERAL_ERROR, "PARSER : unknown [" + s + "] routing method for " + type + " server.");
                return;
            }
        }
        f.method = method;
        int tunType = 0;
        long port = 0;
        int csum = 0;
        for (int i = 2; i < w.size(); i++) {
            String o = w.slot(i);
            if (o.equals("type")) {
                if (w.size() == i + 1) {
                    r.error(ConfigStatus.GENERAL_ERROR, "Missing tunnel type for " + type + " server.");
                    return;
                }
                String tt = w.slot(i + 1);
                switch (tt) {
                    case "ipip" -> tunType = 0;
                    case "gue" -> tunType = 1;
                    case "gre" -> tunType = 2;
                    default -> {
                        r.error(ConfigStatus.GENERAL_ERROR, "Unknown tunnel type " + tt + " for " + type + " server.");
                        return;
                    }
                }
                i++;
            } else if (o.equals("port")) {
                if (w.size() == i + 1) {
                    r.error(ConfigStatus.GENERAL_ERROR, "Missing port for " + type + " server gue tunnel.");
                    return;
                }
                Long p = Numbers.readUnsigned(r, w.slot(i + 1), 1, 65535, false);
                if (p == null) {
                    r.error(ConfigStatus.GENERAL_ERROR, "Invalid gue tunnel port " + w.slot(i + 1) + " for " + type
                            + " server.");
                    return;
                }
                port = p;
                i++;
            } else if (o.equals("nocsum")) {
                csum = 0;
            } else if (o.equals("csum")) {
                csum = 1;
            } else if (o.equals("remcsum")) {
                csum = 2;
            } else {
                r.error(ConfigStatus.GENERAL_ERROR, "Invalid tunnel option " + o + " for " + type + " server.");
                return;
            }
        }
        if ((tunType == 1) != (port != 0)) {
            r.error(ConfigStatus.GENERAL_ERROR, "gue tunnels require port, otherwise cannot have port.");
            return;
        }
        if (tunType == 0 && csum != 0) {
            r.error(ConfigStatus.GENERAL_ERROR, "ipip tunnels do not support checksum option.");
            return;
        }
        if (tunType == 2 && csum == 2) {
            r.error(ConfigStatus.GENERAL_ERROR, "gre tunnels do not support remote checksum option.");
            return;
        }
        f.tunType = tunType;
        f.tunPort = (int) port;
        f.tunFlags = csum;
    }

    private Script notify(Words w, String type) {
        List<String> qe = ShellWords.split(r, w.raw());
        if (qe != null && qe.size() < 2) {
            new Words(qe, w.raw(), r).slot(1);
        }
        return c.notifyScript(w, type);
    }

    private void allocSorry(String ip, String port) {
        CheckData.Vs v = vs();
        String p = port != null && !port.chars().allMatch(ch -> ch == '0') ? port : null;
        Inet.SockAddr a = Inet.stoSockAddr(r, ip, p);
        if (a == null) {
            r.error(ConfigStatus.GENERAL_ERROR, "Invalid sorry server IP address " + ip + " - skipping");
            return;
        }
        CheckData.Rs s = new CheckData.Rs();
        s.sorry = true;
        s.addr = a.address();
        s.port = a.port();
        s.weight = 1;
        s.fwd = v.fwd.copy();
        s.inhibit = 0;
        v.sorry = s;
    }

    // ---------------------------------------------------------------- real_server

    private void allocRs(String ip, String port) {
        CheckData.Vs v = vs();
        String p = port != null && !port.chars().allMatch(ch -> ch == '0') ? port : null;
        Inet.SockAddr a = Inet.stoSockAddr(r, ip, p);
        if (a == null) {
            r.error(ConfigStatus.GENERAL_ERROR, "Invalid real server ip address/port " + ip + "/" + port + " - skipping");
            c.parser.skipBlock(true);
            return;
        }
        CheckData.Rs s = new CheckData.Rs();
        s.addr = a.address();
        s.port = a.port();
        s.fwd = v.fwd.copy();
        v.rs.add(s);
    }

    private void rsEnd() {
        CheckData.Vs v = vs();
        CheckData.Rs s = rs();
        if (v == null || s == null) {
            return;
        }
        if (s.fwd.method != 2) {
            if (v.af == 0) {
                v.af = s.af();
            } else if (v.af != s.af()) {
                r.error(ConfigStatus.GENERAL_ERROR, "Address family of virtual server and real server "
                        + Inet.ntop(s.addr) + " don't match - skipping real server.");
                v.rs.remove(s);
                d.queue.removeIf(k -> k.rs == s);
            }
        }
    }

    private void installRs(Keyword.Table t) {
        need = this::rs;
        kw(t, "weight", w -> {
            Long v = Numbers.readUnsigned(r, w.slot(1), 0, WEIGHT_LIMIT, true);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "Real server weight " + w.slot(1) + " is outside range 0-" + WEIGHT_LIMIT);
                return;
            }
            rs().weight = v;
        });
        kw(t, "lvs_method", w -> forwarding(rs().fwd, w, "real"));
        kw(t, "uthreshold", w -> {
            Long v = Numbers.readUnsigned(r, w.slot(1), 0, UINT_MAX, true);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "Invalid real_server uthreshold '" + w.slot(1) + "' - ignoring");
                return;
            }
            rs().uthreshold = v;
        });
        kw(t, "lthreshold", w -> {
            Long v = Numbers.readUnsigned(r, w.slot(1), 0, UINT_MAX, true);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "Invalid real_server lthreshold '" + w.slot(1) + "' - ignoring");
                return;
            }
            rs().lthreshold = v;
        });
        kw(t, "inhibit_on_failure", w -> {
            Boolean b = GlobalKeywords.bool(w, r, "Invalid inhibit_on_failure parameter %s");
            if (b != null) {
                rs().inhibit = b ? 1 : 0;
            }
        });
        kw(t, "notify_up", w -> {
            CheckData.Rs s = rs();
            if (s.notifyUp != null) {
                r.error(ConfigStatus.GENERAL_ERROR, "(" + vs().vsgName + ") notify_up script already specified - ignoring "
                        + w.slot(1));
                return;
            }
            s.notifyUp = notify(w, "notify");
        });
        kw(t, "notify_down", w -> {
            CheckData.Rs s = rs();
            if (s.notifyDown != null) {
                r.error(ConfigStatus.GENERAL_ERROR, "(" + vs().vsgName + ") notify_down script already specified - ignoring "
                        + w.slot(1));
                return;
            }
            s.notifyDown = notify(w, "notify");
        });
        kw(t, "alpha", w -> {
            Boolean b = GlobalKeywords.bool(w, r, "Invalid alpha parameter %s");
            if (b != null) {
                rs().alpha = b ? 1 : 0;
            }
        });
        kw(t, "retry", w -> {
            Long v = Numbers.readUnsigned(r, w.slot(1), 1, UINT_MAX, false);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "retry value invalid - " + w.slot(1));
                return;
            }
            rs().retry = v;
        });
        kw(t, "delay_before_retry", w -> {
            Long v = Numbers.readTimer(r, w.slot(1), 0, 0, true);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "real server delay_before_retry '" + w.slot(1) + "' invalid - ignoring");
            } else {
                rs().delayBeforeRetryUs = v;
            }
        });
        kw(t, "warmup", w -> {
            Long v = Numbers.readTimer(r, w.slot(1), 0, 0, true);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "real server warmup '" + w.slot(1) + "' invalid - ignoring");
            } else {
                rs().warmupUs = v;
            }
        });
        kw(t, "connect_timeout", w -> {
            Long v = Numbers.readTimer(r, w.slot(1), 1, UINT_MAX, true);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "real server connect_timeout " + w.slot(1) + " invalid - ignoring");
            } else {
                rs().connectTimeoutUs = v;
            }
        });
        kw(t, "delay_loop", w -> {
            Long v = Numbers.readTimer(r, w.slot(1), 1, 0, true);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "real server delay_loop '" + w.slot(1) + "' invalid - ignoring");
            } else {
                rs().delayLoopUs = v;
            }
        });
        kw(t, "smtp_alert", w -> {
            Boolean b = GlobalKeywords.bool(w, r, "Invalid real_server smtp_alert parameter %s");
            if (b != null) {
                rs().smtpAlert = b ? 1 : 0;
            }
        });
        kw(t, "virtualhost", w -> {
            if (w.size() < 2) {
                r.error(ConfigStatus.GENERAL_ERROR, "real server virtualhost missing");
                return;
            }
            rs().virtualhost = w.slot(1);
        });
        kw(t, "snmp_name", w -> {
            if (w.size() != 2) {
                r.error(ConfigStatus.GENERAL_ERROR, "real server snmp_name missing or extra parameters");
            }
        });
    }

    // ---------------------------------------------------------------- checkers

    private CheckData.Checker queue(String type, boolean withConn) {
        CheckData.Vs v = vs();
        CheckData.Rs s = rs();
        CheckData.Checker k = new CheckData.Checker(type, v, s);
        if (withConn) {
            k.conn = new CheckData.Conn();
            k.conn.dst = s.addr;
            k.conn.dstPort = s.port;
        }
        d.queue.add(k);
        s.checkers.add(k);
        return k;
    }

    private void dequeue() {
        CheckData.Checker k = d.queue.removeLast();
        k.rs.checkers.remove(k);
    }

    private void installCheckers(Keyword.Table t) {
        need = this::rs;
        // MISC_CHECK
        kw(t, "MISC_CHECK", w -> {
            CheckData.Checker k = queue("MISC_CHECK", false);
            k.defaultRetry = 0;
        });
        t.sub();
        need = () -> chkOf("MISC_CHECK");
        common(t, false);
        kinderNbGetRetry(t);
        kw(t, "misc_path", w -> {
            CheckData.Checker k = chk();
            if (k == null || !k.type.equals("MISC_CHECK")) {
                return;
            }
            List<String> qe = ShellWords.split(r, w.raw());
            List<String> argv = qe != null && qe.size() >= 2 ? ShellWords.split(r, qe.get(1)) : null;
            if (argv != null) {
                k.script = new Script(argv, null, null);
            }
        });
        kw(t, "misc_timeout", w -> {
            CheckData.Checker k = chk();
            Long v = Numbers.readUnsigned(r, w.slot(1), 0, UINT_MAX / Numbers.TIMER_HZ, true);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "Invalid misc_timeout value '" + w.slot(1) + "'");
                return;
            }
            k.miscTimeoutUs = v * Numbers.TIMER_HZ;
        });
        kw(t, "misc_dynamic", w -> chk().dynamic = true);
        kw(t, "user", w -> {
            CheckData.Checker k = chk();
            if (w.size() < 2) {
                r.error(ConfigStatus.GENERAL_ERROR, "No user specified for misc checker script "
                        + (k.script == null ? "(null)" : k.script.quoted()));
                return;
            }
            String group = w.size() > 2 ? w.slot(2) : null;
            if (c.scripts.ids(w.slot(1), group) == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "Failed to set uid/gid for misc checker script "
                        + (k.script == null ? "(null)" : k.script.quoted()) + " - removing");
                dequeue();
                return;
            }
            if (k.script != null) {
                k.script = new Script(k.script.argv(), w.slot(1), group);
            }
            k.miscUserSet = true;
        });
        closeHandler(t, () -> {
            CheckData.Checker k = chk();
            if (k == null || !k.type.equals("MISC_CHECK")) {
                return;
            }
            if (k.script == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "No script path has been specified for MISC_CHECKER - skipping");
                dequeue();
                return;
            }
            if (!k.miscUserSet) {
                Script s = c.scripts.withDefaultUser(k.script.argv());
                if (s == null) {
                    r.error(ConfigStatus.GENERAL_ERROR, "Unable to set default user for misc script " + k.script.quoted()
                            + " - removing");
                    dequeue();
                    return;
                }
                k.script = s;
            }
        });
        t.subEnd();
        need = this::rs;

        // SMTP_CHECK
        kw(t, "SMTP_CHECK", w -> {
            CheckData.Checker k = queue("SMTP_CHECK", true);
            k.conn.dst = null;
            k.conn.dstPort = 0;
            k.conn.dstUnspec = true;
        });
        t.sub();
        need = () -> chkOf("SMTP_CHECK");
        kw(t, "helo_name", w -> {
            if (w.size() < 2) {
                r.error(ConfigStatus.GENERAL_ERROR, "SMTP_CHECK helo name missing");
                return;
            }
            chk().helo = w.slot(1);
        });
        common(t, true);
        kinderNbGetRetry(t);
        kw(t, "host", w -> r.log("The SMTP_CHECK host block is deprecated. Please define additional checkers."));
        t.sub();
        need = () -> chkOf("SMTP_CHECK");
        common(t, true);
        t.subEnd();
        need = () -> chkOf("SMTP_CHECK");
        closeHandler(t, () -> {
            CheckData.Checker k = chk();
            if (k.helo == null) {
                k.helo = "smtpchecker.keepalived.org";
            }
            CheckData.Conn co = k.conn;
            if (co.dstUnspec) {
                co.dst = k.rs.addr;
                co.dstUnspec = false;
            }
            if (co.dstPort == 0) {
                co.dstPort = k.rs.port;
            }
            if (!connOk(co)) {
                dequeue();
                return;
            }
            long to = k.rs.connectTimeoutUs != CheckData.UNSET ? k.rs.connectTimeoutUs : k.vs.connectTimeoutUs;
            if (co.timeoutUs == CheckData.UNSET) {
                co.timeoutUs = to;
            }
        });
        t.subEnd();
        need = this::rs;

        // TCP_CHECK, PING_CHECK
        for (String type : List.of("TCP_CHECK", "PING_CHECK")) {
            kw(t, type, w -> queue(type, true));
            t.sub();
            need = () -> chkOf(type);
            common(t, true);
            kinderNbGetRetry(t);
            closeHandler(t, this::connEnd);
            t.subEnd();
            need = this::rs;
        }

        // UDP_CHECK
        kw(t, "UDP_CHECK", w -> queue("UDP_CHECK", true));
        t.sub();
        need = () -> chkOf("UDP_CHECK");
        common(t, true);
        kinderNbGetRetry(t);
        kw(t, "payload", w -> {
            if (w.size() == 1) {
                r.error(ConfigStatus.GENERAL_ERROR, "UDP_CHECK payload requires a payload");
                return;
            }
            byte[] p = Numbers.readHex(w.join(1), null);
            if (p == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "Invalid hex string for UDP_CHECK payload");
            }
            chk().payload = p;
        });
        kw(t, "require_reply", w -> {
            CheckData.Checker k = chk();
            k.requireReply = true;
            if (w.size() == 1) {
                return;
            }
            byte[][] mask = new byte[1][];
            byte[] p = Numbers.readHex(w.join(1), mask);
            if (p == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "Invalid hex string for UDP_CHECK reply");
            }
            k.reply = p;
            k.replyMask = p == null ? null : mask[0];
        });
        kw(t, "min_reply_length", w -> {
            Long v = Numbers.readUnsigned(r, w.slot(1), 0, 65535, false);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "UDP_CHECK min length " + w.slot(1) + " not valid - must be between 0 & 65535");
                return;
            }
            chk().minReplyLen = v.intValue();
        });
        kw(t, "max_reply_length", w -> {
            Long v = Numbers.readUnsigned(r, w.slot(1), 0, 65535, false);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "UDP_CHECK max length " + w.slot(1) + " not valid - must be between 0 & 65535");
                return;
            }
            chk().maxReplyLen = v.intValue();
        });
        closeHandler(t, () -> {
            CheckData.Checker k = chk();
            if (!connOk(k.conn)) {
                dequeue();
                return;
            }
            if (k.minReplyLen > k.maxReplyLen) {
                r.error(ConfigStatus.GENERAL_ERROR, "UDP_CHECK min_reply length " + k.minReplyLen
                        + " > max_reply_length " + k.maxReplyLen + " - will always fail");
            }
        });
        t.subEnd();
        need = this::rs;

        // HTTP_GET, SSL_GET
        for (String type : List.of("HTTP_GET", "SSL_GET")) {
            installHttp(t, type);
        }

        // DNS_CHECK
        kw(t, "DNS_CHECK", w -> {
            CheckData.Checker k = queue("DNS_CHECK", true);
            k.defaultRetry = 3;
            k.defaultDelayBeforeRetryUs = 0;
        });
        t.sub();
        need = () -> chkOf("DNS_CHECK");
        common(t, true);
        kinderNbGetRetry(t);
        kw(t, "type", w -> {
            int type = dnsType(w.slot(1));
            if (type == 0) {
                r.error(ConfigStatus.GENERAL_ERROR, "Unknown DNS check type " + w.slot(1) + " - ignoring");
            } else {
                chk().dnsType = type;
            }
        });
        kw(t, "name", w -> {
            CheckData.Checker k = chk();
            if (k.dnsName != null) {
                r.error(ConfigStatus.GENERAL_ERROR, "DNS_CHECK name already specified - ignoring");
                return;
            }
            String name = w.slot(1);
            boolean invalid = false;
            if (name.startsWith(".") && name.length() > 1) {
                invalid = true;
            } else {
                int p = 0;
                while (true) {
                    if (p + 1 < name.length() && name.charAt(p + 1) == '.') {
                        invalid = true;
                        break;
                    }
                    int next = name.indexOf('.', p + 1);
                    if (next < 0) {
                        break;
                    }
                    p = next;
                }
            }
            if (invalid) {
                r.error(ConfigStatus.GENERAL_ERROR, "DNS_CHECK name '" + name + "' has empty label - ignoring");
                return;
            }
            k.dnsName = name;
        });
        closeHandler(t, () -> {
            CheckData.Checker k = chk();
            if (!connOk(k.conn)) {
                dequeue();
                return;
            }
            if (k.dnsName == null) {
                k.dnsName = "";
            }
        });
        t.subEnd();
        need = this::rs;

        // FILE_CHECK
        kw(t, "FILE_CHECK", w -> rs().fileChecks.add(new CheckData.FileCheck()));
        t.sub();
        need = () -> rs() == null || rs().fileChecks.isEmpty() ? null : Boolean.TRUE;
        kw(t, "track_file", w -> {
            CheckData.FileCheck f = rs().fileChecks.getLast();
            String name = w.slot(1);
            CheckData.TrackFileB tf = d.trackFiles.stream().filter(x -> x.name.equals(name)).findFirst().orElse(null);
            if (tf == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "track_file " + name + " not found");
                return;
            }
            f.file = tf;
        });
        kw(t, "weight", w -> {
            CheckData.FileCheck f = rs().fileChecks.getLast();
            if (w.size() < 2) {
                r.error(ConfigStatus.GENERAL_ERROR, "track file weight missing");
                return;
            }
            Integer v = Numbers.readInt(r, w.slot(1), -Integer.MAX_VALUE, Integer.MAX_VALUE, true);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "weight for track file must be in [" + -Integer.MAX_VALUE + ".."
                        + Integer.MAX_VALUE + "] inclusive. Ignoring...");
                return;
            }
            boolean reverse = false;
            if (w.size() >= 3) {
                if (w.slot(2).equals("reverse")) {
                    reverse = true;
                } else if (!w.slot(2).equals("noreverse")) {
                    r.error(ConfigStatus.GENERAL_ERROR, "unknown track file weight option " + w.slot(2) + " - ignoring");
                    return;
                }
            }
            f.weight = v;
            f.reverse = reverse;
        });
        closeHandler(t, () -> {
            CheckData.Rs s = rs();
            CheckData.FileCheck f = s.fileChecks.getLast();
            if (f.file == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "FILE_CHECK has no track_file specified - ignoring");
                s.fileChecks.removeLast();
                return;
            }
            if (f.weight == Long.MIN_VALUE) {
                f.weight = f.file.weight;
                f.reverse = f.file.reverse;
            }
        });
        t.subEnd();
        need = this::rs;

        // BFD_CHECK
        kw(t, "BFD_CHECK", w -> queue("BFD_CHECK", false).launch = false);
        t.sub();
        need = () -> chkOf("BFD_CHECK");
        kw(t, "name", w -> {
            CheckData.Checker k = chk();
            String rsName = Inet.ntop(k.rs.addr);
            if (w.size() != 2) {
                r.error(ConfigStatus.GENERAL_ERROR, "(" + rsName + ") BFD_CHECK - No or too many names specified");
                return;
            }
            String name = w.slot(1);
            if (!c.bfdNames.contains(name)) {
                r.error(ConfigStatus.GENERAL_ERROR, "(" + rsName + ") BFD_CHECK - BFD " + name + " not configured");
                return;
            }
            if (k.bfdName != null) {
                r.error(ConfigStatus.GENERAL_ERROR, "(" + rsName + ") BFD_CHECK - BFD " + name + " already specified as "
                        + k.bfdName);
                return;
            }
            k.bfdName = name;
        });
        kw(t, "alpha", w -> {
            Boolean b = GlobalKeywords.bool(w, r, "Invalid alpha parameter %s");
            if (b != null) {
                chk().alpha = b ? 1 : 0;
            }
        });
        closeHandler(t, () -> {
            CheckData.Checker k = chk();
            if (k.bfdName == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "(" + Inet.ntop(k.rs.addr)
                        + ") No name has been specified for BFD_CHECKER - skipping");
                dequeue();
            }
        });
        t.subEnd();
        need = this::rs;
    }

    static int dnsType(String label) {
        return switch (label.toUpperCase(java.util.Locale.ROOT)) {
            case "A" -> 1;
            case "NS" -> 2;
            case "CNAME" -> 5;
            case "SOA" -> 6;
            case "MX" -> 15;
            case "TXT" -> 16;
            case "AAAA" -> 28;
            case "RRSIG" -> 46;
            case "DNSKEY" -> 48;
            default -> 0;
        };
    }

    private void installHttp(Keyword.Table t, String type) {
        need = this::rs;
        kw(t, type, w -> {
            CheckData.Checker k = queue(type, true);
            k.defaultDelayBeforeRetryUs = 3 * Numbers.TIMER_HZ;
        });
        t.sub();
        need = () -> chkOf(type);
        common(t, true);
        kw(t, "nb_get_retry", w -> {
            r.accepted(ConfigStatus.GENERAL_ERROR, "nb_get_retry is deprecated - please use 'retry'");
            Long v = Numbers.readUnsigned(r, w.slot(1), 0, UINT_MAX, true);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "Invalid nb_get_retry value '" + w.slot(1) + "'");
                return;
            }
            chk().retry = v;
        });
        kw(t, "virtualhost", w -> {
            if (w.size() < 2) {
                r.error(ConfigStatus.GENERAL_ERROR, "HTTP_GET virtualhost name missing");
                return;
            }
            chk().virtualhost = w.slot(1);
        });
        kw(t, "http_protocol", w -> {
            if (w.size() < 2) {
                r.error(ConfigStatus.GENERAL_ERROR, "Missing http_protocol version");
                return;
            }
            String v = w.slot(1);
            switch (v) {
                case "1.0" -> chk().httpProtocol = "1.0";
                case "1.1" -> chk().httpProtocol = "1.1";
                case "1.0C", "1.0c" -> chk().httpProtocol = "1.0C";
                default -> r.error(ConfigStatus.GENERAL_ERROR, "Invalid http_protocol version " + v);
            }
        });
        kw(t, "enable_sni", w -> {
            Boolean b = GlobalKeywords.bool(w, r, "Invalid enable_sni parameter %s");
            if (b != null) {
                chk().enableSni = b;
            }
        });
        kw(t, "fast_recovery", w -> {
            Boolean b = GlobalKeywords.bool(w, r, "Invalid fast_recovery parameter %s");
            if (b != null) {
                chk().fastRecovery = b;
            }
        });
        kw(t, "url", w -> chk().urls.add(new CheckData.UrlB()));
        t.sub();
        need = () -> chkOf(type) != null && !chk().urls.isEmpty() ? Boolean.TRUE : null;
        kw(t, "path", w -> url().path = w.slot(1));
        kw(t, "digest", w -> {
            CheckData.UrlB u = url();
            String digest = w.slot(1);
            if (u.digest != null) {
                r.error(ConfigStatus.GENERAL_ERROR, "Digest '" + digest + "' is a duplicate");
                return;
            }
            if (digest.length() != 32) {
                r.error(ConfigStatus.GENERAL_ERROR, "digest '" + digest + "' character length should be 32 rather than "
                        + digest.length());
                return;
            }
            for (int i = 15; i >= 0; i--) {
                String pair = digest.substring(2 * i, 2 * i + 2);
                Numbers.CParse p = Numbers.strtoul(pair, 0, 16);
                if (p.end() != 2) {
                    r.error(ConfigStatus.GENERAL_ERROR, "Unable to interpret hex digit in '" + digest.substring(0, 2 * i + 2)
                            + "' at offset " + 2 * i + "/" + (2 * i + 1));
                    return;
                }
            }
            u.digest = digest.toLowerCase(java.util.Locale.ROOT);
        });
        kw(t, "status_code", w -> {
            CheckData.UrlB u = url();
            for (int i = 1; i < w.size(); i++) {
                String s = w.slot(i);
                Numbers.CParse a = Numbers.strtoul(s, 0, 10);
                long min = a.value();
                long max = min;
                int end = a.end();
                if (end < s.length() && s.charAt(end) == '-') {
                    Numbers.CParse b = Numbers.strtoul(s, end + 1, 10);
                    max = b.value();
                    end = b.end();
                }
                if (end < s.length() || min < 100 || min > 599 || max < 100 || max > 599 || min > max) {
                    r.error(ConfigStatus.GENERAL_ERROR, "Invalid HTTP_GET status code '" + s + "'");
                    continue;
                }
                for (long code = min; code <= max; code++) {
                    u.status[(int) code] = true;
                }
                u.anyStatus = true;
            }
        });
        kw(t, "virtualhost", w -> {
            if (w.size() < 2) {
                r.error(ConfigStatus.GENERAL_ERROR, "Missing HTTP_GET virtualhost name");
                return;
            }
            url().virtualhost = w.slot(1);
        });
        kw(t, "regex", w -> {
            List<String> qe = ShellWords.split(r, w.raw());
            if (qe == null || qe.size() != 2) {
                r.log("regex missing or too many fields");
                return;
            }
            url().regex = qe.get(1);
        });
        kw(t, "regex_no_match", w -> url().regexNoMatch = true);
        kw(t, "regex_options", w -> { });
        kw(t, "regex_min_offset", w -> url().regexMin = regexOffset(w, "min"));
        kw(t, "regex_max_offset", w -> url().regexMax = regexOffset(w, "max") + 1);
        kw(t, "regex_stack", w -> { });
        closeHandler(t, () -> {
            CheckData.Checker k = chk();
            CheckData.UrlB u = k.urls.getLast();
            if (u.path == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "HTTP/SSL_GET checker url has no path - ignoring");
                k.urls.removeLast();
                return;
            }
            if (!u.anyStatus) {
                for (int code = 200; code <= 299; code++) {
                    u.status[code] = true;
                }
            }
            if (u.regex == null && (u.regexNoMatch || u.regexMin != 0 || u.regexMax != 0)) {
                r.log("regex parameters specified without regex");
                u.regexNoMatch = false;
                u.regexMin = 0;
                u.regexMax = 0;
            }
            if (u.regexMax != 0 && u.regexMin >= u.regexMax) {
                r.log("regex min offset " + u.regexMin + " > regex_max_offset " + (u.regexMax - 1) + " - ignoring");
                u.regexMin = 0;
                u.regexMax = 0;
            }
        });
        t.subEnd();
        need = () -> chkOf(type);
        closeHandler(t, () -> {
            CheckData.Checker k = chk();
            if (k.urls.isEmpty()) {
                r.error(ConfigStatus.GENERAL_ERROR, "HTTP/SSL_GET checker has no urls specified - ignoring");
                dequeue();
                return;
            }
            if (!connOk(k.conn)) {
                dequeue();
            }
        });
        t.subEnd();
        need = this::rs;
    }

    private long regexOffset(Words w, String type) {
        if (w.size() != 2) {
            r.log("Missing or too may options for regex_" + type + "_offset");
            return 0;
        }
        Numbers.CParse p = Numbers.strtoul(w.slot(1), 0, 10);
        if (p.end() < w.slot(1).length()) {
            r.log("Invalid regex_" + type + "_offset " + w.slot(1) + " specified");
            return 0;
        }
        return p.value();
    }

    private CheckData.UrlB url() {
        return chk().urls.getLast();
    }

    private void connEnd() {
        if (!connOk(chk().conn)) {
            dequeue();
        }
    }

    /** {@code check_conn_opts}: an IPv6 link-local destination needs {@code bind_if}. */
    private boolean connOk(CheckData.Conn co) {
        if (co.dst instanceof Inet6Address a && a.isLinkLocalAddress() && co.bindIf == null) {
            r.error(ConfigStatus.GENERAL_ERROR, "Checker link local address " + Inet.ntop(a) + " requires a bind_if");
            return false;
        }
        return true;
    }

    /** {@code install_checker_common_keywords}. */
    private void common(Keyword.Table t, boolean connection) {
        java.util.function.Supplier<Object> saved = need;
        // the caller has set what these keywords need (the checker of its block)
        if (connection) {
            kw(t, "connect_ip", w -> {
                CheckData.Conn co = chk().conn;
                Inet.SockAddr a = Inet.stoSockAddr(r, w.slot(1), null);
                if (a == null) {
                    r.error(ConfigStatus.GENERAL_ERROR, "Invalid connect_ip address " + w.slot(1) + " - ignoring");
                    co.dst = null;
                    co.dstUnspec = true;
                } else if (co.bindTo != null && family(co.bindTo) != a.af()) {
                    r.error(ConfigStatus.GENERAL_ERROR, "connect_ip address " + w.slot(1)
                            + " does not match address family of bindto - skipping");
                    co.dst = null;
                    co.dstUnspec = true;
                } else {
                    co.dst = a.address();
                    co.dstUnspec = false;
                }
            });
            kw(t, "connect_port", w -> {
                Long p = Numbers.readUnsigned(r, w.slot(1), 1, 65535, true);
                if (p == null) {
                    r.error(ConfigStatus.GENERAL_ERROR, "Invalid checker connect_port '" + w.slot(1) + "'");
                    return;
                }
                chk().conn.dstPort = p.intValue();
            });
            kw(t, "bindto", w -> {
                CheckData.Conn co = chk().conn;
                Inet.SockAddr a = Inet.stoSockAddr(r, w.slot(1), null);
                if (a == null) {
                    r.error(ConfigStatus.GENERAL_ERROR, "Invalid bindto address " + w.slot(1) + " - ignoring");
                    co.bindTo = null;
                } else if (co.dst != null && family(co.dst) != a.af()) {
                    r.error(ConfigStatus.GENERAL_ERROR, "bindto address " + w.slot(1)
                            + " does not match address family of connect_ip - skipping");
                    co.bindTo = null;
                } else {
                    co.bindTo = a.address();
                }
            });
            kw(t, "bind_port", w -> {
                Long p = Numbers.readUnsigned(r, w.slot(1), 1, 65535, true);
                if (p == null) {
                    r.error(ConfigStatus.GENERAL_ERROR, "Invalid checker bind_port '" + w.slot(1) + "'");
                    return;
                }
                chk().conn.bindPort = p.intValue();
            });
            kw(t, "bind_if", w -> {
                if (w.slot(1).length() > 15) {
                    r.error(ConfigStatus.GENERAL_ERROR, "Interface name " + w.slot(1) + " is too long - ignoring");
                    return;
                }
                chk().conn.bindIf = w.slot(1);
            });
            kw(t, "connect_timeout", w -> {
                Long v = Numbers.readTimer(r, w.slot(1), 1, UINT_MAX, true);
                if (v == null) {
                    r.error(ConfigStatus.GENERAL_ERROR, "connect_timeout " + w.slot(1) + " invalid - ignoring");
                    return;
                }
                chk().conn.timeoutUs = v;
            });
            kw(t, "fwmark", w -> {
                Long v = Numbers.readUnsigned(r, w.slot(1), 0, UINT_MAX, true);
                if (v == null) {
                    r.error(ConfigStatus.GENERAL_ERROR, "Invalid fwmark connection value '" + w.slot(1) + "'");
                    return;
                }
                chk().conn.fwmark = v;
            });
        }
        kw(t, "retry", w -> {
            Long v = Numbers.readUnsigned(r, w.slot(1), 0, UINT_MAX, true);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "Invalid retry connection value '" + w.slot(1) + "'");
                return;
            }
            chk().retry = v;
        });
        kw(t, "delay_before_retry", w -> {
            Long v = Numbers.readTimer(r, w.slot(1), 0, 0, true);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "Invalid delay_before_retry connection value '" + w.slot(1) + "'");
                return;
            }
            chk().delayBeforeRetryUs = v;
        });
        kw(t, "warmup", w -> {
            Long v = Numbers.readTimer(r, w.slot(1), 0, 0, true);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "Invalid warmup connection value '" + w.slot(1) + "'");
                return;
            }
            chk().warmupUs = v;
        });
        kw(t, "delay_loop", w -> {
            Long v = Numbers.readTimer(r, w.slot(1), 1, 0, true);
            if (v == null) {
                r.error(ConfigStatus.GENERAL_ERROR, "delay_loop '" + w.slot(1) + "' is invalid - ignoring");
                return;
            }
            chk().delayLoopUs = v;
        });
        kw(t, "alpha", w -> {
            Boolean b = GlobalKeywords.bool(w, r, "Invalid alpha parameter %s");
            if (b != null) {
                chk().alpha = b ? 1 : 0;
            }
        });
        kw(t, "log_all_failures", w -> {
            Boolean b = GlobalKeywords.bool(w, r, "Invalid log_all_failures parameter %s");
            if (b != null) {
                chk().logAllFailures = b;
            }
        });
        need = saved;
    }

    /**
     * keepalived 2.2 only knows {@code nb_get_retry} in HTTP_GET/SSL_GET; elsewhere it reports an unknown keyword
     * and ignores the line. The seeds' old TCP_CHECK blocks use it to mean {@code retry}, so jlvs prints the same
     * message at the same line (so {@code -t} output is keepalived's) and then takes the value as {@code retry}.
     */
    private void kinderNbGetRetry(Keyword.Table t) {
        kw(t, "nb_get_retry", w -> {
            r.accepted(ConfigStatus.UNKNOWN_KEYWORD, "Unknown keyword 'nb_get_retry'");
            CheckData.Checker k = chk();
            if (k == null || w.size() < 2) {
                return;
            }
            String s = w.slot(1);
            Numbers.CParse p = Numbers.strtoul(s, 0, 10);
            if (!s.isEmpty() && p.end() == s.length() && !p.erange() && !s.startsWith("-") && p.value() <= UINT_MAX) {
                long v = p.value();
                k.retry = v;
                r.log("jlvs: " + k.type + " nb_get_retry " + w.slot(1) + " taken as retry " + v
                        + " (keepalived 2.2 ignores it there)");
            }
        });
    }

    private static int family(InetAddress a) {
        return a instanceof Inet6Address ? Inet.AF_INET6 : Inet.AF_INET;
    }

    // ---------------------------------------------------------------- track_file

    private void trackFileFile(Words w) {
        if (w.size() < 2) {
            r.error(ConfigStatus.GENERAL_ERROR, "track file file name missing");
            return;
        }
        CheckData.TrackFileB f = currentTrackFile;
        if (f == null) {
            return;
        }
        if (f.path != null) {
            r.error(ConfigStatus.GENERAL_ERROR, "File already set for track file " + f.name + " - ignoring " + w.slot(1));
            return;
        }
        f.path = w.slot(1);
    }

    private void trackFileWeight(Words w) {
        CheckData.TrackFileB f = currentTrackFile;
        if (w.size() < 2) {
            r.error(ConfigStatus.GENERAL_ERROR, "No weight specified for track file " + (f == null ? "(null)" : f.name)
                    + " - ignoring");
            return;
        }
        if (f == null) {
            return;
        }
        if (f.weight != 1) {
            r.error(ConfigStatus.GENERAL_ERROR, "Weight already set for track file " + f.name + " - ignoring " + w.slot(1));
            return;
        }
        Integer v = Numbers.readInt(r, w.slot(1), -254, 254, true);
        if (v == null) {
            r.error(ConfigStatus.GENERAL_ERROR, "Weight (" + w.slot(1) + ") for track_file " + f.name
                    + " must be between [-254..254] inclusive. Ignoring...");
            v = 1;
        }
        f.weight = v;
        if (w.size() >= 3) {
            if (w.slot(2).equals("reverse")) {
                f.reverse = true;
            } else {
                r.error(ConfigStatus.GENERAL_ERROR, "track_file " + f.name + " unknown weight option " + w.slot(2));
            }
        }
    }

    private void trackFileInit(Words w) {
        CheckData.TrackFileB f = currentTrackFile;
        if (f == null) {
            return;
        }
        f.init = 1;
        f.initValue = 0;
        for (int i = 1; i < w.size(); i++) {
            String word = w.slot(i).stripLeading();
            if (!word.isEmpty() && (Character.isDigit(word.charAt(0)) || word.charAt(0) == '-')) {
                Integer v = Numbers.readInt(r, w.slot(i), Integer.MIN_VALUE, Integer.MAX_VALUE, false);
                if (v == null) {
                    r.error(ConfigStatus.GENERAL_ERROR, "Track file " + f.name + " init value " + word + " is invalid");
                    v = 0;
                } else if (v < -254 || v > 254) {
                    r.error(ConfigStatus.GENERAL_ERROR, "Track file " + f.name + " init value " + v
                            + " is outside sensible range [-254, 254]");
                }
                f.initValue = v;
            } else if (word.equals("overwrite")) {
                f.init = 2;
            } else {
                r.error(ConfigStatus.GENERAL_ERROR, "Unknown track file init option " + word);
            }
        }
    }

    private void trackFileEnd() {
        CheckData.TrackFileB f = currentTrackFile;
        if (f == null) {
            return;
        }
        if (f.path == null) {
            r.error(ConfigStatus.GENERAL_ERROR, "No file set for track_file " + f.name + " - ignoring");
            return;
        }
        currentTrackFile = null;
        trackFileTarget.add(f);
        if (f.init == 0) {
            return;
        }
        java.nio.file.Path p = java.nio.file.Path.of(f.path);
        if (java.nio.file.Files.exists(p)) {
            if (f.init == 1) {
                return;
            }
            if (!java.nio.file.Files.isRegularFile(p)) {
                r.error(ConfigStatus.GENERAL_ERROR, "Cannot initialise track file " + f.name + " - it is not a regular file");
            }
        }
    }

    static String hex(byte[] b) {
        return b == null ? null : HexFormat.of().formatHex(b);
    }
}
