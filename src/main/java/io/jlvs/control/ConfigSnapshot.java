package io.jlvs.control;

import java.util.List;

/**
 * The whole service table as the control plane publishes it to the data plane after every change:
 * immutable, with the stable ids the workers index their counters by.
 */
public record ConfigSnapshot(long version, List<Service> services, List<MarkRule> marks) {
    /** A service with its id and its real servers in the kernel's list order (newest first). */
    public record Service(int serviceId, ServiceConfig config, List<Dest> dests, List<java.net.InetAddress> localAddresses) {
        public Service(int serviceId, ServiceConfig config, List<Dest> dests) {
            this(serviceId, config, dests, List.of());
        }
    }

    /** A real server with its stable id. */
    public record Dest(int destId, DestConfig config) {}

    public static final ConfigSnapshot EMPTY = new ConfigSnapshot(0, List.of(), List.of());
}
