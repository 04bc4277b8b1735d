package io.jlvs.io.xdp;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * One of the four single-producer single-consumer rings an AF_XDP socket shares with the kernel
 * (mmap'ed at the offsets {@code XDP_MMAP_OFFSETS} reports):
 * <pre>
 *   +producer (u32) +consumer (u32) +flags (u32, XDP_RING_NEED_WAKEUP)   … +desc: size entries
 *   fill, completion: u64 UMEM address per entry
 *   RX, TX:           struct xdp_desc { u64 addr; u32 len; u32 options; } (16 bytes)
 * </pre>
 * Indexes run freely and wrap at 2^32; an entry is {@code desc + (index & mask) * entryBytes}. The
 * side that produces publishes {@code producer} with a release store after writing entries; the side
 * that consumes reads it with an acquire load, and hands entries back by a release store of
 * {@code consumer}. Each side caches the other's index and re-reads it only when it seems to have run out.
 */
final class XskRing {
    static final int NEED_WAKEUP = 1;
    private static final VarHandle U32 = JAVA_INT.varHandle();

    final MemorySegment map;
    private final long producer;
    private final long consumer;
    private final long flags;
    final long desc;
    final int size;
    final int mask;
    /** Our own index (producer for fill/TX, consumer for RX/completion). */
    int local;
    /** The kernel's index as last read. */
    int remote;

    XskRing(MemorySegment map, long producer, long consumer, long desc, long flags, int size) {
        this.map = map;
        this.producer = producer;
        this.consumer = consumer;
        this.desc = desc;
        this.flags = flags;
        this.size = size;
        this.mask = size - 1;
    }

    /** A producer ring (fill, TX): entries free for us to write, at most {@code wanted}. */
    int freeToProduce(int wanted) {
        int free = size - (local - remote);
        if (free < wanted) {
            remote = (int) U32.getAcquire(map, consumer);
            free = size - (local - remote);
        }
        return Math.min(free, wanted);
    }

    /** Publishes {@code count} entries written at {@code local…}. */
    void produce(int count) {
        local += count;
        U32.setRelease(map, producer, local);
    }

    /** A consumer ring (RX, completion): entries ready for us, at most {@code wanted}. */
    int readyToConsume(int wanted) {
        int ready = remote - local;
        if (ready == 0) {
            remote = (int) U32.getAcquire(map, producer);
            ready = remote - local;
        }
        return Math.min(ready, wanted);
    }

    /** Hands {@code count} consumed entries back to the kernel. */
    void release(int count) {
        local += count;
        U32.setRelease(map, consumer, local);
    }

    /** Byte offset in {@link #map} of entry {@code index}. */
    long entry(int index, int entryBytes) {
        return desc + (long) (index & mask) * entryBytes;
    }

    boolean needsWakeup() {
        return ((int) U32.getAcquire(map, flags) & NEED_WAKEUP) != 0;
    }

    /** The producer index as the kernel sees it (tests, statistics). */
    int producerIndex() {
        return (int) U32.getAcquire(map, producer);
    }
}
