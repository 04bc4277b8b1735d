package io.jlvs.forward;

/**
 * An interface the data plane serves: where frames come in and go out.
 *
 * @param ifindex kernel interface index
 * @param name    interface name ("eth0")
 * @param mac     hardware address (48 bits)
 * @param ipv4    primary IPv4 address (network order as int), 0 if none: the sender of jlvs's ARP requests
 * @param mtu     MTU in bytes
 */
public record ServedInterface(int ifindex, String name, long mac, int ipv4, int mtu) {}
