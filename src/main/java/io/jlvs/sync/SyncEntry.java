package io.jlvs.sync;

/**
 * One connection (or persistence template) as the IPVS sync protocol carries it ({@code union ip_vs_sync_conn}):
 * IPv4 ({@code ip_vs_sync_v4}) or IPv6 ({@code ip_vs_sync_v6}), which differ only in address width. Each address
 * is held as two longs (network order halves); an IPv4 address sits in the low 32 bits of {@code *Lo}, with
 * {@code *Hi} 0. {@code timeoutS} is the connection's timeout for its state (v1 carries it).
 */
public record SyncEntry(boolean ipv6, int protocol, int flags, int state, int cport, int vport, int dport, int fwmark,
                        int timeoutS, long caddrHi, long caddrLo, long vaddrHi, long vaddrLo, long daddrHi,
                        long daddrLo, int outSeqDelta) {

    /**
     * An entry without sequence data. {@code outSeqDelta}, when {@code flags} has {@code OUT_SEQ} (0x0200), is
     * the kernel's {@code out_seq.delta} ({@code IPVS_OPT_SEQ_DATA}): added to the real server's sequence numbers
     * on the way to the client, subtracted from the client's acknowledgements (jlvs's SYN proxy sets it).
     */
    public SyncEntry(boolean ipv6, int protocol, int flags, int state, int cport, int vport, int dport, int fwmark,
                     int timeoutS, long caddrHi, long caddrLo, long vaddrHi, long vaddrLo, long daddrHi, long daddrLo) {
        this(ipv6, protocol, flags, state, cport, vport, dport, fwmark, timeoutS, caddrHi, caddrLo, vaddrHi, vaddrLo,
                daddrHi, daddrLo, 0);
    }

    /** An IPv4 entry; addresses as ints (host order). */
    public SyncEntry(int protocol, int flags, int state, int cport, int vport, int dport, int fwmark, int timeoutS,
                     int caddr, int vaddr, int daddr) {
        this(false, protocol, flags, state, cport, vport, dport, fwmark, timeoutS, 0L, Integer.toUnsignedLong(caddr),
                0L, Integer.toUnsignedLong(vaddr), 0L, Integer.toUnsignedLong(daddr));
    }

    /** An IPv6 entry. */
    public static SyncEntry ipv6(int protocol, int flags, int state, int cport, int vport, int dport, int fwmark,
                                 int timeoutS, long caddrHi, long caddrLo, long vaddrHi, long vaddrLo, long daddrHi,
                                 long daddrLo) {
        return new SyncEntry(true, protocol, flags, state, cport, vport, dport, fwmark, timeoutS, caddrHi, caddrLo,
                vaddrHi, vaddrLo, daddrHi, daddrLo);
    }

    /** The client's IPv4 address (an IPv4 entry). */
    public int caddr() {
        return (int) caddrLo;
    }

    /** The virtual IPv4 address (an IPv4 entry). */
    public int vaddr() {
        return (int) vaddrLo;
    }

    /** The real server's IPv4 address (an IPv4 entry). */
    public int daddr() {
        return (int) daddrLo;
    }
}
