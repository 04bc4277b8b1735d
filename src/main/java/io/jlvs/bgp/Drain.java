package io.jlvs.bgp;

import io.jlvs.control.ControlProtocol;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code jlvs drain}: the director withdraws its announcements, so the routers send it no new flow, and
 * keeps forwarding whatever still arrives. {@code jlvs drain --undo} announces again.
 *
 * <p>When is a drained director idle? Not when its connection count reaches 0: behind ECMP the routers
 * move its established flows to the other directors at once, so its entries never see their FIN and
 * stay ESTABLISHED until they time out (15 min). It is idle when no packet for a service has arrived for
 * {@value #QUIET_MS} ms (sampled every 250 ms while drained), or when no connection is active.
 */
public final class Drain {
    static final long QUIET_MS = 2000;
    private static final long SAMPLE_MS = 250;

    /** The director's counts: connections summed over its real servers, inbound packets over its services. */
    public record Counts(long active, long inactive, long inPackets) {}

    private final BgpSpeaker bgp;
    private final Supplier<Counts> counts;
    private long lastPackets = -1;
    private long lastChangeNs = System.nanoTime();
    private Thread sampler;

    public Drain(BgpSpeaker bgp, Supplier<Counts> counts) {
        this.bgp = bgp;
        this.counts = counts;
    }

    /** The {@code drain} op: {@code extra = {"undo": true|false}}. */
    public Map<String, Object> drain(ControlProtocol.Request r) {
        if (bgp == null) {
            throw new IllegalArgumentException("drain: this director announces nothing "
                    + "(start it with --bgp-local-as, --bgp-peer and --bgp-router-id, or --bgp-config)");
        }
        boolean undo = r.extra() != null && r.extra().path("undo").asBoolean(false);
        bgp.drain(!undo);
        synchronized (this) {
            if (!undo && sampler == null) {
                lastPackets = -1;
                sample();
                sampler = Thread.ofVirtual().name("jlvs-drain").start(this::sampleWhileDrained);
            }
        }
        return status();
    }

    private void sampleWhileDrained() {
        while (bgp.drained()) {
            try {
                Thread.sleep(SAMPLE_MS);
            } catch (InterruptedException e) {
                return;
            }
            sample();
        }
        synchronized (this) {
            sampler = null;
        }
    }

    private synchronized Counts sample() {
        Counts c = counts.get();
        if (c.inPackets() != lastPackets) {
            lastPackets = c.inPackets();
            lastChangeNs = System.nanoTime();
        }
        return c;
    }

    /** The {@code drainStatus} op. */
    public synchronized Map<String, Object> status() {
        Counts c = sample();
        boolean drained = bgp != null && bgp.drained();
        long quietMs = (System.nanoTime() - lastChangeNs) / 1_000_000L;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("drained", drained);
        m.put("active_connections", c.active());
        m.put("inactive_connections", c.inactive());
        m.put("ms_since_last_packet", drained ? quietMs : null);
        m.put("idle", c.active() == 0 || (drained && quietMs >= QUIET_MS));
        return m;
    }
}
