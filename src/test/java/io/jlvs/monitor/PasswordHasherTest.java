package io.jlvs.monitor;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PasswordHasherTest {
    private final PasswordHasher hasher = new PasswordHasher(1000);

    @Test
    void shouldVerifyWhenPasswordIsTheOneHashed() {
        String hash = hasher.hash("correct horse".toCharArray());

        assertThat(PasswordHasher.verify("correct horse".toCharArray(), hash)).isTrue();
    }

    @Test
    void shouldRefuseWhenPasswordDiffers() {
        String hash = hasher.hash("correct horse".toCharArray());

        assertThat(PasswordHasher.verify("correct hors".toCharArray(), hash)).isFalse();
        assertThat(PasswordHasher.verify("".toCharArray(), hash)).isFalse();
    }

    @Test
    void shouldSaltEachHashWhenTheSamePasswordIsHashedTwice() {
        String a = hasher.hash("same".toCharArray());
        String b = hasher.hash("same".toCharArray());

        assertThat(a).isNotEqualTo(b);
        assertThat(a).startsWith("pbkdf2-sha256$1000$");
        assertThat(PasswordHasher.isWellFormed(a)).isTrue();
    }

    @Test
    void shouldUseSixHundredThousandIterationsWhenNotTold() {
        assertThat(new PasswordHasher().hash("x".toCharArray())).startsWith("pbkdf2-sha256$600000$");
    }

    @Test
    void shouldRefuseWhenHashIsMalformed() {
        for (String bad : new String[] {null, "", "plain", "md5$1$a$b", "pbkdf2-sha256$0$AAAA$AAAA",
            "pbkdf2-sha256$x$AAAA$AAAA", "pbkdf2-sha256$10$!!$AAAA"}) {
            assertThat(PasswordHasher.verify("pw".toCharArray(), bad)).as(String.valueOf(bad)).isFalse();
            assertThat(PasswordHasher.isWellFormed(bad)).as(String.valueOf(bad)).isFalse();
        }
    }

    @Test
    void shouldRejectIterationsWhenNotPositive() {
        assertThatThrownBy(() -> new PasswordHasher(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
