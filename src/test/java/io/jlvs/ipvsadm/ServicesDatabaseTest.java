package io.jlvs.ipvsadm;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ServicesDatabaseTest {
    final ServicesDatabase db = ServicesDatabase.parse(TestNames.SERVICES);

    @Test
    void shouldFindNamesAndAliasesWhenProtocolMatches() {
        assertThat(db.portOf("http", "tcp")).isEqualTo(80);
        assertThat(db.portOf("www", "tcp")).isEqualTo(80);
        assertThat(db.portOf("webcache", "tcp")).isEqualTo(8080);
        assertThat(db.portOf("http", "udp")).isEqualTo(-1);
        assertThat(db.portOf("HTTP", "tcp")).isEqualTo(-1);
        assertThat(db.portOf("sip", "sctp")).isEqualTo(-1);
    }

    @Test
    void shouldReturnTheOfficialNameWhenLookingUpAPort() {
        assertThat(db.nameOf(8080, "tcp")).isEqualTo("http-alt");
        assertThat(db.nameOf(53, "udp")).isEqualTo("domain");
        assertThat(db.nameOf(8443, "tcp")).isNull();
    }

    @Test
    void shouldBeEmptyWhenTheFileIsMissing() {
        assertThat(ServicesDatabase.load(Path.of("/nonexistent/services")).portOf("http", "tcp")).isEqualTo(-1);
    }
}
