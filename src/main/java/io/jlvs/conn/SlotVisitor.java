package io.jlvs.conn;

/** Visits each live connection of a {@link ConnectionTable} by slot (listing, flush; slow path). */
@FunctionalInterface
public interface SlotVisitor {
    /** Called once per live slot; the visitor may read the record and may remove this slot. */
    void visit(int slot);
}
