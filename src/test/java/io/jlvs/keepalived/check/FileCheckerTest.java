package io.jlvs.keepalived.check;

import io.jlvs.keepalived.config.CheckerConfig;
import io.jlvs.keepalived.config.TrackFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** FILE_CHECK: the file's number times the weight, FAULT when weight 0 and non-zero or at the floor. */
class FileCheckerTest {
    @TempDir
    Path dir;

    private FileChecker file(long weight, boolean reverse, String content) throws Exception {
        Path p = dir.resolve("track");
        if (content != null) {
            Files.writeString(p, content);
        }
        return new FileChecker(new CheckerConfig.File(new TrackFile("tf", p.toString(), 1, false, 0, 0), weight, reverse));
    }

    @Test
    void shouldMultiplyTheValueByTheWeight() throws Exception {
        FileChecker f = file(5, false, "3\n");
        assertThat(f.readValue()).isEqualTo(3);
        assertThat(f.check(0)).isEqualTo(new HealthChecker.Result(true, "tracked file tf", 15));
        assertThat(file(5, true, "3\n").check(0).exitStatus()).isEqualTo(-15);
    }

    @Test
    void shouldFailOnAnyNonZeroValueWhenWeightIsZero() throws Exception {
        assertThat(file(0, false, "0").check(0).success()).isTrue();
        assertThat(file(0, false, "1").check(0).success()).isFalse();
        assertThat(file(0, true, "0").check(0).success()).isFalse();
    }

    @Test
    void shouldReadAMissingFileAsZeroAndHexAsStrtolDoes() throws Exception {
        assertThat(file(1, false, null).readValue()).isZero();
        assertThat(file(1, false, "0x10").readValue()).isEqualTo(16);
        assertThat(file(1, false, "-2147483648").check(0).success()).isFalse();
    }

    @Test
    void shouldKeepThePreviousValueWhenTheFileHoldsANumberOutOfRange() throws Exception {
        FileChecker f = file(2, false, "7");
        assertThat(f.readValue()).isEqualTo(7);
        Files.writeString(dir.resolve("track"), "99999999999");
        assertThat(f.readValue()).isEqualTo(7);
        Files.writeString(dir.resolve("track"), "999999999999999999999999");
        assertThat(f.check(0).exitStatus()).isEqualTo(14);
        Files.writeString(dir.resolve("track"), "2147483648");
        assertThat(f.readValue()).isEqualTo(2147483648L);
    }
}
