package io.jlvs.ipvsadm;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CNumbersTest {

    @Test
    void shouldAcceptBlanksSignsAndLeadingZerosWhenWholeWordIsANumber() {
        assertThat(CNumbers.stringToNumber("0083", 0, 100)).isEqualTo(83);
        assertThat(CNumbers.stringToNumber(" +7", 0, 100)).isEqualTo(7);
        assertThat(CNumbers.stringToNumber("-0", 0, 100)).isZero();
    }

    @Test
    void shouldRefuseWhenTextRemainsOrRangeIsExceeded() {
        assertThat(CNumbers.stringToNumber("7 ", 0, 100)).isEqualTo(-1);
        assertThat(CNumbers.stringToNumber("", 0, 100)).isEqualTo(-1);
        assertThat(CNumbers.stringToNumber(" ", 0, 100)).isEqualTo(-1);
        assertThat(CNumbers.stringToNumber("0x10", 0, 100)).isEqualTo(-1);
        assertThat(CNumbers.stringToNumber("101", 0, 100)).isEqualTo(-1);
        assertThat(CNumbers.stringToNumber("99999999999999999999", 0, Integer.MAX_VALUE)).isEqualTo(-1);
    }

    @Test
    void shouldTruncateLikeGlibcWhenAtoi() {
        assertThat(CNumbers.atoi("64abc")).isEqualTo(64);
        assertThat(CNumbers.atoi("abc")).isZero();
        assertThat(CNumbers.atoi("4294967360")).isEqualTo(64);
        assertThat(CNumbers.atoi("99999999999999999999")).isEqualTo(-1);
    }
}
