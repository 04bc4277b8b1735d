package io.jlvs.io.xdp;

import io.jlvs.io.linux.Libc;
import io.jlvs.io.linux.Netlink;
import io.jlvs.io.linux.SocketFilter;

import java.io.IOException;
import java.lang.System.Logger;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The AF_XDP transport of the director: on every served interface the steering {@link XdpProgram}
 * (driver mode where the driver has it, else generic/SKB mode) and one {@link XskSocket} per receive
 * queue, registered in that interface's XSKMAP under its queue id; one shared steering map.
 *
 * <p>It carries only what the program steers (IPv4 service traffic and NAT replies); ARP and
 * everything else still reaches the kernel and the AF_PACKET sockets, so it runs beside them: the
 * worker polls both, and a frame received here is sent here ({@link #send} says whether it took it).
 *
 * <p>The data path is {@link XskQueues}: each worker drives the sockets {@link #queues} gives it (all of
 * them with one worker); {@link #steer} runs on the control thread (it only writes the kernel's map).
 */
public final class XdpTransport implements AutoCloseable {
    private static final Logger LOG = System.getLogger("jlvs.xdp");

    /** Which XDP attach mode to use: driver (native) if it works, else generic; or one of them only. */
    public enum Mode { AUTO, DRV, SKB }

    /** Sizes: UMEM chunks and ring entries per socket, headroom and virtio_net_hdr bytes in front of frames. */
    public record Options(Mode mode, int framesPerSocket, int ringSize, int headroomBytes, int vnetBytes,
                          boolean zeroCopy) {
        public static Options defaults(int headroomBytes, int vnetBytes) {
            return new Options(Mode.AUTO, 4096, 2048, headroomBytes, vnetBytes, true);
        }
    }

    /** One served interface: its program attach mode and its sockets. */
    public record Port(String name, int ifindex, String mode, int xsksMapFd, int progFd, XskSocket[] sockets) {}

    private final List<Port> ports = new ArrayList<>();
    private final int steerMapFd;
    private XskSocket[] all = new XskSocket[0];
    private XskQueues allQueues = new XskQueues(new XskSocket[0]);
    private final Set<Long> steered = new HashSet<>();
    private final List<SocketFilter.Match> unsteered = new ArrayList<>();

    private XdpTransport(int steerMapFd) {
        this.steerMapFd = steerMapFd;
    }

    /**
     * Loads, attaches and binds on every interface ({@code ifindex → name}).
     *
     * @throws RuntimeException with the cause when an interface cannot be served; everything already
     *     attached is detached again
     */
    public static XdpTransport open(Map<Integer, String> interfaces, Options options) {
        if (!XdpProbe.isAvailable()) {
            throw new IllegalStateException("AF_XDP " + XdpProbe.describe());
        }
        int steer = Bpf.createMap(Bpf.MAP_TYPE_HASH, XdpProgram.KEY_BYTES, XdpProgram.VALUE_BYTES, 4096, "jlvs_steer");
        XdpTransport t = new XdpTransport(steer);
        try {
            for (Map.Entry<Integer, String> e : interfaces.entrySet()) {
                t.openPort(e.getKey(), e.getValue(), options);
            }
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
        List<XskSocket> list = new ArrayList<>();
        for (Port p : t.ports) {
            list.addAll(List.of(p.sockets()));
        }
        t.all = list.toArray(XskSocket[]::new);
        t.allQueues = new XskQueues(t.all);
        return t;
    }

    private void openPort(int ifindex, String name, Options options) {
        int queues = rxQueues(name);
        int xsks = Bpf.createMap(Bpf.MAP_TYPE_XSKMAP, 4, 4, Math.max(queues, 1), "jlvs_xsks");
        int prog = -1;
        String mode = null;
        XskSocket[] sockets = new XskSocket[queues];
        try {
            prog = Bpf.loadProgram(Bpf.PROG_TYPE_XDP, XdpProgram.build(steerMapFd, xsks), XdpProgram.LICENSE,
                    "jlvs_steer");
            mode = attach(ifindex, name, prog, options.mode());
            // ports are recorded before binding so that close() detaches even if a bind fails
            ports.add(new Port(name, ifindex, mode, xsks, prog, sockets));
            for (int q = 0; q < queues; q++) {
                sockets[q] = bind(ifindex, q, mode, options);
                try (Arena arena = Arena.ofConfined()) {
                    int r = Bpf.updateElem(xsks, arena.allocateFrom(JAVA_INT, q),
                            arena.allocateFrom(JAVA_INT, sockets[q].fd()));
                    Libc.check("bpf(BPF_MAP_UPDATE_ELEM jlvs_xsks): queue=" + q, r);
                }
            }
            LOG.log(Logger.Level.INFO, "AF_XDP on " + name + ": " + mode + " mode, " + queues + " queue(s), "
                    + (sockets[0].zeroCopy() ? "zero-copy" : "copy"));
        } catch (RuntimeException e) {
            if (mode == null) {
                if (prog >= 0) {
                    Libc.close(prog);
                }
                Libc.close(xsks);
            }
            throw e;
        }
    }

    private static String attach(int ifindex, String name, int prog, Mode mode) {
        try (Netlink nl = Netlink.open()) {
            if (mode != Mode.SKB) {
                try {
                    nl.setXdp(ifindex, prog, Netlink.XDP_FLAGS_DRV_MODE);
                    return "drv";
                } catch (RuntimeException e) {
                    if (mode == Mode.DRV) {
                        throw new IllegalStateException("XDP in driver mode on " + name + ": " + e.getMessage(), e);
                    }
                    LOG.log(Logger.Level.INFO, "XDP driver mode refused on " + name + " (" + e.getMessage()
                            + "); using generic (SKB) mode");
                }
            }
            nl.setXdp(ifindex, prog, Netlink.XDP_FLAGS_SKB_MODE);
            return "skb";
        }
    }

    private static XskSocket bind(int ifindex, int queue, String mode, Options o) {
        if (o.zeroCopy() && mode.equals("drv")) {
            try {
                return new XskSocket(ifindex, queue, o.framesPerSocket(), o.ringSize(), o.headroomBytes(),
                        o.vnetBytes(), XskSocket.XDP_ZEROCOPY | XskSocket.XDP_USE_NEED_WAKEUP);
            } catch (RuntimeException e) {
                // the driver has no zero-copy support (veth, most virtual devices): copy mode
            }
        }
        return new XskSocket(ifindex, queue, o.framesPerSocket(), o.ringSize(), o.headroomBytes(), o.vnetBytes(),
                XskSocket.XDP_COPY | XskSocket.XDP_USE_NEED_WAKEUP);
    }

    /** Receive queues of an interface ({@code /sys/class/net/NAME/queues/rx-*}); 1 when unknown. */
    public static int rxQueues(String name) {
        try (Stream<Path> s = Files.list(Path.of("/sys/class/net", name, "queues"))) {
            return (int) Math.max(1, s.filter(p -> p.getFileName().toString().startsWith("rx-")).count());
        } catch (IOException | RuntimeException e) {
            return 1;
        }
    }

    public List<Port> ports() {
        return List.copyOf(ports);
    }

    public XskSocket[] sockets() {
        return all.clone();
    }

    // ---------------------------------------------------------------- control: what is steered

    /**
     * Makes the steering map say exactly what {@code matches} (the socket filter's) and the director's
     * own addresses say. A match the map cannot express (a network, a partial port range wider than
     * 256 ports) is left out: such frames keep reaching jlvs through the AF_PACKET socket.
     *
     * @param localIpv4 the director's own IPv4 addresses (network order as int): never steered by source
     * @return the matches left to AF_PACKET
     */
    public synchronized List<SocketFilter.Match> steer(List<SocketFilter.Match> matches, Set<Integer> localIpv4) {
        unsteered.clear();
        Set<Long> wanted = keys(matches, localIpv4, unsteered);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment k = arena.allocate(8, 8);
            MemorySegment v = arena.allocateFrom(JAVA_INT, 1);
            // add first, then remove: a frame in flight is never left unsteered by a change that keeps it
            for (long key : wanted) {
                if (!steered.contains(key)) {
                    writeKey(k, key);
                    Libc.check("bpf(BPF_MAP_UPDATE_ELEM jlvs_steer)", Bpf.updateElem(steerMapFd, k, v));
                }
            }
            for (long key : steered) {
                if (!wanted.contains(key)) {
                    writeKey(k, key);
                    Bpf.deleteElem(steerMapFd, k);
                }
            }
        }
        steered.clear();
        steered.addAll(wanted);
        return List.copyOf(unsteered);
    }

    /**
     * The steering keys for the socket filter's matches and the director's own addresses (see
     * {@link XdpProgram}); matches the map cannot express go to {@code unsteered}.
     */
    public static Set<Long> keys(List<SocketFilter.Match> matches, Set<Integer> localIpv4,
                                 List<SocketFilter.Match> unsteered) {
        Set<Long> wanted = new HashSet<>();
        for (SocketFilter.Match m : matches) {
            if (m.mask() != -1) {
                unsteered.add(m);
                continue;
            }
            // a FULLNAT local address's reply ports (1024-65535) are taken as all its ports
            boolean anyPort = m.portLow() <= 1 && m.portHigh() == 65535
                    || m.portLow() == 1024 && m.portHigh() == 65535 && !m.source();
            if (!anyPort && m.portHigh() - m.portLow() > 256) {
                unsteered.add(m);
                continue;
            }
            int[] protocols = m.protocol() == 0 ? new int[] {6, 17} : new int[] {m.protocol()};
            int dir = m.source() ? XdpProgram.DIR_SOURCE : XdpProgram.DIR_DEST;
            for (int proto : protocols) {
                if (anyPort || proto != 6 && proto != 17) {
                    wanted.add(key(m.ipv4(), proto, dir, 0));
                } else {
                    for (int port = m.portLow(); port <= m.portHigh(); port++) {
                        wanted.add(key(m.ipv4(), proto, dir, port));
                    }
                }
            }
        }
        for (int local : localIpv4) {
            wanted.add(key(local, 0, XdpProgram.DIR_LOCAL, 0));
        }
        return wanted;
    }

    /** Steering keys currently in the map. */
    public synchronized int steeredKeys() {
        return steered.size();
    }

    /** A key as a long: address (host order int) in the high half, then protocol, direction, port. */
    public static long key(int ipv4, int protocol, int dir, int port) {
        return ((long) ipv4 << 32) | ((long) (protocol & 0xff) << 24) | ((long) (dir & 0xff) << 16) | (port & 0xffff);
    }

    /** The 8 bytes the program builds from a frame: address and port in network order. */
    public static void writeKey(MemorySegment k, long key) {
        int ipv4 = (int) (key >>> 32);
        k.set(JAVA_BYTE, 0, (byte) (ipv4 >>> 24));
        k.set(JAVA_BYTE, 1, (byte) (ipv4 >>> 16));
        k.set(JAVA_BYTE, 2, (byte) (ipv4 >>> 8));
        k.set(JAVA_BYTE, 3, (byte) ipv4);
        k.set(JAVA_BYTE, 4, (byte) (key >>> 24));
        k.set(JAVA_BYTE, 5, (byte) (key >>> 16));
        k.set(JAVA_BYTE, 6, (byte) (key >>> 8));
        k.set(JAVA_BYTE, 7, (byte) key);
    }

    // ---------------------------------------------------------------- data path (worker threads)

    /** The fewest receive queues of any served interface: how many workers can share this transport. */
    public int minQueues() {
        int min = Integer.MAX_VALUE;
        for (Port p : ports) {
            min = Math.min(min, p.sockets().length);
        }
        return min == Integer.MAX_VALUE ? 0 : min;
    }

    /**
     * The sockets worker {@code worker} of {@code workers} drives: queue {@code q} of every interface
     * goes to worker {@code q % workers}.
     *
     * @throws IllegalArgumentException when an interface has fewer queues than workers (a worker would
     *     have no socket to send from there)
     */
    public XskQueues queues(int worker, int workers) {
        List<XskSocket> mine = new ArrayList<>();
        for (Port p : ports) {
            if (p.sockets().length < workers) {
                throw new IllegalArgumentException(p.name() + " has " + p.sockets().length + " receive queue(s) for "
                        + workers + " workers");
            }
            for (XskSocket s : p.sockets()) {
                if (s.queueId() % workers == worker) {
                    mine.add(s);
                }
            }
        }
        return new XskQueues(mine.toArray(XskSocket[]::new));
    }

    /** Every socket, for one worker ({@link XskQueues#poll}). */
    public int poll(XskSocket.RxHandler handler, int maxFramesPerSocket) {
        return allQueues.poll(handler, maxFramesPerSocket);
    }

    /** {@link XskQueues#send} over every socket, own frames only. */
    public int send(int ifindex, MemorySegment seg, long offset, int length) {
        return allQueues.send(ifindex, seg, offset, length, false);
    }

    public static final int NOT_MINE = XskQueues.NOT_MINE;
    public static final int QUEUED = XskQueues.QUEUED;
    public static final int DROPPED = XskQueues.DROPPED;

    /** {@link XskQueues#flush} over every socket. */
    public long flush() {
        return allQueues.flush();
    }

    /** For {@code jlvs status}: per interface mode, zero-copy, frames and the kernel's drop counters. */
    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Port p : ports) {
            Map<String, Object> i = new LinkedHashMap<>();
            i.put("xdp_mode", p.mode());
            i.put("zero_copy", p.sockets().length > 0 && p.sockets()[0] != null && p.sockets()[0].zeroCopy());
            i.put("queues", p.sockets().length);
            long rx = 0, tx = 0, noChunk = 0, dropped = 0, fillEmpty = 0, ringFull = 0;
            for (XskSocket s : p.sockets()) {
                if (s == null) {
                    continue;
                }
                rx += s.rxFrames();
                tx += s.txFrames();
                noChunk += s.txNoChunk();
                long[] k = s.kernelStatistics();
                dropped += k[0];
                ringFull += k[3];
                fillEmpty += k[4];
            }
            i.put("rx_frames", rx);
            i.put("tx_frames", tx);
            i.put("tx_no_free_chunk", noChunk);
            i.put("kernel_rx_dropped", dropped);
            i.put("kernel_rx_ring_full", ringFull);
            i.put("kernel_fill_ring_empty", fillEmpty);
            m.put(p.name(), i);
        }
        m.put("steering_keys", steeredKeys());
        m.put("left_to_af_packet", unsteered.size());
        return m;
    }

    /** Detaches the programs, closes sockets, maps and programs (also after a failed {@link #open}). */
    @Override
    public synchronized void close() {
        try (Netlink nl = Netlink.open()) {
            for (Port p : ports) {
                try {
                    nl.setXdp(p.ifindex(), -1, p.mode().equals("drv")
                            ? Netlink.XDP_FLAGS_DRV_MODE : Netlink.XDP_FLAGS_SKB_MODE);
                } catch (RuntimeException e) {
                    LOG.log(Logger.Level.WARNING, "XDP detach from " + p.name() + ": " + e.getMessage());
                }
            }
        }
        for (Port p : ports) {
            for (XskSocket s : p.sockets()) {
                if (s != null) {
                    s.close();
                }
            }
            Libc.close(p.progFd());
            Libc.close(p.xsksMapFd());
        }
        ports.clear();
        all = new XskSocket[0];
        allQueues = new XskQueues(all);
        Libc.close(steerMapFd);
    }
}
