package io.jlvs.keepalived.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The lexical layer: what logical lines come out of a file, and where keepalived reports problems. */
class LineReaderTest {
    @TempDir
    Path dir;

    private List<String> logical(String text, List<String> copy, Reporter r) {
        TestParse.write(dir.resolve("k.conf"), text);
        LineReader lr = LineReader.forFiles(r, "k.conf", dir, "vm", copy);
        List<String> out = new ArrayList<>();
        String l;
        while ((l = lr.readLine()) != null) {
            out.add(l);
        }
        return out;
    }

    private List<String> logical(String text) {
        return logical(text, new ArrayList<>(), new Reporter(true));
    }

    @Test
    void shouldSplitBracesIntoLogicalLinesOfTheirOwnWhenOnOneLine() {
        assertThat(logical("real_server 10.0.0.2 80 { weight 2 }\n"))
                .containsExactly("real_server 10.0.0.2 80", "{", "weight 2", "}");
    }

    @Test
    void shouldNotSplitBracesInsideDoubleQuotes() {
        assertThat(logical("notify_up \"/bin/x {a}\"\n")).containsExactly("notify_up \"/bin/x {a}\"");
    }

    @Test
    void shouldStripCommentsAnywhereButKeepEscapedAndQuotedMarks() {
        assertThat(logical("router_id a # c\nrouter_id b!c\nrouter_id \"x#y\"\nrouter_id 5\\#x\n"))
                .containsExactly("router_id a", "router_id b", "router_id \"x#y\"", "router_id 5#x");
    }

    @Test
    void shouldDecommentAgainInLaterPassesSoAnEscapedHashStartsACommentThere() {
        List<String> copy = new ArrayList<>();
        logical("router_id 5\\#x\n", copy, new Reporter(true));
        Reporter r = new Reporter(true);
        LineReader later = LineReader.forCopy(r, "k.conf", dir, "vm", copy);
        assertThat(later.readLine()).isEqualTo("router_id 5");
    }

    @Test
    void shouldKeepOnlyLinesForThisHostWhenConditional() {
        assertThat(logical("@vm a 1\n@other b 2\n@^vm c 3\n@^other d 4\n  @vm e 5\n@vm\n@vmx f 6\n"))
                .containsExactly("a 1", "d 4", "e 5");
    }

    @Test
    void shouldSubstituteDefinitionsOnlyAtWordEndsOrInBraces() {
        assertThat(logical("$S=xyz\na $S\nb ${S}1\nc $S,q\nd \"$S\"\ne $UNDEF\n"))
                .containsExactly("a xyz", "b xyz1", "c xyz,q", "d \"$S\"", "e $UNDEF");
    }

    @Test
    void shouldExpandMultiLineDefinitionOnlyWhenLastOnTheLine() {
        assertThat(logical("$CHK=TCP_CHECK { \\\n    connect_timeout 3 \\\n}\nr {\n$CHK\n}\n"))
                .containsExactly("r", "{", "TCP_CHECK", "{", "connect_timeout 3", "}", "}");
    }

    @Test
    void shouldGenerateLinesWithSeqAndLst() {
        assertThat(logical("~SEQ(i, 2, 3) rs 10.0.0.$i\n~SEQx(h, 10, 11) h$h\n~LST(k, a, b) s${k}q\n"))
                .containsExactly("rs 10.0.0.2", "rs 10.0.0.3", "ha", "hb", "saq", "sbq");
    }

    @Test
    void shouldReportInvalidSeqValuesThenInvalidSpecification() {
        Reporter r = new Reporter(true);
        logical("~SEQ(j, 5, 0, 9) x\n", new ArrayList<>(), r);
        assertThat(r.diagnostics()).extracting(Diagnostic::text).containsExactly(
                "(Line 1) Invalid ~SEQ values '~SEQ(j, 5, 0, 9) x'", "(Line 1) Invalid ~SEQ specification '~SEQ(j, 5, 0, 9) x'");
    }

    @Test
    void shouldResolveIncludesRelativeToTheIncludingFileAndNameThemAsWritten() {
        TestParse.write(dir.resolve("sub/a.conf"), "in_a 1\ninclude rs.inc\n");
        TestParse.write(dir.resolve("sub/rs.inc"), "in_sub_rs 1\n");
        TestParse.write(dir.resolve("rs.inc"), "in_top_rs 1\n");
        TestParse.write(dir.resolve("sub/b.conf"), "in_b 1\n");
        Reporter r = new Reporter(true);
        List<String> copy = new ArrayList<>();
        assertThat(logical("top 1\ninclude sub/*.conf\n", copy, r)).containsExactly("top 1", "in_a 1", "in_sub_rs 1", "in_b 1");
        assertThat(copy).containsExactly("# k.conf", "top 1", "", "# sub/a.conf", "in_a 1", "", "# rs.inc", "in_sub_rs 1",
                "!", "!", "# sub/b.conf", "in_b 1", "!", "!");
    }

    @Test
    void shouldReportMissingIncludeWithoutFailingUnlessChecksAskForIt() {
        Reporter plain = new Reporter(true);
        logical("include missing.conf\n", new ArrayList<>(), plain);
        assertThat(plain.diagnostics()).extracting(Diagnostic::text).containsExactly("(Line 1) Config files missing 'missing.conf'.");
        assertThat(plain.fileError()).isFalse();
        Reporter strict = new Reporter(true);
        logical("includem missing.conf\n", new ArrayList<>(), strict);
        assertThat(strict.fileError()).isTrue();
        assertThat(strict.status()).isEqualTo(ConfigStatus.FILE_NOT_FOUND);
    }

    @Test
    void shouldCountLinesOfLongPhysicalLineAsKeepalivedsFgetsDoes() {
        String longWord = "x".repeat(1500);
        Reporter r = new Reporter(true);
        TestParse.write(dir.resolve("k.conf"), "a 1\n" + longWord + "\nb \"\n");
        LineReader lr = LineReader.forFiles(r, "k.conf", dir, "vm", new ArrayList<>());
        while (lr.readLine() != null) {
            // drain
        }
        assertThat(r.diagnostics()).extracting(Diagnostic::text).containsExactly("(Line 3) Unterminated quote 'b \"'");
    }
}
