package io.jlvs.forward;

import io.jlvs.packet.VnetHeaderView;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Frames waiting for a next hop's MAC: the kernel's neighbour queue ({@code unres_qlen}), per worker. A
 * frame whose next hop jlvs is still resolving is copied here untouched, as it arrived, and handed back
 * to the forwarder once the address resolves, so it is forwarded exactly as if it had arrived then.
 * Dropping it instead costs a TCP flow a retransmission timeout that doubles each time (a real server's
 * reply to a client a new master has not resolved yet would wait seconds).
 *
 * <p>The SYN proxy keeps a second instance for client data that waits for a real server's SYN-ACK,
 * keyed {@code (0, 0, connection slot)} (see {@link SynProxy}).
 *
 * <p>A few slots ({@link #SLOT_BYTES} each, room for a GSO super-frame), held {@link #HOLD_MS} at most:
 * the kernel gives up on an address after three solicitations a second apart. Off-heap, allocation-free,
 * owned by one worker. A slot handed back stays untouched until the worker's next flush, because the
 * transmit queue refers to it until then.
 */
public final class NeighbourWait implements AutoCloseable {
    public static final long HOLD_MS = 3_000;
    /** Room for a 64 KiB GSO frame with its virtio_net_hdr, plus headroom for an outer tunnel header. */
    static final int SLOT_BYTES = 65_536 + 256;
    static final int HEADROOM = 128;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment slots;
    private final int[] nextHopIfindex;
    private final long[] nextHopHi; // an IPv4 next hop is (0, its address)
    private final long[] nextHopLo;
    private final int[] lengthWithVnet;
    private final int[] inIfindex;
    private final long[] untilMs;
    private final boolean[] inUse;
    private final boolean[] handedBack;
    private int waiting;
    private int used;

    public NeighbourWait(int frames) {
        slots = arena.allocate((long) SLOT_BYTES * frames, 64);
        nextHopIfindex = new int[frames];
        nextHopHi = new long[frames];
        nextHopLo = new long[frames];
        lengthWithVnet = new int[frames];
        inIfindex = new int[frames];
        untilMs = new long[frames];
        inUse = new boolean[frames];
        handedBack = new boolean[frames];
    }

    /**
     * Copies a whole frame (from its virtio_net_hdr) that waits for the next hop {@code (hi, lo)} on
     * {@code ifindex} (an IPv4 address as {@code (0, address)}); false when every slot is taken or the frame
     * does not fit (the caller drops it).
     */
    public boolean hold(MemorySegment seg, long vnetOffset, int frameLengthWithVnet, int receivedOn,
                        int ifindex, long hi, long lo, long nowMs) {
        if (frameLengthWithVnet > SLOT_BYTES - HEADROOM) {
            return false;
        }
        for (int i = 0; i < inUse.length; i++) {
            if (!inUse[i]) {
                MemorySegment.copy(seg, vnetOffset, slots, (long) i * SLOT_BYTES + HEADROOM, frameLengthWithVnet);
                inUse[i] = true;
                handedBack[i] = false;
                nextHopIfindex[i] = ifindex;
                nextHopHi[i] = hi;
                nextHopLo[i] = lo;
                lengthWithVnet[i] = frameLengthWithVnet;
                inIfindex[i] = receivedOn;
                untilMs[i] = nowMs + HOLD_MS;
                waiting++;
                used++;
                return true;
            }
        }
        return false;
    }

    /** Frames held for {@code (ifindex, hi, lo)} and not yet handed back. */
    public int holding(int ifindex, long hi, long lo) {
        int n = 0;
        for (int i = 0; i < inUse.length && waiting > 0; i++) {
            if (inUse[i] && !handedBack[i] && nextHopIfindex[i] == ifindex && nextHopHi[i] == hi && nextHopLo[i] == lo) {
                n++;
            }
        }
        return n;
    }

    /** Frames held and not yet handed back or expired. */
    public int waiting() {
        return waiting;
    }

    /**
     * Hands every frame whose next hop {@code resolved} says is known back to {@code visitor}, in the
     * order held; returns how many.
     */
    public int release(Resolved resolved, FragmentTable.HeldVisitor visitor) {
        if (waiting == 0) {
            return 0;
        }
        int n = 0;
        for (int i = 0; i < inUse.length; i++) {
            if (inUse[i] && !handedBack[i]
                    && resolved.isResolved(nextHopIfindex[i], nextHopHi[i], nextHopLo[i])) {
                handedBack[i] = true;
                waiting--;
                n++;
                long mac = (long) i * SLOT_BYTES + HEADROOM + VnetHeaderView.LENGTH;
                visitor.visit(slots, mac, lengthWithVnet[i] - VnetHeaderView.LENGTH, inIfindex[i]);
            }
        }
        return n;
    }

    /** After the worker flushed: handed-back slots are free again. Returns frames that waited too long. */
    public int afterFlush(long nowMs) {
        if (used == 0) {
            return 0;
        }
        int expired = 0;
        for (int i = 0; i < inUse.length; i++) {
            if (inUse[i] && (handedBack[i] || untilMs[i] <= nowMs)) {
                if (!handedBack[i]) {
                    expired++;
                    waiting--;
                }
                inUse[i] = false;
                handedBack[i] = false;
                used--;
            }
        }
        return expired;
    }

    @Override
    public void close() {
        arena.close();
    }

    /** Whether the next hop {@code (hi, lo)} on {@code ifindex} has a MAC now. */
    @FunctionalInterface
    public interface Resolved {
        boolean isResolved(int ifindex, long hi, long lo);
    }
}
