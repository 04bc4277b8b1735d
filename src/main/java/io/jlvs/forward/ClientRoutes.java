package io.jlvs.forward;

/**
 * How to reach a client the worker has not heard from: the director's IPv4 routes on its served
 * interfaces (connected networks, then the default route), longest prefix first. A NAT or FULLNAT reply
 * normally goes back to the L2 source of the client's own first frame; a connection installed from a
 * sync message has seen no such frame on this director, so its reply is sent along this table instead
 * (to the client itself on a connected network, else to the gateway), and the path is then kept in the
 * connection. Computed by the control plane with every configuration; read-only for workers.
 */
public final class ClientRoutes {
    public static final ClientRoutes EMPTY = new ClientRoutes(new int[0], new int[0], new int[0], new int[0]);

    private final int[] network;
    private final int[] mask;
    private final int[] ifindex;
    private final int[] gateway;

    /**
     * Routes in lookup order (longest prefix first); {@code gateway[i] == 0} means on-link (the client is
     * its own next hop).
     */
    public ClientRoutes(int[] network, int[] mask, int[] ifindex, int[] gateway) {
        if (network.length != mask.length || mask.length != ifindex.length || ifindex.length != gateway.length) {
            throw new IllegalArgumentException("client routes: arrays of different lengths");
        }
        this.network = network;
        this.mask = mask;
        this.ifindex = ifindex;
        this.gateway = gateway;
    }

    /** Index of the first route covering {@code ipv4}, or -1. */
    public int lookup(int ipv4) {
        for (int i = 0; i < network.length; i++) {
            if ((ipv4 & mask[i]) == network[i]) {
                return i;
            }
        }
        return -1;
    }

    public int ifindex(int route) {
        return ifindex[route];
    }

    /** The next hop toward {@code ipv4} on route {@code route}: the gateway, or the client when on-link. */
    public int nextHop(int route, int ipv4) {
        return gateway[route] != 0 ? gateway[route] : ipv4;
    }

    public int size() {
        return network.length;
    }
}
