package io.jlvs.app;

import io.jlvs.forward.SynGuardSettings;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code jlvs director}'s options that are checked before anything starts (no root, no sockets). */
class DirectorCommandTest {
    static DirectorCommand parse(String... args) {
        DirectorCommand cmd = new DirectorCommand();
        new CommandLine(cmd).parseArgs(args);
        return cmd;
    }

    @Test
    void shouldHandTheSynOptionsToTheSettingsWhenGiven() {
        SynGuardSettings s = parse("--conn-table-size", "4096", "--syn-half-open-max", "512",
                "--syn-pressure-threshold", "64", "--syn-pressure-timeout-ms", "1500").synGuardSettings();

        assertThat(s).isEqualTo(new SynGuardSettings(512, 64, 1500L));
    }

    @Test
    void shouldKeepTheDefaultsWhenNoSynOptionIsGiven() {
        assertThat(parse().synGuardSettings()).isEqualTo(SynGuardSettings.DEFAULTS);
    }

    @Test
    void shouldCheckTheCapAgainstTheConnTableSizeWhenBothAreGiven() {
        assertThatThrownBy(() -> parse("--conn-table-size", "4096", "--syn-half-open-max", "5000").synGuardSettings())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--syn-half-open-max must be 1 to --conn-table-size (4096), not 5000");
    }

    @Test
    void shouldRefuseANonNumberWithPicocliUsageErrorWhenExecuted() {
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new DirectorCommand()).setErr(new PrintWriter(err));

        int exit = cl.execute("--syn-half-open-max", "lots");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("--syn-half-open-max").contains("lots");
    }
}
