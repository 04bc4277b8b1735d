package io.jlvs.ipvsadm;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ListFormatterTest {

    @Test
    void shouldAbbreviateFromOneHundredMillionWhenNotExact() {
        assertThat(ListFormatter.largeNum(0, false)).isEqualTo("        0");
        assertThat(ListFormatter.largeNum(99_999_999L, false)).isEqualTo(" 99999999");
        assertThat(ListFormatter.largeNum(100_000_000L, false)).isEqualTo("  100000K");
        assertThat(ListFormatter.largeNum(999_999_999L, false)).isEqualTo("  999999K");
        assertThat(ListFormatter.largeNum(1_000_000_000L, false)).isEqualTo("    1000M");
        assertThat(ListFormatter.largeNum(99_999_999_999L, false)).isEqualTo("   99999M");
        assertThat(ListFormatter.largeNum(100_000_000_000L, false)).isEqualTo("     100G");
        assertThat(ListFormatter.largeNum(99_999_999_999_999L, false)).isEqualTo("   99999G");
        assertThat(ListFormatter.largeNum(100_000_000_000_000L, false)).isEqualTo("     100T");
        assertThat(ListFormatter.largeNum(-1L, false)).isEqualTo("18446744T");
    }

    @Test
    void shouldWidenToTheDigitsWhenExact() {
        assertThat(ListFormatter.largeNum(12_345_678L, true)).isEqualTo(" 12345678");
        assertThat(ListFormatter.largeNum(123_456_789L, true)).isEqualTo(" 123456789");
        assertThat(ListFormatter.largeNum(-1L, true)).isEqualTo(" 18446744073709551615");
    }

    @Property
    void shouldStartWithASpaceAndFillNineColumnsWhenBelowOneHundredTrillion(@ForAll long v) {
        String s = ListFormatter.largeNum(Math.floorMod(v, 100_000_000_000_000L), false);
        assertThat(s).hasSize(9).startsWith(" ");
    }

    @Test
    void shouldNameSchedulerFlagsWhenSchedulerIsShOrMh() {
        assertThat(ListFormatter.schedFlags("sh", 0x38)).isEqualTo("sh-fallback,sh-port");
        assertThat(ListFormatter.schedFlags("mh", 0x10)).isEqualTo("mh-port");
        assertThat(ListFormatter.schedFlags("sh", 0x20)).isEmpty();
        assertThat(ListFormatter.schedFlags("rr", 0x38)).isEqualTo("flag-1,flag-2,flag-3");
    }
}
