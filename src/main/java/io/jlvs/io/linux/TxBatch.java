package io.jlvs.io.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Frames queued for one packet socket and sent with one {@code sendmmsg(2)} per flush. Entries point
 * at memory the caller keeps valid until {@link #flush()} (a receive-ring block, a scratch buffer), so
 * forwarding copies nothing in user space.
 *
 * <pre>
 * struct mmsghdr (64 bytes)            struct iovec (16 bytes)
 *  +0  void *msg_name      = NULL       +0 void  *iov_base
 *  +8  u32   msg_namelen   = 0          +8 size_t iov_len
 *  +16 iovec *msg_iov
 *  +24 size_t msg_iovlen   = 1
 *  +32 void *msg_control   = NULL
 *  +40 size_t msg_controllen = 0
 *  +48 int  msg_flags
 *  +56 u32  msg_len (out)
 * </pre>
 */
public final class TxBatch implements AutoCloseable {
    private static final int MMSG = 64;
    private static final int IOV = 16;

    private final PacketSocket socket;
    private final int capacity;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment msgs;
    private final MemorySegment iovs;
    private int count;
    private long sentFrames;
    private long failedFrames;
    private int lastErrno;

    public TxBatch(PacketSocket socket, int capacity) {
        this.socket = socket;
        this.capacity = capacity;
        this.msgs = arena.allocate((long) MMSG * capacity, 8);
        this.iovs = arena.allocate((long) IOV * capacity, 8);
        for (int i = 0; i < capacity; i++) {
            long m = (long) i * MMSG;
            msgs.set(JAVA_LONG, m + 16, iovs.address() + (long) i * IOV);
            msgs.set(JAVA_LONG, m + 24, 1L);
        }
    }

    public PacketSocket socket() {
        return socket;
    }

    /** Queues {@code length} bytes at {@code address} (virtio_net_hdr first); flushes when full. */
    public void add(long address, int length) {
        if (count == capacity) {
            flush();
        }
        long iov = (long) count * IOV;
        iovs.set(JAVA_LONG, iov, address);
        iovs.set(JAVA_LONG, iov + 8, length);
        count++;
    }

    public int pending() {
        return count;
    }

    /** Sends what is queued; a frame the kernel refuses is counted and dropped, never retried forever. */
    public void flush() {
        int start = 0;
        while (start < count) {
            MemorySegment from = start == 0 ? msgs : msgs.asSlice((long) start * MMSG); // slice only after a refusal
            int r = Libc.sendmmsg(socket.fd(), from, count - start, Libc.MSG_DONTWAIT);
            if (r > 0) {
                sentFrames += r;
                start += r;
            } else {
                // the first remaining frame was refused (EAGAIN, ENOBUFS, EMSGSIZE…): drop it, go on
                lastErrno = -r;
                failedFrames++;
                start++;
            }
        }
        count = 0;
    }

    public long sentFrames() {
        return sentFrames;
    }

    public long failedFrames() {
        return failedFrames;
    }

    public int lastErrno() {
        return lastErrno;
    }

    @Override
    public void close() {
        arena.close();
    }

    static int msgLen(MemorySegment msgs, int i) {
        return msgs.get(JAVA_INT, (long) i * MMSG + 56);
    }
}
