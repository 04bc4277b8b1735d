package io.jlvs.app;

import io.jlvs.control.Ipvs;
import io.jlvs.ipvsadm.IpvsadmMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RulesStateFileTest {
    @TempDir
    Path dir;

    static void ipvsadm(Ipvs ipvs, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = IpvsadmMain.run("ipvsadm", args, ipvs, new ByteArrayInputStream(new byte[0]),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(status).as(err::toString).isZero();
    }

    static Ipvs seeded() {
        Ipvs ipvs = new Ipvs();
        ipvsadm(ipvs, "-A", "-t", "198.18.0.100:80", "-s", "wlc");
        ipvsadm(ipvs, "-a", "-t", "198.18.0.100:80", "-r", "198.19.0.11:80", "-g", "-w", "3");
        ipvsadm(ipvs, "-A", "-u", "198.18.0.100:53", "-s", "rr", "-p", "60");
        ipvsadm(ipvs, "-a", "-u", "198.18.0.100:53", "-r", "198.19.0.12:53", "-m");
        return ipvs;
    }

    @Test
    void shouldRestoreTheSameRulesWhenSavedThenLoaded() throws IOException {
        Path file = dir.resolve("ns1/rules");
        Ipvs before = seeded();
        assertThat(new RulesStateFile(file).save(before)).isNull();

        Ipvs after = new Ipvs();
        int services = new RulesStateFile(file).load(after);

        assertThat(services).isEqualTo(2);
        assertThat(after.services()).isEqualTo(before.services());
        assertThat(Files.readString(file)).contains("-A -t 198.18.0.100:80 -s wlc")
                .contains("-a -t 198.18.0.100:80 -r 198.19.0.11:80 -g -w 3");
        try (var files = Files.list(file.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("rules");
        }
    }

    @Test
    void shouldKeepLastCompleteFileAndReportPathWhenDirectoryIsUnwritable() throws IOException {
        Path notADir = dir.resolve("plain");
        Files.writeString(notADir, "x");
        RulesStateFile state = new RulesStateFile(notADir.resolve("rules"));

        String error = state.save(seeded());

        assertThat(error).contains(notADir.resolve("rules").toString()).contains("not written")
                .contains("running table is unchanged");
        assertThat(Files.readString(notADir)).isEqualTo("x");
    }

    @Test
    void shouldOverwriteWholeFileAndLeaveNoTemporaryWhenRulesChange() throws IOException {
        Path file = dir.resolve("rules");
        Ipvs ipvs = seeded();
        RulesStateFile state = new RulesStateFile(file);
        state.save(ipvs);

        ipvsadm(ipvs, "-D", "-u", "198.18.0.100:53");
        assertThat(state.save(ipvs)).isNull();

        assertThat(Files.readString(file)).doesNotContain(":53").contains("198.18.0.100:80");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("rules");
        }
    }

    @Test
    void shouldChangeNothingAndNameTheLineWhenStateFileIsCorrupt() throws IOException {
        Path file = dir.resolve("rules");
        Files.writeString(file, "-A -t 198.18.0.100:80 -s rr\n-a -t 198.18.0.100:80 -r nonsense!! -g\n");
        Ipvs ipvs = new Ipvs();

        assertThatThrownBy(() -> new RulesStateFile(file).load(ipvs)).isInstanceOf(IOException.class)
                .hasMessageContaining(file.toString());
        assertThat(ipvs.services()).isEmpty();
    }
}
