package io.jlvs.worker;

import io.jlvs.conn.ConnectionTable;
import io.jlvs.conn.ConnectionTimeouts;
import io.jlvs.forward.DataplaneConfig;
import io.jlvs.forward.Forwarder;
import io.jlvs.io.linux.Libc;
import io.jlvs.io.linux.PacketSocket;
import io.jlvs.io.linux.TxBatch;
import io.jlvs.stats.DropReason;
import io.jlvs.stats.WorkerCounters;

import java.lang.System.Logger;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A forwarding worker: an agent with a duty cycle. Each cycle takes the latest published
 * configuration, drains every socket's receive ring through the {@link Forwarder}, flushes the
 * transmit batches (one {@code sendmmsg} per interface per block), and every few milliseconds runs
 * housekeeping (connection expiry, ARP). When no frame arrives it backs off (spin, yield, then block
 * in {@code poll(2)}), so an idle director does not burn a core; {@code --busy-poll} never blocks.
 *
 * <p>The worker alone writes its connection table, neighbour cache and counters; the control plane
 * reaches it only through {@link #publish} (a volatile hand-over of an immutable configuration).
 */
public final class Worker implements Runnable {
    private static final Logger LOG = System.getLogger("jlvs.worker");
    private static final long HOUSEKEEPING_NS = 10_000_000L;

    private final String name;
    private final PacketSocket[] sockets;
    private final TxBatch[] txByIfindex;
    private final TxBatch[] txBatches;
    /** Per batch, its sent / refused totals already added to the counters. */
    private final long[] txSentCounted;
    private final long[] txFailedCounted;
    private final ConnectionTable conns;
    private final WorkerCounters counters;
    private final Forwarder forwarder;
    private final Arena arena = Arena.ofShared();
    private MemorySegment pollFds;
    private int pollCount;
    private io.jlvs.io.xdp.XdpTransport xdp;
    private final int idlePollMs;
    private IdleStrategy idleStrategy = IdleStrategy.BACKOFF;
    private final IdleStrategy.Backoff backoff = new IdleStrategy.Backoff();

    private volatile DataplaneConfig pending;
    private final java.util.concurrent.ConcurrentLinkedQueue<io.jlvs.sync.SyncEntry> syncInstalls =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private volatile io.jlvs.sync.SyncRing pendingSyncRing;
    private volatile boolean syncRingChanged;
    private volatile boolean fullSyncRequested;
    private volatile ConnectionTimeouts pendingTimeouts;
    private volatile boolean running = true;
    private long nextHousekeepingNs;
    private int currentIfindex;

    public Worker(String name, PacketSocket[] sockets, ConnectionTable conns, WorkerCounters counters,
                  int maxIds, int idlePollMs) {
        this(name, sockets, conns, counters, maxIds, idlePollMs, new io.jlvs.neigh.NeighbourTable(4096),
                Forwarder.LOCAL_PORT_LOW, Forwarder.LOCAL_PORT_HIGH);
    }

    /**
     * One of several workers: {@code neighbours} is shared by all, FULLNAT local ports come from this
     * worker's own range {@code [localPortLow, localPortHigh]}.
     */
    public Worker(String name, PacketSocket[] sockets, ConnectionTable conns, WorkerCounters counters,
                  int maxIds, int idlePollMs, io.jlvs.neigh.NeighbourTable neighbours, int localPortLow,
                  int localPortHigh) {
        this.name = name;
        this.sockets = sockets;
        this.conns = conns;
        this.counters = counters;
        this.idlePollMs = idlePollMs;
        int maxIf = 0;
        for (PacketSocket s : sockets) {
            maxIf = Math.max(maxIf, s.ifindex());
        }
        this.txByIfindex = new TxBatch[maxIf + 1];
        this.txBatches = new TxBatch[sockets.length];
        this.txSentCounted = new long[sockets.length];
        this.txFailedCounted = new long[sockets.length];
        for (int i = 0; i < sockets.length; i++) {
            txBatches[i] = new TxBatch(sockets[i], 64);
            txByIfindex[sockets[i].ifindex()] = txBatches[i];
        }
        this.forwarder = new Forwarder(conns, counters, this::enqueue, maxIds, neighbours, localPortLow,
                localPortHigh);
        this.pollFds = arena.allocate(8L * sockets.length, 8);
        for (int i = 0; i < sockets.length; i++) {
            pollFds.set(JAVA_INT, 8L * i, sockets[i].fd());
            pollFds.set(JAVA_SHORT, 8L * i + 4, Libc.POLLIN);
        }
        this.pollCount = sockets.length;
    }

    /**
     * Set before {@link #run}: AF_XDP sockets this worker drives beside its packet sockets (the frames
     * the XDP program steers; a frame received there is sent there).
     */
    public void xdp(io.jlvs.io.xdp.XdpTransport transport) {
        this.xdp = transport;
        int[] fds = transport.fds();
        MemorySegment all = arena.allocate(8L * (sockets.length + fds.length), 8);
        MemorySegment.copy(pollFds, 0, all, 0, 8L * sockets.length);
        for (int i = 0; i < fds.length; i++) {
            all.set(JAVA_INT, 8L * (sockets.length + i), fds[i]);
            all.set(JAVA_SHORT, 8L * (sockets.length + i) + 4, Libc.POLLIN);
        }
        this.pollFds = all;
        this.pollCount = sockets.length + fds.length;
    }

    public String name() {
        return name;
    }

    /** Set before {@link #run}. */
    public void idleStrategy(IdleStrategy strategy) {
        this.idleStrategy = strategy;
    }

    /** Hands a new configuration to the worker; it switches at the start of its next cycle. */
    public void publish(DataplaneConfig config) {
        pending = config;
    }

    public void publish(ConnectionTimeouts timeouts) {
        pendingTimeouts = timeouts;
    }

    /** Connection states go to {@code ring} from now on (a master sync daemon), or nowhere (null). */
    public void syncTo(io.jlvs.sync.SyncRing ring) {
        pendingSyncRing = ring;
        syncRingChanged = true;
    }

    /** Queues connections a master sent for installation (a backup sync daemon; any thread). */
    public void install(io.jlvs.sync.SyncEntry entry) {
        syncInstalls.add(entry);
    }

    /** Asks the worker to send its whole table to the sync master daemon (a backup asked for it). */
    public void requestFullSync() {
        fullSyncRequested = true;
    }

    /** IPVS's sloppy_tcp for this worker's forwarder; call before the worker runs. */
    public void sloppyTcp(boolean on) {
        forwarder.sloppyTcp(on);
    }

    /** IPVS's expire_nodest_conn; before the worker runs. */
    public void expireNodestConn(boolean on) {
        forwarder.expireNodestConn(on);
    }

    /** Replaces the forwarder's SYN flood guard; before the worker runs. */
    public void synGuard(io.jlvs.forward.SynFloodGuard guard) {
        forwarder.synGuard(guard);
    }

    /** When the SYN proxy acts; before the worker runs. */
    public void synProxy(io.jlvs.forward.SynProxy.Mode mode) {
        forwarder.synProxy().mode(mode);
        forwarder.ipv6().synProxy().mode(mode);
    }

    public io.jlvs.forward.SynFloodGuard synGuard() {
        return forwarder.synGuard();
    }

    public WorkerCounters counters() {
        return counters;
    }

    public ConnectionTable connections() {
        return conns;
    }

    /** The IPv6 connection table (read racily by the control plane, as {@link #connections()}). */
    public io.jlvs.conn.ConnectionTable6 connections6() {
        return forwarder.ipv6().connections();
    }

    public void stop() {
        running = false;
    }

    private void enqueue(int ifindex, MemorySegment seg, long offset, int length) {
        if (xdp != null) {
            int r = xdp.send(ifindex, seg, offset, length);
            if (r != io.jlvs.io.xdp.XdpTransport.NOT_MINE) {
                if (r == io.jlvs.io.xdp.XdpTransport.DROPPED) {
                    counters.drop(DropReason.TX_FAILED);
                }
                return;
            }
        }
        TxBatch tx = ifindex < txByIfindex.length ? txByIfindex[ifindex] : null;
        if (tx == null) {
            counters.drop(DropReason.NO_ROUTE);
            return;
        }
        tx.add(seg.address() + offset, length);
    }

    private void flush() {
        for (int i = 0; i < txBatches.length; i++) {
            TxBatch tx = txBatches[i];
            if (tx.pending() > 0) {
                tx.flush();
            }
            // against what was counted last time: a full batch also flushes itself from add()
            counters.addTotal(WorkerCounters.TX_FRAMES, tx.sentFrames() - txSentCounted[i]);
            txSentCounted[i] = tx.sentFrames();
            for (long f = tx.failedFrames() - txFailedCounted[i]; f > 0; f--) {
                counters.drop(DropReason.TX_FAILED);
            }
            txFailedCounted[i] = tx.failedFrames();
        }
        if (xdp != null) {
            counters.addTotal(WorkerCounters.TX_FRAMES, xdp.flush());
        }
        forwarder.afterFlush();
    }

    private void onFrame(MemorySegment ring, long mac, int snapLen, int wireLen, PacketSocket from) {
        try {
            forwarder.process(ring, mac, snapLen, wireLen, from.ifindex(), nowMs);
        } catch (RuntimeException e) {
            // a worker never dies of a frame
            counters.drop(DropReason.INTERNAL_ERROR);
            if (loggedErrors++ < 10) {
                LOG.log(Logger.Level.ERROR, name + ": frame handling failed", e);
            }
        }
    }

    private void onXdpFrame(MemorySegment umem, long mac, int length, io.jlvs.io.xdp.XskSocket from) {
        try {
            forwarder.process(umem, mac, length, length, from.ifindex(), nowMs);
        } catch (RuntimeException e) {
            counters.drop(DropReason.INTERNAL_ERROR);
            if (loggedErrors++ < 10) {
                LOG.log(Logger.Level.ERROR, name + ": frame handling failed", e);
            }
        }
    }

    private final io.jlvs.io.xdp.XskSocket.RxHandler xdpHandler = this::onXdpFrame;
    private int loggedErrors;

    private long nowMs;
    private final PacketSocket.FrameHandler handler = this::onFrame;
    private final Runnable afterBlock = this::flush;

    /** One duty cycle; returns the number of frames handled. */
    public int doWork() {
        DataplaneConfig c = pending;
        if (c != null && c != forwarder.config()) {
            forwarder.apply(c);
        }
        if (syncRingChanged) {
            syncRingChanged = false;
            forwarder.syncTo(pendingSyncRing);
        }
        ConnectionTimeouts t = pendingTimeouts;
        if (t != null) {
            forwarder.timeouts(t);
            pendingTimeouts = null;
        }
        long nowNs = System.nanoTime();
        nowMs = nowNs / 1_000_000L;
        int frames = 0;
        for (PacketSocket s : sockets) {
            frames += s.poll(handler, afterBlock, 16);
        }
        if (xdp != null) {
            frames += xdp.poll(xdpHandler, 64);
            flush();
        }
        counters.addTotal(WorkerCounters.RX_FRAMES, frames);
        for (int i = 0; i < 4096; i++) {
            io.jlvs.sync.SyncEntry e = syncInstalls.poll();
            if (e == null) {
                break;
            }
            forwarder.install(e, nowMs);
        }
        if (fullSyncRequested) {
            fullSyncRequested = false;
            forwarder.syncAll();
        }
        if (nowNs - nextHousekeepingNs >= 0) {
            forwarder.housekeeping(nowMs);
            flush();
            nextHousekeepingNs = nowNs + HOUSEKEEPING_NS;
        }
        return frames;
    }

    @Override
    public void run() {
        LOG.log(Logger.Level.INFO, name + " started on " + sockets.length + " interface(s)");
        while (running) {
            try {
                if (backoff.idle(idleStrategy, doWork())) {
                    Libc.poll(pollFds, pollCount, idlePollMs);
                }
            } catch (RuntimeException | Error e) {
                // a worker never dies of a frame: log, count and go on
                LOG.log(Logger.Level.ERROR, name + ": unexpected error in duty cycle", e);
            }
        }
        LOG.log(Logger.Level.INFO, name + " stopped");
    }

    /** Frees the worker's native memory (after {@link #run} returned). */
    public void close() {
        for (TxBatch tx : txBatches) {
            tx.close();
        }
        forwarder.close();
        arena.close();
    }
}
