package io.jlvs.keepalived;

import java.util.ArrayList;
import java.util.List;

/**
 * keepalived's command line ({@code getopt_long} in keepalived/core/main.c), as far as jlvs needs it: the
 * common options are honoured, the process-management ones accepted and reported as having no effect.
 *
 * @param configFile   {@code -f/--use-file}
 * @param configTest   {@code -t/--config-test[=FILE]}
 * @param configTestOutput where {@code -t=FILE} sends the report (null: stderr)
 * @param logDetail    {@code -D}
 * @param logConsole   {@code -l}
 * @param dontFork     {@code -n} (jlvs never forks)
 * @param checkersOnly {@code -C}
 * @param vrrpOnly     {@code -P}
 * @param pidFile      {@code -p}
 * @param configId     {@code -i}
 * @param ignored      options accepted without effect, as written
 */
public record Options(String configFile, boolean configTest, String configTestOutput, boolean logDetail,
                      boolean logConsole, boolean dontFork, boolean checkersOnly, boolean vrrpOnly, String pidFile,
                      String checkersPidFile, String configId, int logFacility, boolean help, boolean version,
                      boolean dumpConf, List<String> ignored) {
    public static final String DEFAULT_CONFIG = "/etc/keepalived/keepalived.conf";
    public static final String DEFAULT_PID = "/run/keepalived.pid";

    /** A bad command line: keepalived's message, printed before the usage. */
    public static final class UsageException extends Exception {
        public UsageException(String message) {
            super(message);
        }
    }

    private record Spec(char shortName, String longName, int arg) {}

    private static final int NONE = 0;
    private static final int REQUIRED = 1;
    private static final int OPTIONAL = 2;

    private static final List<Spec> SPECS = List.of(
            new Spec('f', "use-file", REQUIRED), new Spec('P', "vrrp", NONE), new Spec('C', "check", NONE),
            new Spec('B', "no_bfd", NONE), new Spec('\3', "all", NONE), new Spec('l', "log-console", NONE),
            new Spec('D', "log-detail", NONE), new Spec('S', "log-facility", REQUIRED),
            new Spec('g', "log-file", OPTIONAL), new Spec('e', "all-config", NONE),
            new Spec('\2', "flush-log-file", NONE), new Spec('G', "no-syslog", NONE),
            new Spec('u', "umask", REQUIRED), new Spec('X', "release-vips", NONE),
            new Spec('V', "dont-release-vrrp", NONE), new Spec('I', "dont-release-ipvs", NONE),
            new Spec('R', "dont-respawn", NONE), new Spec('n', "dont-fork", NONE), new Spec('d', "dump-conf", NONE),
            new Spec('p', "pid", REQUIRED), new Spec('r', "vrrp_pid", REQUIRED), new Spec('T', "genhash", NONE),
            new Spec('c', "checkers_pid", REQUIRED), new Spec('a', "address-monitoring", NONE),
            new Spec('b', "bfd_pid", REQUIRED), new Spec('x', "snmp", NONE),
            new Spec('A', "snmp-agent-socket", REQUIRED), new Spec('m', "core-dump", NONE),
            new Spec('M', "core-dump-pattern", OPTIONAL), new Spec('\7', "no-mem-check", NONE),
            new Spec('L', "mem-check-log", NONE), new Spec('s', "namespace", REQUIRED),
            new Spec('i', "config-id", REQUIRED), new Spec('\4', "signum", REQUIRED),
            new Spec('t', "config-test", OPTIONAL), new Spec('\10', "config-fd", REQUIRED),
            new Spec('\5', "perf", OPTIONAL), new Spec('\6', "debug", OPTIONAL), new Spec('v', "version", NONE),
            new Spec('h', "help", NONE));

    public static Options parse(String[] args) throws UsageException {
        String file = DEFAULT_CONFIG;
        boolean test = false;
        String testOut = null;
        boolean detail = false;
        boolean console = false;
        boolean noFork = false;
        boolean check = false;
        boolean vrrp = false;
        String pid = DEFAULT_PID;
        String checkersPid = null;
        String id = null;
        int facility = -1;
        boolean help = false;
        boolean version = false;
        boolean dump = false;
        List<String> ignored = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                if (i + 1 < args.length) {
                    throw new UsageException("unexpected argument " + args[i + 1]);
                }
                break;
            }
            List<Object[]> found = new ArrayList<>();
            if (a.startsWith("--")) {
                String name = a.substring(2);
                String value = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    value = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                Spec spec = null;
                for (Spec s : SPECS) {
                    if (s.longName().equals(name)) {
                        spec = s;
                        break;
                    }
                }
                if (spec == null) {
                    List<Spec> prefix = SPECS.stream().filter(s -> s.longName().startsWith(a.substring(2).split("=")[0]))
                            .toList();
                    if (prefix.size() == 1) {
                        spec = prefix.getFirst();
                    } else {
                        throw new UsageException("Unrecognized option '" + a + "'");
                    }
                }
                if (spec.arg() == REQUIRED && value == null) {
                    if (i + 1 >= args.length) {
                        throw new UsageException("Missing parameter for option --" + spec.longName());
                    }
                    value = args[++i];
                } else if (spec.arg() == NONE && value != null) {
                    throw new UsageException("Option '--" + spec.longName() + "' doesn't allow an argument");
                }
                found.add(new Object[] {spec, value, a});
            } else if (a.startsWith("-") && a.length() > 1) {
                for (int k = 1; k < a.length(); k++) {
                    char ch = a.charAt(k);
                    Spec spec = null;
                    for (Spec s : SPECS) {
                        if (s.shortName() == ch) {
                            spec = s;
                            break;
                        }
                    }
                    if (spec == null) {
                        throw new UsageException("Unknown option -" + ch);
                    }
                    String value = null;
                    if (spec.arg() != NONE) {
                        if (k + 1 < a.length()) {
                            value = a.substring(k + 1);
                        } else if (spec.arg() == REQUIRED) {
                            if (i + 1 >= args.length) {
                                throw new UsageException("Missing parameter for option -" + ch);
                            }
                            value = args[++i];
                        }
                        found.add(new Object[] {spec, value, "-" + ch});
                        break;
                    }
                    found.add(new Object[] {spec, null, "-" + ch});
                }
            } else {
                throw new UsageException("unexpected argument " + a);
            }
            for (Object[] f : found) {
                Spec spec = (Spec) f[0];
                String value = (String) f[1];
                switch (spec.shortName()) {
                    case 'f' -> file = value;
                    case 't' -> {
                        test = true;
                        testOut = value;
                    }
                    case 'D' -> detail = true;
                    case 'l' -> console = true;
                    case 'n' -> noFork = true;
                    case 'C' -> check = true;
                    case 'P' -> vrrp = true;
                    case 'p' -> pid = value;
                    case 'c' -> checkersPid = value;
                    case 'i' -> id = value;
                    case 'S' -> {
                        try {
                            facility = Integer.parseInt(value);
                        } catch (NumberFormatException e) {
                            throw new UsageException("Invalid log facility '" + value + "'");
                        }
                        if (facility < 0 || facility > 7) {
                            throw new UsageException("Invalid log facility '" + value + "'");
                        }
                    }
                    case 'h' -> help = true;
                    case 'v' -> version = true;
                    case 'd' -> dump = true;
                    case 's' -> throw new UsageException("--namespace is not supported by jlvs: run bin/keepalived "
                            + "inside the namespace (ip netns exec NAME bin/keepalived …)");
                    default -> ignored.add((String) f[2]);
                }
            }
        }
        return new Options(file, test, testOut, detail, console, noFork, check, vrrp, pid, checkersPid, id, facility,
                help, version, dump, List.copyOf(ignored));
    }

    /** keepalived's usage text, with what jlvs does differently. */
    public static String usage(String prog) {
        return """
                Usage: %1$s [OPTION...]
                  -f, --use-file=FILE          Use the specified configuration file
                                                 (default %2$s)
                  -P, --vrrp                   Only run with VRRP subsystem (VRRP is not run by jlvs yet)
                  -C, --check                  Only run with Health-checker subsystem
                  -l, --log-console            Log messages to local console (jlvs always logs to stderr)
                  -D, --log-detail             Detailed log messages
                  -S, --log-facility=[0-7]     Set syslog facility to LOG_LOCAL[0-7] (accepted, no effect)
                  -n, --dont-fork              Don't fork the daemon process (jlvs never forks)
                  -d, --dump-conf              Dump the configuration data
                  -p, --pid=FILE               Use specified pidfile for parent process
                                                 (default %3$s)
                  -c, --checkers_pid=FILE      Use specified pidfile for checkers child process
                  -i, --config-id id           Skip any configuration lines beginning '@' that don't match id
                  -t, --config-test[=LOG_FILE] Check the configuration for obvious errors, output to
                                                 stderr by default
                  -v, --version                Display the version number
                  -h, --help                   Display this help message
                Other keepalived options are accepted and have no effect in jlvs.
                """.formatted(prog, DEFAULT_CONFIG, DEFAULT_PID);
    }
}
