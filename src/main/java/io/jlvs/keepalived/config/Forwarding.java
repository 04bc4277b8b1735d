package io.jlvs.keepalived.config;

import io.jlvs.control.ForwardMethod;

/**
 * How a real (or sorry) server is reached: {@code lvs_method NAT|DR|TUN [type ipip|gue|gre] [port N]
 * [nocsum|csum|remcsum]}.
 *
 * @param method     forwarding method
 * @param tunnelType 0 ipip, 1 gue, 2 gre
 * @param tunnelPort GUE port (0 otherwise)
 * @param tunnelFlags 0 nocsum, 1 csum, 2 remcsum
 */
public record Forwarding(ForwardMethod method, int tunnelType, int tunnelPort, int tunnelFlags) {
    public static final Forwarding NAT = new Forwarding(ForwardMethod.MASQ, 0, 0, 0);
    public static final Forwarding DR = new Forwarding(ForwardMethod.DROUTE, 0, 0, 0);
}
