package io.jlvs.ipvsadm;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * The name lookups ipvsadm makes through the C library: host names to IPv4 addresses when parsing,
 * addresses back to names and ports to service names when listing without {@code -n}. An interface so
 * that tests run with fixed answers instead of the machine's DNS and /etc/services.
 */
public interface NameService {
    /** {@code gethostbyname}: the first IPv4 address of a host name, or null (names with only IPv6 fail). */
    Inet4Address ipv4ByName(String name);

    /** {@code gethostbyaddr}: the first name of an address, or null when there is none. */
    String nameOf(InetAddress address);

    /** {@code getservbyname}: the port of a service name (or alias) for "tcp", "udp" or "sctp", or -1. */
    int portOf(String service, String protocol);

    /** {@code getservbyport}: the official service name of a port for a protocol, or null. */
    String serviceOf(int port, String protocol);
}
