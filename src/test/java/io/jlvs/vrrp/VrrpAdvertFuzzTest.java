package io.jlvs.vrrp;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Coverage-guided fuzzing of VRRP advert reception (docs/fuzzing.md): any host on the segment can send
 * an advert. Each input is one received packet, IP header included, handed to a backup instance (VRID 51,
 * VIP 192.168.1.100, simple password authentication off) through {@link VrrpNode#receive}; nothing may
 * escape as an exception. Input: | flags (1) | packet |; flag bit 0 has the harness write a correct
 * VRRPv2 checksum (over the bytes after a 20-byte IPv4 header) so the fuzzer gets past it.
 */
class VrrpAdvertFuzzTest {
    private static final long NOW_US = 1_000_000;

    @FuzzTest(maxDuration = "2m")
    void fuzzReceive(byte[] input) {
        if (input.length < 2) {
            return;
        }
        SimNetwork net = new SimNetwork(1);
        SimHost host = new SimHost(net, "a", 1,
                VrrpInstanceConfig.builder("VI_1", "eth0", 51).priority(100).vip("192.168.1.100").build());
        net.nowUs = NOW_US;
        host.start();
        int length = input.length - 1;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment packet = arena.allocate(length);
            MemorySegment.copy(input, 1, packet, ValueLayout.JAVA_BYTE, 0, length);
            if ((input[0] & 1) != 0 && length >= 20 + VrrpAdvertView.HEADER_LENGTH) {
                VrrpAdvertView a = new VrrpAdvertView().wrap(packet, 20);
                a.checksum(0);
                a.checksum(VrrpChecksum.compute(packet, 20, length - 20, 0));
            }
            host.node().receive("eth0", packet, length, NOW_US + 500_000);
            host.node().receive("eth0", packet, length, NOW_US + 1_500_000);
        }
    }
}
