package io.jlvs.ipvsadm;

import io.jlvs.control.ForwardMethod;
import io.jlvs.control.IpvsApi;
import io.jlvs.control.IpvsException;
import io.jlvs.control.ServiceConfig;
import io.jlvs.control.ServiceInfo;
import io.jlvs.ipvsadm.ErrorMessages.Op;

import java.io.InputStream;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import static io.jlvs.ipvsadm.ListFormatter.FMT_EXACT;
import static io.jlvs.ipvsadm.ListFormatter.FMT_NOSORT;
import static io.jlvs.ipvsadm.ListFormatter.FMT_NUMERIC;
import static io.jlvs.ipvsadm.ListFormatter.FMT_PERSISTENTCONN;
import static io.jlvs.ipvsadm.ListFormatter.FMT_RATE;
import static io.jlvs.ipvsadm.ListFormatter.FMT_RULE;
import static io.jlvs.ipvsadm.ListFormatter.FMT_STATS;
import static io.jlvs.ipvsadm.ListFormatter.FMT_THRESHOLDS;
import static io.jlvs.ipvsadm.ListFormatter.FMT_TUN_INFO;

/**
 * ipvsadm 1.31 over {@link IpvsApi}: one run parses a command line (or, for {@code -R}, one per input
 * line), checks it in the original's order (option values as read, popt errors, {@code --set} values,
 * stray words, {@code -b}, the command/option matrix, the per-command checks) and then makes one
 * control call or prints a listing. Messages, output and exit statuses are the original's.
 */
public final class Ipvsadm {
    /** The file ipvsadm names when the connection listing cannot be read. */
    static final String CONN_PROC_FILE = "/proc/net/ip_vs_conn";

    private static final int MAX_TIMEOUT_S = 86400 * 31;
    private static final int MIN_IPVS_VERSION = (1 << 16) | (1 << 8) | 4;
    private static final int DAEMON_MASTER = 1;
    private static final int DAEMON_BACKUP = 2;
    private static final int SERVICE_ADDR = 1;
    private static final int SERVICE_PORT = 2;

    private static final int TAG_SET = 128;
    private static final int TAG_START_DAEMON = 129;
    private static final int TAG_STOP_DAEMON = 130;
    private static final int TAG_MCAST_INTERFACE = 131;
    private static final int TAG_TIMEOUT = 132;
    private static final int TAG_DAEMON = 133;
    private static final int TAG_STATS = 134;
    private static final int TAG_RATE = 135;
    private static final int TAG_THRESHOLDS = 136;
    private static final int TAG_PERSISTENTCONN = 137;
    private static final int TAG_SORT = 138;
    private static final int TAG_NO_SORT = 139;
    private static final int TAG_PERSISTENCE_ENGINE = 140;
    private static final int TAG_SCTP_SERVICE = 141;
    private static final int TAG_MCAST_GROUP = 142;
    private static final int TAG_MCAST_PORT = 143;
    private static final int TAG_MCAST_TTL = 144;
    private static final int TAG_SYNC_MAXLEN = 145;
    private static final int TAG_TUN_INFO = 146;
    private static final int TAG_TUN_TYPE = 147;
    private static final int TAG_TUN_PORT = 148;
    private static final int TAG_TUN_NOCSUM = 149;
    private static final int TAG_TUN_CSUM = 150;
    private static final int TAG_TUN_REMCSUM = 151;
    /** jlvs extension (DPVS's forwarding method, not in ipvsadm 1.31): {@code --fullnat}. */
    private static final int TAG_FULLNAT = 152;

    private static final List<Popt.Option> OPTIONS = List.of(
            none("add-service", 'A', 'A'),
            none("edit-service", 'E', 'E'),
            none("delete-service", 'D', 'D'),
            none("clear", 'C', 'C'),
            none("list", 'L', 'L'),
            none("list", 'l', 'l'),
            none("zero", 'Z', 'Z'),
            none("add-server", 'a', 'a'),
            none("edit-server", 'e', 'e'),
            none("delete-server", 'd', 'd'),
            none("set", '\0', TAG_SET),
            none("help", 'h', 'h'),
            none("version", 'v', 'v'),
            none("restore", 'R', 'R'),
            none("save", 'S', 'S'),
            string("start-daemon", '\0', TAG_START_DAEMON),
            string("stop-daemon", '\0', TAG_STOP_DAEMON),
            string("tcp-service", 't', 't'),
            string("udp-service", 'u', 'u'),
            string("sctp-service", '\0', TAG_SCTP_SERVICE),
            string("fwmark-service", 'f', 'f'),
            string("scheduler", 's', 's'),
            new Popt.Option("persistent", 'p', Popt.Arg.OPTIONAL, 'p'),
            string("netmask", 'M', 'M'),
            string("real-server", 'r', 'r'),
            none("masquerading", 'm', 'm'),
            none("ipip", 'i', 'i'),
            none("gatewaying", 'g', 'g'),
            none("fullnat", '\0', TAG_FULLNAT),          // jlvs/DPVS extension: FULLNAT forwarding
            string("weight", 'w', 'w'),
            string("u-threshold", 'x', 'x'),
            string("l-threshold", 'y', 'y'),
            none("numeric", 'n', 'n'),
            none("connection", 'c', 'c'),
            string("mcast-interface", '\0', TAG_MCAST_INTERFACE),
            string("syncid", '\0', 'I'),
            none("timeout", '\0', TAG_TIMEOUT),
            none("daemon", '\0', TAG_DAEMON),
            none("stats", '\0', TAG_STATS),
            none("rate", '\0', TAG_RATE),
            none("thresholds", '\0', TAG_THRESHOLDS),
            none("persistent-conn", '\0', TAG_PERSISTENTCONN),
            none("nosort", '\0', TAG_NO_SORT),
            none("sort", '\0', TAG_SORT),
            none("exact", 'X', 'X'),
            none("ipv6", '6', '6'),
            none("ops", 'o', 'o'),
            string("pe", '\0', TAG_PERSISTENCE_ENGINE),
            string("sched-flags", 'b', 'b'),
            string("mcast-group", '\0', TAG_MCAST_GROUP),
            string("mcast-port", '\0', TAG_MCAST_PORT),
            string("mcast-ttl", '\0', TAG_MCAST_TTL),
            string("sync-maxlen", '\0', TAG_SYNC_MAXLEN),
            none("tun-info", '\0', TAG_TUN_INFO),
            string("tun-type", '\0', TAG_TUN_TYPE),
            string("tun-port", '\0', TAG_TUN_PORT),
            none("tun-nocsum", '\0', TAG_TUN_NOCSUM),
            none("tun-csum", '\0', TAG_TUN_CSUM),
            none("tun-remcsum", '\0', TAG_TUN_REMCSUM));

    /** The tunnel-type × option matrix: rows ipip, gue, gre; columns tun-port, nocsum, csum, remcsum. */
    private static final String[] TUNNEL_RULES = {"xxxx", "+111", "x11x"};
    private static final Opt[] TUNNEL_OPTS = {Opt.TUN_PORT, Opt.TUN_NOCSUM, Opt.TUN_CSUM, Opt.TUN_REMCSUM};
    private static final String[] TUNNEL_NAMES = {"ipip", "gue", "gre"};

    private final IpvsApi api;
    private final NameService names;
    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;
    private final String argv0;
    private final ListFormatter formatter;
    private IpvsApi.Info info;

    /**
     * @param argv0 the program name as invoked, for the usage and "Try …" texts
     */
    public Ipvsadm(IpvsApi api, NameService names, InputStream in, PrintStream out, PrintStream err, String argv0) {
        this.api = api;
        this.names = names;
        this.in = in;
        this.out = out;
        this.err = err;
        this.argv0 = argv0;
        this.formatter = new ListFormatter(names);
    }

    /** Runs one invocation; {@code args} excludes the program name. Returns the exit status. */
    public int run(String[] args) {
        try {
            try {
                info = api.info();
            } catch (IpvsException e) {
                err.print("Can't initialize ipvs: " + ErrorMessages.message(Op.INIT, e.errno())
                        + "\nAre you sure that IP Virtual Server is built in the kernel or as module?\n");
                return 2;
            }
            checkVersion();
            if (args.length == 0) {
                listAll(0);
                return 0;
            }
            String[] argv = new String[args.length + 1];
            argv[0] = argv0;
            System.arraycopy(args, 0, argv, 1, args.length);
            return processOptions(argv, false) & 0xff;
        } catch (ExitException e) {
            return e.status() & 0xff;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private void checkVersion() {
        int code = (info.versionMajor() << 16) | (info.versionMinor() << 8) | info.versionPatch();
        if (code < MIN_IPVS_VERSION) {
            err.print("Warning: IPVS version mismatch: \n  Kernel compiled with IPVS version "
                    + info.versionMajor() + "." + info.versionMinor() + "." + info.versionPatch()
                    + "\n  ipvsadm v1.31  requires minimum IPVS version 1.1.4\n\n");
        }
    }

    /** One command line: 0 on success, -1 when popt or the director refused it. */
    private int processOptions(String[] argv, boolean readingStdin) {
        CommandEntry ce = parseAndCheck(argv);
        if (ce == null) {
            return -1;
        }
        return execute(ce, argv, readingStdin);
    }

    /**
     * Everything ipvsadm checks itself, in its order: the options as read, popt, the {@code --set} values,
     * stray words, {@code -b}, the command/option matrix, then the per-command checks and defaults.
     *
     * @return the checked command; null after a popt error (already reported)
     * @throws ExitException after ipvsadm's own refusal (reported, status 2), "Try …" (255), {@code -h}/{@code -v} (0)
     */
    CommandEntry parseAndCheck(String[] argv) {
        CommandEntry ce = new CommandEntry();
        if (!parseOptions(argv, ce)) {
            return null;
        }
        genericOptCheck(ce.cmd, ce.options);

        if (ce.cmd == Cmd.ADD || ce.cmd == Cmd.EDIT) {
            if (ce.fwmark == 0 && ce.svcPort == 0 && (ce.svcFlags & ServiceConfig.F_PERSISTENT) == 0) {
                fail("Zero port specified for non-persistent service");
            }
            if ((ce.svcFlags & ServiceConfig.F_ONEPACKET) != 0 && ce.fwmark == 0 && ce.protocol != 17) {
                fail("One-Packet Scheduling is only for UDP virtual services");
            }
            if (ce.scheduler.isEmpty()) {
                ce.scheduler = "wlc";
            }
        }
        if (ce.cmd == Cmd.START_DAEMON && ce.mcastInterface.isEmpty()) {
            ce.mcastInterface = "eth0";
        }
        if (ce.cmd == Cmd.ADD_DEST || ce.cmd == Cmd.EDIT_DEST) {
            boolean tunnel = ce.method == ForwardMethod.TUNNEL;
            if (ce.fwmark == 0 && (tunnel || ce.method == ForwardMethod.DROUTE)) {
                ce.destPort = ce.svcPort;
            }
            if (ce.destAf != ce.svcAf && !tunnel) {
                fail("Different address family is allowed only for tunneling servers");
            }
            long tunnelOptions = Opt.TUN_TYPE.bit() | Opt.TUN_PORT.bit() | Opt.TUN_NOCSUM.bit()
                    | Opt.TUN_CSUM.bit() | Opt.TUN_REMCSUM.bit();
            if ((ce.options & tunnelOptions) != 0 && !tunnel) {
                fail("Tunnel options conflict with forward method");
            }
            tunnelOptCheck(ce.tunnelType, ce.options);
        }
        if (ce.cmd == Cmd.LIST) {
            long connOrInfo = Opt.CONNECTION.bit() | Opt.TIMEOUT.bit() | Opt.DAEMON.bit();
            long counters = Opt.STATS.bit() | Opt.RATE.bit() | Opt.THRESHOLDS.bit();
            long timeoutOrDaemon = Opt.TIMEOUT.bit() | Opt.DAEMON.bit();
            if (((ce.options & connOrInfo) != 0 && (ce.options & counters) != 0)
                    || ((ce.options & timeoutOrDaemon) != 0 && ce.has(Opt.PERSISTENT_CONN))) {
                fail("options conflicts in the list command");
            }
        }
        return ce;
    }

    /** Runs a checked command: a listing, a restore, or one call to the director. */
    private int execute(CommandEntry ce, String[] argv, boolean readingStdin) {
        switch (ce.cmd) {
            case LIST -> {
                if (ce.has(Opt.CONNECTION)) {
                    listConnections(ce.format);
                } else if (ce.has(Opt.SERVICE)) {
                    listService(ce, ce.format);
                } else if (ce.has(Opt.TIMEOUT)) {
                    listTimeout();
                } else if (ce.has(Opt.DAEMON)) {
                    listDaemons();
                } else {
                    listAll(ce.format);
                }
                return 0;
            }
            case RESTORE -> {
                return restoreTable(argv, readingStdin);
            }
            case SAVE -> {
                listAll(ce.format | FMT_RULE);
                return 0;
            }
            default -> {
                return call(op(ce.cmd), () -> apply(api, ce));
            }
        }
    }

    /** The one director call a change command makes (libipvs's one netlink command). */
    static void apply(IpvsApi api, CommandEntry ce) throws IpvsException {
        switch (ce.cmd) {
            case ADD -> api.addService(ce.serviceConfig());
            case EDIT -> api.editService(ce.serviceConfig());
            case DEL -> api.deleteService(ce.serviceKey());
            case FLUSH -> api.flush();
            case ADD_DEST -> api.addDest(ce.serviceKey(), ce.destConfig());
            case EDIT_DEST -> api.editDest(ce.serviceKey(), ce.destConfig());
            case DEL_DEST -> api.deleteDest(ce.serviceKey(), ce.destAddr, ce.destPort);
            case ZERO -> api.zero(ce.has(Opt.SERVICE) ? ce.serviceKey() : null);
            case SET_TIMEOUT -> api.setTimeouts(new IpvsApi.Timeouts(ce.tcpTimeoutS, ce.tcpFinTimeoutS, ce.udpTimeoutS));
            case START_DAEMON -> api.startDaemon(new IpvsApi.SyncDaemonConfig(daemonName(ce.daemonState),
                    ce.mcastInterface, ce.syncId, ce.syncMaxlen,
                    ce.mcastGroup == null ? null : InetText.ntop(ce.mcastGroup), ce.mcastPort, ce.mcastTtl));
            case STOP_DAEMON -> api.stopDaemon(daemonName(ce.daemonState));
            default -> throw new IllegalArgumentException("not a change: " + ce.cmd);
        }
    }

    /** The libipvs entry point of a command, which keys its error messages. */
    static Op op(Cmd cmd) {
        return switch (cmd) {
            case ADD -> Op.ADD_SERVICE;
            case EDIT -> Op.EDIT_SERVICE;
            case DEL -> Op.DEL_SERVICE;
            case FLUSH -> Op.FLUSH;
            case ADD_DEST -> Op.ADD_DEST;
            case EDIT_DEST -> Op.EDIT_DEST;
            case DEL_DEST -> Op.DEL_DEST;
            case ZERO -> Op.ZERO;
            case SET_TIMEOUT -> Op.SET_TIMEOUT;
            case START_DAEMON -> Op.START_DAEMON;
            case STOP_DAEMON -> Op.STOP_DAEMON;
            default -> throw new IllegalArgumentException("no director call: " + cmd);
        };
    }

    private static String daemonName(int state) {
        return state == DAEMON_MASTER ? "master" : "backup";
    }

    private interface Call {
        void run() throws IpvsException;
    }

    private int call(Op op, Call call) {
        try {
            call.run();
            return 0;
        } catch (IpvsException e) {
            err.print(ErrorMessages.message(op, e.errno()) + "\n");
            return -1;
        }
    }

    /** Reads the options into {@code ce}; false after a popt error (already reported). */
    private boolean parseOptions(String[] argv, CommandEntry ce) {
        Popt popt = new Popt(argv, OPTIONS);
        String schedFlagsArg = "";

        int c = popt.nextOpt();
        if (c < 0) {
            tryHelpExit(argv[0]);
        }
        switch (c) {
            case 'A' -> ce.cmd = Cmd.ADD;
            case 'E' -> ce.cmd = Cmd.EDIT;
            case 'D' -> ce.cmd = Cmd.DEL;
            case 'a' -> ce.cmd = Cmd.ADD_DEST;
            case 'e' -> ce.cmd = Cmd.EDIT_DEST;
            case 'd' -> ce.cmd = Cmd.DEL_DEST;
            case 'C' -> ce.cmd = Cmd.FLUSH;
            case 'L', 'l' -> ce.cmd = Cmd.LIST;
            case 'Z' -> ce.cmd = Cmd.ZERO;
            case TAG_SET -> ce.cmd = Cmd.SET_TIMEOUT;
            case 'R' -> ce.cmd = Cmd.RESTORE;
            case 'S' -> ce.cmd = Cmd.SAVE;
            case TAG_START_DAEMON -> {
                ce.cmd = Cmd.START_DAEMON;
                ce.daemonState = daemonState(popt.optArg(), "illegal start-daemon parameter specified");
            }
            case TAG_STOP_DAEMON -> {
                ce.cmd = Cmd.STOP_DAEMON;
                ce.daemonState = daemonState(popt.optArg(), "illegal start_daemon specified");
            }
            case 'h' -> {
                out.print(UsageText.usage(argv[0]));
                throw new ExitException(0);
            }
            case 'v' -> {
                out.print(UsageText.VERSION_LINE);
                throw new ExitException(0);
            }
            default -> tryHelpExit(argv[0]);
        }

        while ((c = popt.nextOpt()) >= 0) {
            String arg = popt.optArg();
            switch (c) {
                case 't', 'u', TAG_SCTP_SERVICE -> {
                    setOption(ce, Opt.SERVICE);
                    ce.protocol = c == 't' ? 6 : c == 'u' ? 17 : 132;
                    Endpoint t = Endpoint.ofService(ce);
                    int parse = parseService(arg, ce.protocol, t);
                    ce.svcAf = t.af;
                    ce.svcAddr = t.addr;
                    ce.svcPort = t.port;
                    ce.netmask = t.netmask;
                    if ((parse & SERVICE_ADDR) == 0) {
                        fail("illegal virtual server address[:port] specified");
                    }
                }
                case 'f' -> {
                    setOption(ce, Opt.SERVICE);
                    ce.svcAf = InetText.AF_INET;
                    ce.protocol = 6;
                    ce.fwmark = parseFwmark(arg);
                }
                case 's' -> {
                    setOption(ce, Opt.SCHEDULER);
                    ce.scheduler = ListFormatter.cut(arg, 15);
                }
                case 'p' -> {
                    setOption(ce, Opt.PERSISTENT);
                    ce.svcFlags |= ServiceConfig.F_PERSISTENT;
                    ce.timeoutS = arg == null ? 360 : parseTimeout(arg, 1, MAX_TIMEOUT_S);
                }
                case 'M' -> {
                    setOption(ce, Opt.NETMASK);
                    if (ce.svcAf != InetText.AF_INET6) {
                        Integer mask = InetText.aton(arg);
                        if (mask == null) {
                            Inet4Address byName = names.ipv4ByName(arg);
                            if (byName == null) {
                                fail("illegal virtual server persistent mask specified");
                            }
                            mask = InetText.word(byName, 0);
                        }
                        ce.netmask = mask;
                    } else {
                        ce.netmask = CNumbers.atoi(arg);
                        if (ce.netmask < 1 || ce.netmask > 128) {
                            fail("illegal ipv6 netmask specified");
                        }
                    }
                }
                case 'r' -> {
                    setOption(ce, Opt.SERVER);
                    Endpoint t = Endpoint.ofService(ce);
                    int parse = parseService(arg, ce.protocol, t);
                    ce.destAf = t.af;
                    ce.destAddr = t.addr;
                    ce.destPort = t.port;
                    if ((parse & SERVICE_ADDR) == 0) {
                        fail("illegal real server address[:port] specified");
                    }
                    if (parse == SERVICE_ADDR) {
                        ce.destPort = ce.svcPort;
                    }
                }
                case TAG_FULLNAT -> {
                    setOption(ce, Opt.FORWARD);
                    ce.method = ForwardMethod.FULLNAT;
                }
                case 'i', 'g', 'm' -> {
                    setOption(ce, Opt.FORWARD);
                    ce.method = c == 'i' ? ForwardMethod.TUNNEL : c == 'g' ? ForwardMethod.DROUTE : ForwardMethod.MASQ;
                }
                case 'w' -> {
                    setOption(ce, Opt.WEIGHT);
                    ce.weight = number(arg, 0, 65535, "illegal weight specified");
                }
                case 'x' -> {
                    setOption(ce, Opt.U_THRESHOLD);
                    ce.upperThreshold = number(arg, 0, Integer.MAX_VALUE, "illegal u_threshold specified");
                }
                case 'y' -> {
                    setOption(ce, Opt.L_THRESHOLD);
                    ce.lowerThreshold = number(arg, 0, Integer.MAX_VALUE, "illegal l_threshold specified");
                }
                case 'c' -> setOption(ce, Opt.CONNECTION);
                case 'n' -> {
                    setOption(ce, Opt.NUMERIC);
                    ce.format |= FMT_NUMERIC;
                }
                case TAG_MCAST_INTERFACE -> {
                    setOption(ce, Opt.MCAST_INTERFACE);
                    ce.mcastInterface = ListFormatter.cut(arg, 15);
                }
                case 'I' -> {
                    setOption(ce, Opt.SYNCID);
                    ce.syncId = number(arg, 0, 255, "illegal syncid specified");
                }
                case TAG_TIMEOUT -> setOption(ce, Opt.TIMEOUT);
                case TAG_DAEMON -> setOption(ce, Opt.DAEMON);
                case TAG_STATS -> format(ce, Opt.STATS, FMT_STATS);
                case TAG_RATE -> format(ce, Opt.RATE, FMT_RATE);
                case TAG_THRESHOLDS -> format(ce, Opt.THRESHOLDS, FMT_THRESHOLDS);
                case TAG_PERSISTENTCONN -> format(ce, Opt.PERSISTENT_CONN, FMT_PERSISTENTCONN);
                case TAG_NO_SORT -> format(ce, Opt.NOSORT, FMT_NOSORT);
                case TAG_SORT -> {
                    // sorting is the default; accepted for compatibility
                }
                case 'X' -> format(ce, Opt.EXACT, FMT_EXACT);
                case '6' -> {
                    if (ce.fwmark != 0) {
                        ce.svcAf = InetText.AF_INET6;
                        ce.netmask = 128;
                    } else {
                        fail("-6 used before -f\n");
                    }
                }
                case 'o' -> {
                    setOption(ce, Opt.OPS);
                    ce.svcFlags |= ServiceConfig.F_ONEPACKET;
                }
                case TAG_PERSISTENCE_ENGINE -> {
                    setOption(ce, Opt.PE);
                    ce.pe = ListFormatter.cut(arg, 16);
                }
                case 'b' -> {
                    setOption(ce, Opt.SCHED_FLAGS);
                    schedFlagsArg = ListFormatter.cut(arg, 127);
                }
                case TAG_MCAST_GROUP -> {
                    setOption(ce, Opt.MCAST_GROUP);
                    ce.mcastGroup = mcastGroup(arg);
                }
                case TAG_MCAST_PORT -> {
                    setOption(ce, Opt.MCAST_PORT);
                    ce.mcastPort = number(arg, 1, 65535, "illegal mcast-port specified");
                }
                case TAG_MCAST_TTL -> {
                    setOption(ce, Opt.MCAST_TTL);
                    ce.mcastTtl = number(arg, 1, 255, "illegal mcast-ttl specified");
                }
                case TAG_SYNC_MAXLEN -> {
                    setOption(ce, Opt.SYNC_MAXLEN);
                    ce.syncMaxlen = number(arg, 1, 65535 - 20 - 8, "illegal sync-maxlen specified");
                }
                case TAG_TUN_INFO -> format(ce, Opt.TUN_INFO, FMT_TUN_INFO);
                case TAG_TUN_TYPE -> {
                    setOption(ce, Opt.TUN_TYPE);
                    ce.tunnelType = switch (arg) {
                        case "ipip" -> 0;
                        case "gue" -> 1;
                        case "gre" -> 2;
                        default -> {
                            fail("illegal tunnel type specified");
                            yield -1;
                        }
                    };
                }
                case TAG_TUN_PORT -> {
                    setOption(ce, Opt.TUN_PORT);
                    ce.tunnelPort = number(arg, 1, 65535, "illegal tunnel port specified");
                }
                case TAG_TUN_NOCSUM -> setOption(ce, Opt.TUN_NOCSUM);
                case TAG_TUN_CSUM -> {
                    setOption(ce, Opt.TUN_CSUM);
                    ce.tunnelFlags |= 1;
                }
                case TAG_TUN_REMCSUM -> {
                    setOption(ce, Opt.TUN_REMCSUM);
                    ce.tunnelFlags |= 2;
                }
                default -> fail("invalid option `" + popt.badOption() + "'");
            }
        }
        if (c < Popt.END) {
            err.print(popt.badOption() + ": " + Popt.strerror(c) + "\n");
            return false;
        }

        if (ce.cmd == Cmd.SET_TIMEOUT) {
            String a = popt.nextLeftover();
            String b = a == null ? null : popt.nextLeftover();
            String d = b == null ? null : popt.nextLeftover();
            if (d == null) {
                fail("--set option requires 3 timeout values");
            }
            ce.tcpTimeoutS = parseTimeout(a, 0, MAX_TIMEOUT_S);
            ce.tcpFinTimeoutS = parseTimeout(b, 0, MAX_TIMEOUT_S);
            ce.udpTimeoutS = parseTimeout(d, 0, MAX_TIMEOUT_S);
        }
        String stray = popt.nextLeftover();
        if (stray != null) {
            fail("unexpected argument " + stray);
        }
        if (!schedFlagsArg.isEmpty()) {
            ce.svcFlags &= ~(ServiceConfig.F_SCHED1 | ServiceConfig.F_SCHED2 | ServiceConfig.F_SCHED3);
            ce.svcFlags |= parseSchedFlags(ce.scheduler, schedFlagsArg);
        }
        return true;
    }

    private static Popt.Option none(String longName, char shortName, int val) {
        return new Popt.Option(longName, shortName, Popt.Arg.NONE, val);
    }

    private static Popt.Option string(String longName, char shortName, int val) {
        return new Popt.Option(longName, shortName, Popt.Arg.REQUIRED, val);
    }

    private void setOption(CommandEntry ce, Opt opt) {
        if (ce.has(opt)) {
            fail("multiple '" + opt.messageName() + "' options specified");
        }
        ce.options |= opt.bit();
    }

    private void format(CommandEntry ce, Opt opt, int flag) {
        setOption(ce, opt);
        ce.format |= flag;
    }

    private int daemonState(String arg, String error) {
        if ("master".equals(arg)) {
            return DAEMON_MASTER;
        }
        if ("backup".equals(arg)) {
            return DAEMON_BACKUP;
        }
        fail(error);
        return 0;
    }

    private int number(String arg, int min, int max, String error) {
        int v = CNumbers.stringToNumber(arg, min, max);
        if (v == -1) {
            fail(error);
        }
        return v;
    }

    private int parseTimeout(String arg, int min, int max) {
        int v = CNumbers.stringToNumber(arg, min, max);
        if (v == -1) {
            fail("invalid timeout value `" + arg + "' specified");
        }
        return v;
    }

    private int parseFwmark(String arg) {
        CNumbers.Strtol r = CNumbers.strtol(arg);
        if (r.end() != arg.length() || r.end() == 0 || r.range() || r.value() <= 0 || r.value() > 0xffffffffL) {
            fail("invalid fwmark value `" + arg + "' specified");
        }
        return (int) r.value();
    }

    private InetAddress mcastGroup(String arg) {
        if (arg.indexOf(':') >= 0) {
            Inet6Address a = InetText.pton6(arg);
            if (a == null || !a.isMulticastAddress()) {
                fail("invalid IPv6 mcast-group `" + arg + "'");
            }
            return a;
        }
        Inet4Address a = InetText.pton4(arg);
        if (a == null || !a.isMulticastAddress()) {
            fail("invalid IPv4 mcast-group `" + arg + "'");
        }
        return a;
    }

    private int parseSchedFlags(String scheduler, String arg) {
        String sched = scheduler.isEmpty() ? "wlc" : scheduler;
        List<String> items = new ArrayList<>();
        for (String item : arg.split(",")) {
            if (!item.isEmpty()) {
                items.add(item);
            }
        }
        if (items.isEmpty()) {
            // ipvsadm 1.31 crashes on a list of only commas; refuse it instead
            fail("invalid scheduler flag `" + arg + "'");
        }
        int flags = 0;
        for (String flag : items) {
            switch (flag) {
                case "flag-1" -> flags |= ServiceConfig.F_SCHED1;
                case "flag-2" -> flags |= ServiceConfig.F_SCHED2;
                case "flag-3" -> flags |= ServiceConfig.F_SCHED3;
                case "sh-fallback", "sh-port", "mh-fallback", "mh-port" -> {
                    flags |= flag.endsWith("-fallback") ? ServiceConfig.F_SCHED1 : ServiceConfig.F_SCHED2;
                    if (!sched.equals(flag.substring(0, 2))) {
                        fail("incompatible scheduler flag `" + flag + "'");
                    }
                }
                default -> fail("invalid scheduler flag `" + flag + "'");
            }
        }
        return flags;
    }

    /** The address being parsed by {@link #parseService}: a copy of the service's, as the original's. */
    private static final class Endpoint {
        int af;
        InetAddress addr;
        int port;
        int netmask;

        static Endpoint ofService(CommandEntry ce) {
            Endpoint e = new Endpoint();
            e.af = ce.svcAf;
            e.addr = ce.svcAddr;
            e.port = ce.svcPort;
            e.netmask = ce.netmask;
            return e;
        }
    }

    /**
     * ipvsadm's {@code parse_service}: {@code [v6]:port}, a bare IPv6 literal (no port), or
     * {@code host[:port]} split at the last ':' with the host as inet_aton text or an IPv4 host name.
     * Returns which of address and port were set, or 0 when the text is invalid.
     */
    private int parseService(String buf, int protocol, Endpoint t) {
        if (allDigits(buf)) {
            return 0;
        }
        String host = buf;
        String portText = null;
        if (buf.startsWith("[")) {
            int close = buf.indexOf(']');
            if (close < 0 || close + 1 >= buf.length() || buf.charAt(close + 1) != ':') {
                return 0;
            }
            host = buf.substring(1, close);
            portText = buf.substring(close + 2);
        }
        Inet6Address v6 = InetText.pton6(host);
        if (v6 != null) {
            t.addr = v6;
            t.af = InetText.AF_INET6;
            t.netmask = 128;
        } else {
            int colon = host.lastIndexOf(':');
            portText = null;
            if (colon >= 0) {
                portText = host.substring(colon + 1);
                host = host.substring(0, colon);
            }
            Integer a = InetText.aton(host);
            if (a != null) {
                t.addr = InetText.v4(a);
            } else {
                Inet4Address byName = names.ipv4ByName(host);
                if (byName == null) {
                    return 0;
                }
                t.addr = byName;
            }
            t.af = InetText.AF_INET;
        }
        int result = SERVICE_ADDR;
        if (portText != null) {
            result |= SERVICE_PORT;
            int port = CNumbers.stringToNumber(portText, 0, 65535);
            if (port == -1) {
                port = servicePort(portText, protocol);
            }
            if (port == -1) {
                return 0;
            }
            t.port = port;
        }
        return result;
    }

    private int servicePort(String name, int protocol) {
        String proto = switch (protocol) {
            case 6 -> "tcp";
            case 17 -> "udp";
            case 132 -> "sctp";
            default -> null;
        };
        return proto == null ? -1 : names.portOf(name, proto);
    }

    private static boolean allDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** The command/option matrix, scanned in its fixed row order. */
    private void genericOptCheck(Cmd cmd, long options) {
        Opt last = null;
        for (Opt opt : Opt.values()) {
            char rule = cmd.rule(opt);
            if ((options & opt.bit()) == 0) {
                if (rule == '+') {
                    fail("You need to supply the '" + opt.messageName() + "' option for the '"
                            + cmd.messageName() + "' command");
                }
            } else {
                if (rule == 'x') {
                    fail("Illegal '" + opt.messageName() + "' option with the '" + cmd.messageName() + "' command");
                }
                if (rule == '1') {
                    if (last == null) {
                        last = opt;
                        continue;
                    }
                    fail("The option '" + opt.messageName() + "' conflicts with the '" + last.messageName()
                            + "' option in the '" + cmd.messageName() + "' command");
                }
            }
        }
    }

    private void tunnelOptCheck(int tunnelType, long options) {
        String rules = TUNNEL_RULES[tunnelType];
        String type = TUNNEL_NAMES[tunnelType];
        Opt last = null;
        for (int j = 0; j < TUNNEL_OPTS.length; j++) {
            Opt opt = TUNNEL_OPTS[j];
            char rule = rules.charAt(j);
            if ((options & opt.bit()) == 0) {
                if (rule == '+') {
                    fail("You need to supply the '" + opt.messageName() + "' option for the '" + type
                            + "' tunnel type");
                }
            } else {
                if (rule == 'x') {
                    fail("Illegal '" + opt.messageName() + "' option with the '" + type + "' tunnel type");
                }
                if (rule == '1') {
                    if (last == null) {
                        last = opt;
                        continue;
                    }
                    fail("The option '" + opt.messageName() + "' conflicts with the '" + last.messageName()
                            + "' option in the '" + type + "' tunnel type");
                }
            }
        }
    }

    private int restoreTable(String[] argv, boolean readingStdin) {
        if (readingStdin) {
            tryHelpExit(argv[0]);
        }
        RestoreReader reader = new RestoreReader(in);
        int result = 0;
        List<String> tokens;
        while ((tokens = reader.nextLine()) != null) {
            if (!tokens.isEmpty()) {
                String[] line = new String[tokens.size() + 1];
                line[0] = argv[0];
                for (int i = 0; i < tokens.size(); i++) {
                    line[i + 1] = tokens.get(i);
                }
                result = processOptions(line, true);
            }
        }
        return result;
    }

    private void listAll(int format) {
        if ((format & FMT_RULE) == 0) {
            out.print(ListFormatter.versionLine(info));
        }
        List<ServiceInfo> services;
        try {
            services = api.services();
        } catch (IpvsException e) {
            err.print(ErrorMessages.message(Op.GET_SERVICES, e.errno()) + "\n");
            throw new ExitException(1);
        }
        if ((format & FMT_NOSORT) == 0) {
            services = ListFormatter.sortServices(services);
        }
        out.print(ListFormatter.title(format));
        for (ServiceInfo s : services) {
            out.print(formatter.service(s, format));
        }
    }

    private void listService(CommandEntry ce, int format) {
        ServiceInfo s;
        try {
            s = api.service(ce.serviceKey());
        } catch (IpvsException e) {
            err.print(ErrorMessages.message(Op.GET_SERVICE, e.errno()) + "\n");
            throw new ExitException(1);
        }
        out.print(ListFormatter.title(format));
        out.print(formatter.service(s, format));
    }

    /** {@code -L --timeout}: a failed fetch ends the run with status 1 and no message, as the original. */
    private void listTimeout() {
        IpvsApi.Timeouts t;
        try {
            t = api.timeouts();
        } catch (IpvsException e) {
            throw new ExitException(1);
        }
        out.print("Timeout (tcp tcpfin udp): " + t.tcpSec() + " " + t.tcpfinSec() + " " + t.udpSec() + "\n");
    }

    /**
     * {@code -L --daemon}: a line per running sync daemon, master first; the optional parts only when the
     * director reports them (non-zero, a group). A failed fetch ends the run with status 1 and no message.
     */
    private void listDaemons() {
        List<IpvsApi.SyncDaemonConfig> daemons;
        try {
            daemons = api.daemons();
        } catch (IpvsException e) {
            throw new ExitException(1);
        }
        for (String state : List.of("master", "backup")) {
            for (IpvsApi.SyncDaemonConfig d : daemons) {
                if (!state.equals(d.state())) {
                    continue;
                }
                StringBuilder sb = new StringBuilder(128).append(state).append(" sync daemon (mcast=")
                        .append(d.mcastInterface()).append(", syncid=").append(d.syncId());
                if (d.maxLen() != 0) {
                    sb.append(", maxlen=").append(Integer.toUnsignedString(d.maxLen()));
                }
                if (d.mcastGroup() != null) {
                    sb.append(", group=").append(groupText(d.mcastGroup()));
                }
                if (d.mcastPort() != 0) {
                    sb.append(", port=").append(Integer.toUnsignedString(d.mcastPort()));
                }
                if (d.mcastTtl() != 0) {
                    sb.append(", ttl=").append(Integer.toUnsignedString(d.mcastTtl()));
                }
                out.print(sb.append(")\n"));
            }
        }
    }

    /** A group address as inet_ntop writes it (IPv6 compressed); text that is no address as given. */
    private static String groupText(String group) {
        InetAddress a = group.indexOf(':') >= 0 ? InetText.pton6(group) : InetText.pton4(group);
        return a == null ? group : InetText.ntop(a);
    }

    /**
     * {@code -L -c}: the director's connection table in /proc/net/ip_vs_conn's text; a director that cannot
     * give it reads as a file that cannot be opened, an empty answer as one without its header line.
     */
    private void listConnections(int format) {
        List<String> lines;
        try {
            lines = api.connectionTable();
        } catch (IpvsException e) {
            err.print("cannot open file " + CONN_PROC_FILE + "\n");
            throw new ExitException(1);
        }
        if (lines.isEmpty()) {
            err.print("unexpected input from " + CONN_PROC_FILE + "\n");
            throw new ExitException(1);
        }
        out.print(ConnectionListing.header(format));
        out.print(new ConnectionListing(formatter).rows(lines.subList(1, lines.size()), format));
    }

    private void tryHelpExit(String program) {
        err.print("Try `" + program + " -h' or '" + program + " --help' for more information.\n");
        throw new ExitException(255);
    }

    /** ipvsadm's own refusal: the message on stderr and exit status 2. */
    private void fail(String message) {
        err.print(message + "\n");
        throw new ExitException(2);
    }
}
