package io.jlvs.vrrp;

/**
 * The states of a VRRP instance as keepalived names them (vrrp.md §7). {@link #STOP} is never a running state: it is
 * reported once to notify scripts and listeners when the engine shuts down.
 */
public enum VrrpState {
    INIT, BACKUP, MASTER, FAULT, STOP
}
