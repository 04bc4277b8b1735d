package io.jlvs.vrrp;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the seed corpus of {@link VrrpAdvertFuzzTest} (run from the project root, see docs/fuzzing.md):
 * adverts the backup takes (v2 and v3, higher and lower priority, password authentication) and one for
 * another VRID, each behind the harness's flags byte.
 */
final class VrrpAdvertFuzzSeeds {
    private VrrpAdvertFuzzSeeds() {}

    public static void main(String[] args) throws IOException {
        Path dir = Files.createDirectories(Path.of(args.length > 0 ? args[0]
                : "src/test/resources/io/jlvs/vrrp/VrrpAdvertFuzzTestInputs/fuzzReceive"));
        Files.write(dir.resolve("seed-v2-master"), advert(2, 51, 200, null, 1));
        Files.write(dir.resolve("seed-v2-lower-priority"), advert(2, 51, 50, null, 1));
        Files.write(dir.resolve("seed-v2-password"), advert(2, 51, 200, "secret12".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 1));
        Files.write(dir.resolve("seed-v2-priority-0"), advert(2, 51, 0, null, 1));
        Files.write(dir.resolve("seed-v3"), advert(3, 51, 200, null, 0));
        Files.write(dir.resolve("seed-other-vrid"), advert(2, 52, 200, null, 1));
    }

    private static byte[] advert(int version, int vrid, int priority, byte[] auth, int flags) throws IOException {
        VrrpPackets p = new VrrpPackets(version, false, vrid, 1_000_000, new byte[][] {ip("192.168.1.100")}, auth, false);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(VrrpPackets.MAX_PACKET);
            int n = p.write(buf, priority, ip("10.0.0.9"), ip("224.0.0.18"), 1, 255, ip("224.0.0.18"));
            byte[] out = new byte[n + 1];
            out[0] = (byte) flags;
            MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, 0, out, 1, n);
            return out;
        }
    }

    private static byte[] ip(String text) throws IOException {
        return InetAddress.getByName(text).getAddress();
    }
}
