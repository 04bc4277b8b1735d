package io.jlvs.forward;

/**
 * A forwarding method, one per file as the kernel's {@code ip_vs_xmit.c} functions: rewrites the
 * frame in place for its next hop. The method is bound once per connection (its code is in the
 * connection's flags), so the pipeline picks the transmitter by index and never looks at configuration.
 * The pipeline has already counted the packet, run the state machine, checked and decremented the
 * TTL and resolved the next hop; the transmitter sets the Ethernet addresses itself.
 */
public interface Xmit {
    /** Result: the frame was rewritten and is to be sent. */
    int SEND = 0;

    /**
     * Client → real server.
     *
     * @return {@link #SEND}, or a negative {@code -(DropReason.ordinal() + 1)} to drop it
     */
    int toRealServer(Frame f, XmitContext ctx, int slot, DestRuntime d, ServedInterface out, long nextHopMac);

    /** Real server → client (methods that see replies: NAT, FULLNAT). */
    default int toClient(Frame f, XmitContext ctx, int slot, ServedInterface out) {
        return -(io.jlvs.stats.DropReason.NAT_REPLY_NO_CONNECTION.ordinal() + 1);
    }

    static int drop(io.jlvs.stats.DropReason reason) {
        return -(reason.ordinal() + 1);
    }
}
