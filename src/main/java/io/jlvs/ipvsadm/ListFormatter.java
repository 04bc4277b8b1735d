package io.jlvs.ipvsadm;

import io.jlvs.control.DestConfig;
import io.jlvs.control.DestInfo;
import io.jlvs.control.ForwardMethod;
import io.jlvs.control.IpvsApi;
import io.jlvs.control.Protocol;
import io.jlvs.control.ServiceConfig;
import io.jlvs.control.ServiceInfo;
import io.jlvs.control.ServiceKey;
import io.jlvs.control.Stats;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The text of {@code ipvsadm -L} and {@code -S}, byte for byte as ipvsadm 1.31 prints it: title lines,
 * service rows, real-server rows in each listing format, the K/M/G/T number abbreviation, the save
 * format's command lines, and the sort order of services and real servers (with the original's
 * 32-bit wrap-around comparisons and glibc's merge sort).
 */
public final class ListFormatter {
    public static final int FMT_NUMERIC = 0x0001;
    public static final int FMT_RULE = 0x0002;
    public static final int FMT_STATS = 0x0004;
    public static final int FMT_RATE = 0x0008;
    public static final int FMT_THRESHOLDS = 0x0010;
    public static final int FMT_PERSISTENTCONN = 0x0020;
    public static final int FMT_NOSORT = 0x0040;
    public static final int FMT_EXACT = 0x0080;
    public static final int FMT_TUN_INFO = 0x0100;

    private static final int SCHED_FLAGS = ServiceConfig.F_SCHED1 | ServiceConfig.F_SCHED2 | ServiceConfig.F_SCHED3;
    private static final String[] TUN_NAMES = {"ipip", "gue", "gre"};
    private static final String[] TUN_FLAGS = {"-c", "+c", "r+c"};
    private static final String[] TUN_FLAG_OPTS = {"--tun-nocsum", "--tun-csum", "--tun-remcsum"};

    private final NameService names;

    public ListFormatter(NameService names) {
        this.names = names;
    }

    /** The first line of a whole-table listing. */
    public static String versionLine(IpvsApi.Info info) {
        return "IP Virtual Server version " + info.versionMajor() + "." + info.versionMinor() + "."
                + info.versionPatch() + " (size=" + info.connTableSize() + ")\n";
    }

    /** The two title lines for a format (nothing in save format). */
    public static String title(int format) {
        if ((format & FMT_STATS) != 0) {
            return padRight("Prot LocalAddress:Port", 33) + " " + padLeft("Conns", 8) + " " + padLeft("InPkts", 8)
                    + " " + padLeft("OutPkts", 8) + " " + padLeft("InBytes", 8) + " " + padLeft("OutBytes", 8)
                    + "\n  -> RemoteAddress:Port\n";
        } else if ((format & FMT_RATE) != 0) {
            return padRight("Prot LocalAddress:Port", 33) + " " + padLeft("CPS", 8) + " " + padLeft("InPPS", 8)
                    + " " + padLeft("OutPPS", 8) + " " + padLeft("InBPS", 8) + " " + padLeft("OutBPS", 8)
                    + "\n  -> RemoteAddress:Port\n";
        } else if ((format & FMT_THRESHOLDS) != 0) {
            return padRight("Prot LocalAddress:Port", 33) + " " + padRight("Uthreshold", 10) + " "
                    + padRight("Lthreshold", 10) + " " + padRight("ActiveConn", 10) + " "
                    + padRight("InActConn", 10) + "\n  -> RemoteAddress:Port\n";
        } else if ((format & FMT_PERSISTENTCONN) != 0) {
            return padRight("Prot LocalAddress:Port", 33) + " " + padRight("Weight", 9) + " "
                    + padRight("PersistConn", 11) + " " + padRight("ActiveConn", 10) + " "
                    + padRight("InActConn", 10) + "\n  -> RemoteAddress:Port\n";
        } else if ((format & FMT_TUN_INFO) != 0) {
            return "Prot LocalAddress:Port Scheduler Flags\n"
                    + "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n";
        } else if ((format & FMT_RULE) == 0) {
            return "Prot LocalAddress:Port Scheduler Flags\n"
                    + "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";
        }
        return "";
    }

    /** A service row (or {@code -A} line) followed by its real servers, sorted unless {@code --nosort}. */
    public String service(ServiceInfo info, int format) {
        ServiceConfig se = info.config();
        ServiceKey key = se.key();
        int proto = protocolNumber(key);
        String svcName;
        boolean rule = (format & FMT_RULE) != 0;
        if (key.hasFwmark()) {
            if (rule) {
                svcName = "-f " + key.fwmark() + (key.af() == InetText.AF_INET6 ? " -6" : "");
            } else {
                svcName = "FWM  " + key.fwmark() + (key.af() == InetText.AF_INET6 ? " IPv6" : "");
            }
        } else {
            String vname = addrPort(key.af(), key.address(), key.port(), proto, format);
            if (rule) {
                String stype = switch (proto) {
                    case 6 -> "-t";
                    case 17 -> "-u";
                    case 132 -> "--sctp-service";
                    default -> "--xxx-service";
                };
                svcName = stype + " " + vname;
            } else {
                String stype = switch (proto) {
                    case 6 -> "TCP";
                    case 17 -> "UDP";
                    case 132 -> "SCTP";
                    default -> "?";
                };
                svcName = padRight(stype, 4) + " " + vname;
                if (key.af() != InetText.AF_INET6) {
                    svcName = cut(svcName, 33);
                }
            }
        }

        StringBuilder sb = new StringBuilder(256);
        int flags = se.flags();
        boolean exact = (format & FMT_EXACT) != 0;
        String pe = se.persistenceEngine() == null ? "" : se.persistenceEngine();
        if (rule) {
            sb.append("-A ").append(svcName).append(" -s ").append(se.scheduler());
            if ((flags & ServiceConfig.F_PERSISTENT) != 0) {
                sb.append(" -p ").append(Integer.toUnsignedString(se.persistenceTimeoutS()));
                appendMask(sb, key.af(), se.netmask(), " -M ");
            }
            if (!pe.isEmpty()) {
                sb.append(" --pe ").append(pe);
            }
            if ((flags & ServiceConfig.F_ONEPACKET) != 0) {
                sb.append(" -o");
            }
            if ((flags & SCHED_FLAGS) != 0) {
                sb.append(" -b ").append(schedFlags(se.scheduler(), flags));
            }
        } else if ((format & (FMT_STATS | FMT_RATE)) != 0) {
            Stats st = info.stats() == null ? Stats.ZERO : info.stats();
            sb.append(padRight(svcName, 33));
            if ((format & FMT_STATS) != 0) {
                sb.append(largeNum(st.conns(), exact)).append(largeNum(st.inPkts(), exact))
                        .append(largeNum(st.outPkts(), exact)).append(largeNum(st.inBytes(), exact))
                        .append(largeNum(st.outBytes(), exact));
            } else {
                sb.append(largeNum(st.cps(), exact)).append(largeNum(st.inPps(), exact))
                        .append(largeNum(st.outPps(), exact)).append(largeNum(st.inBps(), exact))
                        .append(largeNum(st.outBps(), exact));
            }
        } else {
            sb.append(svcName).append(' ').append(se.scheduler());
            if ((flags & SCHED_FLAGS) != 0) {
                sb.append(" (").append(schedFlags(se.scheduler(), flags)).append(')');
            }
            if ((flags & ServiceConfig.F_PERSISTENT) != 0) {
                sb.append(" persistent ").append(Integer.toUnsignedString(se.persistenceTimeoutS()));
                appendMask(sb, key.af(), se.netmask(), " mask ");
                if (!pe.isEmpty()) {
                    sb.append(" pe ").append(pe);
                }
            }
            if ((flags & ServiceConfig.F_ONEPACKET) != 0) {
                sb.append(" ops");
            }
        }
        sb.append('\n');

        List<DestInfo> dests = info.dests() == null ? List.of() : info.dests();
        if ((format & FMT_NOSORT) == 0) {
            dests = sortDests(dests);
        }
        for (DestInfo e : dests) {
            appendDest(sb, svcName, proto, e, format);
        }
        return sb.toString();
    }

    private void appendDest(StringBuilder sb, String svcName, int proto, DestInfo e, int format) {
        DestConfig d = e.config();
        int af = InetText.af(d.address());
        String dname = addrPort(af, d.address(), d.port(), proto, format);
        boolean exact = (format & FMT_EXACT) != 0;
        if ((format & FMT_RULE) == 0 && af != InetText.AF_INET6) {
            dname = cut(dname, 28);
        }
        Stats st = e.stats() == null ? Stats.ZERO : e.stats();
        if ((format & FMT_RULE) != 0) {
            sb.append("-a ").append(svcName).append(" -r ").append(dname).append(' ').append(fwdSwitch(d.method()))
                    .append(" -w ").append(d.weight());
            if (d.method() == ForwardMethod.TUNNEL) {
                switch (d.tunnelType()) {
                    case 0 -> sb.append(" --tun-type ipip");
                    case 1 -> sb.append(" --tun-type gue --tun-port ").append(d.tunnelPort()).append(' ')
                            .append(pick(TUN_FLAG_OPTS, d.tunnelFlags()));
                    case 2 -> sb.append(" --tun-type gre ").append(pick(TUN_FLAG_OPTS, d.tunnelFlags()));
                    default -> { }
                }
            }
            sb.append('\n');
        } else if ((format & FMT_STATS) != 0) {
            sb.append("  -> ").append(padRight(dname, 28)).append(largeNum(st.conns(), exact))
                    .append(largeNum(st.inPkts(), exact)).append(largeNum(st.outPkts(), exact))
                    .append(largeNum(st.inBytes(), exact)).append(largeNum(st.outBytes(), exact)).append('\n');
        } else if ((format & FMT_RATE) != 0) {
            sb.append("  -> ").append(padRight(dname, 28)).append(' ')
                    .append(padLeft(Long.toUnsignedString(st.cps()), 8)).append(' ')
                    .append(padLeft(Long.toUnsignedString(st.inPps()), 8)).append(' ')
                    .append(padLeft(Long.toUnsignedString(st.outPps()), 8))
                    .append(largeNum(st.inBps(), exact)).append(largeNum(st.outBps(), exact)).append('\n');
        } else if ((format & FMT_THRESHOLDS) != 0) {
            sb.append("  -> ").append(padRight(dname, 28)).append(' ')
                    .append(padRight(Integer.toUnsignedString(d.upperThreshold()), 10)).append(' ')
                    .append(padRight(Integer.toUnsignedString(d.lowerThreshold()), 10)).append(' ')
                    .append(padRight(Integer.toUnsignedString(e.activeConns()), 10)).append(' ')
                    .append(padRight(Integer.toUnsignedString(e.inactiveConns()), 10)).append('\n');
        } else if ((format & FMT_PERSISTENTCONN) != 0) {
            sb.append("  -> ").append(padRight(dname, 28)).append(' ')
                    .append(padRight(Integer.toUnsignedString(d.weight()), 9)).append(' ')
                    .append(padRight(Integer.toUnsignedString(e.persistentConns()), 11)).append(' ')
                    .append(padRight(Integer.toUnsignedString(e.activeConns()), 10)).append(' ')
                    .append(padRight(Integer.toUnsignedString(e.inactiveConns()), 10)).append('\n');
        } else if ((format & FMT_TUN_INFO) != 0) {
            sb.append("  -> ").append(padRight(dname, 28)).append(' ').append(padRight(fwdName(d.method()), 7))
                    .append(' ').append(padRight(tunnelInfo(d), 13)).append(' ')
                    .append(padRight(Integer.toString(d.weight()), 6)).append(' ')
                    .append(padRight(Integer.toUnsignedString(e.activeConns()), 10)).append(' ')
                    .append(padRight(Integer.toUnsignedString(e.inactiveConns()), 10)).append('\n');
        } else {
            sb.append("  -> ").append(padRight(dname, 28)).append(' ').append(padRight(fwdName(d.method()), 7))
                    .append(' ').append(padRight(Integer.toString(d.weight()), 6)).append(' ')
                    .append(padRight(Integer.toUnsignedString(e.activeConns()), 10)).append(' ')
                    .append(padRight(Integer.toUnsignedString(e.inactiveConns()), 10)).append('\n');
        }
    }

    /**
     * Address and port as listed: numeric with {@code -n}, else the host name and the service name for the
     * protocol when there are such; IPv6 always bracketed; cut to 59 characters.
     */
    public String addrPort(int af, InetAddress addr, int port, int proto, int format) {
        String host;
        String portText;
        if ((format & FMT_NUMERIC) != 0) {
            host = InetText.ntop(addr);
            portText = Integer.toString(port);
        } else {
            String name = names.nameOf(addr);
            host = name != null ? name : InetText.ntop(addr);
            String service = null;
            Protocol p = Protocol.ofNumber(proto);
            if (p != null) {
                service = names.serviceOf(port, p.serviceDbName());
            }
            portText = service != null ? service : Integer.toString(port);
        }
        String s = af == InetText.AF_INET ? host + ":" + portText : "[" + host + "]:" + portText;
        return cut(s, 59);
    }

    /**
     * The number formatter: at least 9 characters with a leading space, abbreviated from 10^8 on with
     * K, M, G or T (truncating), or with {@code --exact} widened to fit the whole number.
     */
    public static String largeNum(long v, boolean exact) {
        String digits = Long.toUnsignedString(v);
        if (exact) {
            return padLeft(digits, digits.length() <= 8 ? 9 : digits.length() + 1);
        }
        if (Long.compareUnsigned(v, 100_000_000L) < 0) {
            return padLeft(digits, 9);
        } else if (Long.compareUnsigned(v, 1_000_000_000L) < 0) {
            return padLeft(Long.toUnsignedString(Long.divideUnsigned(v, 1_000L)), 8) + "K";
        } else if (Long.compareUnsigned(v, 100_000_000_000L) < 0) {
            return padLeft(Long.toUnsignedString(Long.divideUnsigned(v, 1_000_000L)), 8) + "M";
        } else if (Long.compareUnsigned(v, 100_000_000_000_000L) < 0) {
            return padLeft(Long.toUnsignedString(Long.divideUnsigned(v, 1_000_000_000L)), 8) + "G";
        }
        return padLeft(Long.toUnsignedString(Long.divideUnsigned(v, 1_000_000_000_000L)), 8) + "T";
    }

    /** Scheduler flags by name: sh/mh spell the first two their own way; the others say flag-N. */
    static String schedFlags(String scheduler, int flags) {
        List<String> parts = new ArrayList<>(3);
        if ("sh".equals(scheduler) || "mh".equals(scheduler)) {
            if ((flags & ServiceConfig.F_SCHED1) != 0) {
                parts.add(scheduler + "-fallback");
            }
            if ((flags & ServiceConfig.F_SCHED2) != 0) {
                parts.add(scheduler + "-port");
            }
        } else {
            if ((flags & ServiceConfig.F_SCHED1) != 0) {
                parts.add("flag-1");
            }
            if ((flags & ServiceConfig.F_SCHED2) != 0) {
                parts.add("flag-2");
            }
            if ((flags & ServiceConfig.F_SCHED3) != 0) {
                parts.add("flag-3");
            }
        }
        return String.join(",", parts);
    }

    /** Services in ipvsadm's order: fwmark, family, protocol, address, port (32-bit wrapping differences). */
    public static List<ServiceInfo> sortServices(List<ServiceInfo> services) {
        return mergeSort(services, ListFormatter::compareServices);
    }

    /** Real servers in ipvsadm's order: address (in the first one's family), then port. */
    public static List<DestInfo> sortDests(List<DestInfo> dests) {
        return mergeSort(dests, ListFormatter::compareDests);
    }

    private static int compareServices(ServiceInfo a, ServiceInfo b) {
        ServiceKey s1 = a.config().key();
        ServiceKey s2 = b.config().key();
        int r = s1.fwmark() - s2.fwmark();
        if (r != 0) {
            return r;
        }
        r = s1.af() - s2.af();
        if (r != 0) {
            return r;
        }
        r = protocolNumber(s1) - protocolNumber(s2);
        if (r != 0) {
            return r;
        }
        r = compareAddresses(s1.af(), s1.address(), s2.address());
        if (r != 0) {
            return r;
        }
        return s1.port() - s2.port();
    }

    private static int compareDests(DestInfo a, DestInfo b) {
        DestConfig d1 = a.config();
        DestConfig d2 = b.config();
        int r = compareAddresses(InetText.af(d1.address()), d1.address(), d2.address());
        if (r != 0) {
            return r;
        }
        return d1.port() - d2.port();
    }

    private static int compareAddresses(int af, InetAddress a, InetAddress b) {
        if (af == InetText.AF_INET6) {
            int r = 0;
            for (int i = 0; r == 0 && i < 4; i++) {
                r = InetText.word(a, i) - InetText.word(b, i);
            }
            return r;
        }
        return InetText.word(a, 0) - InetText.word(b, 0);
    }

    /** glibc's qsort merge: stable, and safe with a comparator that is not transitive. */
    private static <T> List<T> mergeSort(List<T> in, Comparator<T> cmp) {
        @SuppressWarnings("unchecked")
        T[] b = (T[]) in.toArray();
        @SuppressWarnings("unchecked")
        T[] tmp = (T[]) new Object[b.length];
        msort(b, 0, b.length, cmp, tmp);
        return List.of(b);
    }

    private static <T> void msort(T[] b, int lo, int n, Comparator<T> cmp, T[] tmp) {
        if (n <= 1) {
            return;
        }
        int n1 = n / 2;
        int n2 = n - n1;
        msort(b, lo, n1, cmp, tmp);
        msort(b, lo + n1, n2, cmp, tmp);
        int i = lo;
        int j = lo + n1;
        int k = 0;
        while (n1 > 0 && n2 > 0) {
            if (cmp.compare(b[i], b[j]) <= 0) {
                tmp[k++] = b[i++];
                n1--;
            } else {
                tmp[k++] = b[j++];
                n2--;
            }
        }
        while (n1 > 0) {
            tmp[k++] = b[i++];
            n1--;
        }
        System.arraycopy(tmp, 0, b, lo, k);
    }

    static int protocolNumber(ServiceKey key) {
        return key.hasFwmark() || key.protocol() == null ? 0 : key.protocol().number();
    }

    private static void appendMask(StringBuilder sb, int af, int netmask, String prefix) {
        if (af == InetText.AF_INET && netmask != 0xffffffff) {
            sb.append(prefix).append(InetText.dotted(netmask));
        } else if (af == InetText.AF_INET6 && netmask != 128) {
            sb.append(prefix).append(netmask);
        }
    }

    private static String tunnelInfo(DestConfig d) {
        if (d.method() != ForwardMethod.TUNNEL) {
            return "n/a";
        }
        return switch (d.tunnelType()) {
            case 0 -> "ipip";
            case 1 -> cut("gue:" + d.tunnelPort() + ":" + pick(TUN_FLAGS, d.tunnelFlags()), 15);
            case 2 -> "gre:" + pick(TUN_FLAGS, d.tunnelFlags());
            default -> "n/a";
        };
    }

    private static String fwdName(ForwardMethod m) {
        return switch (m) {
            case MASQ -> "Masq";
            case LOCALNODE -> "Local";
            case TUNNEL -> "Tunnel";
            case DROUTE -> "Route";
            case FULLNAT -> "FullNat";
            default -> "(null)";
        };
    }

    private static String fwdSwitch(ForwardMethod m) {
        return switch (m) {
            case MASQ -> "-m";
            case TUNNEL -> "-i";
            case LOCALNODE, DROUTE -> "-g";
            case FULLNAT -> "--fullnat";
            default -> "(null)";
        };
    }

    private static String pick(String[] names, int i) {
        return i >= 0 && i < names.length ? names[i] : "(null)";
    }

    static String cut(String s, int max) {
        return s.length() > max ? s.substring(0, max) : s;
    }

    static String padRight(String s, int width) {
        if (s.length() >= width) {
            return s;
        }
        return s + " ".repeat(width - s.length());
    }

    static String padLeft(String s, int width) {
        if (s.length() >= width) {
            return s;
        }
        return " ".repeat(width - s.length()) + s;
    }
}
