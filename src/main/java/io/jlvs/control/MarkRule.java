package io.jlvs.control;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * jlvs's own packet marking, what {@code iptables -t mangle -A PREROUTING -d NET -p PROTO --dport PORTS
 * -j MARK --set-mark N} does for kernel LVS: a packet to {@code address/prefixLength} with the
 * protocol and a destination port in {@code [portLow, portHigh]} carries {@code mark}, and a firewall-mark
 * service ({@code ipvsadm -A -f N}) takes it. A user-space data plane cannot see the kernel's marks, so
 * the rules live in the director ({@code jlvs fwmark add …}). The first matching rule wins.
 *
 * @param protocol null for TCP and UDP alike
 */
public record MarkRule(InetAddress address, int prefixLength, Protocol protocol, int portLow, int portHigh, int mark) {

    /** Validates; throws IpvsException(EINVAL) with the reason. */
    public MarkRule validated() throws IpvsException {
        if (!(address instanceof Inet4Address)) {
            throw new IpvsException(Errno.EAFNOSUPPORT, "fwmark rules take IPv4 destinations for now");
        }
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IpvsException(Errno.EINVAL, "prefix length " + prefixLength);
        }
        if (portLow < 0 || portHigh > 65535 || portLow > portHigh) {
            throw new IpvsException(Errno.EINVAL, "port range " + portLow + "-" + portHigh);
        }
        if (mark <= 0) {
            throw new IpvsException(Errno.EINVAL, "mark " + mark);
        }
        return this;
    }

    /** The rule as {@code jlvs fwmark list} prints it (and {@code jlvs fwmark add} reads it back). */
    public String describe() {
        String ports = portLow == 0 && portHigh == 65535 ? "" : " --dport " + (portLow == portHigh ? "" + portLow
                : portLow + ":" + portHigh);
        return "--dst " + address.getHostAddress() + "/" + prefixLength
                + (protocol == null ? "" : " --proto " + protocol.serviceDbName()) + ports + " --mark " + mark;
    }
}
