package io.jlvs.ops;

import io.jlvs.io.linux.Netlink;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What {@link RealServerSetup} reads and changes on the real server: addresses and links (netlink), interface
 * flags (ioctl), sysctls ({@code /proc/sys}) and where it keeps what it changed. {@link LinuxRealServerHost} is
 * the machine; tests use a fake.
 */
public interface RealServerHost {
    List<Netlink.Address> addresses();

    Optional<Netlink.Link> link(String name);

    void addAddress(int ifindex, InetAddress address, int prefixLength, String label);

    void deleteAddress(int ifindex, InetAddress address, int prefixLength);

    /** Sets or clears {@code IFF_UP}. */
    void setLinkUp(String name, boolean up);

    /** A sysctl by its dotted name ({@code net.ipv4.conf.all.arp_ignore}); empty when it does not exist. */
    Optional<String> readSysctl(String name) throws IOException;

    void writeSysctl(String name, String value) throws IOException;

    /** The route type ({@code Netlink.RTN_*}) the kernel would use to reach {@code address}; -1 when none. */
    int routeType(InetAddress address);

    /** The file keeping what {@code realserver start} changed, for {@code stop} to restore. */
    Path stateFile();
}
