package io.jlvs.forward;

import io.jlvs.conn.ConnectionTable;

/** What a transmitter may use besides the frame: the worker's connection table and its clock. */
public final class XmitContext {
    public final ConnectionTable conns;
    public long nowMs;
    /** FULLNAT: the client packet being sent completes the handshake (the TOA option goes in it). */
    public boolean handshakeAck;
    /** FULLNAT: local address and port per connection slot (allocated when the first FULLNAT service appears). */
    private int[] localIps;
    private char[] localPorts;
    /** IP ID generator for headers the director creates (outer tunnel headers, ICMP errors). */
    private int ipId = (int) (System.nanoTime() & 0xffff);

    XmitContext(ConnectionTable conns) {
        this.conns = conns;
    }

    public int localIp(int slot) {
        return localIps[slot];
    }

    public int localPort(int slot) {
        return localPorts[slot];
    }

    public void local(int slot, int ip, int port) {
        if (localIps == null) {
            localIps = new int[conns.capacity()];
            localPorts = new char[conns.capacity()];
        }
        localIps[slot] = ip;
        localPorts[slot] = (char) port;
    }

    public int nextIpId() {
        ipId = (ipId + 1) & 0xffff;
        return ipId;
    }
}
