package io.jlvs.io.xdp;

import io.jlvs.io.linux.Libc;
import io.jlvs.io.linux.NativeException;
import io.jlvs.packet.VnetHeaderView;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * An AF_XDP socket bound to one receive queue of one interface, with its own UMEM.
 *
 * <pre>
 *  UMEM (frameCount chunks of FRAME_BYTES, one anonymous mapping, registered with XDP_UMEM_REG)
 *  chunk: | XDP_UMEM headroom (VNET+HEADROOM) | XDP_PACKET_HEADROOM (256, kernel) | Ethernet frame … |
 *                                                                                ^ RX desc addr
 *
 *   user ──fill ring (u64 addr)──────────► kernel  free chunks the kernel may receive into
 *   user ◄──RX ring (xdp_desc)──────────── kernel  received frames
 *   user ──TX ring (xdp_desc)────────────► kernel  frames to send (then sendto() if it needs a kick)
 *   user ◄──completion ring (u64 addr)──── kernel  sent chunks, free again
 * </pre>
 *
 * Chunks not owned by the kernel sit on a free stack. A received frame is handed to the caller in
 * place ({@link RxHandler}); while the handler runs, {@link #transmit} can send that very chunk
 * (forwarding without a copy: it then comes back through the completion ring); any other frame is
 * copied into a free chunk. A chunk the handler did not send goes straight back to the free stack.
 * Nothing here allocates per frame.
 *
 * <p>The handler sees a zeroed virtio_net_hdr written in the {@code vnetBytes} in front of the
 * frame, so code written for {@code PACKET_VNET_HDR} sockets runs unchanged; {@link #transmit}
 * takes the frame with that header in front and strips it. AF_XDP carries no offload metadata:
 * frames are at most one MTU (the kernel segments nothing for it).
 */
public final class XskSocket implements AutoCloseable {
    public static final int FRAME_BYTES = 4096;

    // setsockopt(SOL_XDP) names and bind flags (include/uapi/linux/if_xdp.h)
    static final int XDP_MMAP_OFFSETS = 1;
    static final int XDP_RX_RING = 2;
    static final int XDP_TX_RING = 3;
    static final int XDP_UMEM_REG = 4;
    static final int XDP_UMEM_FILL_RING = 5;
    static final int XDP_UMEM_COMPLETION_RING = 6;
    static final int XDP_STATISTICS = 7;
    static final int XDP_OPTIONS = 8;
    public static final int XDP_COPY = 2;
    public static final int XDP_ZEROCOPY = 4;
    public static final int XDP_USE_NEED_WAKEUP = 8;
    static final long PGOFF_RX = 0L;
    static final long PGOFF_TX = 0x80000000L;
    static final long PGOFF_FILL = 0x100000000L;
    static final long PGOFF_COMPLETION = 0x180000000L;
    private static final int MAP_PRIVATE = 2;
    private static final int MAP_ANONYMOUS = 0x20;
    private static final int MAP_POPULATE = 0x8000;
    private static final int DESC_BYTES = 16;
    private static final int ADDR_BYTES = 8;
    /** Kicks per flush at most: 64 × 32 frames covers a full TX ring. */
    private static final int MAX_KICKS = 64;

    /** Receives one frame: {@code frameOffset} is where its Ethernet header starts in {@code umem}. */
    @FunctionalInterface
    public interface RxHandler {
        void onFrame(MemorySegment umem, long frameOffset, int length, XskSocket from);
    }

    private final int fd;
    private final int ifindex;
    private final int queueId;
    private final int vnetBytes;
    private final boolean zeroCopy;
    private final MemorySegment umem;
    private final int frameCount;
    private final XskRing fill;
    private final XskRing completion;
    private final XskRing rx;
    private final XskRing tx;
    private final int[] freeChunks;
    private int freeCount;
    private final int txReserve;
    private long currentRxChunk = -1;
    private boolean currentRxSent;
    private int txPending;
    private long rxFrames;
    private long txFrames;
    private long txNoChunk;
    private long txTooLong;
    private long kicks;

    /**
     * @param headroomBytes XDP_UMEM headroom: bytes the caller may grow a frame by, plus {@code vnetBytes}
     * @param vnetBytes     zeroed bytes written in front of every received frame (0 for none)
     * @param bindFlags     XDP_COPY or XDP_ZEROCOPY, with XDP_USE_NEED_WAKEUP
     */
    public XskSocket(int ifindex, int queueId, int frameCount, int ringSize, int headroomBytes, int vnetBytes,
                     int bindFlags) {
        this.ifindex = ifindex;
        this.queueId = queueId;
        this.vnetBytes = vnetBytes;
        this.frameCount = frameCount;
        this.zeroCopy = (bindFlags & XDP_ZEROCOPY) != 0;
        this.fd = (int) Libc.check("socket(AF_XDP)", Libc.socket(Libc.AF_XDP, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, 0));
        MemorySegment mem = null;
        XskRing[] rings = new XskRing[4];
        try {
            long umemBytes = (long) frameCount * FRAME_BYTES;
            mem = Libc.mmap(umemBytes, Libc.PROT_READ | Libc.PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
                    -1, 0);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment reg = arena.allocate(32, 8); // struct xdp_umem_reg
                reg.set(JAVA_LONG, 0, mem.address());
                reg.set(JAVA_LONG, 8, umemBytes);
                reg.set(JAVA_INT, 16, FRAME_BYTES);
                reg.set(JAVA_INT, 20, headroomBytes);
                check("XDP_UMEM_REG", Libc.setsockopt(fd, Libc.SOL_XDP, XDP_UMEM_REG, reg, 32));
                setInt(XDP_UMEM_FILL_RING, ringSize);
                setInt(XDP_UMEM_COMPLETION_RING, ringSize);
                setInt(XDP_RX_RING, ringSize);
                setInt(XDP_TX_RING, ringSize);
                MemorySegment off = arena.allocate(128, 8); // struct xdp_mmap_offsets: rx, tx, fr, cr
                MemorySegment len = arena.allocateFrom(JAVA_INT, 128);
                check("XDP_MMAP_OFFSETS", Libc.getsockopt(fd, Libc.SOL_XDP, XDP_MMAP_OFFSETS, off, len));
                rings[0] = map(off, 0, ringSize, DESC_BYTES, PGOFF_RX);
                rings[1] = map(off, 32, ringSize, DESC_BYTES, PGOFF_TX);
                rings[2] = map(off, 64, ringSize, ADDR_BYTES, PGOFF_FILL);
                rings[3] = map(off, 96, ringSize, ADDR_BYTES, PGOFF_COMPLETION);
                MemorySegment sxdp = arena.allocate(16, 4); // struct sockaddr_xdp
                sxdp.set(JAVA_SHORT, 0, (short) Libc.AF_XDP);
                sxdp.set(JAVA_SHORT, 2, (short) bindFlags);
                sxdp.set(JAVA_INT, 4, ifindex);
                sxdp.set(JAVA_INT, 8, queueId);
                // the fill ring must hold chunks before bind, or the first frames find none
                this.umem = mem;
                this.rx = rings[0];
                this.tx = rings[1];
                this.fill = rings[2];
                this.completion = rings[3];
                this.freeChunks = new int[frameCount];
                for (int i = frameCount - 1; i >= 0; i--) {
                    freeChunks[freeCount++] = i;
                }
                this.txReserve = Math.min(frameCount / 4, ringSize);
                refill();
                check("bind(AF_XDP): ifindex=" + ifindex + ", queue=" + queueId + ", flags=" + bindFlags,
                        Libc.bind(fd, sxdp, 16));
            }
        } catch (RuntimeException e) {
            for (XskRing r : rings) {
                if (r != null) {
                    Libc.munmap(r.map, r.map.byteSize());
                }
            }
            if (mem != null) {
                Libc.munmap(mem, mem.byteSize());
            }
            Libc.close(fd);
            throw e;
        }
    }

    private void setInt(int name, int value) {
        try (Arena arena = Arena.ofConfined()) {
            check("setsockopt(SOL_XDP, " + name + ")",
                    Libc.setsockopt(fd, Libc.SOL_XDP, name, arena.allocateFrom(JAVA_INT, value), 4));
        }
    }

    private static void check(String what, long r) {
        Libc.check(what, r);
    }

    private XskRing map(MemorySegment off, long at, int size, int entryBytes, long pgoff) {
        long producer = off.get(JAVA_LONG, at);
        long consumer = off.get(JAVA_LONG, at + 8);
        long desc = off.get(JAVA_LONG, at + 16);
        long flags = off.get(JAVA_LONG, at + 24);
        MemorySegment m = Libc.mmap(desc + (long) size * entryBytes, Libc.PROT_READ | Libc.PROT_WRITE,
                Libc.MAP_SHARED | MAP_POPULATE, fd, pgoff);
        return new XskRing(m, producer, consumer, desc, flags, size);
    }

    public int fd() {
        return fd;
    }

    public int ifindex() {
        return ifindex;
    }

    public int queueId() {
        return queueId;
    }

    public boolean zeroCopy() {
        return zeroCopy;
    }

    public MemorySegment umem() {
        return umem;
    }

    /** Whether {@code seg} is this socket's UMEM (a frame received here). */
    public boolean owns(MemorySegment seg) {
        return seg.address() == umem.address();
    }

    /** Gives free chunks to the kernel (fill ring), keeping a reserve for transmit copies. */
    private void refill() {
        int n = fill.freeToProduce(Math.max(0, freeCount - txReserve));
        for (int i = 0; i < n; i++) {
            long addr = (long) freeChunks[--freeCount] * FRAME_BYTES;
            fill.map.set(JAVA_LONG, fill.entry(fill.local + i, ADDR_BYTES), addr);
        }
        if (n > 0) {
            fill.produce(n);
        }
    }

    /** Takes back the chunks the kernel has sent. */
    private void reapCompletions() {
        int n = completion.readyToConsume(completion.size);
        for (int i = 0; i < n; i++) {
            long addr = completion.map.get(JAVA_LONG, completion.entry(completion.local + i, ADDR_BYTES));
            freeChunks[freeCount++] = (int) (addr / FRAME_BYTES);
        }
        if (n > 0) {
            completion.release(n);
        }
    }

    /**
     * Hands up to {@code maxFrames} received frames to {@code handler}, then returns unsent chunks and
     * refills the fill ring.
     *
     * @return frames handled
     */
    public int poll(RxHandler handler, int maxFrames) {
        reapCompletions();
        int n = rx.readyToConsume(maxFrames);
        for (int i = 0; i < n; i++) {
            long d = rx.entry(rx.local + i, DESC_BYTES);
            long addr = rx.map.get(JAVA_LONG, d);
            int length = rx.map.get(JAVA_INT, d + 8);
            long chunk = addr / FRAME_BYTES;
            for (long z = addr - vnetBytes; z < addr; z++) {
                umem.set(JAVA_BYTE, z, (byte) 0); // a zeroed virtio_net_hdr (no slice: nothing allocated)
            }
            if (vnetBytes >= VnetHeaderView.LENGTH) {
                PartialChecksum.markIfPartial(umem, addr, length, addr - VnetHeaderView.LENGTH);
            }
            currentRxChunk = chunk;
            currentRxSent = false;
            try {
                handler.onFrame(umem, addr, length, this);
            } finally {
                if (!currentRxSent) {
                    freeChunks[freeCount++] = (int) chunk;
                }
                currentRxChunk = -1;
            }
        }
        if (n > 0) {
            rx.release(n);
            rxFrames += n;
        }
        refill();
        return n;
    }

    /**
     * Queues a frame for sending; {@code offset} points at the {@code vnetBytes} header in front of
     * it, {@code length} includes that header. The frame being handled is sent in place; anything
     * else is copied into a free chunk.
     *
     * @return false when no chunk or TX slot was free, or the frame is too long (counted)
     */
    public boolean transmit(MemorySegment seg, long offset, int length) {
        long frame = offset + vnetBytes;
        int frameLength = length - vnetBytes;
        if (vnetBytes >= VnetHeaderView.LENGTH) {
            PartialChecksum.complete(seg, frame - VnetHeaderView.LENGTH, frameLength); // an XSK sends no offload
        }
        long addr;
        if (owns(seg) && frame / FRAME_BYTES == currentRxChunk && !currentRxSent
                && (frame % FRAME_BYTES) + frameLength <= FRAME_BYTES) {
            if (tx.freeToProduce(1) == 0) {
                txNoChunk++;
                return false;
            }
            currentRxSent = true;
            addr = frame;
        } else {
            if (frameLength > FRAME_BYTES) {
                txTooLong++;
                return false;
            }
            if (freeCount == 0) {
                reapCompletions();
            }
            if (freeCount == 0 || tx.freeToProduce(1) == 0) {
                txNoChunk++;
                return false;
            }
            addr = (long) freeChunks[--freeCount] * FRAME_BYTES;
            MemorySegment.copy(seg, frame, umem, addr, frameLength);
        }
        long d = tx.entry(tx.local, DESC_BYTES);
        tx.map.set(JAVA_LONG, d, addr);
        tx.map.set(JAVA_INT, d + 8, frameLength);
        tx.map.set(JAVA_INT, d + 12, 0);
        tx.produce(1);
        txPending++;
        return true;
    }

    /** Kicks the kernel to send what {@link #transmit} queued (a syscall only when the ring asks for one). */
    public void flush() {
        if (txPending == 0) {
            return;
        }
        txFrames += txPending;
        txPending = 0;
        if (!zeroCopy || tx.needsWakeup()) {
            // copy mode sends at most 32 frames per kick (the kernel's TX_BATCH_SIZE) and answers EAGAIN
            // while more wait: kick again, or they would sit in the ring until the next flush
            for (int k = 0; k < MAX_KICKS; k++) {
                kicks++;
                long r = Libc.sendto(fd, MemorySegment.NULL, 0, Libc.MSG_DONTWAIT, MemorySegment.NULL, 0);
                if (r == -Libc.EAGAIN) {
                    continue;
                }
                // EBUSY/ENOBUFS: the device is busy; the next flush kicks again
                if (r < 0 && r != -Libc.EBUSY && r != -Libc.ENOBUFS && r != -Libc.ENETDOWN) {
                    throw new NativeException("sendto(AF_XDP kick): ifindex=" + ifindex + ", queue=" + queueId,
                            (int) -r);
                }
                break;
            }
        }
        reapCompletions();
    }

    public long rxFrames() {
        return rxFrames;
    }

    public long txFrames() {
        return txFrames;
    }

    /** Frames not sent for want of a free chunk or TX slot. */
    public long txNoChunk() {
        return txNoChunk;
    }

    public long txTooLong() {
        return txTooLong;
    }

    public long kicks() {
        return kicks;
    }

    public int freeChunks() {
        return freeCount;
    }

    public int frameCount() {
        return frameCount;
    }

    /**
     * The kernel's counters (XDP_STATISTICS): rx_dropped, rx_invalid_descs, tx_invalid_descs, rx_ring_full,
     * rx_fill_ring_empty_descs, tx_ring_empty_descs. Control plane only.
     */
    public long[] kernelStatistics() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(48, 8);
            MemorySegment len = arena.allocateFrom(JAVA_INT, 48);
            if (Libc.getsockopt(fd, Libc.SOL_XDP, XDP_STATISTICS, s, len) < 0) {
                return new long[6];
            }
            long[] out = new long[6];
            for (int i = 0; i < 6; i++) {
                out[i] = s.get(JAVA_LONG, 8L * i);
            }
            return out;
        }
    }

    @Override
    public void close() {
        Libc.close(fd);
        for (XskRing r : new XskRing[] {rx, tx, fill, completion}) {
            Libc.munmap(r.map, r.map.byteSize());
        }
        Libc.munmap(umem, umem.byteSize());
    }
}
