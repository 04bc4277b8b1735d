package io.jlvs.io.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The one door to the operating system: every system call jlvs makes goes through here, as
 * {@code java.lang.foreign} downcalls into the C library (no JNI).
 *
 * <p>Calls return what the C function returns, except that a failing call returns {@code -errno}
 * (read from the captured call state), so callers compare against the {@code E*} constants and
 * throw only on the slow path. Nothing here allocates on the Java heap per call: the errno
 * capture buffer is one per thread.
 */
public final class Libc {
    private Libc() {}

    // address families, socket types, protocols
    public static final int AF_UNIX = 1;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int AF_NETLINK = 16;
    public static final int AF_PACKET = 17;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOCK_NONBLOCK = 0x800;
    public static final int ETH_P_ALL = 0x0003;
    public static final int NETLINK_ROUTE = 0;

    // socket options
    public static final int SOL_SOCKET = 1;
    public static final int SO_RCVBUF = 8;
    public static final int SO_SNDBUF = 7;
    public static final int SO_ATTACH_FILTER = 26;
    public static final int SO_DETACH_FILTER = 27;
    public static final int SO_RCVBUFFORCE = 33;
    public static final int SO_SNDBUFFORCE = 32;
    public static final int SOL_PACKET = 263;
    public static final int PACKET_RX_RING = 5;
    public static final int PACKET_STATISTICS = 6;
    public static final int PACKET_VERSION = 10;
    public static final int PACKET_RESERVE = 12;
    public static final int PACKET_TX_RING = 13;
    public static final int PACKET_VNET_HDR = 15;
    public static final int PACKET_QDISC_BYPASS = 20;
    public static final int PACKET_FANOUT = 18;
    public static final int PACKET_FANOUT_DATA = 22;
    public static final int PACKET_FANOUT_CBPF = 6;
    public static final int PACKET_FANOUT_FLAG_UNIQUEID = 0x2000;
    public static final int PACKET_FANOUT_FLAG_IGNORE_OUTGOING = 0x4000;
    public static final int TPACKET_V2 = 1;
    public static final int TPACKET_V3 = 2;

    // mmap
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 1;
    public static final int MAP_LOCKED = 0x2000;

    // poll
    public static final short POLLIN = 0x1;
    public static final short POLLERR = 0x8;

    // send flags
    public static final int MSG_DONTWAIT = 0x40;

    // errno values compared by callers
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int ENOBUFS = 105;
    public static final int EMSGSIZE = 90;
    public static final int ENETDOWN = 100;
    public static final int ENXIO = 6;

    /** {@code struct pollfd { int fd; short events; short revents; }}. */
    public static final StructLayout POLLFD = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"), ValueLayout.JAVA_SHORT.withName("events"),
            ValueLayout.JAVA_SHORT.withName("revents"));

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(
            MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final ThreadLocal<MemorySegment> CAPTURE = ThreadLocal.withInitial(
            () -> Arena.global().allocate(CAPTURE_LAYOUT));

    private static final MethodHandle SOCKET = downcall("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle BIND = downcall("bind",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = downcall("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = downcall("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle MMAP = downcall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = downcall("munmap",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle POLL = downcall("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SEND = downcall("send",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle SENDTO = downcall("sendto",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SENDMMSG = downcall("sendmmsg",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle RECV = downcall("recv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle EVENTFD = downcall("eventfd",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle EVENTFD_WRITE = downcall("eventfd_write",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle EVENTFD_READ = downcall("eventfd_read",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle CLOSE = downcall("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle GETEUID = LINKER.downcallHandle(
            LIBC.find("geteuid").orElseThrow(), FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle STRERROR = LINKER.downcallHandle(
            LIBC.find("strerror").orElseThrow(), FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private static MethodHandle downcall(String name, FunctionDescriptor fd) {
        MemorySegment symbol = LIBC.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, fd, CAPTURE_ERRNO);
    }

    private static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    public static int socket(int domain, int type, int protocol) {
        MemorySegment c = CAPTURE.get();
        try {
            int r = (int) SOCKET.invokeExact(c, domain, type, protocol);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int bind(int fd, MemorySegment addr, int addrLen) {
        MemorySegment c = CAPTURE.get();
        try {
            int r = (int) BIND.invokeExact(c, fd, addr, addrLen);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int setsockopt(int fd, int level, int name, MemorySegment value, int len) {
        MemorySegment c = CAPTURE.get();
        try {
            int r = (int) SETSOCKOPT.invokeExact(c, fd, level, name, value, len);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** setsockopt with a single int value. */
    public static int setsockoptInt(int fd, int level, int name, int value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocateFrom(JAVA_INT, value);
            return setsockopt(fd, level, name, v, 4);
        }
    }

    public static int getsockopt(int fd, int level, int name, MemorySegment value, MemorySegment lenPtr) {
        MemorySegment c = CAPTURE.get();
        try {
            int r = (int) GETSOCKOPT.invokeExact(c, fd, level, name, value, lenPtr);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** mmap; returns the mapping resized to {@code length}, or throws with the errno text. */
    public static MemorySegment mmap(long length, int prot, int flags, int fd, long offset) {
        MemorySegment c = CAPTURE.get();
        try {
            MemorySegment r = (MemorySegment) MMAP.invokeExact(c, MemorySegment.NULL, length, prot, flags, fd, offset);
            if (r.address() == -1L) {
                int e = errno(c);
                throw new NativeException("mmap", e);
            }
            return r.reinterpret(length);
        } catch (NativeException e) {
            throw e;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int munmap(MemorySegment addr, long length) {
        MemorySegment c = CAPTURE.get();
        try {
            int r = (int) MUNMAP.invokeExact(c, addr, length);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** poll(2) over {@code count} {@link #POLLFD} entries. */
    public static int poll(MemorySegment fds, long count, int timeoutMs) {
        MemorySegment c = CAPTURE.get();
        try {
            int r = (int) POLL.invokeExact(c, fds, count, timeoutMs);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long send(int fd, MemorySegment buf, long len, int flags) {
        MemorySegment c = CAPTURE.get();
        try {
            long r = (long) SEND.invokeExact(c, fd, buf, len, flags);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long sendto(int fd, MemorySegment buf, long len, int flags, MemorySegment addr, int addrLen) {
        MemorySegment c = CAPTURE.get();
        try {
            long r = (long) SENDTO.invokeExact(c, fd, buf, len, flags, addr, addrLen);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** sendmmsg(2): returns the number of messages sent, or -errno if none was. */
    public static int sendmmsg(int fd, MemorySegment msgvec, int count, int flags) {
        MemorySegment c = CAPTURE.get();
        try {
            int r = (int) SENDMMSG.invokeExact(c, fd, msgvec, count, flags);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static long recv(int fd, MemorySegment buf, long len, int flags) {
        MemorySegment c = CAPTURE.get();
        try {
            long r = (long) RECV.invokeExact(c, fd, buf, len, flags);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static final int EFD_NONBLOCK = 0x800;
    public static final int EFD_CLOEXEC = 0x80000;

    /** eventfd(2): a counter another thread can wake a poll(2) with. */
    public static int eventfd(int initial, int flags) {
        MemorySegment c = CAPTURE.get();
        try {
            int r = (int) EVENTFD.invokeExact(c, initial, flags);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Adds {@code value} to an eventfd's counter (makes it readable). */
    public static int eventfdWrite(int fd, long value) {
        MemorySegment c = CAPTURE.get();
        try {
            int r = (int) EVENTFD_WRITE.invokeExact(c, fd, value);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Reads and clears an eventfd's counter into {@code value} (8 bytes); -EAGAIN when it was 0. */
    public static int eventfdRead(int fd, MemorySegment value) {
        MemorySegment c = CAPTURE.get();
        try {
            int r = (int) EVENTFD_READ.invokeExact(c, fd, value);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int close(int fd) {
        MemorySegment c = CAPTURE.get();
        try {
            int r = (int) CLOSE.invokeExact(c, fd);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int geteuid() {
        try {
            return (int) GETEUID.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The C library's text for an errno value (slow path only). */
    public static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Throws {@link NativeException} when {@code result} is a negative errno. */
    public static long check(String what, long result) {
        if (result < 0) {
            throw new NativeException(what, (int) -result);
        }
        return result;
    }

    // ioctl(2), for interface flags (SIOCGIFFLAGS / SIOCSIFFLAGS on an AF_INET datagram socket)
    public static final long SIOCGIFFLAGS = 0x8913;
    public static final long SIOCSIFFLAGS = 0x8914;
    /** {@code struct ifreq}: 16 bytes of name, then a 24-byte union whose first member here is {@code short ifr_flags}. */
    public static final int IFREQ_BYTES = 40;
    public static final int IFREQ_FLAGS_OFFSET = 16;

    /** ioctl is variadic: the argument after the request is passed as the first variadic one. */
    private static final MethodHandle IOCTL = LINKER.downcallHandle(
            LIBC.find("ioctl").orElseThrow(() -> new UnsatisfiedLinkError("libc has no ioctl")),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));

    /** ioctl(2) with a pointer argument (a {@code struct ifreq} for the SIOC*IF* requests). */
    public static int ioctl(int fd, long request, MemorySegment arg) {
        MemorySegment c = CAPTURE.get();
        try {
            int r = (int) IOCTL.invokeExact(c, fd, request, arg);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---------------------------------------------------------------- VRRP (io.jlvs.vrrp): raw IP sockets, multicast, ancillary data

    public static final int IPPROTO_IP = 0;
    public static final int IPPROTO_IPV6 = 41;
    public static final int IPPROTO_VRRP = 112;
    public static final int SO_BINDTODEVICE = 25;
    public static final int IP_HDRINCL = 3;
    public static final int IP_MULTICAST_IF = 32;
    public static final int IP_MULTICAST_TTL = 33;
    public static final int IP_MULTICAST_LOOP = 34;
    public static final int IP_ADD_MEMBERSHIP = 35;
    public static final int IPV6_CHECKSUM = 7;
    public static final int IPV6_UNICAST_HOPS = 16;
    public static final int IPV6_MULTICAST_IF = 17;
    public static final int IPV6_MULTICAST_HOPS = 18;
    public static final int IPV6_MULTICAST_LOOP = 19;
    public static final int IPV6_ADD_MEMBERSHIP = 20;
    public static final int IPV6_RECVPKTINFO = 49;
    public static final int IPV6_PKTINFO = 50;
    public static final int IPV6_RECVHOPLIMIT = 51;
    public static final int IPV6_HOPLIMIT = 52;
    public static final int IPV6_TCLASS = 67;
    public static final int ETH_P_ARP = 0x0806;
    public static final int ETH_P_IPV6 = 0x86DD;
    public static final int MSG_DONTROUTE = 0x4;
    public static final int MSG_TRUNC = 0x20;
    public static final int EADDRNOTAVAIL = 99;
    public static final int EEXIST = 17;

    /**
     * {@code struct msghdr} on LP64: name(8) namelen(4, pad 4) iov(8) iovlen(8) control(8) controllen(8)
     * flags(4, pad 4) = 56 bytes; {@code struct iovec}: base(8) len(8) = 16 bytes.
     */
    public static final int MSGHDR_BYTES = 56;
    public static final int MSGHDR_NAME = 0;
    public static final int MSGHDR_NAMELEN = 8;
    public static final int MSGHDR_IOV = 16;
    public static final int MSGHDR_IOVLEN = 24;
    public static final int MSGHDR_CONTROL = 32;
    public static final int MSGHDR_CONTROLLEN = 40;
    public static final int MSGHDR_FLAGS = 48;
    public static final int IOVEC_BYTES = 16;
    /** {@code struct cmsghdr}: len(8) level(4) type(4), data aligned to 8. */
    public static final int CMSGHDR_BYTES = 16;

    private static final MethodHandle SENDMSG = downcall("sendmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVMSG = downcall("recvmsg",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));

    /** sendmsg(2) with a prepared {@code struct msghdr}: bytes sent, or -errno. */
    public static long sendmsg(int fd, MemorySegment msghdr, int flags) {
        MemorySegment c = CAPTURE.get();
        try {
            long r = (long) SENDMSG.invokeExact(c, fd, msghdr, flags);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** recvmsg(2) into a prepared {@code struct msghdr}: bytes received, or -errno. */
    public static long recvmsg(int fd, MemorySegment msghdr, int flags) {
        MemorySegment c = CAPTURE.get();
        try {
            long r = (long) RECVMSG.invokeExact(c, fd, msghdr, flags);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** setsockopt(SO_BINDTODEVICE): the socket sends and receives on {@code ifname} only. */
    public static int bindToDevice(int fd, String ifname) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocateFrom(ifname);
            return setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name, (int) name.byteSize());
        }
    }

    // ---------------------------------------------------------------- control socket (io.jlvs.control): a Unix stream listener, its peers' credentials

    public static final int SOCK_STREAM = 1;
    public static final int SO_PEERCRED = 17;
    public static final int SO_RCVTIMEO = 20;
    public static final int SO_PEERGROUPS = 59;
    public static final int SHUT_RDWR = 2;
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int EACCES = 13;
    public static final int EINVAL = 22;
    public static final int ERANGE = 34;
    /** {@code struct sockaddr_un}: family(2) path(108, NUL-terminated). */
    public static final int SOCKADDR_UN_BYTES = 110;
    public static final int SOCKADDR_UN_PATH_MAX = 107;
    /** {@code struct ucred} (SO_PEERCRED): pid(4) uid(4) gid(4). */
    public static final int UCRED_BYTES = 12;
    /** {@code struct timeval} on LP64: sec(8) usec(8). */
    public static final int TIMEVAL_BYTES = 16;
    /** {@code struct passwd} on LP64: name(8) passwd(8) uid(4) gid(4) gecos(8) dir(8) shell(8). */
    private static final int PASSWD_BYTES = 48;

    private static final MethodHandle LISTEN = downcall("listen",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle ACCEPT4 = downcall("accept4",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle SHUTDOWN = downcall("shutdown",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    /** getpwuid_r returns its error number itself; errno is not used. */
    private static final MethodHandle GETPWUID_R = LINKER.downcallHandle(
            LIBC.find("getpwuid_r").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));

    public static int listen(int fd, int backlog) {
        MemorySegment c = CAPTURE.get();
        try {
            int r = (int) LISTEN.invokeExact(c, fd, backlog);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** accept4(2) without the peer's address: the new descriptor, or -errno. */
    public static int accept4(int fd, int flags) {
        MemorySegment c = CAPTURE.get();
        try {
            int r = (int) ACCEPT4.invokeExact(c, fd, MemorySegment.NULL, MemorySegment.NULL, flags);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** shutdown(2); on a listening socket it also wakes a thread blocked in accept. */
    public static int shutdown(int fd, int how) {
        MemorySegment c = CAPTURE.get();
        try {
            int r = (int) SHUTDOWN.invokeExact(c, fd, how);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The login name of a user id (getpwuid_r, so NSS sources count), or null when it has none. */
    public static String userName(int uid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pwd = arena.allocate(PASSWD_BYTES, 8);
            MemorySegment result = arena.allocate(ADDRESS);
            for (long size = 1024; size <= 1 << 20; size *= 4) {
                MemorySegment buf = arena.allocate(size);
                int r = (int) GETPWUID_R.invokeExact(uid, pwd, buf, size, result);
                if (r == ERANGE) {
                    continue;
                }
                MemorySegment found = result.get(ADDRESS, 0);
                if (r != 0 || found.equals(MemorySegment.NULL)) {
                    return null;
                }
                return pwd.get(ADDRESS, 0).reinterpret(Long.MAX_VALUE).getString(0);
            }
            return null;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ---------------------------------------------------------------- keepalived (io.jlvs.keepalived): signals to the daemon

    public static final int SIGHUP = 1;
    public static final int SIGTERM = 15;
    public static final int ESRCH = 3;

    private static final MethodHandle KILL = downcall("kill",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));

    /** kill(2): 0, or -errno (ESRCH when there is no such process). */
    public static int kill(int pid, int sig) {
        MemorySegment c = CAPTURE.get();
        try {
            int r = (int) KILL.invokeExact(c, pid, sig);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
    // ---------------------------------------------------------------- AF_XDP (io.jlvs.io.xdp): the bpf() syscall, XDP sockets

    public static final int AF_XDP = 44;
    public static final int SOL_XDP = 283;
    public static final int EOPNOTSUPP = 95;
    public static final int EBUSY = 16;
    public static final int ENOSPC = 28;
    public static final int EAFNOSUPPORT = 97;
    public static final int ENOSYS = 38;
    public static final int ENODEV = 19;
    private static final long SYS_BPF = 321; // x86_64

    /** syscall(2) is variadic after the number; every argument is passed as a long. */
    private static final MethodHandle SYSCALL3 = LINKER.downcallHandle(
            LIBC.find("syscall").orElseThrow(() -> new UnsatisfiedLinkError("libc has no syscall")),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG),
            CAPTURE_ERRNO, Linker.Option.firstVariadicArg(1));

    /** bpf(2): {@code cmd} with its {@code union bpf_attr} of {@code size} bytes; the result, or -errno. */
    public static long bpf(int cmd, MemorySegment attr, int size) {
        MemorySegment c = CAPTURE.get();
        try {
            long r = (long) SYSCALL3.invokeExact(c, SYS_BPF, (long) cmd, attr, (long) size);
            return r < 0 ? -errno(c) : r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
