package io.jlvs.app;

import io.jlvs.control.ControlProtocol;
import io.jlvs.io.linux.Libc;
import io.jlvs.ops.ControlDoctorAccess;
import io.jlvs.ops.Doctor;
import io.jlvs.ops.LinuxDoctorNetwork;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code jlvs doctor}: verifies a running director and its real servers step by step. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Runs the LVS verification steps on the director in this network namespace and reports each",
                "as PASS, WARN, FAIL or SKIP with the reason and the fix: the director and its guard, routes to the",
                "real servers, each real server answering on its port (and HTTP), direct-routing real servers",
                "taking the VIP without answering ARP for it (probed from here), NAT real servers routing back",
                "through the director, the scheduler's spread, VRRP. Exit 1 if a step failed."})
public final class DoctorCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Option(names = "--timeout-ms", defaultValue = "2000", paramLabel = "MS",
            description = "How long each probe waits for an answer. Default: ${DEFAULT-VALUE}.")
    int timeoutMs;

    @Option(names = "--http-ports", split = ",", paramLabel = "PORT",
            description = "Ports that get an HTTP GET / after the TCP connect. Default: 80,8080,8000.")
    List<Integer> httpPorts = List.of(80, 8080, 8000);

    /** Runs this command alone, as {@code jlvs doctor ARGS} does. */
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new DoctorCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (Libc.geteuid() != 0) {
            System.err.println("jlvs doctor: must run as root (it sends ARP and SYN probes on packet sockets)");
            return 1;
        }
        Doctor.Result r;
        try (ControlDoctorAccess access = new ControlDoctorAccess()) {
            r = new Doctor(access, new LinuxDoctorNetwork(),
                    new Doctor.Options(timeoutMs, new LinkedHashSet<>(httpPorts), 1000)).run();
        }
        if (json) {
            System.out.println(ControlProtocol.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(r));
        } else {
            System.out.print(render(r));
        }
        return r.ok() ? 0 : 1;
    }

    static String render(Doctor.Result r) {
        StringBuilder sb = new StringBuilder();
        for (Doctor.Check c : r.checks()) {
            sb.append(String.format("%-4s  %s: %s%n", c.status(), c.name(), c.target()));
            sb.append("      ").append(c.reason()).append('\n');
            if (c.fix() != null && c.status() != Doctor.Status.PASS) {
                sb.append("      fix: ").append(c.fix()).append('\n');
            }
        }
        long failed = r.checks().stream().filter(c -> c.status() == Doctor.Status.FAIL).count();
        long warned = r.checks().stream().filter(c -> c.status() == Doctor.Status.WARN).count();
        sb.append(r.ok() ? "jlvs doctor: all steps passed" : "jlvs doctor: " + failed + " step(s) failed")
                .append(warned > 0 ? ", " + warned + " warning(s)" : "").append('\n');
        return sb.toString();
    }
}
