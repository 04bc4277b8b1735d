package io.jlvs.ipvsadm;

import java.net.InetAddress;
import java.util.List;

/**
 * {@code ipvsadm -L -c}: renders connection entries given in the kernel's /proc/net/ip_vs_conn text
 * ({@code proto caddr cport vaddr vport daddr dport state expires [pe_name pe_data]}, ports in hex,
 * IPv4 addresses as 8 hex digits) as ipvsadm prints them.
 */
final class ConnectionListing {
    private final ListFormatter formatter;

    ConnectionListing(ListFormatter formatter) {
        this.formatter = formatter;
    }

    static String header(int format) {
        if ((format & ListFormatter.FMT_PERSISTENTCONN) != 0) {
            return "IPVS connection entries\npro expire " + ListFormatter.padRight("state", 11) + " "
                    + ListFormatter.padRight("source", 18) + " " + ListFormatter.padRight("virtual", 18) + " "
                    + ListFormatter.padRight("destination", 18) + " " + ListFormatter.padRight("pe name", 16)
                    + " pe_data\n";
        }
        return "IPVS connection entries\npro expire " + ListFormatter.padRight("state", 11) + " "
                + ListFormatter.padRight("source", 18) + " " + ListFormatter.padRight("virtual", 18)
                + " destination\n";
    }

    /**
     * The rows for the lines after the kernel's header line.
     *
     * @throws ExitException with status 1 on a blank line, where the original gives up
     */
    String rows(List<String> lines, int format) {
        StringBuilder sb = new StringBuilder();
        for (String line : lines) {
            sb.append(row(line, format));
        }
        return sb.toString();
    }

    private String row(String line, int format) {
        Scan s = new Scan(line);
        int[] hex = new int[3];
        int expires = 0;
        int n = 0;
        // %s %s %hX %s %hX %s %hX %s %d %s %s
        char[] directives = {'s', 's', 'x', 's', 'x', 's', 'x', 's', 'd', 's', 's'};
        String protocol = "";
        String t1 = "";
        String t2 = "";
        String t3 = "";
        String state = "";
        String peName = "";
        String peData = "";
        boolean inputFailure = false;
        for (int i = 0; i < directives.length; i++) {
            Object v = switch (directives[i]) {
                case 's' -> s.string();
                case 'x' -> s.hex();
                default -> s.decimal();
            };
            if (v == null) {
                inputFailure = s.atEnd() && n == 0;
                break;
            }
            n++;
            switch (i) {
                case 0 -> protocol = (String) v;
                case 1 -> t1 = (String) v;
                case 2 -> hex[0] = (Integer) v & 0xffff;
                case 3 -> t2 = (String) v;
                case 4 -> hex[1] = (Integer) v & 0xffff;
                case 5 -> t3 = (String) v;
                case 6 -> hex[2] = (Integer) v & 0xffff;
                case 7 -> state = (String) v;
                case 8 -> expires = (Integer) v;
                case 9 -> peName = (String) v;
                default -> peData = (String) v;
            }
        }
        if (inputFailure) {
            throw new ExitException(1);
        }
        int proto = switch (protocol) {
            case "TCP" -> 6;
            case "UDP" -> 17;
            case "SCTP" -> 132;
            default -> 0;
        };
        int af;
        InetAddress caddr;
        InetAddress vaddr;
        if (InetText.pton6(t1) != null) {
            af = InetText.AF_INET6;
            caddr = InetText.pton6(t1);
            vaddr = InetText.pton6(t2) != null ? InetText.pton6(t2) : InetText.v6(new byte[16]);
        } else if (InetText.pton4(t1) != null) {
            af = InetText.AF_INET;
            caddr = InetText.pton4(t1);
            vaddr = InetText.pton4(t2) != null ? InetText.pton4(t2) : InetText.v4(0);
        } else {
            af = InetText.AF_INET;
            caddr = InetText.v4(hexAddress(t1));
            vaddr = InetText.v4(hexAddress(t2));
        }
        int daf;
        InetAddress daddr;
        if (InetText.pton6(t3) != null) {
            daf = InetText.AF_INET6;
            daddr = InetText.pton6(t3);
        } else {
            daf = InetText.AF_INET;
            daddr = InetText.pton4(t3) != null ? InetText.pton4(t3) : InetText.v4(hexAddress(t3));
        }
        String cname = formatter.addrPort(af, caddr, hex[0], proto, format);
        String vname = formatter.addrPort(af, vaddr, hex[1], proto, format);
        String dname = formatter.addrPort(daf, daddr, hex[2], proto, format);
        long exp = Integer.toUnsignedLong(expires);
        String expire = twoDigits((int) (exp / 60)) + ":" + twoDigits((int) (exp % 60));
        StringBuilder sb = new StringBuilder(128);
        sb.append(ListFormatter.padRight(protocol, 3)).append(' ').append(ListFormatter.padRight(expire, 6)).append(' ')
                .append(ListFormatter.padRight(state, 11)).append(' ').append(ListFormatter.padRight(cname, 18))
                .append(' ').append(ListFormatter.padRight(vname, 18)).append(' ');
        if ((format & ListFormatter.FMT_PERSISTENTCONN) != 0 && n == 11) {
            sb.append(ListFormatter.padRight(dname, 16)).append(' ').append(ListFormatter.padRight(peName, 18))
                    .append(' ').append(peData);
        } else {
            sb.append(dname);
        }
        return sb.append('\n').toString();
    }

    private static String twoDigits(int v) {
        String s = Integer.toString(Math.abs(v));
        if (s.length() < 2) {
            s = "0" + s;
        }
        return v < 0 ? "-" + s : s;
    }

    /** {@code strtoul(text, NULL, 16)} cut to 32 bits. */
    private static int hexAddress(String text) {
        Scan s = new Scan(text);
        Integer v = s.hex();
        return v == null ? 0 : v;
    }

    /** A cursor with the few {@code sscanf} conversions the connection file needs. */
    private static final class Scan {
        private final String s;
        private int pos;

        Scan(String s) {
            this.s = s;
        }

        boolean atEnd() {
            skipSpace();
            return pos >= s.length();
        }

        private void skipSpace() {
            while (pos < s.length() && CNumbers.isSpace(s.charAt(pos))) {
                pos++;
            }
        }

        String string() {
            skipSpace();
            int start = pos;
            while (pos < s.length() && !CNumbers.isSpace(s.charAt(pos))) {
                pos++;
            }
            return pos == start ? null : s.substring(start, pos);
        }

        Integer hex() {
            skipSpace();
            int p = pos;
            boolean negative = false;
            if (p < s.length() && (s.charAt(p) == '+' || s.charAt(p) == '-')) {
                negative = s.charAt(p) == '-';
                p++;
            }
            if (p + 1 < s.length() && s.charAt(p) == '0' && (s.charAt(p + 1) == 'x' || s.charAt(p + 1) == 'X')
                    && p + 2 < s.length() && Character.digit(s.charAt(p + 2), 16) >= 0) {
                p += 2;
            }
            int start = p;
            long v = 0;
            while (p < s.length() && s.charAt(p) < 128 && Character.digit(s.charAt(p), 16) >= 0) {
                v = (v << 4) | Character.digit(s.charAt(p), 16);
                p++;
            }
            if (p == start) {
                return null;
            }
            pos = p;
            return (int) (negative ? -v : v);
        }

        Integer decimal() {
            skipSpace();
            int p = pos;
            boolean negative = false;
            if (p < s.length() && (s.charAt(p) == '+' || s.charAt(p) == '-')) {
                negative = s.charAt(p) == '-';
                p++;
            }
            int start = p;
            long v = 0;
            while (p < s.length() && s.charAt(p) >= '0' && s.charAt(p) <= '9') {
                v = v * 10 + (s.charAt(p) - '0');
                p++;
            }
            if (p == start) {
                return null;
            }
            pos = p;
            return (int) (negative ? -v : v);
        }
    }
}
