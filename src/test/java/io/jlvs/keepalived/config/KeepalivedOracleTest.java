package io.jlvs.keepalived.config;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Differential test against the real keepalived: {@code keepalived -t -f FILE} (Debian's 2.2.x) and jlvs on the
 * same files must print the same lines and exit with the same status. Files: the corpus, keepalived's own
 * samples that configure LVS (shipped by the package in /usr/share/doc/keepalived/samples), and script-security
 * cases made at test time. Skipped when keepalived is not installed, except under {@code CI=true}, where a
 * missing oracle is a failure (scripts/setup.sh installs it).
 */
class KeepalivedOracleTest {
    private static final Path SAMPLES = Path.of("/usr/share/doc/keepalived/samples");
    private static String keepalived;

    @TempDir
    static Path scripts;

    @BeforeAll
    static void findOracle() {
        for (String dir : List.of("/usr/sbin", "/sbin", "/usr/bin", "/usr/local/sbin")) {
            if (Files.isExecutable(Path.of(dir, "keepalived"))) {
                keepalived = dir + "/keepalived";
            }
        }
        if (keepalived == null && "true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("keepalived is not installed (apt-get install keepalived); CI=true, so the differential test fails");
        }
    }

    /** keepalived's stderr and exit status for {@code -t -f name}, run in {@code dir}. */
    static String oracle(Path dir, String name) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(keepalived, "-t", "-f", name).directory(dir.toFile()).redirectErrorStream(true)
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("keepalived -t did not finish");
        }
        return new String(out, StandardCharsets.ISO_8859_1) + "exit=" + p.exitValue() + "\n";
    }

    private static DynamicTest compare(String name, Path dir, String file) {
        return DynamicTest.dynamicTest(name, () -> {
            assumeTrue(keepalived != null, "keepalived is not installed");
            String want = oracle(dir, file);
            String got = CorpusTest.run(ConfigLoader.Options.system(file, dir, true, null));
            assertThat(got).isEqualTo(want);
        });
    }

    @TestFactory
    Stream<DynamicTest> shouldMatchKeepalivedOnEveryCorpusFile() throws IOException {
        return CorpusTest.cases().stream().map(p -> compare(CorpusTest.resources().relativize(p).toString(),
                p.getParent(), p.getFileName().toString()));
    }

    @TestFactory
    Stream<DynamicTest> shouldMatchKeepalivedOnItsOwnLvsSamples() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        if (Files.isDirectory(SAMPLES)) {
            try (Stream<Path> s = Files.list(SAMPLES)) {
                for (Path p : s.sorted().toList()) {
                    if (p.getFileName().toString().startsWith("keepalived.conf")
                            && Files.readString(p, StandardCharsets.ISO_8859_1).contains("virtual_server")) {
                        tests.add(compare(p.getFileName().toString(), p.getParent(), p.getFileName().toString()));
                    }
                }
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> shouldMatchKeepalivedOnScriptSecurity() throws IOException {
        Path ok = scripts.resolve("ok.sh");
        Path bad = scripts.resolve("bad.sh");
        Files.writeString(ok, "#!/bin/sh\nexit 0\n");
        Files.writeString(bad, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(ok, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(bad, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setPosixFilePermissions(scripts, PosixFilePermissions.fromString("rwxr-xr-x"));
        String[][] cases = {
            {"secure-script", "", ok.toString()},
            {"insecure-script", "", bad.toString()},
            {"security-root-user", "global_defs {\n    enable_script_security\n    script_user root\n}\n", bad.toString()},
            {"security-no-default-user", "global_defs {\n    enable_script_security\n}\n", ok.toString()},
            {"missing-script", "", scripts.resolve("none.sh").toString()},
        };
        List<DynamicTest> tests = new ArrayList<>();
        for (String[] c : cases) {
            String text = c[1] + "virtual_server 10.0.0.1 80 {\n    protocol TCP\n    lvs_sched rr\n    lvs_method NAT\n"
                    + "    quorum_up \"" + c[2] + " up\"\n    real_server 10.0.0.2 80 {\n        MISC_CHECK {\n"
                    + "            misc_path \"" + c[2] + " 'a b'\"\n        }\n    }\n}\n";
            Files.writeString(scripts.resolve(c[0] + ".conf"), text);
            tests.add(compare(c[0], scripts, c[0] + ".conf"));
        }
        Files.writeString(scripts.resolve("startup.conf"), "global_defs {\n    startup_script " + ok + "\n}\n");
        tests.add(compare("startup-script", scripts, "startup.conf"));
        return tests.stream();
    }
}
