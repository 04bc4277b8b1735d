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
    private io.jlvs.io.xdp.XskQueues xdp;
    // several workers on AF_XDP: who owns a frame's flow (the fanout program), and the hand-over rings
    private int index;
    private int workerCount = 1;
    private Handoff[] outbox;
    private Handoff[] inbox;
    private int wakeFd = -1;
    private Worker[] peers;
    private boolean[] handedTo;
    private boolean handedAny;
    private MemorySegment wakeValue;
    private volatile boolean sleeping;
    private volatile io.jlvs.io.linux.ClassicBpf pendingFanout;
    private io.jlvs.io.linux.ClassicBpf fanout;
    private final int[] bpfScratch = new int[16];
    private boolean handlingHandoff;
    private long handedOff;        // read racily by status, as the counters
    private long handoffsReceived;
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
    public void xdp(io.jlvs.io.xdp.XskQueues queues) {
        this.xdp = queues;
        addPollFds(queues.fds());
    }

    /**
     * Set before {@link #run}, with several workers on AF_XDP: this worker is {@code peers[index]}; a frame
     * received on its AF_XDP sockets whose flow another worker owns (by the fanout program, {@link #fanout})
     * goes to {@code outbox[owner]}, and {@code inbox[w]} holds what worker w hands to it. An idle worker
     * sleeps in poll(2) on an eventfd too, which a worker that handed it frames writes.
     */
    public void handoff(int index, Worker[] peers, Handoff[] outbox, Handoff[] inbox) {
        this.index = index;
        this.workerCount = peers.length;
        this.peers = peers;
        this.outbox = outbox;
        this.inbox = inbox;
        this.handedTo = new boolean[peers.length];
        this.wakeFd = (int) Libc.check("eventfd", Libc.eventfd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC));
        this.wakeValue = arena.allocate(8, 8);
        addPollFds(new int[] {wakeFd});
    }

    /** The fanout program of the AF_PACKET group, to find a frame's owner as the kernel does (control thread). */
    public void fanout(io.jlvs.io.linux.ClassicBpf program) {
        pendingFanout = program;
    }

    /** Frames this worker handed to others, and received from them. */
    public long handedOff() {
        return handedOff;
    }

    public long handoffsReceived() {
        return handoffsReceived;
    }

    private void addPollFds(int[] fds) {
        MemorySegment all = arena.allocate(8L * (pollCount + fds.length), 8);
        MemorySegment.copy(pollFds, 0, all, 0, 8L * pollCount);
        for (int i = 0; i < fds.length; i++) {
            all.set(JAVA_INT, 8L * (pollCount + i), fds[i]);
            all.set(JAVA_SHORT, 8L * (pollCount + i) + 4, Libc.POLLIN);
        }
        this.pollFds = all;
        this.pollCount += fds.length;
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
            int r = xdp.send(ifindex, seg, offset, length, handlingHandoff);
            if (r != io.jlvs.io.xdp.XskQueues.NOT_MINE) {
                if (r == io.jlvs.io.xdp.XskQueues.DROPPED) {
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
        if (outbox != null) {
            wakePeers();
        }
        forwarder.afterFlush();
    }

    /**
     * Wakes, once per batch, an owner handed frames in this batch that sleeps in poll(2). The fence orders
     * the rings' release stores before the flag loads (the owner raises its flag, then looks at the rings).
     */
    private void wakePeers() {
        if (!handedAny) {
            return;
        }
        handedAny = false;
        java.lang.invoke.VarHandle.fullFence();
        for (int w = 0; w < handedTo.length; w++) {
            if (handedTo[w]) {
                handedTo[w] = false;
                if (peers[w].sleeping) {
                    Libc.eventfdWrite(peers[w].wakeFd, 1);
                }
            }
        }
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
            if (fanout != null) {
                int owner = Integer.remainderUnsigned(fanout.run(umem, mac, length, 0, bpfScratch), workerCount);
                if (owner != index) {
                    handOff(owner, umem, mac, length, from.ifindex());
                    return;
                }
            }
            forwarder.process(umem, mac, length, length, from.ifindex(), nowMs);
        } catch (RuntimeException e) {
            counters.drop(DropReason.INTERNAL_ERROR);
            if (loggedErrors++ < 10) {
                LOG.log(Logger.Level.ERROR, name + ": frame handling failed", e);
            }
        }
    }

    private void handOff(int owner, MemorySegment umem, long mac, int length, int ifindex) {
        if (outbox[owner].offer(umem, mac, length, ifindex)) {
            handedOff++;
            handedTo[owner] = true;
            handedAny = true;
        } else {
            counters.drop(DropReason.HANDOFF_FULL);
        }
    }

    private void onHandoff(MemorySegment slots, long mac, int length, int ifindex) {
        handlingHandoff = true;
        try {
            forwarder.process(slots, mac, length, length, ifindex, nowMs);
        } catch (RuntimeException e) {
            counters.drop(DropReason.INTERNAL_ERROR);
            if (loggedErrors++ < 10) {
                LOG.log(Logger.Level.ERROR, name + ": frame handling failed", e);
            }
        } finally {
            handlingHandoff = false;
        }
    }

    private final io.jlvs.io.xdp.XskSocket.RxHandler xdpHandler = this::onXdpFrame;
    private final Handoff.FrameHandler handoffHandler = this::onHandoff;
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
        io.jlvs.io.linux.ClassicBpf f = pendingFanout;
        if (f != fanout && outbox != null) {
            fanout = f;
        }
        if (xdp != null) {
            frames += xdp.poll(xdpHandler, 64);
            int handed = 0;
            if (inbox != null) {
                for (Handoff h : inbox) {
                    if (h != null) {
                        handed += h.poll(handoffHandler, 64);
                    }
                }
                handoffsReceived += handed;
                frames += handed;
            }
            flush();
            if (handed > 0) {
                for (Handoff h : inbox) {
                    if (h != null) {
                        h.release(); // after the flush: a sendmmsg batch may point into the slots until then
                    }
                }
            }
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
                    sleep();
                }
            } catch (RuntimeException | Error e) {
                // a worker never dies of a frame: log, count and go on
                LOG.log(Logger.Level.ERROR, name + ": unexpected error in duty cycle", e);
            }
        }
        LOG.log(Logger.Level.INFO, name + " stopped");
    }

    /**
     * Blocks in poll(2) until a frame, a hand-over or the idle timeout. With hand-over rings the flag is
     * raised first and the rings looked at again, so a frame handed over just before is never left waiting
     * for the timeout: a producer either sees the flag (and writes the eventfd) or its frame is seen here.
     */
    private void sleep() {
        if (inbox == null) {
            Libc.poll(pollFds, pollCount, idlePollMs);
            return;
        }
        sleeping = true;
        try {
            for (Handoff h : inbox) {
                if (h != null && h.hasFrames()) {
                    return;
                }
            }
            if (Libc.poll(pollFds, pollCount, idlePollMs) > 0) {
                Libc.eventfdRead(wakeFd, wakeValue); // clears the counter (EAGAIN when it was not the waker)
            }
        } finally {
            sleeping = false;
        }
    }

    /** Frees the worker's native memory (after {@link #run} returned). */
    public void close() {
        if (wakeFd >= 0) {
            Libc.close(wakeFd);
        }
        for (TxBatch tx : txBatches) {
            tx.close();
        }
        forwarder.close();
        arena.close();
    }
}
