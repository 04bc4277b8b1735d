package io.jlvs.vrrp;

import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.util.List;

/**
 * Everything the VRRP state machine does to the world, so the same {@link VrrpNode} runs over Linux sockets and
 * netlink ({@link LinuxVrrpHost}) or inside a seeded simulation with a manual clock. Called on the VRRP thread only.
 */
public interface VrrpHost {
    /** Sends one advert: a complete IPv4 or IPv6 packet (header, then the VRRP message) out of the instance's interface. */
    void transmit(VrrpInstance instance, MemorySegment packet, int length);

    /**
     * The address adverts go out from when none is configured: the interface's primary IPv4 address (not one of
     * the VRRP addresses) or its first IPv6 link-local address; {@code null} when it has none.
     */
    InetAddress interfaceAddress(String interfaceName, boolean ipv6);

    /** Whether the interface is up (unknown interfaces are down). */
    boolean linkUp(String interfaceName);

    /** Adds the instance's virtual and excluded addresses to their interfaces ({@code ip addr add}). */
    void addAddresses(VrrpInstance instance);

    /** Removes them again. */
    void removeAddresses(VrrpInstance instance);

    /** Removes only {@code addresses} of an instance (a reload dropped them from its configuration). */
    void removeAddresses(VrrpInstanceConfig instance, List<VirtualAddress> addresses);

    /** Sends {@code rounds} rounds of gratuitous ARP / unsolicited NA, one message per VIP and eVIP per round. */
    void announce(VrrpInstance instance, int rounds);

    /** One gratuitous ARP / unsolicited NA for a single address (a unicast instance's own source on recovery). */
    void announceAddress(String interfaceName, InetAddress address);

    /**
     * Starts a notify program and does not wait for it.
     *
     * @param killAfterUs when positive, the program is killed if still running after that long (STOP scripts)
     */
    void runNotify(List<String> argv, long killAfterUs);

    /** Starts one run of a {@code vrrp_script}; its result comes back through {@link VrrpNode#scriptResult}. */
    void startScript(VrrpScriptConfig script);
}
