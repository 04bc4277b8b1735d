package io.jlvs.conn;

/**
 * IPVS connection flags ({@code IP_VS_CONN_F_*} of {@code include/uapi/linux/ip_vs.h}), with the same values so
 * that sync messages and listings carry them unchanged. The low three bits hold the forwarding method, fixed when
 * the connection is created so the packet path never consults configuration again.
 *
 * <p>{@link ConnectionTable} stores only the low 16 bits; {@link #NFCT} (bit 16) is never stored there.
 */
public final class ConnectionFlags {
    /** Mask of the forwarding method bits. */
    public static final int FWD_MASK = 0x0007;
    /** Forwarding method NAT (masquerading), ipvsadm letter M. */
    public static final int FWD_MASQ = 0;
    /** Forwarding method local node, ipvsadm letter L. */
    public static final int FWD_LOCALNODE = 1;
    /** Forwarding method IP-in-IP tunnel, ipvsadm letter T. */
    public static final int FWD_TUNNEL = 2;
    /** Forwarding method direct routing, ipvsadm letter R. */
    public static final int FWD_DROUTE = 3;
    /** Forwarding method cache bypass, ipvsadm letter B. */
    public static final int FWD_BYPASS = 4;
    /** Forwarding method FULLNAT (DPVS; not in the kernel), letter F. */
    public static final int FWD_FULLNAT = 5;

    /** Created from a sync message. */
    public static final int SYNC = 0x0020;
    /** In the table (never synced). */
    public static final int HASHED = 0x0040;
    /** The balancer sees no replies (every non-NAT destination); cleared if a reply is ever seen. */
    public static final int NOOUTPUT = 0x0080;
    /** Counted in inactconns instead of activeconns. */
    public static final int INACTIVE = 0x0100;
    /** Outbound sequence adjustment active (FTP helper). */
    public static final int OUT_SEQ = 0x0200;
    /** Inbound sequence adjustment active (FTP helper). */
    public static final int IN_SEQ = 0x0400;
    /** Client port not known yet; filled in from the first packet. */
    public static final int NO_CPORT = 0x0800;
    /** Persistence template, not a connection. */
    public static final int TEMPLATE = 0x1000;
    /** One-packet scheduling: used for one datagram, then destroyed. */
    public static final int ONE_PACKET = 0x2000;
    /** Keep netfilter conntrack; bits from 16 up are never synced (and not stored by {@link ConnectionTable}). */
    public static final int NFCT = 1 << 16;

    private static final char[] FORWARD_LETTERS = {'M', 'L', 'T', 'R', 'B', 'F', '?', '?'};

    private ConnectionFlags() {
    }

    /** The forwarding method bits ({@link #FWD_MASQ} … {@link #FWD_BYPASS}). */
    public static int forwardMethod(int flags) {
        return flags & FWD_MASK;
    }

    /** The forwarding letter {@code ipvsadm -lc} prints: M, L, T, R or B. */
    public static char forwardLetter(int flags) {
        return FORWARD_LETTERS[flags & FWD_MASK];
    }
}
