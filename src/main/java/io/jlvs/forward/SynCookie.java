package io.jlvs.forward;

import java.security.SecureRandom;

/**
 * SYN cookies for the {@link SynProxy}: the director answers a client's SYN with a SYN-ACK whose initial
 * sequence number encodes, and authenticates, everything it needs to open the real server's connection
 * later, so a SYN costs no state at all. The client's handshake-completing ACK carries the cookie back
 * ({@code ack - 1}) with its own ISN ({@code seq - 1}).
 *
 * <pre>
 *  cookie = raw XOR H1(key, flow)                       (H1 hides the layout; flow = addresses, ports)
 *  raw:  31 30 | 29 ........ 22 | 21 ........................ 0
 *        period|  options (8)   |  MAC (22) = H2(key, flow, client ISN, period, options)
 *  options:  bits 0-2 MSS index ({@link #MSS_TABLE}), bit 3 SACK permitted,
 *            bits 4-7 client window scale 0-14, 15 = none
 * </pre>
 *
 * A period is 2^16 ms (65.5 s); a cookie is accepted in its own period and the next one, so it lives
 * 65 to 131 s, as Linux's {@code syncookies} live about two minutes. An ACK that guesses a cookie has a
 * 2^-22 chance and then opens one ordinary connection to a real server. The same design as Linux's
 * {@code cookie_v4_init_sequence} and DPVS's {@code dp_vs_synproxy_cookie}, with its own hash: the
 * keyed SplitMix-style mixing jlvs uses for its tables, under a random 128-bit key per worker.
 *
 * <p>Pure functions of the key; allocation-free.
 */
public final class SynCookie {
    /** MSS values a cookie can carry; the client's MSS is rounded down to one of them. */
    static final int[] MSS_TABLE = {536, 1220, 1300, 1360, 1400, 1440, 1452, 1460};
    static final int WSCALE_NONE = 15;
    private static final int PERIOD_SHIFT_MS = 16;
    private static final int MAC_BITS = 22;
    private static final int MAC_MASK = (1 << MAC_BITS) - 1;

    private final long key1;
    private final long key2;

    public SynCookie(long key1, long key2) {
        this.key1 = key1;
        this.key2 = key2;
    }

    public static SynCookie random() {
        SecureRandom r = new SecureRandom();
        return new SynCookie(r.nextLong(), r.nextLong());
    }

    /** The options byte for a client SYN offering {@code mss} (0: none), SACK and window scale (-1: none). */
    public static int options(int mss, boolean sackPermitted, int windowScale) {
        int index = 0;
        int clientMss = mss == 0 ? 536 : mss;
        for (int i = MSS_TABLE.length - 1; i > 0; i--) {
            if (MSS_TABLE[i] <= clientMss) {
                index = i;
                break;
            }
        }
        int ws = windowScale < 0 ? WSCALE_NONE : Math.min(windowScale, 14);
        return index | (sackPermitted ? 8 : 0) | ws << 4;
    }

    public static int mss(int options) {
        return MSS_TABLE[options & 7];
    }

    public static boolean sackPermitted(int options) {
        return (options & 8) != 0;
    }

    /** The client's window scale, or -1 when it offered none. */
    public static int windowScale(int options) {
        int ws = (options >>> 4) & 0xf;
        return ws == WSCALE_NONE ? -1 : ws;
    }

    /** The ISN for the SYN-ACK answering a SYN of this flow with {@code clientIsn}. */
    public int make(int client, int clientPort, int vip, int vport, int clientIsn, int options, long nowMs) {
        long period = nowMs >>> PERIOD_SHIFT_MS;
        int raw = (int) (period & 3) << 30 | (options & 0xff) << MAC_BITS
                | mac(client, clientPort, vip, vport, clientIsn, period, options);
        return raw ^ hide(client, clientPort, vip, vport);
    }

    /**
     * The options of a valid cookie, or -1: {@code cookie} is the ACK's {@code ack - 1}, {@code clientIsn}
     * its {@code seq - 1}.
     */
    public int check(int client, int clientPort, int vip, int vport, int clientIsn, int cookie, long nowMs) {
        int raw = cookie ^ hide(client, clientPort, vip, vport);
        long now = nowMs >>> PERIOD_SHIFT_MS;
        long period = (raw >>> 30) == (now & 3) ? now : (raw >>> 30) == ((now - 1) & 3) ? now - 1 : -1;
        if (period < 0) {
            return -1;
        }
        int options = (raw >>> MAC_BITS) & 0xff;
        return (raw & MAC_MASK) == mac(client, clientPort, vip, vport, clientIsn, period, options) ? options : -1;
    }

    /** The options of a cookie already checked (a connection's own). */
    public int optionsOf(int client, int clientPort, int vip, int vport, int cookie) {
        return ((cookie ^ hide(client, clientPort, vip, vport)) >>> MAC_BITS) & 0xff;
    }

    private int hide(int client, int clientPort, int vip, int vport) {
        return (int) mix(key1 ^ flow(client, clientPort, vip, vport));
    }

    private int mac(int client, int clientPort, int vip, int vport, int clientIsn, long period, int options) {
        long h = mix(key2 ^ flow(client, clientPort, vip, vport));
        h = mix(h ^ ((long) clientIsn << 32 | (period & 0xffffff) << 8 | options & 0xff));
        return (int) (h >>> 17) & MAC_MASK;
    }

    private static long flow(int client, int clientPort, int vip, int vport) {
        return mix((long) client << 32 | vip & 0xffffffffL) ^ ((long) (clientPort & 0xffff) << 16 | vport & 0xffff);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }
}
