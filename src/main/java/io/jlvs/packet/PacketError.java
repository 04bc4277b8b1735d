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

    /** Number of error codes (not counting {@link #OK}). */
    public static final int COUNT = 11;

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
