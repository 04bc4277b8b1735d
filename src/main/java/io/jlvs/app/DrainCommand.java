package io.jlvs.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.jlvs.control.ControlClient;
import io.jlvs.control.ControlProtocol;
import io.jlvs.control.IpvsException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code jlvs drain}: withdraw this director's BGP announcements and let its flows finish. */
@Command(name = "drain", mixinStandardHelpOptions = true,
        description = {"Withdraws the VIP announcements of the director in this network namespace: the routers "
                + "send it no new flow, the flows it has keep being forwarded.",
                "Prints the connections left; with --wait, waits until the director is idle (no active "
                + "connection, or no packet for 2 s: behind ECMP the routers move its flows away at once).",
                "--undo announces again."})
public final class DrainCommand implements Callable<Integer> {
    @Option(names = "--undo", description = "Announce the VIPs again (end the drain).")
    boolean undo;

    @Option(names = "--wait", description = "Wait until no connection is active, printing the count every second.")
    boolean await;

    @Option(names = "--timeout-s", defaultValue = "0", paramLabel = "S",
            description = "With --wait: give up after this long (exit 3). 0: wait for ever. Default: ${DEFAULT-VALUE}.")
    int timeoutS;

    @Override
    public Integer call() throws InterruptedException {
        try (ControlClient c = ControlClient.connect()) {
            JsonNode n = c.call(ControlProtocol.Request.withExtra("drain", Map.of("undo", undo)));
            if (undo) {
                System.out.println("jlvs drain: undone; announcing again; " + counts(n));
                return 0;
            }
            System.out.println("jlvs drain: announcements withdrawn; " + counts(n));
            long deadlineNs = System.nanoTime() + timeoutS * 1_000_000_000L;
            while (await && !n.path("idle").asBoolean()) {
                if (timeoutS > 0 && System.nanoTime() > deadlineNs) {
                    System.out.println("jlvs drain: not idle after " + timeoutS + " s; " + counts(n));
                    return 3;
                }
                Thread.sleep(1000);
                n = c.call(ControlProtocol.Request.of("drainStatus"));
                System.out.println("jlvs drain: " + counts(n));
            }
            if (n.path("idle").asBoolean()) {
                System.out.println("jlvs drain: the director is idle (" + (n.path("active_connections").asLong() == 0
                        ? "no active connection" : "no packet for " + n.path("ms_since_last_packet").asLong() + " ms")
                        + ")");
            }
            return 0;
        } catch (IOException e) {
            System.err.println("jlvs drain: no jlvs director is running in this network namespace");
            return 1;
        } catch (IpvsException e) {
            System.err.println("jlvs drain: " + e.getMessage());
            return 1;
        }
    }

    private static String counts(JsonNode n) {
        return n.path("active_connections").asLong() + " active connection(s), "
                + n.path("inactive_connections").asLong() + " inactive";
    }
}
