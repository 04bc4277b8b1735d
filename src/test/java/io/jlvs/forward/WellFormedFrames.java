package io.jlvs.forward;

import java.util.HexFormat;

/**
 * The fuzzers' oracle for what the forwarder sends: every frame leaving jlvs must be one a kernel and a
 * wire would take. Checks (each failure throws {@link AssertionError} with the frame in hex):
 * <ul>
 *   <li>the 10-byte virtio_net_hdr and a whole Ethernet header are there, on a served interface;</li>
 *   <li>the EtherType is ARP, IPv4 or IPv6 (jlvs originates or forwards nothing else);</li>
 *   <li>ARP: a whole Ethernet/IPv4 ARP body with a request or reply operation;</li>
 *   <li>IPv4: version 4, 20 ≤ IHL·4 ≤ total length ≤ what the frame holds, TTL above 0 and a correct header
 *       checksum (the fuzzers feed only frames whose IPv4 header checksum is right, and every rewrite
 *       must keep it so); an IP-in-IP payload's inner header is checked the same way, bar the checksum;
 *       a TCP segment (first fragment or whole) has a data offset within the datagram, a UDP datagram
 *       (unfragmented) a length of at least 8;</li>
 *   <li>IPv6: version 6 and a payload length within the frame.</li>
 * </ul>
 */
final class WellFormedFrames {
    static final int VNET = 10;
    static final int ETH = 14;

    private WellFormedFrames() {}

    static void check(int ifindex, int[] servedIfindexes, byte[] f) {
        boolean served = false;
        for (int i : servedIfindexes) {
            served |= i == ifindex;
        }
        require(served, "sent on interface " + ifindex + ", which is not served", f);
        require(f.length >= VNET + ETH, "shorter than virtio_net_hdr + Ethernet", f);
        int type = u16(f, VNET + 12);
        int l3 = VNET + ETH;
        switch (type) {
            case 0x0806 -> {
                require(f.length - l3 >= 28, "ARP body truncated", f);
                require(u16(f, l3) == 1 && u16(f, l3 + 2) == 0x0800 && u8(f, l3 + 4) == 6 && u8(f, l3 + 5) == 4,
                        "ARP is not Ethernet/IPv4", f);
                int op = u16(f, l3 + 6);
                require(op == 1 || op == 2, "ARP operation " + op, f);
            }
            case 0x0800 -> ipv4(f, l3, f.length - l3, true);
            case 0x86DD -> {
                require(f.length - l3 >= 40, "IPv6 header truncated", f);
                require(u8(f, l3) >>> 4 == 6, "IPv6 version", f);
                require(40 + u16(f, l3 + 4) <= f.length - l3, "IPv6 payload length beyond the frame", f);
            }
            default -> throw new AssertionError("sent EtherType 0x" + Integer.toHexString(type) + ": " + hex(f));
        }
    }

    private static void ipv4(byte[] f, int off, int available, boolean outer) {
        require(available >= 20, "IPv4 header truncated", f);
        int vihl = u8(f, off);
        require(vihl >>> 4 == 4, "IPv4 version " + (vihl >>> 4), f);
        int ihl = (vihl & 0xf) * 4;
        int total = u16(f, off + 2);
        require(ihl >= 20 && ihl <= total && total <= available,
                "IPv4 lengths: ihl=" + ihl + ", total=" + total + ", available=" + available, f);
        if (outer) {
            require(u8(f, off + 8) > 0, "IPv4 TTL 0", f);
            require(headerSum(f, off, ihl) == 0xffff, "IPv4 header checksum wrong", f);
        }
        int proto = u8(f, off + 9);
        boolean laterFragment = (u16(f, off + 6) & 0x1fff) != 0;
        int l4 = off + ihl;
        int l4Length = total - ihl;
        if (laterFragment) {
            return;
        }
        if (proto == 6 && l4Length >= 20) {
            int doff = (u8(f, l4 + 12) >>> 4) * 4;
            require(doff >= 20 && doff <= l4Length, "TCP data offset " + doff + " of " + l4Length, f);
        } else if (proto == 6) {
            require((u16(f, off + 6) & 0x2000) != 0, "TCP segment shorter than its header", f);
        } else if (proto == 17 && l4Length >= 8 && (u16(f, off + 6) & 0x2000) == 0) {
            // a first fragment's UDP length counts the whole datagram, which jlvs does not see (nor does IPVS check it)
            require(u16(f, l4 + 4) >= 8, "UDP length below 8", f);
        } else if (proto == 4 && outer) {
            ipv4(f, l4, l4Length, false);
        }
    }

    private static int headerSum(byte[] f, int off, int len) {
        int sum = 0;
        for (int i = 0; i < len; i += 2) {
            sum += u16(f, off + i);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return sum;
    }

    /** Sets a correct IPv4 header checksum in place, when {@code f} holds a whole IPv4 header at {@code off}. */
    static void fixIpv4Checksum(byte[] f, int off) {
        if (f.length - off < 20 || u8(f, off) >>> 4 != 4) {
            return;
        }
        int ihl = (u8(f, off) & 0xf) * 4;
        if (ihl < 20 || f.length - off < ihl) {
            return;
        }
        f[off + 10] = 0;
        f[off + 11] = 0;
        int sum = ~headerSum(f, off, ihl) & 0xffff;
        f[off + 10] = (byte) (sum >>> 8);
        f[off + 11] = (byte) sum;
    }

    static int u8(byte[] f, int i) {
        return f[i] & 0xff;
    }

    static int u32(byte[] f, int i) {
        return u16(f, i) << 16 | u16(f, i + 2);
    }

    static int u16(byte[] f, int i) {
        return (u8(f, i) << 8) | u8(f, i + 1);
    }

    private static void require(boolean ok, String what, byte[] f) {
        if (!ok) {
            throw new AssertionError("malformed frame sent: " + what + ": " + hex(f));
        }
    }

    private static String hex(byte[] f) {
        return HexFormat.of().formatHex(f, 0, Math.min(f.length, 256)) + (f.length > 256 ? "…" : "");
    }
}
