package io.jlvs.packet;

import java.lang.foreign.MemorySegment;

/**
 * Flyweight over an ARP packet for Ethernet and IPv4 (RFC 826), the only kind the director answers or sends; check
 * {@link #isEthernetIpv4()} before trusting the address fields.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     Hardware type (1)         |     Protocol type (0x0800)    |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  HW len (6)   | Proto len (4) |          Operation            |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 Sender MAC (bytes 0-3)                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Sender MAC (bytes 4-5)       |   Sender IPv4 (bytes 0-1)     |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Sender IPv4 (bytes 2-3)      |   Target MAC (bytes 0-1)      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 Target MAC (bytes 2-5)                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                      Target IPv4                              |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class ArpView {
    public static final int LENGTH = 28;
    public static final int HTYPE_OFFSET = 0;
    public static final int PTYPE_OFFSET = 2;
    public static final int HLEN_OFFSET = 4;
    public static final int PLEN_OFFSET = 5;
    public static final int OPER_OFFSET = 6;
    public static final int SENDER_MAC_OFFSET = 8;
    public static final int SENDER_IP_OFFSET = 14;
    public static final int TARGET_MAC_OFFSET = 18;
    public static final int TARGET_IP_OFFSET = 24;

    public static final int HTYPE_ETHERNET = 1;
    public static final int PTYPE_IPV4 = EthernetView.ETHERTYPE_IPV4;
    public static final int OP_REQUEST = 1;
    public static final int OP_REPLY = 2;

    private MemorySegment segment;
    private long offset;

    /** Points this view at the ARP packet starting at {@code offset}; no bounds check (see {@link #validate}). */
    public ArpView wrap(MemorySegment segment, long offset) {
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

    public int htype() {
        return NetworkOrder.u16(segment, offset + HTYPE_OFFSET);
    }

    public ArpView htype(int htype) {
        NetworkOrder.u16(segment, offset + HTYPE_OFFSET, htype);
        return this;
    }

    public int ptype() {
        return NetworkOrder.u16(segment, offset + PTYPE_OFFSET);
    }

    public ArpView ptype(int ptype) {
        NetworkOrder.u16(segment, offset + PTYPE_OFFSET, ptype);
        return this;
    }

    public int hlen() {
        return NetworkOrder.u8(segment, offset + HLEN_OFFSET);
    }

    public ArpView hlen(int hlen) {
        NetworkOrder.u8(segment, offset + HLEN_OFFSET, hlen);
        return this;
    }

    public int plen() {
        return NetworkOrder.u8(segment, offset + PLEN_OFFSET);
    }

    public ArpView plen(int plen) {
        NetworkOrder.u8(segment, offset + PLEN_OFFSET, plen);
        return this;
    }

    public int oper() {
        return NetworkOrder.u16(segment, offset + OPER_OFFSET);
    }

    public ArpView oper(int oper) {
        NetworkOrder.u16(segment, offset + OPER_OFFSET, oper);
        return this;
    }

    public long senderMac() {
        return NetworkOrder.u48(segment, offset + SENDER_MAC_OFFSET);
    }

    public ArpView senderMac(long mac) {
        NetworkOrder.u48(segment, offset + SENDER_MAC_OFFSET, mac);
        return this;
    }

    public int senderIp() {
        return NetworkOrder.u32(segment, offset + SENDER_IP_OFFSET);
    }

    public ArpView senderIp(int ip) {
        NetworkOrder.u32(segment, offset + SENDER_IP_OFFSET, ip);
        return this;
    }

    public long targetMac() {
        return NetworkOrder.u48(segment, offset + TARGET_MAC_OFFSET);
    }

    public ArpView targetMac(long mac) {
        NetworkOrder.u48(segment, offset + TARGET_MAC_OFFSET, mac);
        return this;
    }

    public int targetIp() {
        return NetworkOrder.u32(segment, offset + TARGET_IP_OFFSET);
    }

    public ArpView targetIp(int ip) {
        NetworkOrder.u32(segment, offset + TARGET_IP_OFFSET, ip);
        return this;
    }

    /** True when the packet maps IPv4 addresses to 6-byte Ethernet addresses, the only layout these fields fit. */
    public boolean isEthernetIpv4() {
        return htype() == HTYPE_ETHERNET && ptype() == PTYPE_IPV4 && hlen() == 6 && plen() == 4;
    }

    /** Writes the fixed Ethernet/IPv4 preamble (htype, ptype, hlen, plen) and the operation. */
    public ArpView initEthernetIpv4(int oper) {
        return htype(HTYPE_ETHERNET).ptype(PTYPE_IPV4).hlen(6).plen(4).oper(oper);
    }

    /** Returns {@link PacketError#OK} or {@link PacketError#TRUNCATED_ARP}; reads nothing. */
    public static int validate(MemorySegment segment, long offset, long available) {
        return NetworkOrder.readable(segment, offset, available) < LENGTH ? PacketError.TRUNCATED_ARP : PacketError.OK;
    }
}
