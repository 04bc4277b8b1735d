package io.jlvs.conn;

/**
 * Told about each connection {@link ConnectionTable#expire} removes, just before its slot is freed, so the worker
 * can decrement the destination's active or inactive count while the record's fields are still readable.
 */
@FunctionalInterface
public interface ExpiryListener {
    /**
     * Called with the slot of an expired connection. The record may be read; the listener must not create
     * connections or touch other slots (removing this slot is harmless). To keep the connection instead, re-arm
     * it with {@link ConnectionTable#touch} to a time after now: it is then filed again, not freed (IPVS keeps
     * a persistence template that still controls connections).
     */
    void onExpire(int slot);
}
