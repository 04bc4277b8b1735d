package io.jlvs.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.jlvs.control.ControlClient;
import io.jlvs.control.ControlProtocol;
import io.jlvs.control.IpvsException;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.util.concurrent.Callable;

/** {@code jlvs status}: the director's data-plane state (interfaces, transport, frames, drops by reason). */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Shows the data plane of the director in this network namespace: interfaces, transport, "
                + "frame counts and drops by reason (JSON).")
public final class StatusCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        try (ControlClient c = ControlClient.connect()) {
            JsonNode n = c.call(ControlProtocol.Request.of("status"));
            System.out.println(ControlProtocol.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n));
            return 0;
        } catch (IOException e) {
            System.err.println("jlvs status: no jlvs director is running in this network namespace");
            return 1;
        } catch (IpvsException e) {
            System.err.println("jlvs status: " + e.getMessage());
            return 1;
        }
    }
}
