package io.jlvs.keepalived.config;

import java.net.InetAddress;
import java.util.List;

/** A {@code virtual_server_group NAME { … }}: address ranges with ports, and firewall marks. */
public record VirtualServerGroup(String name, List<Entry> entries) {
    public VirtualServerGroup {
        entries = List.copyOf(entries);
    }

    /**
     * One entry: an address range {@code start..end} (equal for a single address) with a port (0 = none),
     * or a firewall mark with an optional family (0 = unspecified).
     */
    public record Entry(boolean isFwmark, long fwmark, int fwmarkFamily, InetAddress start, InetAddress end, int port) {}
}
