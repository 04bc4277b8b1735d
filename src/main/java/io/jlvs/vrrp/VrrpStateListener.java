package io.jlvs.vrrp;

/**
 * Told of every state change of an instance or sync group, on the VRRP thread, after the change took effect (VIPs
 * added or removed). Must return quickly and never throw.
 */
@FunctionalInterface
public interface VrrpStateListener {
    /**
     * @param group    true for a {@code vrrp_sync_group}
     * @param priority effective priority (0 for a group)
     */
    void stateChanged(String name, boolean group, VrrpState from, VrrpState to, int priority);
}
