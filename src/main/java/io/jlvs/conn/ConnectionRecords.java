package io.jlvs.conn;

/**
 * What the SYN flood guard reads and writes in a connection record, whichever the address family: the IPv4
 * {@link ConnectionTable} and the IPv6 {@link ConnectionTable6} both implement it.
 */
public interface ConnectionRecords {
    int state(int slot);

    int flags(int slot);

    void flags(int slot, int flags);
}
