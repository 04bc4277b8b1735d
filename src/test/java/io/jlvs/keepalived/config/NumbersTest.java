package io.jlvs.keepalived.config;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** keepalived's number reading: acceptance, messages, and the lenient mode outside {@code -t}. */
class NumbersTest {
    private static String only(Reporter r) {
        return r.diagnostics().isEmpty() ? null : r.diagnostics().getFirst().text();
    }

    @Test
    void shouldReportEachKindOfBadUnsignedWithKeepalivedsText() {
        String[][] cases = {
            {"abc", "invalid number 'abc'"}, {"5x", "invalid number '5x'"}, {"-1", "negative number '-1'"},
            {"99999999999", "number '99999999999' outside unsigned integer range"},
            {"2147483648", "number '2147483648' outside range [0, 2147483647]"},
        };
        for (String[] c : cases) {
            Reporter r = new Reporter(true);
            assertThat(Numbers.readUnsigned(r, c[0], 0, Integer.MAX_VALUE, true)).isNull();
            assertThat(only(r)).isEqualTo(c[1]);
        }
    }

    @Test
    void shouldUseTheNumericPrefixWithWarningWhenNotTesting() {
        Reporter r = new Reporter(false);
        assertThat(Numbers.readUnsigned(r, "5x", 0, 100, true)).isEqualTo(5);
        assertThat(only(r)).isEqualTo("WARNING - invalid number '5x'");
    }

    @Test
    void shouldReadTimersAsMicrosecondsAndRoundExtraDecimals() {
        Reporter r = new Reporter(true);
        assertThat(Numbers.readTimer(r, "2.5", 1, 0, true)).isEqualTo(2_500_000);
        assertThat(Numbers.readTimer(r, "0.000001", 1, 0, true)).isEqualTo(1);
        assertThat(r.diagnostics()).isEmpty();
        assertThat(Numbers.readTimer(r, "1.1234567", 1, 0, true)).isEqualTo(1_123_457);
        assertThat(only(r)).isEqualTo("number '1.1234567' has too many decimal places");
    }

    @Test
    void shouldPrintTimerBoundsAsDecimals() {
        Reporter r = new Reporter(true);
        assertThat(Numbers.readTimer(r, "5000", 1, Numbers.UINT_MAX, true)).isNull();
        assertThat(only(r)).isEqualTo("number '5000' outside range [0.000001, 4294.967295]");
    }

    @Test
    void shouldReadHexWithWildcardsAndSingleDigitOctets() {
        byte[][] mask = new byte[1][];
        assertThat(Numbers.readHex("Ab12f 3", null)).containsExactly(0xab, 0x12, 0x0f, 0x03);
        assertThat(Numbers.readHex("0x", mask)).containsExactly(0x00);
        assertThat(mask[0]).containsExactly(0x0f);
        assertThat(Numbers.readHex("zz", null)).isNull();
    }

    @Test
    void shouldAcceptOnlyLowerCaseBooleans() {
        assertThat(Numbers.trueFalse("yes")).isEqualTo(1);
        assertThat(Numbers.trueFalse("off")).isZero();
        assertThat(Numbers.trueFalse("TRUE")).isEqualTo(-1);
    }
}
