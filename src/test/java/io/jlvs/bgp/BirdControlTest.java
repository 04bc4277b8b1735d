package io.jlvs.bgp;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BirdControlTest {
    static BirdControl.LineSource lines(String... lines) {
        ArrayDeque<String> q = new ArrayDeque<>(List.of(lines));
        return q::poll;
    }

    @Test
    void shouldParseProtocolTableWhenShowProtocolsAnswers() throws IOException {
        BirdControl.Reply r = BirdControl.readReply(lines(
                "2002-Name       Proto      Table      State  Since         Info",
                "1002-device1    Device     ---        up     2026-11-22_07:10:00  ",
                " jlvs_vips  Static     master4    up     2026-11-22_07:10:00  ",
                " jlvs_peer_198_18_1_1 BGP        ---        up     2026-11-22_07:10:01  Established   ",
                " jlvs_peer_198_18_1_2 BGP        ---        start  2026-11-22_07:10:00  Active        Socket: Connection refused",
                "0000 "));

        List<ProtocolStatus> p = ProtocolStatus.parse(r.lines());

        assertThat(r.ok()).isTrue();
        assertThat(p).hasSize(4);
        assertThat(p.get(2).established()).isTrue();
        assertThat(p.get(3).established()).isFalse();
        assertThat(p.get(3).info()).isEqualTo("Active        Socket: Connection refused");
        assertThat(p.get(3).state()).isEqualTo("start");
    }

    @Test
    void shouldReportErrorWhenConfigureIsRefused() throws IOException {
        BirdControl.Reply r = BirdControl.readReply(lines(
                "0002-Reading configuration from /run/jlvs/bird-1.conf",
                "8002 /run/jlvs/bird-1.conf:3:1 syntax error"));

        assertThat(r.ok()).isFalse();
        assertThat(r.code()).isEqualTo(8002);
        assertThat(r.text()).contains("syntax error");
    }

    @Test
    void shouldFailWhenConnectionEndsMidReply() {
        assertThatThrownBy(() -> BirdControl.readReply(lines("0002-Reading configuration")))
                .isInstanceOf(IOException.class).hasMessageContaining("closed mid-reply");
    }
}
