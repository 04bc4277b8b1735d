package io.jlvs.keepalived.check;

import io.jlvs.io.linux.Libc;
import io.jlvs.keepalived.config.CheckerConfig;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * PING_CHECK (check_ping.c): one ICMP (or ICMPv6) echo request with a 128-byte payload on a datagram
 * ("ping") socket, {@code SOCK_DGRAM}/{@code IPPROTO_ICMP} through the FFM door; success is an echo reply
 * within {@code connect_timeout}. The kernel fills in the identifier and the checksum and hands back only
 * replies to this socket. Where the ping socket is refused ({@code net.ipv4.ping_group_range}), a raw ICMP
 * socket is used instead (needs CAP_NET_RAW).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Type (8/128) |   Code (0)    |          Checksum             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Identifier          |        Sequence Number        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     128 bytes "keepalived check - keepalived check - …"      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class PingChecker implements HealthChecker {
    static final int PAYLOAD_BYTES = 128;
    private static final int IPPROTO_ICMP = 1;
    private static final int IPPROTO_ICMPV6 = 58;
    private static final int EACCES = 13;
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final CheckerConfig.Ping config;

    public PingChecker(CheckerConfig.Ping config) {
        this.config = config;
    }

    @Override
    public String type() {
        return "PING_CHECK";
    }

    @Override
    public Result check(int step) throws InterruptedException {
        InetSocketAddress dst = Endpoints.destination(config.connection());
        String to = dst == null ? "[?]" : "[" + dst.getAddress().getHostAddress() + "]";
        if (dst == null) {
            return Result.failed("ICMP connection to " + to + " failed: no destination");
        }
        boolean v6 = dst.getAddress() instanceof Inet6Address;
        int af = v6 ? Libc.AF_INET6 : Libc.AF_INET;
        int proto = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
        boolean raw = false;
        int fd = Libc.socket(af, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, proto);
        if (fd == -EACCES || fd == -Libc.EPERM) {
            fd = Libc.socket(af, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, proto);
            raw = true;
        }
        if (fd < 0) {
            return Result.failed("ICMP connection to " + to + " failed: socket: " + Libc.strerror(-fd));
        }
        try (Arena arena = Arena.ofConfined()) {
            if (config.connection().bindTo() != null) {
                MemorySegment src = sockaddr(arena, config.connection().bindTo().address(), 0);
                if (Libc.bind(fd, src, (int) src.byteSize()) < 0) {
                    return Result.failed("ICMP connection to " + to + " failed: bind");
                }
            }
            int seq = SEQUENCE.incrementAndGet() & 0xffff;
            int id = (int) (ProcessHandle.current().pid() & 0xffff);
            MemorySegment pkt = arena.allocate(8 + PAYLOAD_BYTES);
            pkt.set(ValueLayout.JAVA_BYTE, 0, (byte) (v6 ? 128 : 8));
            pkt.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 4, (short) id);
            pkt.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 6, (short) seq);
            MemorySegment.copy(UdpChecker.filler(PAYLOAD_BYTES), 0, pkt, ValueLayout.JAVA_BYTE, 8, PAYLOAD_BYTES);
            if (raw && !v6) {
                pkt.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 2, checksum(pkt));
            }
            MemorySegment dstAddr = sockaddr(arena, dst.getAddress(), 0);
            long sent = Libc.sendto(fd, pkt, pkt.byteSize(), 0, dstAddr, (int) dstAddr.byteSize());
            if (sent < 0) {
                return Result.failed("ICMP connection to " + to + " failed: send: " + Libc.strerror((int) -sent));
            }
            long deadlineNs = System.nanoTime() + Endpoints.timeoutMs(config.connection()) * 1_000_000L;
            MemorySegment pfd = arena.allocate(Libc.POLLFD);
            MemorySegment buf = arena.allocate(2048);
            while (true) {
                long leftMs = (deadlineNs - System.nanoTime()) / 1_000_000L;
                if (leftMs <= 0) {
                    return Result.failed("ICMP connection to " + to + " failed: timeout");
                }
                pfd.set(ValueLayout.JAVA_INT, 0, fd);
                pfd.set(ValueLayout.JAVA_SHORT, 4, Libc.POLLIN);
                pfd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
                int n = Libc.poll(pfd, 1, (int) Math.min(leftMs, 200));
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                if (n <= 0) {
                    continue;
                }
                long len = Libc.recv(fd, buf, buf.byteSize(), Libc.MSG_DONTWAIT);
                if (len <= 0) {
                    continue;
                }
                int off = 0;
                if (raw && !v6) {
                    off = (buf.get(ValueLayout.JAVA_BYTE, 0) & 0x0f) * 4;
                }
                if (len < off + 8) {
                    continue;
                }
                int type = buf.get(ValueLayout.JAVA_BYTE, off) & 0xff;
                int rseq = buf.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), off + 6) & 0xffff;
                int rid = buf.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), off + 4) & 0xffff;
                boolean reply = v6 ? type == 129 : type == 0;
                if (reply && rseq == seq && (!raw || rid == id)) {
                    return Result.ok("ICMP connection to " + to + " success.");
                }
            }
        } finally {
            Libc.close(fd);
        }
    }

    /** A sockaddr_in or sockaddr_in6 for an address. */
    static MemorySegment sockaddr(Arena arena, InetAddress a, int port) {
        byte[] b = a.getAddress();
        if (b.length == 4) {
            MemorySegment s = arena.allocate(16);
            s.set(ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_INET);
            s.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 2, (short) port);
            MemorySegment.copy(b, 0, s, ValueLayout.JAVA_BYTE, 4, 4);
            return s;
        }
        MemorySegment s = arena.allocate(28);
        s.set(ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_INET6);
        s.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 2, (short) port);
        MemorySegment.copy(b, 0, s, ValueLayout.JAVA_BYTE, 8, 16);
        if (a instanceof Inet6Address v6 && v6.getScopeId() != 0) {
            s.set(ValueLayout.JAVA_INT, 24, v6.getScopeId());
        }
        return s;
    }

    /** The Internet checksum of an ICMP message (raw sockets only; ping sockets have the kernel do it). */
    static short checksum(MemorySegment pkt) {
        long sum = 0;
        long n = pkt.byteSize();
        for (long i = 0; i + 1 < n; i += 2) {
            sum += ((pkt.get(ValueLayout.JAVA_BYTE, i) & 0xff) << 8) | (pkt.get(ValueLayout.JAVA_BYTE, i + 1) & 0xff);
        }
        if ((n & 1) != 0) {
            sum += (pkt.get(ValueLayout.JAVA_BYTE, n - 1) & 0xff) << 8;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (short) ~sum;
    }
}
