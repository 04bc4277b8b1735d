package io.jlvs.vrrp;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Received adverts that break a rule of vrrp.md §6 are dropped, counted by reason, and leave the backup's timer alone. */
class VrrpReceiveValidationTest {
    private static final long NOW = 1_000_000;
    private final SimNetwork net = new SimNetwork(1);
    private final MemorySegment buf = Arena.ofAuto().allocate(VrrpPackets.MAX_PACKET);
    private SimHost host;
    private VrrpInstance instance;

    private static byte[] ip(String text) {
        try {
            return InetAddress.getByName(text).getAddress();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void boot(VrrpInstanceConfig config) {
        host = new SimHost(net, "a", 1, config);
        net.nowUs = NOW;
        host.start();
        instance = host.node().instance(config.name());
    }

    @BeforeEach
    void startBackup() {
        boot(VrrpInstanceConfig.builder("VI_1", "eth0", 51).priority(100).vip("192.168.1.100").build());
    }

    /** A good advert from 10.0.0.9: v2, VRID 51, priority 200, 1 s, VIP 192.168.1.100; returns its length. */
    private int advert(int version, int vrid, String vip, String dst, int ttl, byte[] auth, long intervalUs) {
        VrrpPackets p = new VrrpPackets(version, false, vrid, intervalUs, new byte[][] {ip(vip)}, auth, false);
        return p.write(buf, 200, ip("10.0.0.9"), ip(dst), 1, ttl, ip(dst));
    }

    private int goodAdvert() {
        return advert(2, 51, "192.168.1.100", "224.0.0.18", 255, null, 1_000_000);
    }

    private void receive(int length) {
        host.node().receive("eth0", buf, length, NOW + 500_000);
    }

    private void fixV2Checksum(int length) {
        VrrpAdvertView a = new VrrpAdvertView().wrap(buf, 20);
        a.checksum(VrrpChecksum.compute(buf, 20, length - 20, 0));
    }

    private void assertDropped(VrrpDrop reason) {
        assertThat(instance.counters().drops(reason)).isEqualTo(1);
        assertThat(instance.counters().totalDrops()).isEqualTo(1);
        assertThat(instance.timerDeadlineUs()).isEqualTo(NOW + instance.masterDownIntervalUs());
        assertThat(instance.masterPriority()).isZero();
    }

    @Test
    void shouldAcceptAndRestartTimerWhenAdvertIsValid() {
        receive(goodAdvert());
        assertThat(instance.counters().totalDrops()).isZero();
        assertThat(instance.counters().advertsReceived()).isEqualTo(1);
        assertThat(instance.masterPriority()).isEqualTo(200);
        assertThat(instance.timerDeadlineUs()).isEqualTo(NOW + 500_000 + instance.masterDownIntervalUs());
    }

    @Test
    void shouldDropWhenChecksumIsWrong() {
        int n = goodAdvert();
        buf.set(ValueLayout.JAVA_BYTE, 27, (byte) (buf.get(ValueLayout.JAVA_BYTE, 27) ^ 0x01));
        receive(n);
        assertDropped(VrrpDrop.CHECKSUM);
    }

    @Test
    void shouldDropWhenTtlIsNot255() {
        receive(advert(2, 51, "192.168.1.100", "224.0.0.18", 64, null, 1_000_000));
        assertDropped(VrrpDrop.TTL);
    }

    @Test
    void shouldCountUnknownVridWhenNoInstanceHasIt() {
        receive(advert(2, 52, "192.168.1.100", "224.0.0.18", 255, null, 1_000_000));
        assertThat(host.node().unmatched().drops(VrrpDrop.UNKNOWN_VRID)).isEqualTo(1);
        assertThat(instance.counters().totalDrops()).isZero();
    }

    @Test
    void shouldDropWhenAddressCountDiffers() {
        VrrpPackets p = new VrrpPackets(2, false, 51, 1_000_000,
                new byte[][] {ip("192.168.1.100"), ip("192.168.1.101")}, null, false);
        receive(p.write(buf, 200, ip("10.0.0.9"), ip("224.0.0.18"), 1, 255, ip("224.0.0.18")));
        assertDropped(VrrpDrop.ADDRESS_COUNT);
    }

    @Test
    void shouldDropWhenAdvertisedAddressDiffers() {
        receive(advert(2, 51, "192.168.1.200", "224.0.0.18", 255, null, 1_000_000));
        assertDropped(VrrpDrop.ADDRESS_MISSING);
    }

    @Test
    void shouldDropWhenV2IntervalDiffers() {
        receive(advert(2, 51, "192.168.1.100", "224.0.0.18", 255, null, 2_000_000));
        assertDropped(VrrpDrop.INTERVAL);
    }

    @Test
    void shouldDropWhenVersionDiffers() {
        receive(advert(3, 51, "192.168.1.100", "224.0.0.18", 255, null, 1_000_000));
        assertDropped(VrrpDrop.VERSION);
    }

    @Test
    void shouldDropWhenTypeIsNotAdvertisement() {
        int n = goodAdvert();
        new VrrpAdvertView().wrap(buf, 20).versionType(2, 2);
        fixV2Checksum(n);
        receive(n);
        assertDropped(VrrpDrop.TYPE);
    }

    @Test
    void shouldDropWhenPacketIsTruncated() {
        receive(goodAdvert() - 4);
        assertDropped(VrrpDrop.LENGTH);
    }

    @Test
    void shouldDropWhenIpTotalLengthDisagrees() {
        int n = goodAdvert();
        buf.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 2, (short) (n + 4));
        receive(n);
        assertDropped(VrrpDrop.IP_TOTAL_LENGTH);
    }

    @Test
    void shouldDropWhenUnicastAdvertReachesMulticastInstance() {
        receive(advert(2, 51, "192.168.1.100", "10.0.0.1", 255, null, 1_000_000));
        assertDropped(VrrpDrop.CAST_MISMATCH);
    }

    @Test
    void shouldCountTooShortWhenNotEvenAHeader() {
        goodAdvert();
        host.node().receive("eth0", buf, 24, NOW);
        assertThat(host.node().unmatched().drops(VrrpDrop.TOO_SHORT)).isEqualTo(1);
    }

    @Test
    void shouldDropWhenPasswordIsWrong() {
        net.hosts().clear();
        boot(VrrpInstanceConfig.builder("VI_1", "eth0", 51).priority(100).vip("192.168.1.100").authPass("secret")
                .build());
        byte[] auth = new byte[8];
        System.arraycopy("secreT".getBytes(), 0, auth, 0, 6);
        receive(advert(2, 51, "192.168.1.100", "224.0.0.18", 255, auth, 1_000_000));
        assertDropped(VrrpDrop.AUTH_FAILURE);
    }

    @Test
    void shouldAcceptWhenPasswordMatches() {
        net.hosts().clear();
        boot(VrrpInstanceConfig.builder("VI_1", "eth0", 51).priority(100).vip("192.168.1.100")
                .authPass("secret-and-more").build());
        byte[] auth = new byte[8];
        System.arraycopy("secret-a".getBytes(), 0, auth, 0, 8);
        receive(advert(2, 51, "192.168.1.100", "224.0.0.18", 255, auth, 1_000_000));
        assertThat(instance.counters().totalDrops()).isZero();
        assertThat(instance.masterPriority()).isEqualTo(200);
    }

    @Test
    void shouldDropWhenAuthTypeMismatchesOrIsInvalid() {
        net.hosts().clear();
        boot(VrrpInstanceConfig.builder("VI_1", "eth0", 51).priority(100).vip("192.168.1.100").authPass("secret")
                .build());
        receive(goodAdvert());
        assertThat(instance.counters().drops(VrrpDrop.AUTH_TYPE_MISMATCH)).isEqualTo(1);
        int n = goodAdvert();
        new VrrpAdvertView().wrap(buf, 20).authType(7);
        fixV2Checksum(n);
        receive(n);
        assertThat(instance.counters().drops(VrrpDrop.AUTH_TYPE_INVALID)).isEqualTo(1);
    }

    @Test
    void shouldDropWhenUnicastSourceIsNotAPeer() {
        net.hosts().clear();
        boot(VrrpInstanceConfig.builder("VI_1", "eth0", 51).priority(100).vip("192.168.1.100")
                .unicastPeer("10.0.0.8").checkUnicastSrc(true).build());
        receive(advert(2, 51, "192.168.1.100", "10.0.0.1", 64, null, 1_000_000));
        assertDropped(VrrpDrop.UNICAST_SOURCE);
    }

    @Test
    void shouldFollowOldUnicastChecksumWhenPeerUsesGroupInPseudoHeader() {
        net.hosts().clear();
        boot(VrrpInstanceConfig.builder("VI_1", "eth0", 51).priority(100).version(3).vip("192.168.1.100")
                .unicastPeer("10.0.0.9").build());
        VrrpPackets p = new VrrpPackets(3, false, 51, 1_000_000, new byte[][] {ip("192.168.1.100")}, null, false);
        int n = p.write(buf, 200, ip("10.0.0.9"), ip("10.0.0.1"), 1, 64, ip("224.0.0.18"));
        receive(n);
        assertThat(instance.counters().totalDrops()).isZero();
        assertThat(host.log).anyMatch(l -> l.contains("Setting unicast VRRPv3 checksum to old version"));
    }

    @Test
    void shouldIgnoreAdvertsWhenInFault() {
        net.hosts().clear();
        boot(VrrpInstanceConfig.builder("VI_1", "eth1", 51).priority(100).vip("192.168.1.100").build());
        assertThat(instance.state()).isEqualTo(VrrpState.FAULT);
        host.node().receive("eth1", buf, goodAdvert(), NOW);
        assertThat(instance.counters().drops(VrrpDrop.NOT_RUNNING)).isEqualTo(1);
        assertThat(List.of(instance.counters().advertsReceived())).containsExactly(0L);
    }
}
