package io.jlvs.io.linux;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The guard's ruleset text for IPv6 (the nft program itself is exercised by the system tests). */
class NftGuardTest {
    static final NftGuard.Ipv6Sets V6 = new NftGuard.Ipv6Sets(List.of(new NftGuard.Entry("2001:db8:1::100", 6, 80)),
            List.of(new NftGuard.Entry("2001:db8:2::11", 6, "8080")), List.of("2001:db8:2::11"));

    @Test
    void shouldDeclareIpv6SetsAndRulesWhenRendering() {
        String text = NftGuard.render(List.of("eth0"), List.of(), List.of(), List.of(), List.of(), V6);

        assertThat(text).contains("set services6 { type ipv6_addr . inet_proto . inet_service; flags interval;"
                + " elements = { 2001:db8:1::100 . 6 . 80 } }");
        assertThat(text).contains("set natreal6 { type ipv6_addr . inet_proto . inet_service; flags interval;"
                + " elements = { 2001:db8:2::11 . 6 . 8080 } }");
        assertThat(text).contains("set natrealaddr6 { type ipv6_addr; elements = { 2001:db8:2::11 } }");
        assertThat(text).contains("ip6 daddr . meta l4proto . th dport @services6 counter drop");
        assertThat(text).contains("ip6 saddr . meta l4proto . th sport @natreal6 fib daddr type != local counter drop");
        assertThat(text).contains("ip6 saddr @natrealaddr6 icmpv6 type");
    }

    @Test
    void shouldReplaceIpv6ElementsWhenOnlyElementsChange() {
        String text = NftGuard.renderElements(List.of(), List.of(), List.of(), List.of(), V6);

        assertThat(text).contains("flush set netdev jlvs services6\n"
                + "add element netdev jlvs services6 { 2001:db8:1::100 . 6 . 80 }\n");
        assertThat(text).contains("flush set netdev jlvs natrealaddr6\n");
    }
}
