package io.jlvs.vrrp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A seeded discrete-event network for VRRP nodes: one shared segment, a manual clock in µs, per-packet loss and delay.
 * Nothing sleeps; {@link #runUntil} jumps from event to event (packet deliveries, node deadlines, script results).
 */
final class SimNetwork {
    private record Event(long atUs, long seq, Runnable action) {}

    final Random random;
    private final PriorityQueue<Event> events = new PriorityQueue<>(
            (a, b) -> a.atUs != b.atUs ? Long.compare(a.atUs, b.atUs) : Long.compare(a.seq, b.seq));
    private final List<SimHost> hosts = new ArrayList<>();
    private final MemorySegment rx = Arena.ofAuto().allocate(VrrpPackets.MAX_PACKET);
    private long seq;
    long nowUs;
    double lossProbability;
    long minDelayUs;
    long maxDelayUs;
    /** Called after every event with the current time (invariant checks). */
    Consumer<Long> afterEvent = t -> { };

    SimNetwork(long seed) {
        this.random = new Random(seed);
    }

    void attach(SimHost host) {
        hosts.add(host);
    }

    List<SimHost> hosts() {
        return hosts;
    }

    void at(long atUs, Runnable action) {
        events.add(new Event(atUs, seq++, action));
    }

    /** Multicast goes to every other running host; unicast only to the host owning the destination. */
    void send(SimHost from, byte[] packet) {
        boolean ipv6 = (packet[0] & 0xf0) == 0x60;
        byte[] dst = ipv6 ? Arrays.copyOfRange(packet, 24, 40) : Arrays.copyOfRange(packet, 16, 20);
        boolean multicast = ipv6 ? (dst[0] & 0xff) == 0xff : (dst[0] & 0xf0) == 0xe0;
        for (SimHost to : hosts) {
            if (to == from || (!multicast && !Arrays.equals(to.address(ipv6).getAddress(), dst))) {
                continue;
            }
            if (random.nextDouble() < lossProbability) {
                continue;
            }
            long delay = maxDelayUs <= minDelayUs ? minDelayUs : minDelayUs + random.nextLong(maxDelayUs - minDelayUs);
            at(nowUs + delay, () -> deliver(to, packet));
        }
    }

    private void deliver(SimHost to, byte[] packet) {
        if (!to.running()) {
            return;
        }
        MemorySegment.copy(packet, 0, rx, ValueLayout.JAVA_BYTE, 0, packet.length);
        to.node().receive("eth0", rx, packet.length, nowUs);
    }

    /** Processes every event and node deadline up to and including {@code endUs}, then sets the clock to it. */
    void runUntil(long endUs) {
        while (true) {
            long next = events.isEmpty() ? Long.MAX_VALUE : events.peek().atUs;
            for (SimHost h : hosts) {
                if (h.running()) {
                    next = Math.min(next, h.node().nextDeadlineUs());
                }
            }
            if (next > endUs) {
                nowUs = endUs;
                return;
            }
            nowUs = Math.max(nowUs, next);
            while (!events.isEmpty() && events.peek().atUs <= nowUs) {
                events.poll().action.run();
            }
            for (SimHost h : hosts) {
                if (h.running() && h.node().nextDeadlineUs() <= nowUs) {
                    h.node().tick(nowUs);
                }
            }
            afterEvent.accept(nowUs);
        }
    }

    void runFor(long us) {
        runUntil(nowUs + us);
    }
}
