package io.jlvs.io.xdp;

import io.jlvs.io.linux.Libc;

/**
 * Whether this kernel and this process can run the AF_XDP transport, probed once, with the reason
 * kept when not (as Netty's {@code Epoll.isAvailable()} / {@code unavailabilityCause()}):
 * <ol>
 * <li>an AF_XDP socket opens (kernel built with {@code CONFIG_XDP_SOCKETS}, {@code CAP_NET_RAW});</li>
 * <li>an XSKMAP and a hash map can be created ({@code CONFIG_BPF_SYSCALL}, {@code CAP_BPF}/{@code CAP_SYS_ADMIN});</li>
 * <li>the steering program passes the kernel's verifier.</li>
 * </ol>
 * Whether an interface runs XDP in its driver (native) or in the generic (SKB) path, and whether the
 * socket is zero-copy, is known only when attaching; {@link XdpTransport} reports that per interface.
 */
public final class XdpProbe {
    private XdpProbe() {}

    private static final String UNAVAILABILITY_CAUSE = probe();

    /** True when AF_XDP can be used. */
    public static boolean isAvailable() {
        return UNAVAILABILITY_CAUSE == null;
    }

    /** Why AF_XDP cannot be used, or null when it can. */
    public static String unavailabilityCause() {
        return UNAVAILABILITY_CAUSE;
    }

    /** One line for logs, {@code jlvs doctor} and {@code jlvs status}. */
    public static String describe() {
        return isAvailable() ? "available (AF_XDP sockets, XSKMAP, XDP program verified)"
                : "unavailable: " + UNAVAILABILITY_CAUSE;
    }

    static String probe() {
        try {
            int fd = Libc.socket(Libc.AF_XDP, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, 0);
            if (fd < 0) {
                return switch (-fd) {
                    case Libc.EAFNOSUPPORT -> "socket(AF_XDP): address family not supported: the kernel was built "
                            + "without CONFIG_XDP_SOCKETS (errno=" + -fd + ")";
                    case Libc.EPERM, Libc.EACCES -> "socket(AF_XDP): permission denied: needs root or CAP_NET_RAW "
                            + "(errno=" + -fd + ")";
                    default -> "socket(AF_XDP): " + Libc.strerror(-fd) + " (errno=" + -fd + ")";
                };
            }
            Libc.close(fd);
            int xsks;
            int steer;
            try {
                xsks = Bpf.createMap(Bpf.MAP_TYPE_XSKMAP, 4, 4, 1, "jlvs_probe");
            } catch (RuntimeException e) {
                return "bpf(BPF_MAP_CREATE XSKMAP) failed, so no XDP program can be loaded (needs CONFIG_BPF_SYSCALL "
                        + "and root or CAP_BPF+CAP_NET_ADMIN): " + e.getMessage();
            }
            try {
                steer = Bpf.createMap(Bpf.MAP_TYPE_HASH, XdpProgram.KEY_BYTES, XdpProgram.VALUE_BYTES, 1, "jlvs_probe");
            } catch (RuntimeException e) {
                Libc.close(xsks);
                return "bpf(BPF_MAP_CREATE HASH): " + e.getMessage();
            }
            try {
                int prog = Bpf.loadProgram(Bpf.PROG_TYPE_XDP, XdpProgram.build(steer, xsks), XdpProgram.LICENSE,
                        "jlvs_probe");
                Libc.close(prog);
            } catch (RuntimeException e) {
                return "the kernel refused jlvs's XDP program: " + e.getMessage();
            } finally {
                Libc.close(steer);
                Libc.close(xsks);
            }
            return null;
        } catch (LinkageError | RuntimeException e) {
            return "probe failed: " + e;
        }
    }
}
