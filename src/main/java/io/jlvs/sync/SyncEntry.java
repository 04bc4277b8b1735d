package io.jlvs.sync;

/**
 * One connection (or persistence template) as the IPVS sync protocol carries it. Addresses are IPv4
 * as ints (host order); {@code timeoutS} is the connection's timeout for its state (v1 carries it).
 */
public record SyncEntry(int protocol, int flags, int state, int cport, int vport, int dport, int fwmark,
                        int timeoutS, int caddr, int vaddr, int daddr) {}
