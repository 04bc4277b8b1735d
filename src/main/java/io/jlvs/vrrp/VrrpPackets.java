package io.jlvs.vrrp;

import io.jlvs.packet.Ipv4View;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Writes one instance's adverts as complete IP packets, the way keepalived puts them on the wire (vrrp.md §1, §2):
 * IPv4 {@code 45 C0 len id 0000 TTL 70 csum src dst}, no options, DF clear; IPv6 traffic class 0xC0, next header 112.
 * The advertised addresses, interval and authentication never change, so they are written once and each advert only
 * sets priority, addresses, IP ID, TTL and checksums.
 *
 * <pre>
 * IPv6 header (40 bytes), as rebuilt for received adverts and written for the test vectors
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-------+---------------+---------------------------------------+
 * |Version| Traffic Class |              Flow Label               |
 * +-------+---------------+-------+---------------+---------------+
 * |        Payload Length         |  Next Header  |   Hop Limit   |
 * +-------------------------------+---------------+---------------+
 * |                  Source Address (16 bytes)                    |
 * +---------------------------------------------------------------+
 * |               Destination Address (16 bytes)                  |
 * +---------------------------------------------------------------+
 * </pre>
 * The IPv4 header is {@link Ipv4View}'s. Not thread-safe.
 */
public final class VrrpPackets {
    public static final int PROTO_VRRP = 112;
    public static final int IPV4_HEADER_LENGTH = 20;
    public static final int IPV6_HEADER_LENGTH = 40;
    public static final int TOS_NETWORK_CONTROL = 0xC0;
    public static final int TTL_VRRP = 255;
    /** Largest advert: an IPv6 header and 255 IPv6 addresses. */
    public static final int MAX_PACKET = IPV6_HEADER_LENGTH + VrrpAdvertView.length(3, true, 255);

    static final int IPV6_PAYLOAD_LENGTH_OFFSET = 4;
    static final int IPV6_NEXT_HEADER_OFFSET = 6;
    static final int IPV6_HOP_LIMIT_OFFSET = 7;
    static final int IPV6_SRC_OFFSET = 8;
    static final int IPV6_DST_OFFSET = 24;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final int version;
    private final boolean ipv6;
    private final int vrid;
    private final long advertIntUs;
    private final byte[][] addresses;
    private final byte[] authData;
    private final boolean passAuth;
    private final boolean checksumAsV2;
    private final int vrrpLength;
    private final Ipv4View ip = new Ipv4View();
    private final VrrpAdvertView advert = new VrrpAdvertView();

    /**
     * @param addresses advertised addresses (4 or 16 bytes each), in configuration order
     * @param authData  v2: the 8 authentication bytes; {@code null} or all zero for none
     */
    public VrrpPackets(int version, boolean ipv6, int vrid, long advertIntUs, byte[][] addresses, byte[] authData,
                       boolean checksumAsV2) {
        this.version = version;
        this.ipv6 = ipv6;
        this.vrid = vrid;
        this.advertIntUs = advertIntUs;
        this.addresses = addresses.clone();
        this.authData = authData == null ? new byte[VrrpAdvertView.AUTH_LENGTH] : authData.clone();
        boolean any = false;
        for (byte b : this.authData) {
            any |= b != 0;
        }
        this.passAuth = any;
        this.checksumAsV2 = checksumAsV2;
        this.vrrpLength = VrrpAdvertView.length(version, ipv6, addresses.length);
    }

    public static VrrpPackets forInstance(VrrpInstanceConfig c) {
        return new VrrpPackets(c.version(), c.ipv6(), c.virtualRouterId(), c.advertIntUs(),
                c.advertisedAddressBytes(), c.authData(), c.v3ChecksumAsV2());
    }

    public int vrrpLength() {
        return vrrpLength;
    }

    public int packetLength() {
        return (ipv6 ? IPV6_HEADER_LENGTH : IPV4_HEADER_LENGTH) + vrrpLength;
    }

    /**
     * Writes a whole advert at offset 0 of {@code buf}.
     *
     * @param src       IP source (4 or 16 bytes)
     * @param dst       IP destination: the group or a unicast peer
     * @param ipId      IPv4 identification (ignored for IPv6)
     * @param ttl       TTL / hop limit
     * @param pseudoDst destination used in the v3 pseudo-header: normally {@code dst}; 224.0.0.18 for keepalived's
     *                  old unicast checksum
     * @return the packet length
     */
    public int write(MemorySegment buf, int priority, byte[] src, byte[] dst, int ipId, int ttl, byte[] pseudoDst) {
        int l3 = ipv6 ? IPV6_HEADER_LENGTH : IPV4_HEADER_LENGTH;
        if (ipv6) {
            buf.set(U32, 0, (6 << 28) | (TOS_NETWORK_CONTROL << 20));
            buf.set(U16, IPV6_PAYLOAD_LENGTH_OFFSET, (short) vrrpLength);
            buf.set(ValueLayout.JAVA_BYTE, IPV6_NEXT_HEADER_OFFSET, (byte) PROTO_VRRP);
            buf.set(ValueLayout.JAVA_BYTE, IPV6_HOP_LIMIT_OFFSET, (byte) ttl);
            MemorySegment.copy(src, 0, buf, ValueLayout.JAVA_BYTE, IPV6_SRC_OFFSET, 16);
            MemorySegment.copy(dst, 0, buf, ValueLayout.JAVA_BYTE, IPV6_DST_OFFSET, 16);
        } else {
            ip.wrap(buf, 0).version(4).ihl(5).tos(TOS_NETWORK_CONTROL).totalLength(l3 + vrrpLength)
                    .identification(ipId).flagsFragment(0).ttl(ttl).protocol(PROTO_VRRP).headerChecksum(0);
            MemorySegment.copy(src, 0, buf, ValueLayout.JAVA_BYTE, Ipv4View.SRC_ADDR_OFFSET, 4);
            MemorySegment.copy(dst, 0, buf, ValueLayout.JAVA_BYTE, Ipv4View.DST_ADDR_OFFSET, 4);
            ip.updateHeaderChecksum();
        }
        advert.wrap(buf, l3).versionType(version, VrrpAdvertView.TYPE_ADVERTISEMENT).virtualRouterId(vrid)
                .priority(priority).addressCount(addresses.length).checksum(0);
        if (version == 2) {
            advert.authType(passAuth ? VrrpAdvertView.AUTH_PASS : VrrpAdvertView.AUTH_NONE)
                    .adverIntS((int) (advertIntUs / VrrpInstanceConfig.SECOND_US));
        } else {
            advert.maxAdverIntCs((int) (advertIntUs / 10_000));
        }
        for (int i = 0; i < addresses.length; i++) {
            MemorySegment.copy(addresses[i], 0, buf, ValueLayout.JAVA_BYTE, advert.addressOffset(i, ipv6),
                    addresses[i].length);
        }
        if (version == 2) {
            MemorySegment.copy(authData, 0, buf, ValueLayout.JAVA_BYTE,
                    advert.addressOffset(addresses.length, false), VrrpAdvertView.AUTH_LENGTH);
        }
        long pseudo = VrrpChecksum.pseudoHeader(version, src, pseudoDst, vrrpLength, checksumAsV2);
        advert.checksum(VrrpChecksum.compute(buf, l3, vrrpLength, pseudo));
        return l3 + vrrpLength;
    }
}
