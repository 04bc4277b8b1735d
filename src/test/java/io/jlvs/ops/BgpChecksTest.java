package io.jlvs.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.jlvs.control.ControlProtocol;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BgpChecksTest {
    static JsonNode bgp(String json) throws Exception {
        return ControlProtocol.JSON.readTree(json);
    }

    static List<String> outcomes(List<Doctor.Check> checks) {
        return checks.stream().map(c -> c.status() + " " + c.name() + ": " + c.target()).toList();
    }

    @Test
    void shouldPassWhenSessionsAreEstablishedAndVipIsAnnounced() throws Exception {
        List<Doctor.Check> c = BgpChecks.of(bgp("""
                {"drained":false,"bird_running":true,"bird_starts":1,"announced":["198.18.22.100/32"],
                 "peers":[{"address":"198.18.21.1","as":65000,"session":"Established","established":true}]}"""));

        assertThat(outcomes(c)).containsExactly("PASS bgp session: peer 198.18.21.1 AS 65000",
                "PASS bgp announcement: VIPs");
        assertThat(c.get(1).reason()).contains("198.18.22.100/32");
    }

    @Test
    void shouldFailWhenASessionIsDownOrNothingIsAnnounced() throws Exception {
        List<Doctor.Check> c = BgpChecks.of(bgp("""
                {"drained":false,"bird_running":true,"announced":[],
                 "peers":[{"address":"198.18.21.1","as":65000,"session":"Active Socket: Connection refused",
                           "established":false}]}"""));

        assertThat(outcomes(c)).containsExactly("FAIL bgp session: peer 198.18.21.1 AS 65000",
                "FAIL bgp announcement: VIPs");
        assertThat(c.get(0).reason()).contains("Connection refused");
    }

    @Test
    void shouldWarnWhenDrainedAndFailWhenBirdIsNotRunning() throws Exception {
        assertThat(outcomes(BgpChecks.of(bgp("""
                {"drained":true,"bird_running":true,"announced":[],"peers":[]}"""))))
                .containsExactly("WARN bgp announcement: VIPs");
        assertThat(outcomes(BgpChecks.of(bgp("""
                {"drained":false,"bird_running":false,"bird_starts":3,"peers":[]}"""))))
                .containsExactly("FAIL bgp: bird");
    }

    @Test
    void shouldSayNothingWhenBgpIsNotConfigured() throws Exception {
        assertThat(BgpChecks.of(bgp("{}").path("bgp"))).isEmpty();
    }
}
