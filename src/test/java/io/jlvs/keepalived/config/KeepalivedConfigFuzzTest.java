package io.jlvs.keepalived.config;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.OptionalInt;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of the keepalived.conf reader (docs/fuzzing.md): the input is the main file,
 * loaded as {@code keepalived -t} would (every pass, validation included) from a directory of its own.
 * Nothing may escape as an exception and the outcome is one keepalived has: an exit status of 0-6 and a
 * configuration whenever the result says it is usable.
 *
 * <p>Inputs that include a path with a slash are skipped, so that the fuzzer cannot read the machine's
 * files (an include of {@code /proc/kcore} is a regular file of 128 TiB); includes inside the directory,
 * the file itself among them, stay in.
 */
class KeepalivedConfigFuzzTest {
    private static Path dir;

    @BeforeAll
    static void makeDirectory() throws IOException {
        dir = Files.createTempDirectory("jlvs-keepalived-fuzz-");
    }

    @AfterAll
    static void removeDirectory() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @FuzzTest(maxDuration = "2m")
    @DictionaryEntries({"global_defs", "vrrp_instance", "virtual_server", "virtual_server_group",
        "real_server", "TCP_CHECK", "HTTP_GET", "SSL_GET", "MISC_CHECK", "DNS_CHECK", "SMTP_CHECK", "UDP_CHECK",
        "PING_CHECK", "BFD_CHECK", "FILE_CHECK", "vrrp_sync_group", "vrrp_script", "track_script", "track_file",
        "virtual_ipaddress", "state MASTER", "state BACKUP", "interface eth0", "virtual_router_id", "priority",
        "advert_int", "lb_algo", "lb_kind NAT", "lb_kind DR", "lb_kind TUN", "persistence_timeout", "protocol TCP",
        "connect_timeout", "delay_loop", "weight", "url", "path", "status_code", "digest", "misc_path", "fwmark",
        "sorry_server", "authentication", "auth_type PASS", "auth_pass", "notify", "script_user", "enable_script_security",
        "router_id", "lvs_sync_daemon", "include ", "@", "$", "~SEQ(", "{", "}", "\\x0A", "#", "!", "10.0.0.1", "80"})
    void fuzzLoad(byte[] input) throws IOException {
        String text = new String(input, java.nio.charset.StandardCharsets.ISO_8859_1);
        if (text.contains("include") && text.contains("/")) {
            return;
        }
        Path main = dir.resolve("keepalived.conf");
        Files.write(main, input);
        ConfigLoader.Options options = new ConfigLoader.Options(main.toString(), dir, true, "fuzz", NO_ACCOUNTS, 0,
                "eth0"::equals, "lo"::equals);

        ConfigLoader.Result r = ConfigLoader.load(options);

        assertThat(r).isNotNull();
        assertThat(r.configTestExitStatus()).isBetween(0, 6);
        if (r.usableForStart()) {
            assertThat(r.config()).isNotNull();
        }
    }

    /** Root and keepalived_script only: the machine's accounts stay out of the outcome. */
    private static final Accounts NO_ACCOUNTS = new Accounts() {
        @Override
        public int[] user(String name) {
            return name.equals("root") ? new int[] {0, 0} : null;
        }

        @Override
        public OptionalInt group(String name) {
            return name.equals("root") ? OptionalInt.of(0) : OptionalInt.empty();
        }
    };
}
