package io.jlvs.forward;

import io.jlvs.conn.ConnectionTable;

/** What a transmitter may use besides the frame: the worker's connection table and its clock. */
public final class XmitContext {
    public final ConnectionTable conns;
    public long nowMs;
    /** IP ID generator for headers the director creates (outer tunnel headers, ICMP errors). */
    private int ipId = (int) (System.nanoTime() & 0xffff);

    XmitContext(ConnectionTable conns) {
        this.conns = conns;
    }

    public int nextIpId() {
        ipId = (ipId + 1) & 0xffff;
        return ipId;
    }
}
