package io.jlvs.testkit;

import static io.jlvs.testkit.PacketBuilder.unhex;

import java.util.Arrays;

/**
 * Frames Linux 6.x sent between two network namespaces joined by a veth pair (MACs 02:00:00:00:00:01 and :02,
 * addresses fe80::1/2 and 2001:db8::1/2), captured with tcpdump, TX checksum offload off except where said. Their
 * checksums were computed by the kernel, so they are known vectors independent of jlvs and of {@link PacketBuilder}.
 */
public final class Ipv6Captures {
    public static final String A_MAC = "02:00:00:00:00:01";
    public static final String B_MAC = "02:00:00:00:00:02";

    /** Linux resolving fe80::2: solicitation from fe80::1 to ff02::1:ff00:2 with a source link-layer option. */
    public static final String CAPTURED_NS = """
            33 33 ff 00 00 02 02 00 00 00 00 01 86 dd
            60 00 00 00 00 20 3a ff fe 80 00 00 00 00 00 00 00 00 00 00 00 00 00 01
            ff 02 00 00 00 00 00 00 00 00 00 01 ff 00 00 02
            87 00 7a 97 00 00 00 00 fe 80 00 00 00 00 00 00 00 00 00 00 00 00 00 02
            01 01 02 00 00 00 00 01""";

    /** The answer: advertisement from fe80::2, flags S and O, target link-layer option. */
    public static final String CAPTURED_NA = """
            02 00 00 00 00 01 02 00 00 00 00 02 86 dd
            60 00 00 00 00 20 3a ff fe 80 00 00 00 00 00 00 00 00 00 00 00 00 00 02
            fe 80 00 00 00 00 00 00 00 00 00 00 00 00 00 01
            88 00 18 1a 60 00 00 00 fe 80 00 00 00 00 00 00 00 00 00 00 00 00 00 02
            02 01 02 00 00 00 00 02""";

    /** Echo request id 0x1234 seq 1 "abcdefgh", fe80::1 to fe80::2, flow label 0x3f27c. */
    public static final String CAPTURED_ECHO = """
            02 00 00 00 00 02 02 00 00 00 00 01 86 dd
            60 03 f2 7c 00 10 3a 40 fe 80 00 00 00 00 00 00 00 00 00 00 00 00 00 01
            fe 80 00 00 00 00 00 00 00 00 00 00 00 00 00 02
            80 00 de e5 12 34 00 01 61 62 63 64 65 66 67 68""";

    /** UDP [2001:db8::1]:5353 to [2001:db8::2]:53 carrying "abc", flow label 0x87962; checksum 0xcae2. */
    public static final String CAPTURED_UDP = """
            02 00 00 00 00 02 02 00 00 00 00 01 86 dd
            60 08 79 62 00 0b 11 40 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01
            20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02
            14 e9 00 35 00 0b ca e2 61 62 63""";

    /** The port unreachable 2001:db8::2 answered it with, quoting it whole; checksum 0xb877. */
    public static final String CAPTURED_PORT_UNREACH = """
            02 00 00 00 00 01 02 00 00 00 00 02 86 dd
            60 06 f3 13 00 3b 3a 40 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02
            20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01
            01 04 b8 77 00 00 00 00
            60 08 79 62 00 0b 11 40 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01
            20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02
            14 e9 00 35 00 0b ca e2 61 62 63""";

    /** SYN [2001:db8::1]:40000 to [2001:db8::2]:80 with MSS, SACK-permitted, timestamps, window scale; 0x97fe. */
    public static final String CAPTURED_SYN = """
            02 00 00 00 00 02 02 00 00 00 00 01 86 dd
            60 00 da 8a 00 28 06 40 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01
            20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02
            9c 40 00 50 86 d4 27 85 00 00 00 00 a0 02 fd 20 97 fe 00 00
            02 04 05 a0 04 02 08 0a 69 f4 a2 9e 00 00 00 00 01 03 03 0a""";

    /**
     * The RST 2001:db8::2 answered with, left by veth with TX offload on: the field holds the partial checksum 0x5b8f
     * (the folded pseudo-header sum), not the complete 0x0971.
     */
    public static final String CAPTURED_PARTIAL_RST = """
            02 00 00 00 00 01 02 00 00 00 00 02 86 dd
            60 0b e3 32 00 14 06 40 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02
            20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01
            00 50 9c 40 00 00 00 00 86 d4 27 86 50 14 00 00 5b 8f 00 00""";

    /** Head of the first fragment of a 1544-byte UDP datagram: fragment header at 54, M set, offset 0. */
    public static final String CAPTURED_FIRST_FRAGMENT_HEAD = """
            02 00 00 00 00 02 02 00 00 00 00 01 86 dd
            60 00 a2 fb 05 b0 2c 40 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01
            20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02
            11 00 00 01 f7 d3 36 74
            14 e9 00 09 06 08 01 f9""";

    /** The second and last fragment: offset 1448 (181 units), M clear, then the datagram's bytes 1448..1543. */
    public static byte[] capturedSecondFragment() {
        byte[] head = unhex("""
                02 00 00 00 00 02 02 00 00 00 00 01 86 dd
                60 00 a2 fb 00 68 2c 40 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01
                20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02
                11 00 05 a8 f7 d3 36 74""");
        byte[] frame = Arrays.copyOf(head, head.length + 96);
        for (int i = 0; i < 96; i++) {
            frame[head.length + i] = (byte) (0xa0 + i);
        }
        return frame;
    }

    private Ipv6Captures() {}
}
