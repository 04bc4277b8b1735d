package io.jlvs.control;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * What identifies a virtual service, as the kernel's {@code ip_vs_service_user} does: either
 * (protocol, address, port) or a firewall mark (with an address family).
 *
 * @param af       {@link io.jlvs.io.linux.Libc#AF_INET} or {@code AF_INET6}
 * @param protocol TCP, UDP or SCTP; {@code null} for a firewall-mark service
 * @param address  virtual address; {@code null} for a firewall-mark service
 * @param port     virtual port (0..65535); 0 for a firewall-mark service
 * @param fwmark   firewall mark, 0 for an address service
 */
public record ServiceKey(int af, Protocol protocol, InetAddress address, int port, int fwmark) {

    public static ServiceKey of(Protocol protocol, InetAddress address, int port) {
        int af = address instanceof Inet6Address ? 10 : 2;
        return new ServiceKey(af, protocol, address, port, 0);
    }

    public static ServiceKey ofFwmark(int af, int fwmark) {
        return new ServiceKey(af, null, null, 0, fwmark);
    }

    @JsonIgnore
    public boolean hasFwmark() {
        return fwmark != 0;
    }

    /** For error messages: {@code TCP 198.18.0.100:80} or {@code FWM 1}. */
    @Override
    public String toString() {
        if (hasFwmark()) {
            return "FWM " + fwmark + (af == 10 ? " IPv6" : "");
        }
        String a = address.getHostAddress();
        return protocol.listName() + " " + (af == 10 ? "[" + a + "]" : a) + ":" + port;
    }
}
