package io.jlvs.forward;

import io.jlvs.packet.Checksum;
import io.jlvs.packet.EthernetView;
import io.jlvs.packet.Ipv4View;
import io.jlvs.packet.Ipv6View;
import io.jlvs.packet.TcpOptions;
import io.jlvs.packet.TcpView;

import java.lang.foreign.MemorySegment;

/**
 * SYN proxy for NAT and FULLNAT services (DPVS's {@code dp_vs_synproxy}): under a SYN flood the director
 * completes the client's handshake itself, with a {@link SynCookie} as its ISN, and opens the real server's
 * connection only when the client's ACK proves the client is real. A spoofed SYN then costs one SYN-ACK
 * and no connection entry, so the flood can neither fill the table nor reach the real servers.
 * <pre>
 *  client                director                          real server
 *    SYN (isn C)  ─────►  no entry; SYN-ACK seq=cookie K
 *               ◄─────
 *    ACK ack=K+1  ─────►  cookie valid: schedule, entry AWAIT
 *    (data: held)          SYN seq=C (client's options)  ─────►
 *                                                      ◄───── SYN-ACK seq=S ack=C+1
 *                          delta = S - K; entry PROXIED
 *                          ACK seq=C+1 ack=S+1           ─────►
 *                          held data, ack + delta         ─────►
 *    ◄── seq - delta, window rescaled ◄──────────────────────── data
 * </pre>
 * For the connection's whole life the real server's sequence numbers are shifted by {@code delta}: its
 * {@code seq} on the way to the client, the client's {@code ack} and SACK edges on the way to the server.
 * The SYN-ACK offers MSS (the client's, rounded down to the cookie's table), SACK if the client offered it
 * and window scale {@value #WINDOW_SCALE} if the client offered one, never timestamps; the real server gets
 * the same offer in the SYN, with the client's own window scale. Should the real server choose another
 * scale, windows are rescaled on the way (as DPVS and Linux's {@code SYNPROXY} target do).
 *
 * <p>When it acts ({@link Mode}): by default only while the worker's {@link SynFloodGuard} is under
 * pressure (and for {@link SynFloodGuard#PRESSURE_HOLD_MS} after), so without a flood a connection is set
 * up exactly as before; {@code always} proxies every new connection of an eligible service. A service is
 * eligible when every real server of it is NAT or FULLNAT (the director must see both directions for
 * its whole life).
 *
 * <p>Per connection two ints, kept beside the connection table by slot (allocated when the first eligible
 * service appears, 8 bytes per table slot): while the entry waits for the real server, the cookie and the
 * client's ISN; then {@code delta} and the window shifts. The flags {@link #AWAIT} and {@link #PROXIED}
 * mark such entries; the flags themselves never leave the director: a proxied connection is synced with
 * the kernel's OUT_SEQ flag and its shift as {@code IPVS_OPT_SEQ_DATA}'s out_seq (see {@link #synced}); one
 * still waiting for its real server is not synced.
 *
 * <p>Single worker thread, allocation-free per packet.
 */
public final class SynProxy {
    /** Connection flag: opened by the proxy, waiting for the real server's SYN-ACK. */
    public static final int AWAIT = 0x0010;
    /** Connection flag: opened by the proxy; sequence numbers of the real server are shifted. */
    public static final int PROXIED = 0x0008;
    public static final int FLAGS = AWAIT | PROXIED;
    /** The window scale the director offers a client that offered one (Linux's usual choice). */
    public static final int WINDOW_SCALE = 7;

    /** When the proxy answers SYNs itself. */
    public enum Mode {
        /** Never: SYNs go to the real servers (the guard's cap and short timeout still apply). */
        OFF,
        /** While the SYN flood guard is under pressure. */
        PRESSURE,
        /** Every new connection of an eligible service. */
        ALWAYS;

        public static Mode parse(String s) {
            for (Mode m : values()) {
                if (m.name().equalsIgnoreCase(s)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("--syn-proxy must be off, pressure or always, not " + s);
        }
    }

    private SynCookie cookies;
    private Mode mode = Mode.PRESSURE;
    /** AWAIT: the cookie; PROXIED: delta (server seq - client-side seq). */
    private int[] first = new int[0];
    /** AWAIT: the client's ISN; PROXIED: window shifts, 4 bits each (see {@link #established}). */
    private int[] second = new int[0];
    private final EthernetView eth = new EthernetView();
    private final Ipv4View ip = new Ipv4View();
    private final Ipv6View ip6 = new Ipv6View();
    private final TcpView tcp = new TcpView();

    public SynProxy(SynCookie cookies) {
        this.cookies = cookies;
    }

    public Mode mode() {
        return mode;
    }

    public void mode(Mode mode) {
        this.mode = mode;
    }

    /** Makes room for {@code capacity} slots (configuration time; keeps what is there). */
    void ensureCapacity(int capacity) {
        if (first.length < capacity) {
            first = java.util.Arrays.copyOf(first, capacity);
            second = java.util.Arrays.copyOf(second, capacity);
        }
    }

    boolean ready() {
        return first.length > 0;
    }

    /** Whether every real server of {@code svc} is NAT or FULLNAT and one can take a connection. */
    static boolean eligible(ServiceRuntime svc) {
        DestRuntime[] ds = svc.dests();
        boolean usable = false;
        for (DestRuntime d : ds) {
            int m = d.method();
            if (m != io.jlvs.conn.ConnectionFlags.FWD_MASQ && m != io.jlvs.conn.ConnectionFlags.FWD_FULLNAT) {
                return false;
            }
            usable |= d.weight() > 0;
        }
        return usable;
    }

    /** {@link #eligible} for an IPv6 service. */
    static boolean eligible(Service6Runtime svc) {
        boolean usable = false;
        for (Dest6Runtime d : svc.dests()) {
            int m = d.method();
            if (m != io.jlvs.conn.ConnectionFlags.FWD_MASQ && m != io.jlvs.conn.ConnectionFlags.FWD_FULLNAT) {
                return false;
            }
            usable |= d.weight() > 0;
        }
        return usable;
    }

    SynCookie cookies() {
        return cookies;
    }

    /** Replaces the cookie key (tests and fuzzing want a fixed one); before the first SYN. */
    void cookies(SynCookie cookies) {
        this.cookies = cookies;
    }

    // ------------------------------------------------------------------ state per slot

    void awaiting(int slot, int cookie, int clientIsn) {
        first[slot] = cookie;
        second[slot] = clientIsn;
    }

    int cookie(int slot) {
        return first[slot];
    }

    int clientIsn(int slot) {
        return second[slot];
    }

    /**
     * The real server answered: from now on its sequence numbers are shifted by {@code serverIsn - cookie}.
     * Window shifts: on the way to the client a window field is {@code << s1 >> s2}, on the way to the server
     * {@code << s3 >> s4}; the client scales by {@link #WINDOW_SCALE} from us when it offered a scale, the real
     * server scales (and expects scaling) only if both it and the client offered one.
     *
     * @param clientScale the client's offered window scale, or -1
     * @param serverScale the real server's, or -1
     */
    void established(int slot, int serverIsn, int clientScale, int serverScale) {
        int cookie = first[slot];
        first[slot] = serverIsn - cookie;
        boolean clientScales = clientScale >= 0;
        boolean serverScales = clientScales && serverScale >= 0;
        int s1 = serverScales ? serverScale : 0;
        int s2 = clientScales ? WINDOW_SCALE : 0;
        int s3 = clientScales ? clientScale : 0;
        int s4 = serverScales ? clientScale : 0;
        second[slot] = s1 | s2 << 4 | s3 << 8 | s4 << 12;
    }

    /**
     * A connection installed from a sync message whose master's proxy opened it: the shift the message carried,
     * no window rescaling (the message has no field for it: a real server whose scale is not
     * {@value #WINDOW_SCALE} gets its windows read at the wrong scale by the client after a failover).
     */
    void synced(int slot, int delta) {
        first[slot] = delta;
        second[slot] = 0;
    }

    int delta(int slot) {
        return first[slot];
    }

    /**
     * Client → real server of a PROXIED connection: ack and SACK edges + delta, window rescaled ({@code partial}:
     * the frame's checksum is left to the kernel, only the fields change).
     */
    void toServer(MemorySegment seg, TcpView t, boolean partial, int slot, int tcpFlags) {
        int delta = first[slot];
        int c = t.checksum();
        if ((tcpFlags & TcpView.ACK) != 0) {
            int ack = t.ack();
            t.ack(ack + delta);
            if (!partial) {
                c = Checksum.update32(c, ack, ack + delta);
            }
        }
        int hl = t.headerLength();
        if (hl > TcpView.MIN_HEADER_LENGTH) {
            c = TcpOptions.shiftSackBlocks(seg, t.offset(), hl, delta, c, partial);
        }
        c = rescale(t, second[slot] >>> 8, c, partial);
        t.checksum(c);
    }

    /** Real server → client of a PROXIED connection: seq - delta, window rescaled. */
    void toClient(TcpView t, boolean partial, int slot) {
        int c = t.checksum();
        int seq = t.seq();
        int shifted = seq - first[slot];
        t.seq(shifted);
        if (!partial) {
            c = Checksum.update32(c, seq, shifted);
        }
        t.checksum(rescale(t, second[slot], c, partial));
    }

    private static int rescale(TcpView t, int shifts, int checksum, boolean partial) {
        int up = shifts & 0xf;
        int down = (shifts >>> 4) & 0xf;
        if (up == down) {
            return checksum;
        }
        int window = t.window();
        int scaled = (int) Math.min(0xffff, ((long) window << up) >>> down);
        t.window(scaled);
        return partial ? checksum : Checksum.update16(checksum, window, scaled);
    }

    // ------------------------------------------------------------------ frames the proxy makes

    /** As {@link #write}, over IPv6 (no extension header, hop limit 64). */
    int write6(MemorySegment seg, long mac, long dstMac, long srcMac, long srcHi, long srcLo, long dstHi, long dstLo,
               int sport, int dport, int seq, int ack, int flags, int window, boolean synOptions, int mss, boolean sack,
               int windowScale) {
        int tcpLength = TcpView.MIN_HEADER_LENGTH + (synOptions ? TcpOptions.SYN_OPTIONS_LENGTH : 0);
        eth.wrap(seg, mac);
        eth.dstMac(dstMac).srcMac(srcMac).etherType(EthernetView.ETHERTYPE_IPV6);
        long l3 = mac + EthernetView.HEADER_LENGTH;
        ip6.wrap(seg, l3);
        ip6.version(6).trafficClass(0).flowLabel(0).payloadLength(tcpLength).nextHeader(Ipv6View.NEXT_TCP).hopLimit(64)
                .srcAddr(srcHi, srcLo).dstAddr(dstHi, dstLo);
        long l4 = l3 + Ipv6View.HEADER_LENGTH;
        writeTcp(seg, l4, sport, dport, seq, ack, flags, window, synOptions, mss, sack, windowScale);
        tcp.checksum(Checksum.l4Ipv6(seg, l4, tcpLength, srcHi, srcLo, dstHi, dstLo, Ipv6View.NEXT_TCP));
        return EthernetView.HEADER_LENGTH + Ipv6View.HEADER_LENGTH + tcpLength;
    }

    private void writeTcp(MemorySegment seg, long l4, int sport, int dport, int seq, int ack, int flags, int window,
                          boolean synOptions, int mss, boolean sack, int windowScale) {
        int tcpLength = TcpView.MIN_HEADER_LENGTH + (synOptions ? TcpOptions.SYN_OPTIONS_LENGTH : 0);
        tcp.wrap(seg, l4);
        tcp.srcPort(sport).dstPort(dport).seq(seq).ack(ack).dataOffset(tcpLength / 4).flags(flags).window(window)
                .checksum(0);
        seg.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, l4 + TcpView.URGENT_POINTER_OFFSET, (short) 0);
        if (synOptions) {
            TcpOptions.writeSynOptions(seg, l4 + TcpView.MIN_HEADER_LENGTH, mss, sack, windowScale);
        }
    }

    /**
     * Writes a TCP segment without payload at {@code mac} (Ethernet, IPv4 without options, TCP with
     * {@link TcpOptions#SYN_OPTIONS_LENGTH} bytes of options when {@code synOptions}), checksums complete;
     * returns its length from the Ethernet header.
     */
    int write(MemorySegment seg, long mac, long dstMac, long srcMac, int src, int dst, int sport, int dport,
              int seq, int ack, int flags, int window, int ipId, boolean synOptions, int mss, boolean sack,
              int windowScale) {
        int tcpLength = TcpView.MIN_HEADER_LENGTH + (synOptions ? TcpOptions.SYN_OPTIONS_LENGTH : 0);
        eth.wrap(seg, mac);
        eth.dstMac(dstMac).srcMac(srcMac).etherType(EthernetView.ETHERTYPE_IPV4);
        long l3 = mac + EthernetView.HEADER_LENGTH;
        ip.wrap(seg, l3);
        ip.version(4).ihl(5).tos(0).totalLength(Ipv4View.MIN_HEADER_LENGTH + tcpLength).identification(ipId)
                .flagsFragment(Ipv4View.FLAG_DF).ttl(64).protocol(Ipv4View.PROTO_TCP).srcAddr(src).dstAddr(dst);
        ip.updateHeaderChecksum();
        long l4 = l3 + Ipv4View.MIN_HEADER_LENGTH;
        writeTcp(seg, l4, sport, dport, seq, ack, flags, window, synOptions, mss, sack, windowScale);
        tcp.checksum(Checksum.tcpUdpIpv4(seg, l4, tcpLength, src, dst, Ipv4View.PROTO_TCP));
        return EthernetView.HEADER_LENGTH + Ipv4View.MIN_HEADER_LENGTH + tcpLength;
    }
}
