package io.jlvs.worker;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Frames one worker hands to another (DPVS's redirect ring): with several workers on AF_XDP a frame
 * arrives on whichever receive queue the NIC chose, and the worker driving that queue passes a frame of a
 * flow it does not own to the owner. One producer thread, one consumer thread, fixed off-heap slots, no
 * lock; indexes run freely, the producer publishes with a release store, the consumer reads with an
 * acquire load (and the other way round for the slots it frees).
 *
 * <pre>
 * slot (SLOT_BYTES):
 *  0            4             8                 8 + headroom        + vnet
 *  +------------+-------------+-------- ... -----+-----------------+-------------------- ... --+
 *  | ifindex    | frame bytes | free headroom     | virtio_net_hdr  | Ethernet frame             |
 *  +------------+-------------+-------- ... -----+-----------------+-------------------- ... --+
 * </pre>
 *
 * The headroom in front of the frame is what the forwarder may grow into (a TUN outer header, a TOA
 * option), as in a receive ring. A consumed slot is given back only by {@link #release}, after the
 * consumer flushed what it sent: a frame queued for {@code sendmmsg} points into the slot until then.
 */
public final class Handoff implements AutoCloseable {
    public static final int SLOT_BYTES = 4096;
    private static final int HEADER = 8;

    /** Receives a handed-over frame: {@code mac} is the Ethernet frame's offset in {@code slots}. */
    @FunctionalInterface
    public interface FrameHandler {
        void onFrame(MemorySegment slots, long mac, int length, int ifindex);
    }

    private final Arena arena = Arena.ofShared();
    private final MemorySegment slots;
    private final int mask;
    private final int headroomBytes;
    private final int vnetBytes;
    /** Next slot the producer fills (written by the producer). */
    private final AtomicLong head = new AtomicLong();
    /** First slot not yet given back (written by the consumer). */
    private final AtomicLong tail = new AtomicLong();
    // producer-side cache of tail, consumer-side cursor (each touched by one thread only)
    private long tailCache;
    private long consumed;

    /**
     * @param slotCount     a power of two
     * @param headroomBytes free bytes kept in front of the virtio_net_hdr
     * @param vnetBytes     bytes of virtio_net_hdr in front of every frame
     */
    public Handoff(int slotCount, int headroomBytes, int vnetBytes) {
        if (Integer.bitCount(slotCount) != 1) {
            throw new IllegalArgumentException("handoff: slot count must be a power of two: slotCount=" + slotCount);
        }
        this.slots = arena.allocate((long) slotCount * SLOT_BYTES, 64);
        this.mask = slotCount - 1;
        this.headroomBytes = headroomBytes;
        this.vnetBytes = vnetBytes;
    }

    /** The longest Ethernet frame a slot holds. */
    public int maxFrameBytes() {
        return SLOT_BYTES - HEADER - headroomBytes - vnetBytes;
    }

    /**
     * Producer: copies a frame and its virtio_net_hdr (the {@code vnetBytes} in front of {@code mac}).
     *
     * @return false when the ring is full or the frame too long for a slot (the caller counts the drop)
     */
    public boolean offer(MemorySegment from, long mac, int length, int ifindex) {
        if (length > maxFrameBytes()) {
            return false;
        }
        long h = head.get();
        if (h - tailCache > mask) {
            tailCache = tail.getAcquire();
            if (h - tailCache > mask) {
                return false;
            }
        }
        long slot = (h & mask) * SLOT_BYTES;
        slots.set(JAVA_INT, slot, ifindex);
        slots.set(JAVA_INT, slot + 4, length);
        MemorySegment.copy(from, mac - vnetBytes, slots, slot + HEADER + headroomBytes, (long) vnetBytes + length);
        head.setRelease(h + 1);
        return true;
    }

    /** Consumer: hands up to {@code maxFrames} waiting frames to {@code handler}; returns how many. */
    public int poll(FrameHandler handler, int maxFrames) {
        long h = head.getAcquire();
        int n = 0;
        while (consumed < h && n < maxFrames) {
            long slot = (consumed & mask) * SLOT_BYTES;
            handler.onFrame(slots, slot + HEADER + headroomBytes + vnetBytes, slots.get(JAVA_INT, slot + 4),
                    slots.get(JAVA_INT, slot));
            consumed++;
            n++;
        }
        return n;
    }

    /** Consumer, after it flushed what it sent: the polled slots may be filled again. */
    public void release() {
        if (tail.get() != consumed) {
            tail.setRelease(consumed);
        }
    }

    /** Consumer: whether frames wait that it has not polled yet. */
    public boolean hasFrames() {
        return head.get() != consumed;
    }

    /** Frames waiting (racy; for status). */
    public long waiting() {
        return head.get() - tail.get();
    }

    @Override
    public void close() {
        arena.close();
    }
}
