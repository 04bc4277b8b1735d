package io.jlvs.app;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code jlvs demo}: builds the {@link Testbed}, runs {@code bin/jlvs director} in it, configures a round-robin
 * service on the VIP as the seeds do (first direct routing, then NAT) with {@code bin/ipvsadm}, and shows
 * {@code curl} from the client reaching rs1 and rs2 in turn. Exits non-zero when a request failed or the
 * answers did not alternate.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Builds a client, a director and two nginx real servers in network namespaces, runs the "
                + "jlvs director, and shows round robin through the VIP in direct-routing and NAT mode.",
                "Needs root, ip, nginx, curl and nft. Exits non-zero if a request failed or did not alternate."})
public final class DemoCommand implements Callable<Integer> {
    private static final String SERVICE = Testbed.VIP + ":80";
    private static final Pattern SERVER = Pattern.compile("<h1>(rs\\d)</h1>");
    private static final Pattern GUARD_TABLE = Pattern.compile("(?m)^table netdev jlvs$");

    @Option(names = "--keep", description = "Leave the bed and the director (NAT mode) running to explore.")
    boolean keep;

    @Option(names = "--prefix", paramLabel = "P",
            description = "Namespace name prefix (namespaces Pcl, Plb, Prs1, Prs2, Plan). Default: jlvs-<random>-.")
    String prefix;

    @Option(names = "--requests", paramLabel = "N", defaultValue = "6",
            description = "Requests per forwarding mode (at least 2). Default: ${DEFAULT-VALUE}.")
    int requests;

    @Option(names = "--down", description = "Tear down a bed left by --keep (needs --prefix) and exit.")
    boolean down;

    private final PrintStream out = System.out;

    @Override
    public Integer call() {
        if (down) {
            return tearDown();
        }
        if (requests < 2) {
            System.err.println("jlvs demo: --requests must be at least 2 to show alternation: requests=" + requests);
            return 2;
        }
        if (!Testbed.isRoot()) {
            System.err.println("jlvs demo: must run as root (it creates network namespaces)");
            return 1;
        }
        List<String> missing = Testbed.missingTools("ip", "sysctl", "nginx", "curl", "nft");
        if (!missing.isEmpty()) {
            System.err.println("jlvs demo: missing tools: " + String.join(", ", missing)
                    + " (Debian: apt-get install iproute2 procps nginx-light curl nftables)");
            return 1;
        }
        String p = prefix != null ? prefix : Testbed.randomPrefix();
        String home;
        try {
            home = Testbed.jlvsHome().toString();
        } catch (IllegalStateException e) {
            System.err.println("jlvs demo: " + e.getMessage());
            return 1;
        }
        step("Building the test bed: namespaces " + p + "{cl,lb,rs1,rs2,lan}");
        long t0 = System.nanoTime();
        Testbed bed;
        try {
            bed = Testbed.create(p);
        } catch (IOException | RuntimeException e) {
            out.println("failed");
            System.err.println("jlvs demo: " + e.getMessage());
            return 1;
        }
        Thread cleanup = new Thread(bed::close, "jlvs-demo-cleanup");
        if (!keep) {
            Runtime.getRuntime().addShutdownHook(cleanup); // Ctrl-C still removes the namespaces
        }
        out.printf("ok (%.1f s)%n", (System.nanoTime() - t0) / 1e9);
        out.println("  client " + Testbed.CLIENT_IP + " -- director " + Testbed.LB_CLIENT_SIDE_IP + " | "
                + Testbed.LB_SERVER_SIDE_IP + ", VIP " + Testbed.VIP + " -- rs1 " + Testbed.RS1_IP + ", rs2 "
                + Testbed.RS2_IP + " (nginx)");
        boolean passed = false;
        try {
            step("Starting the director in " + bed.lb());
            Process director = bed.startDirector();
            bed.awaitDirector(director, Duration.ofSeconds(60));
            out.println("ok (pid " + director.pid() + ", log " + bed.logFile(director) + ")");

            boolean dr = runMode(bed, "Direct routing (-g): the director rewrites the MAC, the servers answer "
                    + "the client directly", "-g", true);
            boolean nat = runMode(bed, "NAT (-m): the director rewrites the addresses both ways", "-m", !keep);
            passed = dr && nat;

            if (keep) {
                out.println();
                out.println("The bed is kept, the director still runs (NAT service). Explore:");
                out.println("  ip netns exec " + bed.cl() + " curl http://" + Testbed.VIP + "/");
                out.println("  ip netns exec " + bed.lb() + " " + home + "/bin/ipvsadm -Ln");
                out.println("  ip netns exec " + bed.lb() + " " + home + "/bin/jlvs status");
                out.println("Tear down:");
                out.println("  " + home + "/bin/jlvs demo --down --prefix " + bed.prefix());
            } else {
                step("Stopping the director (SIGTERM)");
                int code = bed.stop(director);
                boolean guardGone = !GUARD_TABLE.matcher(bed.exec(bed.lb(), "nft", "list", "tables").output()).find();
                out.println("stopped (exit " + code + ")" + (guardGone ? "; nftables table jlvs removed"
                        : "; nftables table jlvs is STILL there"));
                passed &= guardGone;
            }
        } catch (IOException | RuntimeException e) {
            out.println("failed");
            System.err.println("jlvs demo: " + e.getMessage());
            passed = false;
            if (keep) {
                System.err.println("jlvs demo: the bed is kept; tear it down with: " + home
                        + "/bin/jlvs demo --down --prefix " + bed.prefix());
            }
        } finally {
            if (!keep) {
                step("Tearing down");
                bed.close();
                out.println("ok");
                try {
                    Runtime.getRuntime().removeShutdownHook(cleanup);
                } catch (IllegalStateException e) {
                    // already shutting down
                }
            }
        }
        out.println(passed ? "Demo passed: both modes alternated rs1/rs2 over " + requests + " requests."
                : "Demo FAILED (see above).");
        return passed ? 0 : 1;
    }

    private int tearDown() {
        if (prefix == null) {
            System.err.println("jlvs demo: --down needs the --prefix the bed was built with");
            return 2;
        }
        if (!Testbed.isRoot()) {
            System.err.println("jlvs demo: must run as root (it deletes network namespaces)");
            return 1;
        }
        List<String> gone;
        try {
            gone = Testbed.destroy(prefix);
        } catch (IllegalArgumentException e) {
            System.err.println("jlvs demo: " + e.getMessage());
            return 2;
        }
        if (gone.isEmpty()) {
            out.println("No namespaces named " + prefix + "* were found; nothing to do.");
        } else {
            out.println("Removed " + String.join(", ", gone) + ".");
        }
        return 0;
    }

    /** Configures the seed's service with forwarding {@code method}, curls it, lists it; flushes it if asked. */
    private boolean runMode(Testbed bed, String title, String method, boolean flushAfter) {
        out.println();
        out.println("== " + title);
        List<String[]> config = List.of(
                new String[] {"-A", "-t", SERVICE, "-s", "rr"},
                new String[] {"-a", "-t", SERVICE, "-r", Testbed.RS1_IP, method},
                new String[] {"-a", "-t", SERVICE, "-r", Testbed.RS2_IP, method});
        for (String[] args : config) {
            if (!ipvsadm(bed, args)) {
                return false;
            }
        }
        String url = "http://" + Testbed.VIP + "/";
        List<String> answers = new ArrayList<>();
        boolean ok = true;
        for (int i = 1; i <= requests; i++) {
            Testbed.Result r = bed.curl(url);
            Matcher m = SERVER.matcher(r.output());
            if (r.ok() && m.find()) {
                answers.add(m.group(1));
                out.printf("  curl %s  #%d: %s%n", url, i, m.group(1));
            } else {
                answers.add("?");
                ok = false;
                out.printf("  curl %s  #%d: FAILED (exit %d) %s%n", url, i, r.exitCode(), firstLine(r.output()));
            }
        }
        boolean alternating = ok;
        for (int i = 1; i < answers.size(); i++) {
            alternating &= !answers.get(i).equals(answers.get(i - 1));
        }
        out.println("  " + (alternating ? "alternating: yes" : "alternating: NO") + " (" + String.join(" ", answers) + ")");
        out.println("  $ ipvsadm -Ln");
        Testbed.Result list = bed.ipvsadm("-Ln");
        list.output().lines().forEach(l -> out.println("    " + l));
        ok = alternating && list.ok();
        if (flushAfter) {
            ok &= ipvsadm(bed, "-C");
        }
        return ok;
    }

    private boolean ipvsadm(Testbed bed, String... args) {
        out.println("  $ ipvsadm " + String.join(" ", args));
        Testbed.Result r = bed.ipvsadm(args);
        if (!r.ok()) {
            out.println("    FAILED (exit " + r.exitCode() + "): " + r.output().strip());
        }
        return r.ok();
    }

    private void step(String what) {
        out.print(what + " ... ");
        out.flush();
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }
}
