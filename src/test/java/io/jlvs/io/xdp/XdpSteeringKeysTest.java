package io.jlvs.io.xdp;

import io.jlvs.io.linux.SocketFilter;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;

class XdpSteeringKeysTest {
    private static final int VIP = 0xC6120064; // 198.18.0.100
    private static final int RIP = 0xC613000B; // 198.19.0.11

    @Test
    void shouldWriteKeyInFrameByteOrderWhenEncoding() {
        MemorySegment k = MemorySegment.ofArray(new byte[8]);
        XdpTransport.writeKey(k, XdpTransport.key(VIP, 6, XdpProgram.DIR_DEST, 80));
        assertThat(k.toArray(JAVA_BYTE)).containsExactly(198, 18, 0, 100, 6, 0, 0, 80);
    }

    @Test
    void shouldMakeOneKeyPerPortWhenRangeIsNarrow() {
        List<SocketFilter.Match> left = new ArrayList<>();
        Set<Long> keys = XdpTransport.keys(List.of(new SocketFilter.Match(false, VIP, -1, 6, 8080, 8082)), Set.of(), left);
        assertThat(keys).containsExactlyInAnyOrder(XdpTransport.key(VIP, 6, 0, 8080), XdpTransport.key(VIP, 6, 0, 8081),
                XdpTransport.key(VIP, 6, 0, 8082));
        assertThat(left).isEmpty();
    }

    @Test
    void shouldUseAnyPortKeyWhenRangeIsWholeOrProtocolHasNoPorts() {
        Set<Long> keys = XdpTransport.keys(List.of(
                new SocketFilter.Match(true, RIP, -1, 6, 1, 65535),
                new SocketFilter.Match(false, VIP, -1, 1, 0, 65535)), Set.of(), new ArrayList<>());
        assertThat(keys).containsExactlyInAnyOrder(XdpTransport.key(RIP, 6, XdpProgram.DIR_SOURCE, 0),
                XdpTransport.key(VIP, 1, XdpProgram.DIR_DEST, 0));
    }

    @Test
    void shouldSteerBothProtocolsWhenMatchHasNone() {
        Set<Long> keys = XdpTransport.keys(List.of(new SocketFilter.Match(false, VIP, -1, 0, 443, 443)), Set.of(),
                new ArrayList<>());
        assertThat(keys).containsExactlyInAnyOrder(XdpTransport.key(VIP, 6, 0, 443), XdpTransport.key(VIP, 17, 0, 443));
    }

    @Test
    void shouldLeaveMatchToAfPacketWhenItIsNetworkOrWideRange() {
        SocketFilter.Match net = new SocketFilter.Match(false, 0xC6120700, 0xffffff00, 6, 80, 80);
        SocketFilter.Match wide = new SocketFilter.Match(false, VIP, -1, 6, 1000, 5000);
        List<SocketFilter.Match> left = new ArrayList<>();
        Set<Long> keys = XdpTransport.keys(List.of(net, wide), Set.of(RIP), left);
        assertThat(left).containsExactly(net, wide);
        assertThat(keys).containsExactly(XdpTransport.key(RIP, 0, XdpProgram.DIR_LOCAL, 0));
    }
}
