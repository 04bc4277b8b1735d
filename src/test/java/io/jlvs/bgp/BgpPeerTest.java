package io.jlvs.bgp;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BgpPeerTest {
    @Test
    void shouldSplitAtLastColonWhenAddressIsIpv4OrIpv6() {
        assertThat(BgpPeer.parse("198.18.1.1:65000").as()).isEqualTo(65000);
        assertThat(BgpPeer.parse("[2001:db8::1]:4200000000").address().getHostAddress()).isEqualTo("2001:db8:0:0:0:0:0:1");
        assertThat(BgpPeer.parse("2001:db8::1:65000").address().getHostAddress()).isEqualTo("2001:db8:0:0:0:0:0:1");
    }

    @Test
    void shouldRefuseWhenAsOrAddressIsBad() {
        assertThatThrownBy(() -> BgpPeer.parse("198.18.1.1")).hasMessageContaining("ADDR:AS");
        assertThatThrownBy(() -> BgpPeer.parse("198.18.1.1:x")).hasMessageContaining("not a number");
        assertThatThrownBy(() -> BgpPeer.parse("198.18.1.1:4294967296")).hasMessageContaining("out of range");
        assertThatThrownBy(() -> BgpPeer.parse("router:65000")).hasMessageContaining("not an IP address");
    }
}
