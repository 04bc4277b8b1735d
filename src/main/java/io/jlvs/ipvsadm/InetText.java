package io.jlvs.ipvsadm;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The C library's address text conversions, with glibc's rules rather than the JDK's:
 * {@code inet_aton} (shorthand, hex and octal parts), strict {@code inet_pton} and {@code inet_ntop}
 * (compressed IPv6 with embedded IPv4 forms). Addresses are built without host names so that nothing
 * re-resolves them later.
 */
final class InetText {
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;

    private static final long[] ATON_MAX = {0xffffffffL, 0xffffffL, 0xffffL, 0xffL};

    private InetText() {}

    static int af(InetAddress a) {
        return a instanceof Inet6Address ? AF_INET6 : AF_INET;
    }

    /** {@code inet_aton}: the address as a host-order int, or null. */
    static Integer aton(String s) {
        int[] parts = new int[3];
        int nparts = 0;
        int i = 0;
        int n = s.length();
        long val;
        boolean digit;
        while (true) {
            if (i >= n || !isDigit(s.charAt(i))) {
                return null;
            }
            val = 0;
            int base = 10;
            digit = false;
            if (s.charAt(i) == '0') {
                i++;
                if (i < n && (s.charAt(i) == 'x' || s.charAt(i) == 'X')) {
                    base = 16;
                    i++;
                } else {
                    base = 8;
                    digit = true;
                }
            }
            while (i < n) {
                char c = s.charAt(i);
                if (isDigit(c)) {
                    if (base == 8 && (c == '8' || c == '9')) {
                        return null;
                    }
                    val = val * base + (c - '0');
                } else if (base == 16 && Character.digit(c, 16) >= 0 && c < 128) {
                    val = (val << 4) | Character.digit(c, 16);
                } else {
                    break;
                }
                if (val > 0xffffffffL) {
                    return null;
                }
                digit = true;
                i++;
            }
            if (i < n && s.charAt(i) == '.') {
                if (nparts > 2 || val > 0xff) {
                    return null;
                }
                parts[nparts++] = (int) val;
                i++;
            } else {
                break;
            }
        }
        if (i < n && !(s.charAt(i) < 128 && CNumbers.isSpace(s.charAt(i)))) {
            return null;
        }
        if (!digit || val > ATON_MAX[nparts]) {
            return null;
        }
        long addr = val;
        for (int p = 0; p < nparts; p++) {
            addr |= (long) parts[p] << (24 - 8 * p);
        }
        return (int) addr;
    }

    /** Strict dotted quad ({@code inet_pton(AF_INET)}): four decimal parts, no leading zeros. */
    static Inet4Address pton4(String s) {
        byte[] b = new byte[4];
        return pton4(s, b, 0) ? (Inet4Address) v4(b) : null;
    }

    private static boolean pton4(String s, byte[] out, int off) {
        int octets = 0;
        int cur = 0;
        boolean sawDigit = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (isDigit(c)) {
                if (sawDigit && cur == 0) {
                    return false;
                }
                cur = cur * 10 + (c - '0');
                if (cur > 255) {
                    return false;
                }
                if (!sawDigit) {
                    if (++octets > 4) {
                        return false;
                    }
                    sawDigit = true;
                }
            } else if (c == '.' && sawDigit) {
                if (octets == 4) {
                    return false;
                }
                out[off + octets - 1] = (byte) cur;
                cur = 0;
                sawDigit = false;
            } else {
                return false;
            }
        }
        if (octets < 4 || !sawDigit) {
            return false;
        }
        out[off + 3] = (byte) cur;
        return true;
    }

    /** Strict IPv6 text ({@code inet_pton(AF_INET6)}), or null. */
    static Inet6Address pton6(String s) {
        byte[] b = new byte[16];
        int tp = 0;
        int colonp = -1;
        int i = 0;
        int n = s.length();
        if (n == 0) {
            return null;
        }
        if (s.charAt(0) == ':') {
            if (n < 2 || s.charAt(1) != ':') {
                return null;
            }
            i = 1;
        }
        int curtok = i;
        boolean sawXdigit = false;
        int val = 0;
        int xdigits = 0;
        while (i < n) {
            char c = s.charAt(i++);
            int d = c < 128 ? Character.digit(c, 16) : -1;
            if (d >= 0) {
                if (++xdigits > 4) {
                    return null;
                }
                val = (val << 4) | d;
                sawXdigit = true;
                continue;
            }
            if (c == ':') {
                curtok = i;
                if (!sawXdigit) {
                    if (colonp >= 0) {
                        return null;
                    }
                    colonp = tp;
                    continue;
                } else if (i >= n) {
                    return null;
                }
                if (tp + 2 > 16) {
                    return null;
                }
                b[tp++] = (byte) (val >> 8);
                b[tp++] = (byte) val;
                sawXdigit = false;
                xdigits = 0;
                val = 0;
                continue;
            }
            if (c == '.' && tp + 4 <= 16 && pton4(s.substring(curtok), b, tp)) {
                tp += 4;
                sawXdigit = false;
                break;
            }
            return null;
        }
        if (sawXdigit) {
            if (tp + 2 > 16) {
                return null;
            }
            b[tp++] = (byte) (val >> 8);
            b[tp++] = (byte) val;
        }
        if (colonp >= 0) {
            if (tp == 16) {
                return null;
            }
            int moved = tp - colonp;
            for (int k = 1; k <= moved; k++) {
                b[16 - k] = b[colonp + moved - k];
                b[colonp + moved - k] = 0;
            }
            tp = 16;
        }
        if (tp != 16) {
            return null;
        }
        return v6(b);
    }

    /** {@code inet_ntop}: dotted quad, or glibc's compressed IPv6 form. */
    static String ntop(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 4) {
            return dotted(b, 0);
        }
        int[] w = new int[8];
        for (int i = 0; i < 8; i++) {
            w[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestBase = -1;
        int bestLen = 0;
        int curBase = -1;
        int curLen = 0;
        for (int i = 0; i < 8; i++) {
            if (w[i] == 0) {
                if (curBase == -1) {
                    curBase = i;
                    curLen = 1;
                } else {
                    curLen++;
                }
            } else if (curBase != -1) {
                if (bestBase == -1 || curLen > bestLen) {
                    bestBase = curBase;
                    bestLen = curLen;
                }
                curBase = -1;
            }
        }
        if (curBase != -1 && (bestBase == -1 || curLen > bestLen)) {
            bestBase = curBase;
            bestLen = curLen;
        }
        if (bestBase != -1 && bestLen < 2) {
            bestBase = -1;
        }
        StringBuilder sb = new StringBuilder(46);
        for (int i = 0; i < 8; i++) {
            if (bestBase != -1 && i >= bestBase && i < bestBase + bestLen) {
                if (i == bestBase) {
                    sb.append(':');
                }
                continue;
            }
            if (i != 0) {
                sb.append(':');
            }
            if (i == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 5 && w[5] == 0xffff))) {
                sb.append(dotted(b, 12));
                return sb.toString();
            }
            sb.append(Integer.toHexString(w[i]));
        }
        if (bestBase != -1 && bestBase + bestLen == 8) {
            sb.append(':');
        }
        return sb.toString();
    }

    /** The address as four host-order 32-bit words (an IPv4 address fills the first), as the sort compares. */
    static int word(InetAddress a, int i) {
        if (a == null) {
            return 0;
        }
        byte[] b = a.getAddress();
        if (4 * i + 4 > b.length) {
            return 0;
        }
        return ((b[4 * i] & 0xff) << 24) | ((b[4 * i + 1] & 0xff) << 16) | ((b[4 * i + 2] & 0xff) << 8)
                | (b[4 * i + 3] & 0xff);
    }

    static InetAddress v4(int hostOrder) {
        return v4(new byte[] {(byte) (hostOrder >>> 24), (byte) (hostOrder >>> 16), (byte) (hostOrder >>> 8),
            (byte) hostOrder});
    }

    static InetAddress v4(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** Always an {@link Inet6Address}, even for IPv4-mapped bytes (which the JDK would turn into IPv4). */
    static Inet6Address v6(byte[] b) {
        try {
            return Inet6Address.getByAddress(null, b, -1);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static String dotted(int hostOrder) {
        return io.jlvs.packet.Ipv4View.addrToString(hostOrder);
    }

    private static String dotted(byte[] b, int off) {
        return (b[off] & 0xff) + "." + (b[off + 1] & 0xff) + "." + (b[off + 2] & 0xff) + "." + (b[off + 3] & 0xff);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
