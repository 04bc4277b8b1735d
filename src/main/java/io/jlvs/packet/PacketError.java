package io.jlvs.packet;

/**
 * Why a frame failed a {@code validate} check. Codes are negative so {@code validate} can return 0 for a good header;
 * {@link #index(int)} turns a code into a slot of a per-reason drop counter array.
 */
public final class PacketError {
    public static final int OK = 0;
    public static final int TRUNCATED_ETHERNET = -1;
    public static final int TRUNCATED_IPV4 = -2;
    public static final int BAD_IPV4_VERSION = -3;
    public static final int BAD_IPV4_IHL = -4;
    public static final int BAD_IPV4_TOTAL_LENGTH = -5;
    public static final int TRUNCATED_TCP = -6;
    public static final int BAD_TCP_DATA_OFFSET = -7;
    public static final int TRUNCATED_UDP = -8;
    public static final int BAD_UDP_LENGTH = -9;
    public static final int TRUNCATED_ARP = -10;
    public static final int TRUNCATED_ICMP = -11;
    public static final int TRUNCATED_IPV6 = -12;
    public static final int BAD_IPV6_VERSION = -13;
    /** A payload length of 0 with a hop-by-hop header: a jumbogram (RFC 2675), which jlvs does not take. */
    public static final int BAD_IPV6_PAYLOAD_LENGTH = -14;
    public static final int TRUNCATED_ICMPV6 = -15;
    /** A neighbor solicitation or advertisement that RFC 4861 section 7.1 says to discard. */
    public static final int BAD_ND = -16;

    /** Number of error codes (not counting {@link #OK}). */
    public static final int COUNT = 16;

    private static final String[] NAMES = {
        "TRUNCATED_ETHERNET",
        "TRUNCATED_IPV4",
        "BAD_IPV4_VERSION",
        "BAD_IPV4_IHL",
        "BAD_IPV4_TOTAL_LENGTH",
        "TRUNCATED_TCP",
        "BAD_TCP_DATA_OFFSET",
        "TRUNCATED_UDP",
        "BAD_UDP_LENGTH",
        "TRUNCATED_ARP",
        "TRUNCATED_ICMP",
        "TRUNCATED_IPV6",
        "BAD_IPV6_VERSION",
        "BAD_IPV6_PAYLOAD_LENGTH",
        "TRUNCATED_ICMPV6",
        "BAD_ND",
    };

    private PacketError() {}

    /** The constant's name, "OK" for 0, "UNKNOWN" for anything else; never allocates. */
    public static String name(int code) {
        if (code == OK) {
            return "OK";
        }
        int index = -code - 1;
        return index >= 0 && index < COUNT ? NAMES[index] : "UNKNOWN";
    }

    /** Slot 0..COUNT-1 for an error code, for drop counter arrays; -1 for OK or an unknown code. */
    public static int index(int code) {
        int index = -code - 1;
        return index >= 0 && index < COUNT ? index : -1;
    }
}
