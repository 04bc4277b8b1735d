package io.jlvs.vrrp;

import io.jlvs.packet.Ipv4View;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A received advert as a complete IP packet: for IPv4 what the raw socket hands over (header included); for IPv6 the
 * VRRP message behind a 40-byte header the receiver rebuilds from the source address, the {@code IPV6_PKTINFO}
 * destination and the {@code IPV6_HOPLIMIT} it was given. {@link #wrap} does the pre-checks that come before an
 * instance is found (vrrp.md §6 pre-checks 2–3); the instance does the rest.
 *
 * <p>Holds no copy: the fields read the segment until the next {@link #wrap}. One per receiving thread.
 */
public final class ReceivedAdvert {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final VrrpAdvertView advert = new VrrpAdvertView();
    private final byte[] source4 = new byte[4];
    private final byte[] source6 = new byte[16];
    private final byte[] destination4 = new byte[4];
    private final byte[] destination6 = new byte[16];
    private MemorySegment segment;
    private int length;
    private boolean ipv6;
    private int ipHeaderLength;
    private int protocol;

    /**
     * Points at a packet of {@code length} bytes at offset 0.
     *
     * @return {@code null} when usable, else {@link VrrpDrop#TOO_SHORT} or {@link VrrpDrop#NOT_VRRP}
     */
    public VrrpDrop wrap(MemorySegment packet, int length) {
        this.segment = packet;
        this.length = length;
        if (length < 1) {
            return VrrpDrop.TOO_SHORT;
        }
        int versionNibble = (packet.get(ValueLayout.JAVA_BYTE, 0) & 0xf0) >>> 4;
        ipv6 = versionNibble == 6;
        if (ipv6) {
            ipHeaderLength = VrrpPackets.IPV6_HEADER_LENGTH;
            if (length < ipHeaderLength + VrrpAdvertView.HEADER_LENGTH) {
                return VrrpDrop.TOO_SHORT;
            }
            protocol = packet.get(ValueLayout.JAVA_BYTE, VrrpPackets.IPV6_NEXT_HEADER_OFFSET) & 0xff;
            MemorySegment.copy(packet, ValueLayout.JAVA_BYTE, VrrpPackets.IPV6_SRC_OFFSET, source6, 0, 16);
            MemorySegment.copy(packet, ValueLayout.JAVA_BYTE, VrrpPackets.IPV6_DST_OFFSET, destination6, 0, 16);
        } else {
            if (versionNibble != 4 || length < Ipv4View.MIN_HEADER_LENGTH) {
                return VrrpDrop.TOO_SHORT;
            }
            ipHeaderLength = (packet.get(ValueLayout.JAVA_BYTE, 0) & 0x0f) * 4;
            if (ipHeaderLength < Ipv4View.MIN_HEADER_LENGTH
                    || length < ipHeaderLength + VrrpAdvertView.HEADER_LENGTH) {
                return VrrpDrop.TOO_SHORT;
            }
            protocol = packet.get(ValueLayout.JAVA_BYTE, Ipv4View.PROTOCOL_OFFSET) & 0xff;
            MemorySegment.copy(packet, ValueLayout.JAVA_BYTE, Ipv4View.SRC_ADDR_OFFSET, source4, 0, 4);
            MemorySegment.copy(packet, ValueLayout.JAVA_BYTE, Ipv4View.DST_ADDR_OFFSET, destination4, 0, 4);
        }
        if (protocol != VrrpPackets.PROTO_VRRP) {
            return VrrpDrop.NOT_VRRP; // AH (51) included: jlvs does not implement auth_type AH
        }
        advert.wrap(packet, ipHeaderLength);
        return null;
    }

    public VrrpAdvertView advert() {
        return advert;
    }

    public boolean ipv6() {
        return ipv6;
    }

    public MemorySegment segment() {
        return segment;
    }

    /** Bytes received, IP header included. */
    public int length() {
        return length;
    }

    public int ipHeaderLength() {
        return ipHeaderLength;
    }

    /** Bytes after the IP header. */
    public int vrrpLength() {
        return length - ipHeaderLength;
    }

    public int ttl() {
        return segment.get(ValueLayout.JAVA_BYTE, ipv6 ? VrrpPackets.IPV6_HOP_LIMIT_OFFSET : Ipv4View.TTL_OFFSET)
                & 0xff;
    }

    /** The IPv4 total-length field (for IPv6: header + payload length). */
    public int ipTotalLength() {
        return ipv6 ? VrrpPackets.IPV6_HEADER_LENGTH + (segment.get(U16, VrrpPackets.IPV6_PAYLOAD_LENGTH_OFFSET) & 0xffff)
                : segment.get(U16, Ipv4View.TOTAL_LENGTH_OFFSET) & 0xffff;
    }

    /** Source address bytes; the array is reused by the next {@link #wrap}. */
    public byte[] source() {
        return ipv6 ? source6 : source4;
    }

    public byte[] destination() {
        return ipv6 ? destination6 : destination4;
    }

    public boolean multicastDestination() {
        return ipv6 ? (destination6[0] & 0xff) == 0xff : (destination4[0] & 0xf0) == 0xe0;
    }

    /** Unsigned big-endian comparison of the source with {@code address} (same length). */
    public int compareSource(byte[] address) {
        return VrrpInstance.compareAddresses(source(), address);
    }
}
