package io.jlvs.io.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * A {@code NETLINK_ROUTE} socket: reads the kernel's links, addresses and routes and adds or
 * removes addresses, as {@code ip link show}, {@code ip addr} and {@code ip route get} do.
 *
 * <p>Control plane only: every call allocates and blocks until the kernel answers. Not
 * thread-safe; one instance per control thread. Each request carries a fresh sequence number and
 * replies with another number are skipped, so a reply left over from an interrupted call never
 * answers the next one. Failures arrive as {@link NativeException} with the kernel's errno; when
 * the kernel gives an extended-ack text it is part of the message.
 *
 * <p>Headers are in host byte order, addresses in network order. Every message and every
 * attribute starts on a 4-byte boundary ({@code NLMSG_ALIGN}, {@code RTA_ALIGN}).
 *
 * <pre>
 * nlmsghdr (16 bytes), before every message
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 length (header + payload)                     |
 * +-------------------------------+-------------------------------+
 * |     type (RTM_*, NLMSG_*)     |        flags (NLM_F_*)        |
 * +-------------------------------+-------------------------------+
 * |                       sequence number                         |
 * +---------------------------------------------------------------+
 * |                  port id (0 = the kernel)                     |
 * +---------------------------------------------------------------+
 *
 * ifinfomsg (16 bytes), RTM_*LINK
 * +---------------+---------------+-------------------------------+
 * |    family     |   (padding)   |      type (ARPHRD_*)          |
 * +---------------+---------------+-------------------------------+
 * |                          ifindex                              |
 * +---------------------------------------------------------------+
 * |                       flags (IFF_*)                           |
 * +---------------------------------------------------------------+
 * |                     change mask                               |
 * +---------------------------------------------------------------+
 *
 * ifaddrmsg (8 bytes), RTM_*ADDR
 * +---------------+---------------+---------------+---------------+
 * |    family     | prefix length | flags (IFA_F) |  scope (RT_)  |
 * +---------------+---------------+---------------+---------------+
 * |                          ifindex                              |
 * +---------------------------------------------------------------+
 *
 * rtmsg (12 bytes), RTM_*ROUTE
 * +---------------+---------------+---------------+---------------+
 * |    family     | dst prefixlen | src prefixlen |      tos      |
 * +---------------+---------------+---------------+---------------+
 * |     table     |   protocol    |     scope     |  type (RTN_)  |
 * +---------------+---------------+---------------+---------------+
 * |                       flags (RTM_F_*)                         |
 * +---------------------------------------------------------------+
 *
 * rtattr (4 bytes + value, padded to 4), after the fixed message
 * +-------------------------------+-------------------------------+
 * |  length (header + value)      |     type (IFLA_, IFA_, RTA_)  |
 * +-------------------------------+-------------------------------+
 * |                  value ... (padding to 4)                     |
 * +---------------------------------------------------------------+
 *
 * NLMSG_ERROR payload: int error (0 = ack, else -errno), then the request's
 * nlmsghdr (and, unless NLM_F_CAPPED, its payload), then NLMSGERR_ATTR_* attributes.
 * </pre>
 */
public final class Netlink implements AutoCloseable {

    /** An interface as RTM_NEWLINK describes it; {@code mac} holds the 48-bit address, first octet highest, 0 if none. */
    public record Link(int ifindex, String name, long mac, int mtu, int flags, boolean up,
                       boolean loopback, int type) {}

    /**
     * An interface address as RTM_NEWADDR describes it; {@code label} is the IPv4 label
     * ({@code eth0:vip}), null for IPv6, which has none.
     */
    public record Address(int ifindex, int family, InetAddress address, int prefixLength,
                          String label) {}

    /**
     * The route the kernel would use for a destination; {@code gateway} is null when the
     * destination is on-link, {@code preferredSource} null when the route names none.
     */
    public record Route(int ifindex, InetAddress gateway, InetAddress preferredSource, int type) {}

    // route types (rtm_type)
    public static final int RTN_UNICAST = 1;
    public static final int RTN_LOCAL = 2;
    public static final int RTN_BROADCAST = 3;
    public static final int RTN_ANYCAST = 4;
    public static final int RTN_MULTICAST = 5;
    public static final int RTN_BLACKHOLE = 6;
    public static final int RTN_UNREACHABLE = 7;
    public static final int RTN_PROHIBIT = 8;

    // interface flags and hardware types
    public static final int IFF_UP = 0x1;
    public static final int IFF_LOOPBACK = 0x8;
    public static final int ARPHRD_ETHER = 1;
    public static final int ARPHRD_LOOPBACK = 772;

    // message types
    private static final int NLMSG_NOOP = 1;
    private static final int NLMSG_ERROR = 2;
    private static final int NLMSG_DONE = 3;
    private static final int NLMSG_OVERRUN = 4;
    private static final int RTM_GETLINK = 18;
    private static final int RTM_NEWADDR = 20;
    private static final int RTM_DELADDR = 21;
    private static final int RTM_GETADDR = 22;
    private static final int RTM_GETROUTE = 26;

    // nlmsg_flags
    private static final int NLM_F_REQUEST = 0x1;
    private static final int NLM_F_ACK = 0x4;
    private static final int NLM_F_DUMP_INTR = 0x10;
    private static final int NLM_F_DUMP = 0x300;
    private static final int NLM_F_EXCL = 0x200;
    private static final int NLM_F_CREATE = 0x400;
    private static final int NLM_F_CAPPED = 0x100;
    private static final int NLM_F_ACK_TLVS = 0x200;

    // attributes
    private static final int IFLA_ADDRESS = 1;
    private static final int IFLA_IFNAME = 3;
    private static final int IFLA_MTU = 4;
    private static final int IFA_ADDRESS = 1;
    private static final int IFA_LOCAL = 2;
    private static final int IFA_LABEL = 3;
    private static final int RTA_DST = 1;
    private static final int RTA_OIF = 4;
    private static final int RTA_GATEWAY = 5;
    private static final int RTA_PREFSRC = 7;
    private static final int RTA_VIA = 18;
    private static final int NLMSGERR_ATTR_MSG = 1;
    /** Strips NLA_F_NESTED and NLA_F_NET_BYTEORDER from an attribute type. */
    private static final int NLA_TYPE_MASK = 0x3fff;

    private static final int RT_SCOPE_UNIVERSE = 0;
    private static final int RT_SCOPE_HOST = 254;

    // socket options and flags
    private static final int SOL_NETLINK = 270;
    private static final int NETLINK_CAP_ACK = 10;
    private static final int NETLINK_EXT_ACK = 11;
    private static final int MSG_TRUNC = 0x20;
    private static final int EINTR = Libc.EINTR;
    private static final int EMSGSIZE = Libc.EMSGSIZE;
    private static final int EBADMSG = 74;

    // layout sizes and offsets
    private static final int NLMSG_HDRLEN = 16;
    private static final int NLMSG_LEN = 0;
    private static final int NLMSG_TYPE = 4;
    private static final int NLMSG_FLAGS = 6;
    private static final int NLMSG_SEQ = 8;
    private static final int NLMSG_PID = 12;
    private static final int IFINFO_LEN = 16;
    private static final int IFINFO_FAMILY = 0;
    private static final int IFINFO_TYPE = 2;
    private static final int IFINFO_INDEX = 4;
    private static final int IFINFO_FLAGS = 8;
    private static final int IFADDR_LEN = 8;
    private static final int IFADDR_FAMILY = 0;
    private static final int IFADDR_PREFIXLEN = 1;
    private static final int IFADDR_FLAGS = 2;
    private static final int IFADDR_SCOPE = 3;
    /** ifaddrmsg flag: no duplicate address detection (IPv6), as {@code ip addr add … nodad}. */
    public static final int IFA_F_NODAD = 0x02;
    private static final int IFADDR_INDEX = 4;
    private static final int RTMSG_LEN = 12;
    private static final int RTMSG_FAMILY = 0;
    private static final int RTMSG_DST_LEN = 1;
    private static final int RTMSG_TYPE = 7;
    private static final int RTA_HDRLEN = 4;
    private static final int SOCKADDR_NL_LEN = 12;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;

    /** Large enough for any dump datagram: the kernel caps dump skbs at 32 KiB. */
    private static final int RECV_BUFFER_BYTES = 64 * 1024;
    private static final int SEND_BUFFER_BYTES = 1024;
    /** A dump the kernel marks inconsistent (NLM_F_DUMP_INTR) is retried this often. */
    private static final int DUMP_ATTEMPTS = 5;

    private final int fd;
    private final Arena arena;
    private final MemorySegment sendBuffer;
    private final MemorySegment recvBuffer;
    private final MemorySegment kernelAddress;
    private int sequence;
    private boolean closed;

    private Netlink(int fd, Arena arena) {
        this.fd = fd;
        this.arena = arena;
        this.sendBuffer = arena.allocate(SEND_BUFFER_BYTES, 8);
        this.recvBuffer = arena.allocate(RECV_BUFFER_BYTES, 8);
        this.kernelAddress = arena.allocate(SOCKADDR_NL_LEN, 4);
        kernelAddress.set(U16, 0, (short) Libc.AF_NETLINK);
        this.sequence = (int) (System.nanoTime() & 0x3fffffff) | 1;
    }

    /** Opens and binds a NETLINK_ROUTE socket; the kernel picks the port id. */
    public static Netlink open() {
        int fd = (int) Libc.check("socket: family=AF_NETLINK, protocol=NETLINK_ROUTE",
                Libc.socket(Libc.AF_NETLINK, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, Libc.NETLINK_ROUTE));
        Arena arena = Arena.ofShared();
        try {
            Netlink netlink = new Netlink(fd, arena);
            Libc.check("bind: family=AF_NETLINK", Libc.bind(fd, netlink.kernelAddress, SOCKADDR_NL_LEN));
            // Best effort: short acks and the kernel's error text; older kernels lack them.
            Libc.setsockoptInt(fd, SOL_NETLINK, NETLINK_CAP_ACK, 1);
            Libc.setsockoptInt(fd, SOL_NETLINK, NETLINK_EXT_ACK, 1);
            return netlink;
        } catch (RuntimeException e) {
            Libc.close(fd);
            arena.close();
            throw e;
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Libc.close(fd);
            arena.close();
        }
    }

    /** All interfaces, as {@code ip link show} lists them (RTM_GETLINK dump). */
    public List<Link> links() {
        List<Link> links = new ArrayList<>();
        dump("RTM_GETLINK dump", RTM_GETLINK, IFINFO_LEN, links::clear, (buf, msg, len) -> {
            int body = msg + NLMSG_HDRLEN;
            if (len < NLMSG_HDRLEN + IFINFO_LEN) {
                return;
            }
            int type = Short.toUnsignedInt(buf.get(U16, body + IFINFO_TYPE));
            int ifindex = buf.get(U32, body + IFINFO_INDEX);
            int flags = buf.get(U32, body + IFINFO_FLAGS);
            String name = null;
            long mac = 0;
            int mtu = 0;
            int end = msg + len;
            for (int a = body + IFINFO_LEN; a + RTA_HDRLEN <= end; a += align(attrLength(buf, a))) {
                int alen = attrLength(buf, a);
                if (alen < RTA_HDRLEN || a + alen > end) {
                    break;
                }
                int value = a + RTA_HDRLEN;
                int vlen = alen - RTA_HDRLEN;
                switch (attrType(buf, a)) {
                    case IFLA_IFNAME -> name = string(buf, value, vlen);
                    case IFLA_MTU -> mtu = vlen >= 4 ? buf.get(U32, value) : 0;
                    case IFLA_ADDRESS -> mac = vlen == 6 ? mac48(buf, value) : 0;
                    default -> { }
                }
            }
            links.add(new Link(ifindex, name, mac, mtu, flags, (flags & IFF_UP) != 0,
                    (flags & IFF_LOOPBACK) != 0, type));
        });
        return links;
    }

    /** All IPv4 and IPv6 interface addresses, as {@code ip addr} lists them (RTM_GETADDR dump). */
    public List<Address> addresses() {
        List<Address> addresses = new ArrayList<>();
        dump("RTM_GETADDR dump", RTM_GETADDR, IFADDR_LEN, addresses::clear, (buf, msg, len) -> {
            int body = msg + NLMSG_HDRLEN;
            if (len < NLMSG_HDRLEN + IFADDR_LEN) {
                return;
            }
            int family = Byte.toUnsignedInt(buf.get(JAVA_BYTE, body + IFADDR_FAMILY));
            if (family != Libc.AF_INET && family != Libc.AF_INET6) {
                return;
            }
            int prefixLength = Byte.toUnsignedInt(buf.get(JAVA_BYTE, body + IFADDR_PREFIXLEN));
            int ifindex = buf.get(U32, body + IFADDR_INDEX);
            InetAddress local = null;
            InetAddress address = null;
            String label = null;
            int end = msg + len;
            for (int a = body + IFADDR_LEN; a + RTA_HDRLEN <= end; a += align(attrLength(buf, a))) {
                int alen = attrLength(buf, a);
                if (alen < RTA_HDRLEN || a + alen > end) {
                    break;
                }
                int value = a + RTA_HDRLEN;
                int vlen = alen - RTA_HDRLEN;
                switch (attrType(buf, a)) {
                    case IFA_LOCAL -> local = inet(buf, value, vlen);
                    case IFA_ADDRESS -> address = inet(buf, value, vlen);
                    case IFA_LABEL -> label = string(buf, value, vlen);
                    default -> { }
                }
            }
            // IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer on point-to-point links.
            InetAddress own = local != null ? local : address;
            if (own != null) {
                addresses.add(new Address(ifindex, family, own, prefixLength, label));
            }
        });
        return addresses;
    }

    /**
     * The route the kernel picks for {@code destination}, as {@code ip route get} shows it.
     *
     * @throws NativeException with ENETUNREACH (or EHOSTUNREACH, EACCES for prohibit routes, …)
     *     when no route leads there
     */
    public Route routeTo(InetAddress destination) {
        byte[] dst = destination.getAddress();
        int family = familyOf(destination);
        int at = begin(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_ACK, RTMSG_LEN);
        sendBuffer.set(JAVA_BYTE, at + RTMSG_FAMILY, (byte) family);
        sendBuffer.set(JAVA_BYTE, at + RTMSG_DST_LEN, (byte) (dst.length * 8));
        int length = putAttr(at + RTMSG_LEN, RTA_DST, dst);
        Route[] found = new Route[1];
        String what = "RTM_GETROUTE: destination=" + destination.getHostAddress();
        transact(what, length, false, (buf, msg, len) -> {
            if (len < NLMSG_HDRLEN + RTMSG_LEN || found[0] != null) {
                return;
            }
            int body = msg + NLMSG_HDRLEN;
            int type = Byte.toUnsignedInt(buf.get(JAVA_BYTE, body + RTMSG_TYPE));
            int ifindex = 0;
            InetAddress gateway = null;
            InetAddress source = null;
            int end = msg + len;
            for (int a = body + RTMSG_LEN; a + RTA_HDRLEN <= end; a += align(attrLength(buf, a))) {
                int alen = attrLength(buf, a);
                if (alen < RTA_HDRLEN || a + alen > end) {
                    break;
                }
                int value = a + RTA_HDRLEN;
                int vlen = alen - RTA_HDRLEN;
                switch (attrType(buf, a)) {
                    case RTA_OIF -> ifindex = vlen >= 4 ? buf.get(U32, value) : 0;
                    case RTA_GATEWAY -> gateway = inet(buf, value, vlen);
                    // struct rtvia { u16 family; u8 addr[]; }: an IPv6 gateway for an IPv4 route
                    case RTA_VIA -> gateway = vlen > 2 ? inet(buf, value + 2, vlen - 2) : null;
                    case RTA_PREFSRC -> source = inet(buf, value, vlen);
                    default -> { }
                }
            }
            found[0] = new Route(ifindex, gateway, source, type);
        });
        if (found[0] == null) {
            throw new NativeException(what + ", reply=none", EBADMSG);
        }
        return found[0];
    }

    /**
     * Adds {@code address/prefixLength} to interface {@code ifindex}, as {@code ip addr add}.
     *
     * @param label the IPv4 label (at most 15 bytes, by custom starting with the interface name);
     *     null for none; ignored for IPv6, where the kernel keeps no labels
     * @throws NativeException EEXIST when the address is already there, ENODEV for a bad ifindex
     */
    public void addAddress(int ifindex, InetAddress address, int prefixLength, String label) {
        addAddress(ifindex, address, prefixLength, label, 0);
    }

    /**
     * {@link #addAddress(int, InetAddress, int, String)} with ifaddrmsg flags, e.g. {@link #IFA_F_NODAD} for an IPv6
     * VIP (keepalived sets it on every IPv6 VIP: usable at once, and never stuck "dadfailed" after a split brain).
     */
    public void addAddress(int ifindex, InetAddress address, int prefixLength, String label, int ifaFlags) {
        byte[] labelBytes = null;
        if (label != null && address instanceof Inet4Address) {
            labelBytes = (label + '\0').getBytes(StandardCharsets.UTF_8);
            if (labelBytes.length > 16) {
                throw new IllegalArgumentException("address label longer than 15 bytes: label=" + label);
            }
        }
        int length = addressRequest(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
                ifindex, address, prefixLength);
        sendBuffer.set(JAVA_BYTE, NLMSG_HDRLEN + IFADDR_FLAGS, (byte) ifaFlags);
        if (labelBytes != null) {
            length = putAttr(length, IFA_LABEL, labelBytes);
        }
        transact("RTM_NEWADDR: ifindex=" + ifindex + ", address=" + address.getHostAddress() + "/" + prefixLength,
                length, false, (buf, msg, len) -> { });
    }

    /**
     * Removes {@code address/prefixLength} from interface {@code ifindex}, as {@code ip addr del}.
     *
     * @throws NativeException EADDRNOTAVAIL when no such address is on that interface
     */
    public void deleteAddress(int ifindex, InetAddress address, int prefixLength) {
        int length = addressRequest(RTM_DELADDR, NLM_F_REQUEST | NLM_F_ACK, ifindex, address, prefixLength);
        transact("RTM_DELADDR: ifindex=" + ifindex + ", address=" + address.getHostAddress() + "/" + prefixLength,
                length, false, (buf, msg, len) -> { });
    }

    // XDP (io.jlvs.io.xdp): IFLA_XDP nest of RTM_SETLINK
    private static final int RTM_SETLINK = 19;
    private static final int IFLA_XDP = 43;
    private static final int IFLA_XDP_FD = 1;
    private static final int IFLA_XDP_FLAGS = 3;
    private static final int NLA_F_NESTED = 0x8000;
    public static final int XDP_FLAGS_UPDATE_IF_NOEXIST = 1;
    public static final int XDP_FLAGS_SKB_MODE = 2;
    public static final int XDP_FLAGS_DRV_MODE = 4;

    /**
     * Attaches XDP program {@code progFd} to interface {@code ifindex} ({@code -1}: detaches), as
     * {@code ip link set dev X xdp[generic|drv] fd N}.
     *
     * @param flags {@code XDP_FLAGS_*}: the mode (SKB or DRV), and UPDATE_IF_NOEXIST to refuse replacing
     *     another program (EBUSY)
     */
    public void setXdp(int ifindex, int progFd, int flags) {
        int at = begin(RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK, IFINFO_LEN);
        sendBuffer.set(U32, at + IFINFO_INDEX, ifindex);
        byte[] nest = new byte[16];
        MemorySegment n = MemorySegment.ofArray(nest);
        n.set(U16, 0, (short) 8);
        n.set(U16, 2, (short) IFLA_XDP_FD);
        n.set(U32, 4, progFd);
        n.set(U16, 8, (short) 8);
        n.set(U16, 10, (short) IFLA_XDP_FLAGS);
        n.set(U32, 12, flags);
        int length = putAttr(at + IFINFO_LEN, IFLA_XDP | NLA_F_NESTED, nest);
        transact("RTM_SETLINK IFLA_XDP: ifindex=" + ifindex + ", fd=" + progFd + ", flags=" + flags, length, false,
                (buf, msg, len) -> { });
    }

    // ---------------------------------------------------------------- requests

    private int addressRequest(int type, int flags, int ifindex, InetAddress address, int prefixLength) {
        byte[] bytes = address.getAddress();
        if (prefixLength < 0 || prefixLength > bytes.length * 8) {
            throw new IllegalArgumentException("prefix length out of range: address="
                    + address.getHostAddress() + ", prefixLength=" + prefixLength);
        }
        int at = begin(type, flags, IFADDR_LEN);
        sendBuffer.set(JAVA_BYTE, at + IFADDR_FAMILY, (byte) familyOf(address));
        sendBuffer.set(JAVA_BYTE, at + IFADDR_PREFIXLEN, (byte) prefixLength);
        // Like ip(8): loopback addresses get host scope, all others global.
        sendBuffer.set(JAVA_BYTE, at + IFADDR_SCOPE,
                (byte) (address.isLoopbackAddress() ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE));
        sendBuffer.set(U32, at + IFADDR_INDEX, ifindex);
        int length = at + IFADDR_LEN;
        if (address instanceof Inet4Address) {
            length = putAttr(length, IFA_LOCAL, bytes);
        }
        return putAttr(length, IFA_ADDRESS, bytes);
    }

    private static int familyOf(InetAddress address) {
        return address instanceof Inet6Address ? Libc.AF_INET6 : Libc.AF_INET;
    }

    /** Starts a request in the send buffer: header and a zeroed fixed message; returns the message's offset. */
    private int begin(int type, int flags, int fixedLength) {
        ensureOpen();
        sendBuffer.asSlice(0, NLMSG_HDRLEN + fixedLength).fill((byte) 0);
        sendBuffer.set(U16, NLMSG_TYPE, (short) type);
        sendBuffer.set(U16, NLMSG_FLAGS, (short) flags);
        finish(NLMSG_HDRLEN + fixedLength);
        return NLMSG_HDRLEN;
    }

    /** Appends an attribute at {@code at}; returns the new (aligned) request length. */
    private int putAttr(int at, int type, byte[] value) {
        int alen = RTA_HDRLEN + value.length;
        int next = at + align(alen);
        if (next > SEND_BUFFER_BYTES) {
            throw new IllegalArgumentException("netlink request too long: length=" + next);
        }
        sendBuffer.asSlice(at, next - at).fill((byte) 0);
        sendBuffer.set(U16, at, (short) alen);
        sendBuffer.set(U16, at + 2, (short) type);
        MemorySegment.copy(value, 0, sendBuffer, JAVA_BYTE, at + RTA_HDRLEN, value.length);
        finish(next);
        return next;
    }

    private void finish(int length) {
        sendBuffer.set(U32, NLMSG_LEN, length);
    }

    // ---------------------------------------------------------------- replies

    /** Called for every reply message that is neither an ack, an error nor the end of a dump. */
    @FunctionalInterface
    private interface MessageHandler {
        void accept(MemorySegment buf, int msgOffset, int msgLength);
    }

    private void dump(String what, int type, int fixedLength, Runnable reset, MessageHandler handler) {
        for (int attempt = 1; ; attempt++) {
            int at = begin(type, NLM_F_REQUEST | NLM_F_DUMP, fixedLength);
            if (transact(what, at + fixedLength, true, handler)) {
                return;
            }
            if (attempt == DUMP_ATTEMPTS) {
                throw new NativeException(what + ", attempts=" + attempt + ", reason=NLM_F_DUMP_INTR", EINTR);
            }
            reset.run();
        }
    }

    /**
     * Sends the request in the send buffer and feeds the replies to {@code handler} until the ack
     * (requests) or NLMSG_DONE (dumps).
     *
     * @return false when a dump was marked interrupted and its result may be inconsistent
     */
    private boolean transact(String what, int length, boolean dump, MessageHandler handler) {
        int seq = ++sequence;
        sendBuffer.set(U32, NLMSG_SEQ, seq);
        sendBuffer.set(U32, NLMSG_PID, 0);
        long sent;
        do {
            sent = Libc.sendto(fd, sendBuffer, length, 0, kernelAddress, SOCKADDR_NL_LEN);
        } while (sent == -EINTR);
        Libc.check(what, sent);
        boolean consistent = true;
        while (true) {
            long n = Libc.recv(fd, recvBuffer, RECV_BUFFER_BYTES, MSG_TRUNC);
            if (n == -EINTR) {
                continue;
            }
            Libc.check(what, n);
            if (n > RECV_BUFFER_BYTES) {
                throw new NativeException(what + ", datagramBytes=" + n, EMSGSIZE);
            }
            int end = (int) n;
            for (int msg = 0; msg + NLMSG_HDRLEN <= end; ) {
                int len = recvBuffer.get(U32, msg + NLMSG_LEN);
                if (len < NLMSG_HDRLEN || msg + len > end) {
                    throw new NativeException(what + ", badLength=" + len, EBADMSG);
                }
                int type = Short.toUnsignedInt(recvBuffer.get(U16, msg + NLMSG_TYPE));
                int flags = Short.toUnsignedInt(recvBuffer.get(U16, msg + NLMSG_FLAGS));
                if (recvBuffer.get(U32, msg + NLMSG_SEQ) == seq) {
                    switch (type) {
                        case NLMSG_NOOP -> { }
                        case NLMSG_ERROR -> {
                            int error = len >= NLMSG_HDRLEN + 4 ? recvBuffer.get(U32, msg + NLMSG_HDRLEN) : -EBADMSG;
                            if (error < 0) {
                                throw new NativeException(what + kernelText(msg, len, flags), -error);
                            }
                            if (!dump) {
                                return true;
                            }
                        }
                        case NLMSG_DONE -> {
                            int error = len >= NLMSG_HDRLEN + 4 ? recvBuffer.get(U32, msg + NLMSG_HDRLEN) : 0;
                            if (error < 0) {
                                throw new NativeException(what, -error);
                            }
                            if ((flags & NLM_F_DUMP_INTR) != 0) {
                                consistent = false;
                            }
                            return consistent;
                        }
                        case NLMSG_OVERRUN -> throw new NativeException(what + ", reason=NLMSG_OVERRUN", Libc.ENOBUFS);
                        default -> {
                            if ((flags & NLM_F_DUMP_INTR) != 0) {
                                consistent = false;
                            }
                            handler.accept(recvBuffer, msg, len);
                        }
                    }
                }
                msg += align(len);
            }
        }
    }

    /** The kernel's extended-ack text of an NLMSG_ERROR, as {@code ", kernel=..."}, or "". */
    private String kernelText(int msg, int len, int flags) {
        if ((flags & NLM_F_ACK_TLVS) == 0 || len < NLMSG_HDRLEN + 4 + NLMSG_HDRLEN) {
            return "";
        }
        int echoed = msg + NLMSG_HDRLEN + 4;
        int start = echoed + ((flags & NLM_F_CAPPED) != 0
                ? NLMSG_HDRLEN : align(recvBuffer.get(U32, echoed + NLMSG_LEN)));
        int end = msg + len;
        for (int a = start; a + RTA_HDRLEN <= end; a += align(attrLength(recvBuffer, a))) {
            int alen = attrLength(recvBuffer, a);
            if (alen < RTA_HDRLEN || a + alen > end) {
                break;
            }
            if (attrType(recvBuffer, a) == NLMSGERR_ATTR_MSG) {
                return ", kernel=\"" + string(recvBuffer, a + RTA_HDRLEN, alen - RTA_HDRLEN) + "\"";
            }
        }
        return "";
    }

    // ---------------------------------------------------------------- helpers

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("netlink socket closed");
        }
    }

    private static int align(int length) {
        return (length + 3) & ~3;
    }

    private static int attrLength(MemorySegment buf, int at) {
        return Short.toUnsignedInt(buf.get(U16, at));
    }

    private static int attrType(MemorySegment buf, int at) {
        return Short.toUnsignedInt(buf.get(U16, at + 2)) & NLA_TYPE_MASK;
    }

    /** A NUL-terminated (or attribute-bounded) string. */
    private static String string(MemorySegment buf, int at, int maxLength) {
        int n = 0;
        while (n < maxLength && buf.get(JAVA_BYTE, at + n) != 0) {
            n++;
        }
        byte[] bytes = new byte[n];
        MemorySegment.copy(buf, JAVA_BYTE, at, bytes, 0, n);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static long mac48(MemorySegment buf, int at) {
        long mac = 0;
        for (int i = 0; i < 6; i++) {
            mac = (mac << 8) | Byte.toUnsignedLong(buf.get(JAVA_BYTE, at + i));
        }
        return mac;
    }

    /** An IPv4 or IPv6 address in network order, or null for any other length. */
    private static InetAddress inet(MemorySegment buf, int at, int length) {
        if (length != 4 && length != 16) {
            return null;
        }
        byte[] bytes = new byte[length];
        MemorySegment.copy(buf, JAVA_BYTE, at, bytes, 0, length);
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // unreachable: the length is checked
        }
    }
}
