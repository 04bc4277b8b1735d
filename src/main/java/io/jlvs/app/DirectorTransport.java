package io.jlvs.app;

import io.jlvs.forward.Frame;
import io.jlvs.forward.ServedInterface;
import io.jlvs.io.linux.Netlink;
import io.jlvs.io.linux.SocketFilter;
import io.jlvs.io.xdp.XdpProbe;
import io.jlvs.io.xdp.XdpTransport;
import io.jlvs.worker.Handoff;
import io.jlvs.worker.Worker;

import java.lang.System.Logger;
import java.net.Inet4Address;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The director's choice of transport ({@code --transport af_packet|af_xdp|auto}) and, when AF_XDP
 * runs, its life: opened on the served interfaces after the worker exists, told what to steer on
 * every table change, shown in {@code jlvs status}, closed (programs detached) at stop. The AF_PACKET
 * sockets always run: they carry ARP and whatever the XDP program leaves to the kernel.
 *
 * <p>When AF_XDP was asked for but cannot run, the director falls back to AF_PACKET and keeps the
 * cause: logged at start, in {@code jlvs status} ({@code af_xdp_fallback}) and so in {@code jlvs doctor}.
 */
final class DirectorTransport implements AutoCloseable {
    private static final Logger LOG = System.getLogger("jlvs.director");

    static final String AF_PACKET = "af_packet";
    static final String AF_XDP = "af_xdp";
    static final String AUTO = "auto";

    private String requested = AF_PACKET;
    private XdpTransport.Mode xdpMode = XdpTransport.Mode.AUTO;
    private volatile XdpTransport xdp;
    private volatile String fallbackCause;
    private List<SocketFilter.Match> lastMatches = List.of();
    /**
     * Hand-over slots a worker can hold from all the others together: twice an XSK RX ring, so an owner
     * descheduled for a few ms (a bulk burst, a busy core) does not drop. 4 KiB each: 16 MiB per worker.
     */
    private static final int HANDOFF_SLOTS_PER_WORKER = 4096;
    private final List<Handoff> handoffs = new java.util.ArrayList<>();

    void choose(String name, String mode) {
        String n = name.toLowerCase(Locale.ROOT);
        if (!n.equals(AF_PACKET) && !n.equals(AF_XDP) && !n.equals(AUTO)) {
            throw new IllegalArgumentException("unknown transport: transport=" + name
                    + " (af_packet, af_xdp or auto)");
        }
        XdpTransport.Mode m = switch (mode.toLowerCase(Locale.ROOT)) {
            case "auto" -> XdpTransport.Mode.AUTO;
            case "drv" -> XdpTransport.Mode.DRV;
            case "skb" -> XdpTransport.Mode.SKB;
            default -> throw new IllegalArgumentException("unknown XDP mode: xdpMode=" + mode + " (auto, drv or skb)");
        };
        this.requested = n;
        this.xdpMode = m;
    }

    /**
     * Opens AF_XDP on every served interface when asked for; otherwise (or on failure) nothing changes.
     * With several workers, worker w drives receive queues {@code q % n == w} of every interface and
     * hands a frame of a flow another worker owns to it ({@link Handoff}); every interface then needs at
     * least as many receive queues as there are workers.
     */
    void open(List<ServedInterface> served, Worker[] workers) {
        if (requested.equals(AF_PACKET)) {
            return;
        }
        if (!XdpProbe.isAvailable()) {
            fallBack("AF_XDP " + XdpProbe.describe());
            return;
        }
        Map<Integer, String> interfaces = new LinkedHashMap<>();
        for (ServedInterface i : served) {
            interfaces.put(i.ifindex(), i.name());
        }
        int n = workers.length;
        for (ServedInterface i : served) {
            int queues = XdpTransport.rxQueues(i.name());
            if (queues < n) {
                fallBack("AF_XDP with " + n + " workers needs " + n + " receive queues on every served interface, and "
                        + i.name() + " has " + queues + " (a NIC: ethtool -L; a veth: numrxqueues/numtxqueues)");
                return;
            }
        }
        XdpTransport.Options defaults = XdpTransport.Options.defaults(Frame.HEADROOM + Frame.VNET, Frame.VNET);
        try {
            XdpTransport t = XdpTransport.open(interfaces, new XdpTransport.Options(xdpMode,
                    defaults.framesPerSocket(), defaults.ringSize(), defaults.headroomBytes(), defaults.vnetBytes(),
                    defaults.zeroCopy()));
            if (t.minQueues() < n) { // the queues changed since they were counted
                t.close();
                fallBack("AF_XDP with " + n + " workers needs " + n + " receive queues on every served interface");
                return;
            }
            for (int w = 0; w < n; w++) {
                workers[w].xdp(t.queues(w, n));
            }
            if (n > 1) {
                connectWorkers(workers);
            }
            synchronized (this) {
                xdp = t;
                steer(lastMatches); // a table change that came before the transport was up
            }
            LOG.log(Logger.Level.INFO, "transport: af_xdp beside af_packet (ARP and unsteered frames) on "
                    + interfaces.values());
        } catch (RuntimeException e) {
            fallBack("AF_XDP could not be set up: " + e.getMessage());
        }
    }

    /** A hand-over ring from every worker to every other (DPVS's redirect); closed with the transport. */
    private void connectWorkers(Worker[] workers) {
        int n = workers.length;
        Handoff[][] rings = new Handoff[n][n]; // [from][to]
        int slots = Math.max(256, Integer.highestOneBit(HANDOFF_SLOTS_PER_WORKER / (n - 1)));
        for (int from = 0; from < n; from++) {
            for (int to = 0; to < n; to++) {
                if (from != to) {
                    rings[from][to] = new Handoff(slots, Frame.HEADROOM, Frame.VNET);
                    handoffs.add(rings[from][to]);
                }
            }
        }
        for (int w = 0; w < n; w++) {
            Handoff[] inbox = new Handoff[n];
            for (int from = 0; from < n; from++) {
                inbox[from] = rings[from][w];
            }
            workers[w].handoff(w, workers, rings[w], inbox);
        }
    }

    /** Whether workers hand frames to each other (several workers on AF_XDP). */
    boolean handsOff() {
        return !handoffs.isEmpty();
    }

    private void fallBack(String cause) {
        fallbackCause = cause;
        LOG.log(requested.equals(AF_XDP) ? Logger.Level.WARNING : Logger.Level.INFO,
                "transport: af_packet (" + requested + " asked for; " + cause + ")");
    }

    /** Control thread, after every table change: the steering map follows the socket filter's matches. */
    synchronized void steer(List<SocketFilter.Match> matches) {
        lastMatches = List.copyOf(matches);
        XdpTransport t = xdp;
        if (t == null) {
            return;
        }
        Set<Integer> local = new HashSet<>();
        try (Netlink nl = Netlink.open()) {
            for (Netlink.Address a : nl.addresses()) {
                if (a.address() instanceof Inet4Address v4) {
                    local.add(Director.toInt(v4));
                }
            }
        }
        List<SocketFilter.Match> left = t.steer(matches, local);
        if (!left.isEmpty()) {
            LOG.log(Logger.Level.INFO, "af_xdp: " + left.size() + " match(es) (networks or wide port ranges) are "
                    + "not steered and stay on af_packet");
        }
    }

    /** Adds the transport's lines to {@code jlvs status}. */
    void status(Map<String, Object> m) {
        XdpTransport t = xdp;
        if (t != null) {
            m.put("transport", "af_xdp (XDP steering + AF_XDP sockets) beside af_packet (ARP, unsteered frames)");
            m.put("af_xdp", t.status());
        }
        if (fallbackCause != null) {
            m.put("af_xdp_fallback", fallbackCause);
        }
        m.put("af_xdp_probe", XdpProbe.describe());
    }

    @Override
    public void close() {
        XdpTransport t = xdp;
        xdp = null;
        if (t != null) {
            t.close();
        }
        for (Handoff h : handoffs) {
            h.close();
        }
        handoffs.clear();
    }
}
