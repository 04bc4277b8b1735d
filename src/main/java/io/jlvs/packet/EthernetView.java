package io.jlvs.packet;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over an Ethernet II header (no 802.1Q tag: a tagged frame shows {@link #ETHERTYPE_VLAN}). MAC addresses
 * are handled as a {@code long} holding 48 bits, so comparing and storing them allocates nothing.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 Destination MAC (bytes 0-3)                   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Destination MAC (bytes 4-5)  |   Source MAC (bytes 0-1)     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   Source MAC (bytes 2-5)                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          EtherType            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class EthernetView {
    public static final int HEADER_LENGTH = 14;
    public static final int DST_MAC_OFFSET = 0;
    public static final int SRC_MAC_OFFSET = 6;
    public static final int ETHERTYPE_OFFSET = 12;

    public static final int ETHERTYPE_IPV4 = 0x0800;
    public static final int ETHERTYPE_ARP = 0x0806;
    public static final int ETHERTYPE_IPV6 = 0x86DD;
    public static final int ETHERTYPE_VLAN = 0x8100;

    /** ff:ff:ff:ff:ff:ff. */
    public static final long BROADCAST_MAC = 0xffff_ffff_ffffL;

    private MemorySegment segment;
    private long offset;

    /** Points this view at the header starting at {@code offset}; no bounds check (see {@link #validate}). */
    public EthernetView wrap(MemorySegment segment, long offset) {
        this.segment = segment;
        this.offset = offset;
        return this;
    }

    public MemorySegment segment() {
        return segment;
    }

    public long offset() {
        return offset;
    }

    public long dstMac() {
        return NetworkOrder.u48(segment, offset + DST_MAC_OFFSET);
    }

    public EthernetView dstMac(long mac) {
        NetworkOrder.u48(segment, offset + DST_MAC_OFFSET, mac);
        return this;
    }

    public long srcMac() {
        return NetworkOrder.u48(segment, offset + SRC_MAC_OFFSET);
    }

    public EthernetView srcMac(long mac) {
        NetworkOrder.u48(segment, offset + SRC_MAC_OFFSET, mac);
        return this;
    }

    public int etherType() {
        return NetworkOrder.u16(segment, offset + ETHERTYPE_OFFSET);
    }

    public EthernetView etherType(int etherType) {
        NetworkOrder.u16(segment, offset + ETHERTYPE_OFFSET, etherType);
        return this;
    }

    /** Returns {@link PacketError#OK} or {@link PacketError#TRUNCATED_ETHERNET}; reads nothing. */
    public static int validate(MemorySegment segment, long offset, long available) {
        return NetworkOrder.readable(segment, offset, available) < HEADER_LENGTH
                ? PacketError.TRUNCATED_ETHERNET
                : PacketError.OK;
    }

    /** True for a group (multicast or broadcast) address: the I/G bit, lowest bit of the first byte. */
    public static boolean isMulticast(long mac) {
        return (mac & 0x0100_0000_0000L) != 0;
    }

    /** "02:00:c6:12:00:01"; slow path, for logs and tests. */
    public static String macToString(long mac) {
        StringBuilder sb = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8) {
            int b = (int) (mac >>> shift) & 0xff;
            sb.append(Character.forDigit(b >>> 4, 16)).append(Character.forDigit(b & 0xf, 16));
            if (shift > 0) {
                sb.append(':');
            }
        }
        return sb.toString();
    }

    /**
     * Parses six colon-separated hex bytes ("02:00:c6:12:00:01", one or two digits each); slow path.
     *
     * @throws IllegalArgumentException if the text is not such an address
     */
    public static long parseMac(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length != 6) {
            throw new IllegalArgumentException("bad MAC address: text=" + text);
        }
        long mac = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 2) {
                throw new IllegalArgumentException("bad MAC address: text=" + text);
            }
            int b = 0;
            for (int i = 0; i < part.length(); i++) {
                int digit = Character.digit(part.charAt(i), 16);
                if (digit < 0) {
                    throw new IllegalArgumentException("bad MAC address: text=" + text);
                }
                b = b * 16 + digit;
            }
            mac = (mac << 8) | b;
        }
        return mac;
    }
}
