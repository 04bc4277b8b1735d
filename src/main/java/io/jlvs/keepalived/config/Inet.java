package io.jlvs.keepalived.config;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Address text as the C library reads and writes it ({@code inet_pton}/{@code inet_ntop}), never touching
 * DNS, plus keepalived's {@code inet_stosockaddr} rules (IPv6 when the text has a colon; a {@code -range}
 * or {@code /mask} suffix ignored).
 */
public final class Inet {
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;

    private Inet() {}

    /** An address and a port (0 = none), as keepalived's {@code sockaddr_t}. */
    public record SockAddr(InetAddress address, int port) {
        public int af() {
            return address instanceof Inet6Address ? AF_INET6 : AF_INET;
        }

        public SockAddr withPort(int p) {
            return new SockAddr(address, p);
        }

        /** {@code [addr]:port} (keepalived's {@code inet_sockaddrtopair}). */
        public String pair() {
            return "[" + ntop(address) + "]:" + port;
        }

        /** {@code [addr]:proto:port} (keepalived's {@code inet_sockaddrtotrio}); proto 0 prints {@code none}. */
        public String trio(int protocol) {
            String p = switch (protocol) {
                case 6 -> "tcp";
                case 17 -> "udp";
                case 132 -> "sctp";
                case 0 -> "none";
                default -> "?";
            };
            return "[" + ntop(address) + "]:" + p + ":" + port;
        }
    }

    /** {@code inet_pton(AF_INET, …)}: exactly four decimal octets, no leading zeros. */
    public static Inet4Address pton4(String s) {
        byte[] b = new byte[4];
        int octets = 0;
        int i = 0;
        int n = s.length();
        while (i < n) {
            if (octets == 4) {
                return null;
            }
            int start = i;
            int v = 0;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                v = v * 10 + (s.charAt(i) - '0');
                if (v > 255 || (i > start && s.charAt(start) == '0')) {
                    return null;
                }
                i++;
            }
            if (i == start) {
                return null;
            }
            b[octets++] = (byte) v;
            if (i < n) {
                if (s.charAt(i) != '.' || octets == 4 || i + 1 == n) {
                    return null;
                }
                i++;
            }
        }
        if (octets != 4) {
            return null;
        }
        try {
            return (Inet4Address) InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** {@code inet_pton(AF_INET6, …)}, including a trailing dotted IPv4 part. */
    public static Inet6Address pton6(String s) {
        int[] words = new int[8];
        int n = s.length();
        int i = 0;
        int count = 0;
        int gap = -1;
        if (n == 0) {
            return null;
        }
        if (s.startsWith("::")) {
            gap = 0;
            i = 2;
            if (i == n) {
                return make(words, count, gap);
            }
        } else if (s.charAt(0) == ':') {
            return null;
        }
        while (i < n) {
            int start = i;
            int v = 0;
            while (i < n && Character.digit(s.charAt(i), 16) >= 0 && i - start < 5) {
                v = (v << 4) | Character.digit(s.charAt(i), 16);
                i++;
            }
            int len = i - start;
            if (i < n && s.charAt(i) == '.') {
                // embedded IPv4 as the last two words
                if (count > 6) {
                    return null;
                }
                int end = n;
                Inet4Address v4 = pton4(s.substring(start, end));
                if (v4 == null) {
                    return null;
                }
                byte[] b = v4.getAddress();
                words[count++] = ((b[0] & 0xff) << 8) | (b[1] & 0xff);
                words[count++] = ((b[2] & 0xff) << 8) | (b[3] & 0xff);
                i = n;
                break;
            }
            if (len == 0 || len > 4) {
                return null;
            }
            if (count == 8) {
                return null;
            }
            words[count++] = v;
            if (i == n) {
                break;
            }
            if (s.charAt(i) != ':') {
                return null;
            }
            i++;
            if (i < n && s.charAt(i) == ':') {
                if (gap >= 0) {
                    return null;
                }
                gap = count;
                i++;
                if (i == n) {
                    break;
                }
            } else if (i == n) {
                return null;
            }
        }
        return make(words, count, gap);
    }

    private static Inet6Address make(int[] words, int count, int gap) {
        int[] full = new int[8];
        if (gap < 0) {
            if (count != 8) {
                return null;
            }
            full = words;
        } else {
            if (count > 7) {
                return null;
            }
            int tail = count - gap;
            System.arraycopy(words, 0, full, 0, gap);
            System.arraycopy(words, gap, full, 8 - tail, tail);
        }
        byte[] b = new byte[16];
        for (int k = 0; k < 8; k++) {
            b[2 * k] = (byte) (full[k] >> 8);
            b[2 * k + 1] = (byte) full[k];
        }
        try {
            return Inet6Address.getByAddress(null, b, -1);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** An address literal of the family its text implies (colon: IPv6), or {@code null}. */
    public static InetAddress pton(String s) {
        return s.indexOf(':') >= 0 ? pton6(s) : pton4(s);
    }

    /**
     * keepalived's {@code inet_stosockaddr}: the address part before any {@code -} or {@code /}, and the port
     * read as 1..65535 (reported when bad).
     *
     * @return the address, or {@code null} when either part is invalid
     */
    public static SockAddr stoSockAddr(Reporter r, String ip, String port) {
        int p = 0;
        if (port != null) {
            Long v = Numbers.readUnsigned(r, port, 1, 65535, true);
            if (v == null) {
                return null;
            }
            p = v.intValue();
        }
        int cut = ip.indexOf('-');
        if (cut < 0) {
            cut = ip.indexOf('/');
        }
        String a = cut >= 0 ? ip.substring(0, cut) : ip;
        InetAddress addr = ip.indexOf(':') >= 0 ? pton6(a) : pton4(a);
        return addr == null ? null : new SockAddr(addr, p);
    }

    /** {@code inet_ntop}: dotted quad, or RFC 5952 text (longest zero run compressed, lower case). */
    public static String ntop(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 4) {
            return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
        }
        int[] w = new int[8];
        for (int k = 0; k < 8; k++) {
            w[k] = ((b[2 * k] & 0xff) << 8) | (b[2 * k + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int k = 0; k < 8; ) {
            if (w[k] == 0) {
                int s = k;
                while (k < 8 && w[k] == 0) {
                    k++;
                }
                if (k - s > bestLen) {
                    bestStart = s;
                    bestLen = k - s;
                }
            } else {
                k++;
            }
        }
        if (bestLen < 2) {
            bestStart = -1;
        }
        StringBuilder sb = new StringBuilder();
        boolean v4tail = bestStart == 0 && (bestLen == 6 || (bestLen == 5 && w[5] == 0xffff));
        for (int k = 0; k < 8; k++) {
            if (bestStart >= 0 && k >= bestStart && k < bestStart + bestLen) {
                if (k == bestStart) {
                    sb.append(':');
                }
                continue;
            }
            if (k > 0) {
                sb.append(':');
            }
            if (v4tail && k == 6) {
                sb.append(b[12] & 0xff).append('.').append(b[13] & 0xff).append('.').append(b[14] & 0xff)
                        .append('.').append(b[15] & 0xff);
                break;
            }
            sb.append(Integer.toHexString(w[k]));
        }
        if (bestStart >= 0 && bestStart + bestLen == 8) {
            sb.append(':');
        }
        return sb.toString();
    }

    /** The 32-bit value of an IPv4 address (network order as an int). */
    public static int toInt(InetAddress a) {
        byte[] b = a.getAddress();
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    public static InetAddress fromBytes(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
