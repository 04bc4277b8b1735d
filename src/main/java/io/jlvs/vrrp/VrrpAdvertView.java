package io.jlvs.vrrp;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Flyweight over a VRRP advertisement (the VRRP message, after the IP header).
 *
 * <pre>
 * Version 2 (RFC 3768), IPv4 only, 8 + 4n + 8 bytes
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-------+-------+---------------+---------------+---------------+
 * |Ver=2  |Type=1 | Virtual Rtr ID|   Priority    | Count IP Addrs|
 * +-------+-------+---------------+---------------+---------------+
 * |   Auth Type   | Adver Int (s) |          Checksum             |
 * +---------------+---------------+-------------------------------+
 * |                 Count × IPv4 address (4 bytes)                |
 * +---------------------------------------------------------------+
 * |        Authentication Data, 8 bytes (the PASS password)       |
 * +---------------------------------------------------------------+
 *
 * Version 3 (RFC 5798), IPv4 or IPv6, 8 + 4n or 8 + 16n bytes
 * +-------+-------+---------------+---------------+---------------+
 * |Ver=3  |Type=1 | Virtual Rtr ID|   Priority    |Count IPvX Addr|
 * +-------+-------+---------------+---------------+---------------+
 * |(rsvd) | Max Adver Int (cs)    |          Checksum             |
 * +-------+-----------------------+-------------------------------+
 * |            Count × IPv4 (4 bytes) or IPv6 (16 bytes)          |
 * +---------------------------------------------------------------+
 * </pre>
 * Not thread-safe; one view per thread, re-pointed with {@link #wrap}.
 */
public final class VrrpAdvertView {
    public static final int HEADER_LENGTH = 8;
    public static final int AUTH_LENGTH = 8;
    public static final int TYPE_ADVERTISEMENT = 1;
    public static final int AUTH_NONE = 0;
    public static final int AUTH_PASS = 1;
    public static final int AUTH_AH = 2;

    static final int VERSION_TYPE_OFFSET = 0;
    static final int VRID_OFFSET = 1;
    static final int PRIORITY_OFFSET = 2;
    static final int COUNT_OFFSET = 3;
    static final int AUTH_TYPE_OFFSET = 4;
    static final int ADVER_INT_V2_OFFSET = 5;
    static final int MAX_ADVER_INT_V3_OFFSET = 4;
    static final int CHECKSUM_OFFSET = 6;
    static final int ADDRESSES_OFFSET = 8;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private MemorySegment segment;
    private long offset;

    public VrrpAdvertView wrap(MemorySegment segment, long offset) {
        this.segment = segment;
        this.offset = offset;
        return this;
    }

    /** VRRP message length for a version, family and address count: 8 + n×4 (+8 for v2) or 8 + n×16. */
    public static int length(int version, boolean ipv6, int count) {
        return HEADER_LENGTH + count * (ipv6 ? 16 : 4) + (version == 2 ? AUTH_LENGTH : 0);
    }

    public int version() {
        return u8(VERSION_TYPE_OFFSET) >>> 4;
    }

    public int type() {
        return u8(VERSION_TYPE_OFFSET) & 0x0f;
    }

    public VrrpAdvertView versionType(int version, int type) {
        return u8(VERSION_TYPE_OFFSET, (version << 4) | (type & 0x0f));
    }

    public int virtualRouterId() {
        return u8(VRID_OFFSET);
    }

    public VrrpAdvertView virtualRouterId(int vrid) {
        return u8(VRID_OFFSET, vrid);
    }

    public int priority() {
        return u8(PRIORITY_OFFSET);
    }

    public VrrpAdvertView priority(int priority) {
        return u8(PRIORITY_OFFSET, priority);
    }

    public int addressCount() {
        return u8(COUNT_OFFSET);
    }

    public VrrpAdvertView addressCount(int count) {
        return u8(COUNT_OFFSET, count);
    }

    /** v2 only. */
    public int authType() {
        return u8(AUTH_TYPE_OFFSET);
    }

    public VrrpAdvertView authType(int type) {
        return u8(AUTH_TYPE_OFFSET, type);
    }

    /** v2 only: whole seconds. */
    public int adverIntS() {
        return u8(ADVER_INT_V2_OFFSET);
    }

    public VrrpAdvertView adverIntS(int seconds) {
        return u8(ADVER_INT_V2_OFFSET, seconds);
    }

    /** v3 only: centiseconds, the 4 reserved bits ignored. */
    public int maxAdverIntCs() {
        return (segment.get(U16, offset + MAX_ADVER_INT_V3_OFFSET) & 0xffff) & 0x0fff;
    }

    /** v3 only: writes the interval with the reserved bits zero. */
    public VrrpAdvertView maxAdverIntCs(int centiseconds) {
        segment.set(U16, offset + MAX_ADVER_INT_V3_OFFSET, (short) (centiseconds & 0x0fff));
        return this;
    }

    public int checksum() {
        return segment.get(U16, offset + CHECKSUM_OFFSET) & 0xffff;
    }

    public VrrpAdvertView checksum(int checksum) {
        segment.set(U16, offset + CHECKSUM_OFFSET, (short) checksum);
        return this;
    }

    /** Absolute offset of address {@code index} in the segment. */
    public long addressOffset(int index, boolean ipv6) {
        return offset + ADDRESSES_OFFSET + (long) index * (ipv6 ? 16 : 4);
    }

    /** True when address {@code index} equals {@code address} (4 or 16 bytes). */
    public boolean addressEquals(int index, byte[] address) {
        long at = addressOffset(index, address.length == 16);
        for (int i = 0; i < address.length; i++) {
            if (segment.get(ValueLayout.JAVA_BYTE, at + i) != address[i]) {
                return false;
            }
        }
        return true;
    }

    /** True when some advertised address equals {@code address}. */
    public boolean containsAddress(byte[] address) {
        int n = addressCount();
        for (int i = 0; i < n; i++) {
            if (addressEquals(i, address)) {
                return true;
            }
        }
        return false;
    }

    public MemorySegment segment() {
        return segment;
    }

    public long offset() {
        return offset;
    }

    private int u8(int at) {
        return segment.get(ValueLayout.JAVA_BYTE, offset + at) & 0xff;
    }

    private VrrpAdvertView u8(int at, int value) {
        segment.set(ValueLayout.JAVA_BYTE, offset + at, (byte) value);
        return this;
    }
}
