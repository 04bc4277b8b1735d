package io.jlvs.ops;

import io.jlvs.control.ControlSocket;
import io.jlvs.io.linux.Libc;
import io.jlvs.io.linux.NativeException;
import io.jlvs.io.linux.Netlink;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@link RealServerHost} on this machine, in this process's network namespace: netlink for addresses, links and
 * routes, {@code SIOCGIFFLAGS}/{@code SIOCSIFFLAGS} for bringing a link up, {@code /proc/sys} for sysctls (which
 * under {@code ip netns exec} shows the namespace's own values). The state file is keyed by the namespace's
 * inode, as the control socket is.
 */
public final class LinuxRealServerHost implements RealServerHost {
    private final Path procSys;

    public LinuxRealServerHost() {
        this(Path.of("/proc/sys"));
    }

    LinuxRealServerHost(Path procSys) {
        this.procSys = procSys;
    }

    @Override
    public List<Netlink.Address> addresses() {
        try (Netlink nl = Netlink.open()) {
            return nl.addresses();
        }
    }

    @Override
    public Optional<Netlink.Link> link(String name) {
        try (Netlink nl = Netlink.open()) {
            return nl.links().stream().filter(l -> l.name().equals(name)).findFirst();
        }
    }

    @Override
    public void addAddress(int ifindex, InetAddress address, int prefixLength, String label) {
        try (Netlink nl = Netlink.open()) {
            nl.addAddress(ifindex, address, prefixLength, label);
        }
    }

    @Override
    public void deleteAddress(int ifindex, InetAddress address, int prefixLength) {
        try (Netlink nl = Netlink.open()) {
            nl.deleteAddress(ifindex, address, prefixLength);
        }
    }

    @Override
    public void setLinkUp(String name, boolean up) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        if (n.length > 15) {
            throw new IllegalArgumentException("interface name longer than 15 bytes: name=" + name);
        }
        int fd = (int) Libc.check("socket(AF_INET, SOCK_DGRAM)", Libc.socket(Libc.AF_INET,
                Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifreq = arena.allocate(Libc.IFREQ_BYTES);
            MemorySegment.copy(n, 0, ifreq, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, n.length);
            Libc.check("ioctl(SIOCGIFFLAGS, " + name + ")", Libc.ioctl(fd, Libc.SIOCGIFFLAGS, ifreq));
            short flags = ifreq.get(JAVA_SHORT, Libc.IFREQ_FLAGS_OFFSET);
            short next = (short) (up ? flags | Netlink.IFF_UP : flags & ~Netlink.IFF_UP);
            if (next != flags) {
                ifreq.set(JAVA_SHORT, Libc.IFREQ_FLAGS_OFFSET, next);
                Libc.check("ioctl(SIOCSIFFLAGS, " + name + ")", Libc.ioctl(fd, Libc.SIOCSIFFLAGS, ifreq));
            }
        } finally {
            Libc.close(fd);
        }
    }

    private Path sysctlPath(String name) {
        return procSys.resolve(name.replace('.', '/'));
    }

    @Override
    public Optional<String> readSysctl(String name) throws IOException {
        try {
            return Optional.of(Files.readString(sysctlPath(name), StandardCharsets.US_ASCII).strip());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    @Override
    public void writeSysctl(String name, String value) throws IOException {
        Files.writeString(sysctlPath(name), value + "\n", StandardCharsets.US_ASCII);
    }

    @Override
    public int routeType(InetAddress address) {
        try (Netlink nl = Netlink.open()) {
            return nl.routeTo(address).type();
        } catch (NativeException e) {
            return -1;
        }
    }

    @Override
    public Path stateFile() {
        return ControlSocket.runDir().resolve("realserver-" + ControlSocket.netnsId() + ".json");
    }
}
