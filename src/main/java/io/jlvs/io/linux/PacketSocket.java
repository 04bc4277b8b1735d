package io.jlvs.io.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * An AF_PACKET socket bound to one interface for {@code ETH_P_ALL}, with a TPACKET_V3 (or V2) receive ring,
 * {@code PACKET_VNET_HDR} (so GSO super-frames and partial checksums survive forwarding: the kernel
 * segments on send) and a classic-BPF filter that lets through only what jlvs serves.
 *
 * <p>An {@code ETH_P_ALL} socket sees a frame before the kernel's ingress hooks, so an nftables
 * netdev-ingress guard can keep the kernel from also handling it (see {@code NftGuard}).
 *
 * <p>Receive ring layout: {@code blockCount} blocks of {@code blockSize} bytes; each block:
 * <pre>
 *  block  +0  u32 version            +4  u32 offset_to_priv
 *         +8  u32 block_status       +12 u32 num_pkts
 *         +16 u32 offset_to_first_pkt +20 u32 blk_len
 *         +24 u64 seq_num            +32 ts_first, +40 ts_last
 *  frame  +0  u32 tp_next_offset     +4  u32 tp_sec     +8 u32 tp_nsec
 *         +12 u32 tp_snaplen         +16 u32 tp_len     +20 u32 tp_status
 *         +24 u16 tp_mac             +26 u16 tp_net     +28 u32 rxhash ...
 *         +48 struct sockaddr_ll (sll_pkttype at +58)
 *         tp_mac-10: struct virtio_net_hdr, tp_mac: the Ethernet frame
 * </pre>
 * TPACKET_V3 hands frames over a block at a time: the kernel retires a block when it is full or
 * when {@code blockTimeoutMs} expires, rounded up to the kernel's timer tick (4 ms at HZ=250). That
 * batches well under load but adds that much latency to every request/response at light load.
 * {@link RingVersion#V2} hands over each frame as it lands (one slot per frame, sized for a 64 KiB
 * GSO frame, so it needs more memory):
 * <pre>
 *  V2 slot +0 u32 tp_status +4 u32 tp_len +8 u32 tp_snaplen +12 u16 tp_mac +14 u16 tp_net
 *          +16 u32 tp_sec +20 u32 tp_nsec +24 u16 vlan_tci +26 u16 vlan_tpid
 *          +32 struct sockaddr_ll (sll_pkttype at +42)
 * </pre>
 */
public final class PacketSocket implements AutoCloseable {
    public static final int VNET_HDR_LEN = 10;
    /** Bytes reserved in front of each frame in the ring (PACKET_RESERVE); see io.jlvs.forward.Frame. */
    public static final int HEADROOM = 64;
    public static final int TP_STATUS_KERNEL = 0;
    public static final int TP_STATUS_USER = 1;

    static final int BD_STATUS = 8;
    static final int BD_NUM_PKTS = 12;
    static final int BD_FIRST = 16;
    static final int TP_NEXT = 0;
    static final int TP_SNAPLEN = 12;
    static final int TP_LEN = 16;
    static final int TP_STATUS = 20;
    static final int TP_MAC = 24;
    static final int TP_PKTTYPE = 58;

    /** Which TPACKET ring layout receives frames. */
    public enum RingVersion { V2, V3 }

    static final int V2_STATUS = 0;
    static final int V2_LEN = 4;
    static final int V2_SNAPLEN = 8;
    static final int V2_MAC = 12;
    static final int V2_PKTTYPE = 42;
    private static final int V2_BATCH = 64;

    private final RingVersion version;
    private final int fd;
    private final int ifindex;
    private final int blockSize;
    private final int blockCount;
    private final MemorySegment ring;
    private int nextBlock;

    /**
     * @param ifindex          interface to bind to
     * @param blockSize        ring block size (power of two, bigger than a 64 KiB GSO frame)
     * @param blockCount       number of blocks
     * @param blockTimeoutMs   how long the kernel may hold a partly filled block before handing it over
     * @param filter           classic BPF program (8-byte {@code sock_filter} entries) attached before bind
     */
    public PacketSocket(int ifindex, int blockSize, int blockCount, int blockTimeoutMs, MemorySegment filter) {
        this(RingVersion.V3, ifindex, blockSize, blockCount, blockTimeoutMs, filter);
    }

    /**
     * @param version  ring layout; for V2 every block holds one frame slot of {@code blockSize} bytes
     */
    public PacketSocket(RingVersion version, int ifindex, int blockSize, int blockCount, int blockTimeoutMs,
                        MemorySegment filter) {
        this.version = version;
        this.ifindex = ifindex;
        this.blockSize = blockSize;
        this.blockCount = blockCount;
        // protocol 0: the socket receives nothing until bind, so no frame passes unfiltered
        this.fd = (int) Libc.check("socket(AF_PACKET)",
                Libc.socket(Libc.AF_PACKET, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC | Libc.SOCK_NONBLOCK, 0));
        MemorySegment mapped = null;
        try {
            Libc.check("PACKET_VNET_HDR", Libc.setsockoptInt(fd, Libc.SOL_PACKET, Libc.PACKET_VNET_HDR, 1));
            Libc.check("PACKET_VERSION", Libc.setsockoptInt(fd, Libc.SOL_PACKET, Libc.PACKET_VERSION,
                    version == RingVersion.V3 ? Libc.TPACKET_V3 : Libc.TPACKET_V2));
            // headroom in front of every frame, so TUN/TOA can prepend headers in place
            Libc.check("PACKET_RESERVE", Libc.setsockoptInt(fd, Libc.SOL_PACKET, Libc.PACKET_RESERVE, HEADROOM));
            if (version == RingVersion.V2) {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment req = arena.allocate(4 * 4L);
                    req.set(JAVA_INT, 0, blockSize);
                    req.set(JAVA_INT, 4, blockCount);
                    req.set(JAVA_INT, 8, blockSize);
                    req.set(JAVA_INT, 12, blockCount);
                    Libc.check("PACKET_RX_RING", Libc.setsockopt(fd, Libc.SOL_PACKET, Libc.PACKET_RX_RING, req, 16));
                }
            } else try (Arena arena = Arena.ofConfined()) {
                MemorySegment req = arena.allocate(7 * 4L);
                int frameSize = 2048;
                req.set(JAVA_INT, 0, blockSize);
                req.set(JAVA_INT, 4, blockCount);
                req.set(JAVA_INT, 8, frameSize);
                req.set(JAVA_INT, 12, blockCount * (blockSize / frameSize));
                req.set(JAVA_INT, 16, blockTimeoutMs);
                req.set(JAVA_INT, 20, 0);
                req.set(JAVA_INT, 24, 0);
                Libc.check("PACKET_RX_RING", Libc.setsockopt(fd, Libc.SOL_PACKET, Libc.PACKET_RX_RING, req, 28));
            }
            long ringBytes = (long) blockSize * blockCount;
            mapped = Libc.mmap(ringBytes, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, fd, 0);
            attachFilter(filter);
            Libc.setsockoptInt(fd, Libc.SOL_SOCKET, Libc.SO_SNDBUFFORCE, 4 << 20);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment sll = arena.allocate(20);
                sll.set(JAVA_SHORT, 0, (short) Libc.AF_PACKET);
                sll.set(JAVA_SHORT, 2, Short.reverseBytes((short) Libc.ETH_P_ALL));
                sll.set(JAVA_INT, 4, ifindex);
                Libc.check("bind(AF_PACKET, ifindex=" + ifindex + ")", Libc.bind(fd, sll, 20));
            }
        } catch (RuntimeException e) {
            if (mapped != null) {
                Libc.munmap(mapped, mapped.byteSize());
            }
            Libc.close(fd);
            throw e;
        }
        this.ring = mapped;
    }

    /** Replaces the socket filter atomically (the kernel swaps it under the socket lock). */
    public void attachFilter(MemorySegment filter) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment prog = arena.allocate(16);
            prog.set(JAVA_SHORT, 0, (short) (filter.byteSize() / 8));
            prog.set(JAVA_LONG, 8, filter.address());
            Libc.check("SO_ATTACH_FILTER", Libc.setsockopt(fd, Libc.SOL_SOCKET, Libc.SO_ATTACH_FILTER, prog, 16));
        }
    }

    /**
     * Creates a {@code PACKET_FANOUT_CBPF} group on this socket's interface, with an id the kernel picks
     * ({@code UNIQUEID}; 0 is a valid id), and makes this socket its first member. In such a group each
     * frame reaches exactly one member: the one whose index (join order) the group's program returns,
     * modulo the member count. Frames the host sends are not fanned out at all ({@code IGNORE_OUTGOING};
     * jlvs refuses them anyway).
     *
     * @return the group's id, for {@link #joinFanout}
     */
    public int createFanout() {
        setFanout(0, Libc.PACKET_FANOUT_FLAG_UNIQUEID);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(4);
            MemorySegment len = arena.allocate(4);
            len.set(JAVA_INT, 0, 4);
            Libc.check("getsockopt(PACKET_FANOUT)", Libc.getsockopt(fd, Libc.SOL_PACKET, Libc.PACKET_FANOUT, value, len));
            return value.get(JAVA_INT, 0) & 0xffff;
        }
    }

    /** Joins the group {@link #createFanout} made on another socket of the same interface. */
    public void joinFanout(int groupId) {
        setFanout(groupId, 0);
    }

    private void setFanout(int groupId, int extraFlags) {
        int typeFlags = Libc.PACKET_FANOUT_CBPF | Libc.PACKET_FANOUT_FLAG_IGNORE_OUTGOING | extraFlags;
        Libc.check("PACKET_FANOUT", Libc.setsockoptInt(fd, Libc.SOL_PACKET, Libc.PACKET_FANOUT,
                (groupId & 0xffff) | (typeFlags << 16)));
    }

    /** Replaces the fanout group's steering program (classic BPF returning a member index); applies to the whole group. */
    public void fanoutProgram(MemorySegment program) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment prog = arena.allocate(16);
            prog.set(JAVA_SHORT, 0, (short) (program.byteSize() / 8));
            prog.set(JAVA_LONG, 8, program.address());
            Libc.check("PACKET_FANOUT_DATA", Libc.setsockopt(fd, Libc.SOL_PACKET, Libc.PACKET_FANOUT_DATA, prog, 16));
        }
    }

    private long ringDrops;
    private long ringPackets;

    /**
     * Frames the kernel could not put in this socket's ring (it was full: the worker fell behind), since the
     * socket opened; {@code PACKET_STATISTICS} ({@code struct tpacket_stats}: packets, drops), which the kernel
     * resets on every read, so the counts are kept here. Any thread; it takes the socket's lock.
     */
    public synchronized long ringDrops() {
        readStatistics();
        return ringDrops;
    }

    /** Frames the kernel delivered to this socket's ring (including the dropped ones), since it opened. */
    public synchronized long ringPackets() {
        readStatistics();
        return ringPackets;
    }

    private void readStatistics() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment stats = arena.allocate(12); // tpacket_stats_v3 is the larger: packets, drops, freeze count
            MemorySegment len = arena.allocateFrom(JAVA_INT, 12);
            if (Libc.getsockopt(fd, Libc.SOL_PACKET, Libc.PACKET_STATISTICS, stats, len) == 0) {
                ringPackets += Integer.toUnsignedLong(stats.get(JAVA_INT, 0));
                ringDrops += Integer.toUnsignedLong(stats.get(JAVA_INT, 4));
            }
        }
    }

    public int fd() {
        return fd;
    }

    public int ifindex() {
        return ifindex;
    }

    /** The whole ring; frame offsets handed to {@link FrameHandler} are relative to it. */
    public MemorySegment ring() {
        return ring;
    }

    /**
     * Visits every frame of every block the kernel has handed over, then calls {@code afterBlock}
     * (the caller flushes transmit queues that point into the block) and returns the block to the
     * kernel. Frames the host itself sent ({@code PACKET_OUTGOING}) are skipped.
     *
     * @return number of frames visited
     */
    public int poll(FrameHandler handler, Runnable afterBlock, int maxBlocks) {
        if (version == RingVersion.V2) {
            return pollV2(handler, afterBlock, maxBlocks * V2_BATCH);
        }
        int frames = 0;
        for (int b = 0; b < maxBlocks; b++) {
            long block = (long) nextBlock * blockSize;
            int status = ring.get(JAVA_INT, block + BD_STATUS);
            if ((status & TP_STATUS_USER) == 0) {
                break;
            }
            java.lang.invoke.VarHandle.acquireFence();
            int n = ring.get(JAVA_INT, block + BD_NUM_PKTS);
            long frame = block + Integer.toUnsignedLong(ring.get(JAVA_INT, block + BD_FIRST));
            for (int i = 0; i < n; i++) {
                int snaplen = ring.get(JAVA_INT, frame + TP_SNAPLEN);
                int wireLen = ring.get(JAVA_INT, frame + TP_LEN);
                int mac = Short.toUnsignedInt(ring.get(JAVA_SHORT, frame + TP_MAC));
                int pkttype = Byte.toUnsignedInt(ring.get(JAVA_BYTE, frame + TP_PKTTYPE));
                if (pkttype != 4) { // PACKET_OUTGOING
                    handler.onFrame(ring, frame + mac, snaplen, wireLen, this);
                }
                frames++;
                int next = ring.get(JAVA_INT, frame + TP_NEXT);
                if (next == 0) {
                    break;
                }
                frame += Integer.toUnsignedLong(next);
            }
            afterBlock.run();
            java.lang.invoke.VarHandle.releaseFence();
            ring.set(JAVA_INT, block + BD_STATUS, TP_STATUS_KERNEL);
            nextBlock = (nextBlock + 1) % blockCount;
        }
        return frames;
    }

    /**
     * V2: frames are handed over one slot at a time. Up to {@link #V2_BATCH} slots are handled, then
     * {@code afterBatch} flushes the transmit queues (which point into those slots) and only then are the
     * slots given back.
     */
    private int pollV2(FrameHandler handler, Runnable afterBatch, int maxFrames) {
        int frames = 0;
        while (frames < maxFrames) {
            int first = nextBlock;
            int batch = 0;
            while (batch < V2_BATCH) {
                long slot = (long) nextBlock * blockSize;
                if ((ring.get(JAVA_INT, slot + V2_STATUS) & TP_STATUS_USER) == 0) {
                    break;
                }
                java.lang.invoke.VarHandle.acquireFence();
                int snaplen = ring.get(JAVA_INT, slot + V2_SNAPLEN);
                int wireLen = ring.get(JAVA_INT, slot + V2_LEN);
                int mac = Short.toUnsignedInt(ring.get(JAVA_SHORT, slot + V2_MAC));
                int pkttype = Byte.toUnsignedInt(ring.get(JAVA_BYTE, slot + V2_PKTTYPE));
                if (pkttype != 4) { // PACKET_OUTGOING
                    handler.onFrame(ring, slot + mac, snaplen, wireLen, this);
                }
                batch++;
                nextBlock = (nextBlock + 1) % blockCount;
            }
            if (batch == 0) {
                break;
            }
            afterBatch.run();
            java.lang.invoke.VarHandle.releaseFence();
            for (int i = 0, b = first; i < batch; i++, b = (b + 1) % blockCount) {
                ring.set(JAVA_INT, (long) b * blockSize + V2_STATUS, TP_STATUS_KERNEL);
            }
            frames += batch;
        }
        return frames;
    }

    public RingVersion version() {
        return version;
    }

    /** Sends one frame that starts with its virtio_net_hdr; returns bytes sent or -errno. */
    public long send(MemorySegment frameWithVnetHdr, long length) {
        return Libc.send(fd, frameWithVnetHdr, length, Libc.MSG_DONTWAIT);
    }

    @Override
    public void close() {
        Libc.munmap(ring, ring.byteSize());
        Libc.close(fd);
    }

    /** Receives each frame of a block; {@code macOffset} is where the Ethernet header starts in {@code ring}. */
    @FunctionalInterface
    public interface FrameHandler {
        void onFrame(MemorySegment ring, long macOffset, int snapLength, int wireLength, PacketSocket from);
    }
}
