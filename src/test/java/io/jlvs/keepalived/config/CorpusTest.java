package io.jlvs.keepalived.config;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every configuration of the corpus (the spec's examples, the seeds' keepalived.conf, and one file per
 * construct of spec §12) against what keepalived 2.2.7 printed for it ({@code NAME.expected}, recorded with
 * {@code keepalived -t -f NAME} on a host named {@code vm} with interfaces lo and eth0 and no
 * {@code keepalived_script} account). Runs without keepalived installed; {@link KeepalivedOracleTest} compares
 * against the live binary when it is.
 */
class CorpusTest {
    static Path resources() {
        return Path.of(System.getProperty("basedir", ".")).toAbsolutePath()
                .resolve("src/test/resources/io/jlvs/keepalived");
    }

    /** Every {@code .conf} that has an {@code .expected} beside it, in a stable order. */
    static List<Path> cases() throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(resources())) {
            s.filter(p -> p.toString().endsWith(".conf"))
                    .filter(p -> Files.exists(expected(p)))
                    .sorted()
                    .forEach(out::add);
        }
        return out;
    }

    static Path expected(Path conf) {
        String n = conf.getFileName().toString();
        return conf.resolveSibling(n.substring(0, n.length() - ".conf".length()) + ".expected");
    }

    /** What jlvs prints for {@code -t}, with the exit status as the last line, as the .expected files hold it. */
    static String run(ConfigLoader.Options o) {
        ConfigLoader.Result r = ConfigLoader.load(o);
        StringBuilder sb = new StringBuilder();
        for (Diagnostic d : r.diagnostics()) {
            sb.append(d.text()).append('\n');
        }
        return sb.append("exit=").append(r.configTestExitStatus()).append('\n').toString();
    }

    @TestFactory
    Stream<DynamicTest> shouldPrintWhatKeepalivedPrintedWhenTestingEachCorpusFile() throws IOException {
        List<Path> cases = cases();
        assertThat(cases).hasSizeGreaterThan(60);
        return cases.stream().map(conf -> DynamicTest.dynamicTest(resources().relativize(conf).toString(), () -> {
            String want = Files.readString(expected(conf), StandardCharsets.ISO_8859_1);
            ConfigLoader.Options o = TestParse.options(conf.getParent(), conf.getFileName().toString(), true);
            assertThat(run(o)).isEqualTo(want);
        }));
    }
}
