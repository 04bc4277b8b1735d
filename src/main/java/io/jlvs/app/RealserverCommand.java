package io.jlvs.app;

import io.jlvs.io.linux.Libc;
import io.jlvs.ops.LinuxRealServerHost;
import io.jlvs.ops.RealServerSetup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.Callable;

/** {@code jlvs realserver start|stop|status --vip VIP [--mode dr|tun]}: the seeds' realserver.sh. */
@Command(name = "realserver", mixinStandardHelpOptions = true,
        description = {"Prepares this host (run it on each real server) for LVS-DR or LVS-TUN, as the seeds' "
                + "realserver.sh does, through netlink and sysctl:",
                "  start   VIP/32 on lo (dr) or tunl0 (tun), arp_ignore=1 and arp_announce=2, tunl0 up and "
                + "rp_filter=2 (tun);",
                "  stop    undoes what start changed, restoring the previous sysctl values;",
                "  status  checks each item; exit 1 if one is not as it must be.",
                "start and stop are idempotent."})
public final class RealserverCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "start|stop|status")
    String action;

    @Option(names = "--vip", required = true, paramLabel = "VIP", description = "The virtual IP address (IPv4 or IPv6).")
    String vip;

    @Option(names = "--mode", defaultValue = "dr", paramLabel = "dr|tun",
            description = "Forwarding method of the real servers. Default: ${DEFAULT-VALUE}.")
    String mode;

    /** Runs this command alone, as {@code jlvs realserver ARGS} does. */
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new RealserverCommand()).execute(args));
    }

    @Override
    public Integer call() {
        InetAddress address;
        RealServerSetup.Mode m;
        try {
            address = InetAddress.ofLiteral(vip);
            m = RealServerSetup.Mode.parse(mode);
        } catch (IllegalArgumentException e) {
            System.err.println("jlvs realserver: " + e.getMessage());
            return 2;
        }
        if (!action.equals("status") && Libc.geteuid() != 0) {
            System.err.println("jlvs realserver: must run as root (it changes addresses and sysctls)");
            return 1;
        }
        RealServerSetup setup = new RealServerSetup(new LinuxRealServerHost());
        RealServerSetup.Report report;
        try {
            report = switch (action) {
                case "start" -> setup.start(address, m);
                case "stop" -> setup.stop(address);
                case "status" -> setup.status(address, m);
                default -> {
                    System.err.println("jlvs realserver: action must be start, stop or status: action=" + action);
                    yield null;
                }
            };
        } catch (IOException | RuntimeException e) {
            System.err.println("jlvs realserver " + action + ": " + e.getMessage());
            return 1;
        }
        if (report == null) {
            return 2;
        }
        for (RealServerSetup.Step s : report.steps()) {
            String change = s.changed() ? s.before() + " -> " + s.after() : s.after();
            System.out.println("  " + s.item() + ": " + change + (s.note().isEmpty() ? "" : " (" + s.note() + ")"));
        }
        for (String p : report.problems()) {
            System.out.println("  PROBLEM: " + p);
        }
        System.out.println("jlvs realserver " + action + " " + vip + ": " + (report.ok() ? "OK" : "FAILED"));
        return report.ok() ? 0 : 1;
    }
}
