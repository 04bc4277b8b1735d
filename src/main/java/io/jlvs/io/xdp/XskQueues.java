package io.jlvs.io.xdp;

import java.lang.foreign.MemorySegment;

/**
 * The AF_XDP sockets one worker drives: with several workers, worker {@code w} of {@code n} owns the
 * sockets of receive queues {@code q} with {@code q % n == w} on every served interface, so each has at
 * least one socket per interface to send from. Data path only, on the owning worker's thread; allocates
 * nothing.
 */
public final class XskQueues {
    /** {@link #send} results. */
    public static final int NOT_MINE = 0;
    public static final int QUEUED = 1;
    public static final int DROPPED = -1;

    private final XskSocket[] all;
    private final XskSocket[][] byIfindex;

    XskQueues(XskSocket[] all) {
        this.all = all;
        int maxIf = 0;
        for (XskSocket s : all) {
            maxIf = Math.max(maxIf, s.ifindex());
        }
        this.byIfindex = new XskSocket[maxIf + 1][];
        for (int ifindex = 0; ifindex <= maxIf; ifindex++) {
            int count = 0;
            for (XskSocket s : all) {
                count += s.ifindex() == ifindex ? 1 : 0;
            }
            if (count > 0) {
                XskSocket[] on = new XskSocket[count];
                int i = 0;
                for (XskSocket s : all) {
                    if (s.ifindex() == ifindex) {
                        on[i++] = s;
                    }
                }
                byIfindex[ifindex] = on;
            }
        }
    }

    /** Receives from every socket, at most {@code maxFramesPerSocket} each; returns frames handled. */
    public int poll(XskSocket.RxHandler handler, int maxFramesPerSocket) {
        int frames = 0;
        for (XskSocket s : all) {
            frames += s.poll(handler, maxFramesPerSocket);
        }
        return frames;
    }

    /**
     * Sends a frame out of interface {@code ifindex}: in place on the socket it came from, else copied into
     * a chunk of this worker's first socket on that interface. A frame outside these sockets' UMEMs is
     * taken (copied) only when {@code copyForeign} says so (a frame another worker handed over).
     *
     * @return {@link #NOT_MINE} (use the AF_PACKET path), {@link #QUEUED}, or {@link #DROPPED} (no free
     *     chunk or TX slot)
     */
    public int send(int ifindex, MemorySegment seg, long offset, int length, boolean copyForeign) {
        XskSocket[] out = ifindex < byIfindex.length ? byIfindex[ifindex] : null;
        if (out == null) {
            return NOT_MINE;
        }
        if (!copyForeign) {
            boolean ours = false;
            for (XskSocket s : all) {
                if (s.owns(seg)) {
                    ours = true;
                    break;
                }
            }
            if (!ours) {
                return NOT_MINE;
            }
        }
        XskSocket via = out[0];
        for (XskSocket s : out) {
            if (s.owns(seg)) {
                via = s;
                break;
            }
        }
        return via.transmit(seg, offset, length) ? QUEUED : DROPPED;
    }

    /** Kicks every socket with queued frames; returns the frames handed to the kernel. */
    public long flush() {
        long sent = 0;
        for (XskSocket s : all) {
            long before = s.txFrames();
            s.flush();
            sent += s.txFrames() - before;
        }
        return sent;
    }

    /** The sockets' descriptors, for poll(2) when idle. */
    public int[] fds() {
        int[] fds = new int[all.length];
        for (int i = 0; i < all.length; i++) {
            fds[i] = all[i].fd();
        }
        return fds;
    }

    /** How many sockets. */
    public int size() {
        return all.length;
    }
}
