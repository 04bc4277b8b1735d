package io.jlvs.keepalived;

import io.jlvs.keepalived.config.ConfigLoader;
import io.jlvs.keepalived.config.Diagnostic;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code keepalived -t}: parse the file as keepalived does, print keepalived's messages byte for byte, and
 * exit with keepalived's status (0 clean, 2 missing parameter, 4 file/interface, 5 errors, 6 security or
 * include failure).
 */
public final class ConfigTest {
    private ConfigTest() {}

    /** Runs the test; messages go to {@code err}, or to {@code outputFile} when given ({@code -t=FILE}). */
    public static int run(String file, String configId, String outputFile, PrintStream err) {
        ConfigLoader.Result r = ConfigLoader.load(ConfigLoader.Options.system(file, true, configId));
        try (OutputStream out = outputFile == null ? null : Files.newOutputStream(Path.of(outputFile))) {
            OutputStream target = out != null ? out : err;
            for (Diagnostic d : r.diagnostics()) {
                target.write((d.text() + "\n").getBytes(StandardCharsets.ISO_8859_1));
            }
            target.flush();
        } catch (IOException e) {
            err.println("keepalived: cannot write " + outputFile + ": " + e.getMessage());
        }
        return r.configTestExitStatus();
    }
}
