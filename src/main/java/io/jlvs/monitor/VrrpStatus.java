package io.jlvs.monitor;

import java.util.List;

/**
 * The director's VRRP state as the monitor, {@code /metrics} and {@code jlvs doctor} show it. The VRRP engine
 * (issue 8) implements it and serves it on the control socket as op {@link #CONTROL_OP}
 * ({@code control.register(VrrpStatus.CONTROL_OP, r -> vrrp.instances())}); until then no director answers
 * that op and every consumer shows "not configured" ({@link #NOT_CONFIGURED}).
 */
@FunctionalInterface
public interface VrrpStatus {
    /** The control-socket op whose result is the JSON list of {@link Instance}. */
    String CONTROL_OP = "vrrpStatus";

    /** The states keepalived's VRRP instances go through. */
    List<String> STATES = List.of("INIT", "BACKUP", "MASTER", "FAULT");

    /**
     * One VRRP instance.
     *
     * @param name      {@code vrrp_instance} name ("VI_1")
     * @param state     one of {@link #STATES}
     * @param interfaceName the interface it advertises on
     * @param virtualRouterId {@code virtual_router_id}
     * @param priority  current priority
     * @param vips      its virtual addresses
     */
    record Instance(String name, String state, String interfaceName, int virtualRouterId, int priority,
                    List<String> vips) {}

    /** Every instance; empty when VRRP is not configured. */
    List<Instance> instances();

    VrrpStatus NOT_CONFIGURED = List::of;
}
