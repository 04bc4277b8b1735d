package io.jlvs.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import io.jlvs.control.ControlProtocol;
import io.jlvs.control.DestConfig;
import io.jlvs.control.DestInfo;
import io.jlvs.control.ForwardMethod;
import io.jlvs.control.Protocol;
import io.jlvs.control.ServiceConfig;
import io.jlvs.control.ServiceInfo;
import io.jlvs.control.ServiceKey;
import io.jlvs.control.Stats;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PrometheusExpositionTest {
    static final ServiceKey WEB = ServiceKey.of(Protocol.TCP, InetAddress.ofLiteral("198.18.0.100"), 80);

    static List<ServiceInfo> services() {
        DestInfo rs1 = new DestInfo(DestConfig.of(InetAddress.ofLiteral("198.19.0.11"), 80, ForwardMethod.DROUTE, 1),
                2, 3, 0, new Stats(10, 100, 0, 6000, 0, 1, 5, 0, 300, 0));
        DestInfo rs2 = new DestInfo(DestConfig.of(InetAddress.ofLiteral("198.19.0.12"), 8080, ForwardMethod.MASQ, 0),
                0, 1, 0, new Stats(7, 70, 60, 4200, 90000, 0, 3, 2, 200, 5000));
        return List.of(new ServiceInfo(ServiceConfig.of(WEB, "rr"), new Stats(17, 170, 60, 10200, 90000, 1, 8, 2,
                500, 5000), List.of(rs1, rs2)));
    }

    static JsonNode status() throws Exception {
        return ControlProtocol.JSON.readTree("{\"interfaces\":[\"eth0\",\"eth1\"],\"rx_frames\":1234,\"tx_frames\":1200,"
                + "\"ignored_frames\":4,\"drops\":{\"no_connection\":2,\"no_route\":0},\"connections\":5,"
                + "\"guard_installed\":true}");
    }

    @Test
    void shouldExposeServiceAndRealServerCountersWhenRendered() throws Exception {
        PrometheusTextParser.Exposition e = PrometheusTextParser.parse(
                PrometheusExposition.render(services(), status(), List.of()));
        Map<String, String> svc = Map.of("service", "TCP 198.18.0.100:80");
        Map<String, String> rs1 = Map.of("service", "TCP 198.18.0.100:80", "realserver", "198.19.0.11:80",
                "method", "Route");
        Map<String, String> rs2 = Map.of("service", "TCP 198.18.0.100:80", "realserver", "198.19.0.12:8080",
                "method", "Masq");

        assertThat(e.value("jlvs_up", Map.of())).isEqualTo(1);
        assertThat(e.value("jlvs_service_connections_total", svc)).isEqualTo(17);
        assertThat(e.value("jlvs_service_out_bytes_total", svc)).isEqualTo(90000);
        assertThat(e.value("jlvs_service_in_bytes_per_second", svc)).isEqualTo(500);
        assertThat(e.value("jlvs_realserver_in_packets_total", rs1)).isEqualTo(100);
        assertThat(e.value("jlvs_realserver_connections_per_second", rs1)).isEqualTo(1);
        assertThat(e.value("jlvs_realserver_active_connections", rs1)).isEqualTo(2);
        assertThat(e.value("jlvs_realserver_inactive_connections", rs1)).isEqualTo(3);
        assertThat(e.value("jlvs_realserver_weight", rs2)).isZero();
        assertThat(e.value("jlvs_realserver_out_bytes_total", rs2)).isEqualTo(90000);
        assertThat(e.types()).containsEntry("jlvs_service_connections_total", "counter")
                .containsEntry("jlvs_service_connections_per_second", "gauge")
                .containsEntry("jlvs_realserver_weight", "gauge");
        assertThat(e.types().keySet()).allSatisfy(name -> assertThat(e.help()).containsKey(name));
    }

    @Test
    void shouldExposeDropsByReasonAndFramesWhenStatusIsKnown() throws Exception {
        PrometheusTextParser.Exposition e = PrometheusTextParser.parse(
                PrometheusExposition.render(services(), status(), List.of()));

        assertThat(e.value("jlvs_dataplane_drops_total", Map.of("reason", "no_connection"))).isEqualTo(2);
        assertThat(e.value("jlvs_dataplane_drops_total", Map.of("reason", "no_route"))).isZero();
        assertThat(e.value("jlvs_dataplane_rx_frames_total", Map.of())).isEqualTo(1234);
        assertThat(e.value("jlvs_dataplane_guard_installed", Map.of())).isEqualTo(1);
        assertThat(e.types()).containsEntry("jlvs_dataplane_drops_total", "counter");
    }

    @Test
    void shouldSayVrrpIsNotConfiguredWhenThereIsNoInstance() throws Exception {
        PrometheusTextParser.Exposition e = PrometheusTextParser.parse(
                PrometheusExposition.render(services(), status(), List.of()));

        assertThat(e.value("jlvs_vrrp_configured", Map.of())).isZero();
        assertThat(e.family("jlvs_vrrp_state")).isEmpty();
    }

    @Test
    void shouldMarkCurrentStateWhenVrrpInstancesExist() throws Exception {
        List<VrrpStatus.Instance> vrrp = List.of(new VrrpStatus.Instance("VI_1", "MASTER", "eth0", 51, 100,
                List.of("198.18.0.100")));

        PrometheusTextParser.Exposition e = PrometheusTextParser.parse(
                PrometheusExposition.render(services(), status(), vrrp));

        assertThat(e.value("jlvs_vrrp_state", Map.of("instance", "VI_1", "state", "MASTER"))).isEqualTo(1);
        assertThat(e.value("jlvs_vrrp_state", Map.of("instance", "VI_1", "state", "BACKUP"))).isZero();
        assertThat(e.value("jlvs_vrrp_priority", Map.of("instance", "VI_1"))).isEqualTo(100);
    }

    @Test
    void shouldReportDirectorDownWhenServicesAreUnknown() {
        PrometheusTextParser.Exposition e = PrometheusTextParser.parse(PrometheusExposition.render(null, null, List.of()));

        assertThat(e.value("jlvs_up", Map.of())).isZero();
        assertThat(e.family("jlvs_service_connections_total")).isEmpty();
    }

    @Test
    void shouldEscapeLabelValuesWhenTheyHoldQuotesBackslashesOrLineFeeds() {
        assertThat(PrometheusExposition.label("instance", "a\"b\\c\nd")).isEqualTo("instance=\"a\\\"b\\\\c\\nd\"");
        List<VrrpStatus.Instance> vrrp = List.of(new VrrpStatus.Instance("odd \"name\"\\\n", "BACKUP", "eth0", 1, 90,
                List.of()));

        PrometheusTextParser.Exposition e = PrometheusTextParser.parse(PrometheusExposition.render(List.of(), null, vrrp));

        assertThat(e.value("jlvs_vrrp_state", Map.of("instance", "odd \"name\"\\\n", "state", "BACKUP"))).isEqualTo(1);
    }

    @Test
    void shouldPrintIpv6RealServersInBracketsWhenFormattingAnEndpoint() {
        assertThat(PrometheusExposition.hostPort(InetAddress.ofLiteral("2001:db8::1"), 80)).isEqualTo("[2001:db8:0:0:0:0:0:1]:80");
        assertThat(PrometheusExposition.hostPort(InetAddress.ofLiteral("198.19.0.11"), 80)).isEqualTo("198.19.0.11:80");
    }
}
