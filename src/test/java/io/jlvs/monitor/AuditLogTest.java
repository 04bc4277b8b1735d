package io.jlvs.monitor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AuditLogTest {
    @TempDir
    Path dir;

    @Test
    void shouldWriteOneLineNamingUserActionAndDetailsWhenRecording() throws IOException {
        Path f = dir.resolve("log/audit.log");
        AuditLog log = new AuditLog(f);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("service", "TCP 198.18.0.100:80");
        d.put("realserver", "198.19.0.11:80");
        d.put("from", 1);
        d.put("to", 3);
        d.put("result", "ok");

        log.record(0, "alice", "weight", d);
        log.record(1000, "bob", "logout", Map.of());

        assertThat(Files.readAllLines(f)).containsExactly(
                "1970-01-01T00:00:00Z user=alice action=weight service=\"TCP 198.18.0.100:80\" "
                        + "realserver=198.19.0.11:80 from=1 to=3 result=ok",
                "1970-01-01T00:00:01Z user=bob action=logout");
    }

    @Test
    void shouldKeepOneRecordOnOneLineWhenValueHasLineBreaksOrQuotes() {
        String line = new AuditLog(null).record(0, "eve\nuser=root", "login", Map.of("note", "a \"b\""));

        assertThat(line).doesNotContain("\n").contains("user=\"eve user=root\"").contains("note=\"a \\\"b\\\"\"");
    }
}
