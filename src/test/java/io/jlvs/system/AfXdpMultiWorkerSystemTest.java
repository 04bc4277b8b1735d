package io.jlvs.system;

import io.jlvs.app.Testbed;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * LVS/NAT end to end on {@code --transport af_xdp --workers 2}, on a bed whose veths have two queues each:
 * the sending side spreads flows over the director's two receive queues by its own hash, so the request of
 * a flow and its reply often arrive on queues of different workers. Each worker drives its queue's AF_XDP
 * sockets, finds a frame's owner with the fanout program and hands the others' frames over. The NAT
 * suite (round robin, wrk with 0 errors, a byte-exact 1 MiB download) passes only if every flow is handled
 * by the one worker that holds its connection; {@code jlvs status} shows frames were handed over, none lost.
 * The AF_XDP NAT checks (frames carried on the sockets, programs detached at stop) run here too.
 */
class AfXdpMultiWorkerSystemTest extends AfXdpNatSystemTest {
    private static final Pattern NUMBER = Pattern.compile("\"%s\" : (\\d+)");

    @Override
    String[] directorOptions() {
        return new String[] {"--transport", "af_xdp", "--workers", "2"};
    }

    @Override
    boolean roundRobinIsGlobal() {
        return false; // each worker has its own cursor, as DPVS per lcore (docs/workers.md)
    }

    @Override
    Testbed createBed() throws IOException {
        return Testbed.createWithQueues(2);
    }

    @Test
    @Order(4)
    void shouldHandFramesToTheirFlowsOwnerWhenTheyArriveOnTheOtherWorkersQueue() {
        // many short flows: each lands on a queue by the sender's hash, its owner is the fanout hash's
        Testbed.Result wrk = bed.exec(Duration.ofSeconds(30), bed.cl(), "wrk", "-t2", "-c16", "-d4s",
                "-H", "Connection: close", URL);
        Wrk w = Wrk.parse(wrk.output());
        assertThat(w.socketErrors()).as(() -> "wrk Connection: close: " + wrk.output() + diagnostics()).isZero();
        assertThat(w.requests()).as(wrk.output()).isGreaterThanOrEqualTo(100);

        for (String itf : List.of("eth0", "eth1")) {
            // veth's per-queue XDP counters: "rx_queue_0_xdp_packets: N"
            String stats = bed.exec(bed.lb(), "ethtool", "-S", itf).output();
            List<Long> perQueue = new ArrayList<>();
            Matcher m = Pattern.compile("rx_queue_\\d+_xdp_packets: (\\d+)").matcher(stats);
            while (m.find()) {
                perQueue.add(Long.parseLong(m.group(1)));
            }
            System.out.println("[AfXdpMultiWorkerSystemTest] " + itf + " XDP frames per receive queue: " + perQueue);
            assertThat(perQueue).as(itf + ": both receive queues carry traffic").hasSize(2).allMatch(n -> n > 0);
        }
        String status = bed.jlvs("status").output();
        System.out.println("[AfXdpMultiWorkerSystemTest] jlvs status:\n" + status);
        assertThat(status).contains("\"transport\" : \"af_xdp").doesNotContain("af_xdp_fallback");
        assertThat(numbers(status, "queues")).as("AF_XDP queues per interface").containsOnly(2L);
        List<Long> handedOff = numbers(status, "handed_off");
        List<Long> received = numbers(status, "handoffs_received");
        assertThat(handedOff).as("per worker").hasSize(2);
        assertThat(handedOff.stream().mapToLong(Long::longValue).sum()).as("frames handed over").isPositive();
        assertThat(received.stream().mapToLong(Long::longValue).sum()).as("every handed frame was received")
                .isEqualTo(handedOff.stream().mapToLong(Long::longValue).sum());
        List<Long> connections = numbers(status, "connections");
        assertThat(connections.subList(1, connections.size())).as("both workers own connections")
                .allMatch(c -> c > 0);
        for (String reason : List.of("handoff_full", "no_connection", "nat_reply_no_connection", "internal_error")) {
            assertThat(numbers(status, reason)).as(reason).containsOnly(0L);
        }
    }

    private static List<Long> numbers(String status, String key) {
        Matcher m = Pattern.compile(NUMBER.pattern().formatted(Pattern.quote(key))).matcher(status);
        List<Long> out = new ArrayList<>();
        while (m.find()) {
            out.add(Long.parseLong(m.group(1)));
        }
        return out;
    }
}
