package io.jlvs.vrrp;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

/** Adverts as jlvs writes them, byte for byte against vrrp.md §15 (RFC-derived vectors and keepalived captures). */
class VrrpPacketsTest {
    private static final HexFormat HEX = HexFormat.of();
    private final MemorySegment buf = Arena.ofAuto().allocate(VrrpPackets.MAX_PACKET);

    private static byte[] ip(String text) throws Exception {
        return InetAddress.getByName(text).getAddress();
    }

    private static byte[] hex(String spaced) {
        return HEX.parseHex(spaced.replaceAll("\\s+", ""));
    }

    private byte[] written(int length) {
        return buf.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void shouldMatchSpecVectorWhenWritingV2Multicast() throws Exception {
        VrrpPackets p = new VrrpPackets(2, false, 51, 1_000_000, new byte[][] {ip("192.168.1.100")}, null, false);
        int n = p.write(buf, 100, ip("192.168.1.10"), ip("224.0.0.18"), 1, 255, ip("224.0.0.18"));
        assertThat(HEX.formatHex(written(n))).isEqualTo(
                "45c0002800010000ff7018e0c0a8010ae0000012" + "21336401" + "0001b8bd" + "c0a80164" + "0000000000000000");
    }

    @Test
    void shouldCarryPasswordWhenV2HasPassAuthentication() throws Exception {
        byte[] auth = new byte[8];
        System.arraycopy("secret".getBytes(), 0, auth, 0, 6);
        VrrpPackets p = new VrrpPackets(2, false, 51, 1_000_000, new byte[][] {ip("192.168.1.100")}, auth, false);
        int n = p.write(buf, 100, ip("192.168.1.10"), ip("224.0.0.18"), 1, 255, ip("224.0.0.18"));
        assertThat(HEX.formatHex(written(n)).substring(40)).isEqualTo("213364010101" + "7b71" + "c0a80164"
                + "7365637265740000");
        assertThat(HEX.formatHex(written(n)).substring(0, 40)).isEqualTo("45c0002800010000ff7018e0c0a8010ae0000012");
    }

    @Test
    void shouldMatchSpecVectorWhenWritingV3Ipv4WithPseudoHeader() throws Exception {
        VrrpPackets p = new VrrpPackets(3, false, 51, 1_000_000,
                new byte[][] {ip("10.0.0.100"), ip("10.0.0.101")}, null, false);
        int n = p.write(buf, 150, ip("10.0.0.2"), ip("224.0.0.18"), 1, 255, ip("224.0.0.18"));
        assertThat(written(n)).isEqualTo(hex("""
                45 c0 00 24 00 01 00 00 ff 70 d0 94 0a 00 00 02
                e0 00 00 12 31 33 96 02 00 64 39 08 0a 00 00 64
                0a 00 00 65"""));
    }

    @Test
    void shouldOmitPseudoHeaderWhenV3ChecksumAsV2() throws Exception {
        VrrpPackets p = new VrrpPackets(3, false, 51, 1_000_000,
                new byte[][] {ip("10.0.0.100"), ip("10.0.0.101")}, null, true);
        p.write(buf, 150, ip("10.0.0.2"), ip("224.0.0.18"), 1, 255, ip("224.0.0.18"));
        assertThat(new VrrpAdvertView().wrap(buf, 20).checksum()).isEqualTo(0x239D);
    }

    @Test
    void shouldUsePeerInPseudoHeaderWhenV3Unicast() throws Exception {
        VrrpPackets p = new VrrpPackets(3, false, 51, 1_000_000,
                new byte[][] {ip("10.0.0.100"), ip("10.0.0.101")}, null, false);
        p.write(buf, 150, ip("10.0.0.2"), ip("10.0.0.3"), 1, 255, ip("10.0.0.3"));
        assertThat(new VrrpAdvertView().wrap(buf, 20).checksum()).isEqualTo(0x0F18);
    }

    @Test
    void shouldMatchSpecVectorWhenWritingV3Ipv6() throws Exception {
        VrrpPackets p = new VrrpPackets(3, true, 1, 1_000_000,
                new byte[][] {ip("fe80::100"), ip("2001:db8::100")}, null, false);
        int n = p.write(buf, 100, ip("fe80::1"), ip("ff02::12"), 0, 255, ip("ff02::12"));
        assertThat(written(n)).isEqualTo(hex("""
                6c 00 00 00 00 28 70 ff fe 80 00 00 00 00 00 00
                00 00 00 00 00 00 00 01 ff 02 00 00 00 00 00 00
                00 00 00 00 00 00 00 12 31 01 64 02 00 64 3e 2f
                fe 80 00 00 00 00 00 00 00 00 00 00 00 00 01 00
                20 01 0d b8 00 00 00 00 00 00 00 00 00 00 01 00"""));
    }

    @Test
    void shouldEqualKeepalivedCaptureWhenV2() throws Exception {
        VrrpPackets p = new VrrpPackets(2, false, 51, 1_000_000,
                new byte[][] {ip("198.18.9.100"), ip("198.18.9.101")}, null, false);
        int n = p.write(buf, 100, ip("198.18.9.10"), ip("224.0.0.18"), 1, 255, ip("224.0.0.18"));
        assertThat(written(n)).isEqualTo(hex("""
                45c0 002c 0001 0000 ff70 0b72 c612 090a e000 0012
                2133 6402 0001 dbda c612 0964 c612 0965 0000 0000 0000 0000"""));
    }

    @Test
    void shouldEqualKeepalivedCaptureWhenV3() throws Exception {
        VrrpPackets p = new VrrpPackets(3, false, 51, 1_000_000,
                new byte[][] {ip("198.18.9.100"), ip("198.18.9.101")}, null, false);
        int n = p.write(buf, 100, ip("198.18.9.10"), ip("224.0.0.18"), 1, 255, ip("224.0.0.18"));
        assertThat(written(n)).isEqualTo(hex("""
                45c0 0024 0001 0000 ff70 0b7a c612 090a e000 0012
                3133 6402 0064 1bc8 c612 0964 c612 0965"""));
    }

    @Test
    void shouldReadBackEveryFieldWhenParsingWhatWasWritten() throws Exception {
        VrrpPackets p = new VrrpPackets(3, false, 7, 50 * 10_000L, new byte[][] {ip("10.1.2.3")}, null, false);
        int n = p.write(buf, 201, ip("10.0.0.9"), ip("224.0.0.18"), 77, 255, ip("224.0.0.18"));
        ReceivedAdvert r = new ReceivedAdvert();
        assertThat(r.wrap(buf, n)).isNull();
        assertThat(r.advert().version()).isEqualTo(3);
        assertThat(r.advert().type()).isEqualTo(1);
        assertThat(r.advert().virtualRouterId()).isEqualTo(7);
        assertThat(r.advert().priority()).isEqualTo(201);
        assertThat(r.advert().addressCount()).isEqualTo(1);
        assertThat(r.advert().maxAdverIntCs()).isEqualTo(50);
        assertThat(r.advert().containsAddress(ip("10.1.2.3"))).isTrue();
        assertThat(r.ttl()).isEqualTo(255);
        assertThat(r.ipTotalLength()).isEqualTo(n);
        assertThat(r.multicastDestination()).isTrue();
        assertThat(r.source()).isEqualTo(ip("10.0.0.9"));
        long pseudo = VrrpChecksum.pseudoHeader(3, r.source(), r.destination(), r.vrrpLength(), false);
        assertThat(VrrpChecksum.valid(buf, r.ipHeaderLength(), r.vrrpLength(), pseudo)).isTrue();
    }

    @Test
    void shouldRoundAdvertIntervalsWhenNormalising() {
        assertThat(VrrpInstanceConfig.normalisedAdvertInt(2, 1_400_000)).isEqualTo(1_000_000);
        assertThat(VrrpInstanceConfig.normalisedAdvertInt(2, 300_000)).isEqualTo(1_000_000);
        assertThat(VrrpInstanceConfig.normalisedAdvertInt(3, 123_456)).isEqualTo(120_000);
        assertThat(VrrpInstanceConfig.normalisedAdvertInt(3, 50_000_000)).isEqualTo(40_950_000);
    }

    @Test
    void shouldPrintAddressesAsKeepalivedWhenLogging() throws Exception {
        assertThat(VrrpInstance.addressText(ip("198.18.9.12"))).isEqualTo("198.18.9.12");
        assertThat(VrrpInstance.addressText(ip("fe80::c6ff:fe12:902"))).isEqualTo("fe80::c6ff:fe12:902");
        assertThat(VrrpInstance.addressText(ip("::1"))).isEqualTo("::1");
        assertThat(VrrpInstance.addressText(ip("2001:db8:0:1::"))).isEqualTo("2001:db8:0:1::");
        assertThat(VrrpInstance.addressText(ip("2001:0:0:1:0:0:0:1"))).isEqualTo("2001:0:0:1::1");
    }
}
