package io.jlvs.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import io.jlvs.control.DestConfig;
import io.jlvs.control.DestInfo;
import io.jlvs.control.ServiceInfo;
import io.jlvs.control.Stats;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Renders the director's counters in Prometheus' text exposition format (version 0.0.4): the same numbers
 * {@code ipvsadm -Ln --stats --rate} shows, per service and per real server, plus the data plane's frame
 * and drop counters and the VRRP state. Names follow Prometheus conventions: {@code _total} for counters,
 * base units (bytes, seconds) in the name, rates as gauges ({@code _per_second}).
 *
 * <pre>
 * jlvs_service_connections_total{service="TCP 198.18.0.100:80"} 12
 * jlvs_realserver_in_packets_total{service="TCP 198.18.0.100:80",realserver="198.19.0.11:80",method="Route"} 40
 * jlvs_dataplane_drops_total{reason="no_connection"} 0
 * jlvs_vrrp_state{instance="VI_1",state="MASTER"} 1
 * </pre>
 */
public final class PrometheusExposition {
    /** The Content-Type Prometheus expects for this format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusExposition() {}

    private record Family(String name, String type, String help, List<String> samples) {}

    private record StatField(String suffix, String type, String help, ToLongFunction<Stats> value) {}

    private static final List<StatField> STAT_FIELDS = List.of(
            new StatField("connections_total", "counter", "connections scheduled (ipvsadm Conns).", Stats::conns),
            new StatField("in_packets_total", "counter", "packets from clients (ipvsadm InPkts).", Stats::inPkts),
            new StatField("out_packets_total", "counter", "packets to clients (ipvsadm OutPkts).", Stats::outPkts),
            new StatField("in_bytes_total", "counter", "bytes from clients (ipvsadm InBytes).", Stats::inBytes),
            new StatField("out_bytes_total", "counter", "bytes to clients (ipvsadm OutBytes).", Stats::outBytes),
            new StatField("connections_per_second", "gauge", "estimated connection rate (ipvsadm CPS).", Stats::cps),
            new StatField("in_packets_per_second", "gauge", "estimated inbound packet rate (ipvsadm InPPS).",
                    Stats::inPps),
            new StatField("out_packets_per_second", "gauge", "estimated outbound packet rate (ipvsadm OutPPS).",
                    Stats::outPps),
            new StatField("in_bytes_per_second", "gauge", "estimated inbound byte rate (ipvsadm InBPS).",
                    Stats::inBps),
            new StatField("out_bytes_per_second", "gauge", "estimated outbound byte rate (ipvsadm OutBPS).",
                    Stats::outBps));

    /**
     * The whole exposition.
     *
     * @param services every service with its real servers (null when the director could not be reached)
     * @param status   the data plane's status ({@code jlvs status}); null when unknown
     * @param vrrp     VRRP instances; empty when not configured
     */
    public static String render(List<ServiceInfo> services, JsonNode status, List<VrrpStatus.Instance> vrrp) {
        Map<String, Family> families = new LinkedHashMap<>();
        add(families, "jlvs_up", "gauge", "1 when the monitor reached the director over its control socket.",
                "jlvs_up " + (services == null ? 0 : 1));
        if (services != null) {
            for (ServiceInfo s : services) {
                String svc = label("service", s.config().key().toString());
                add(families, "jlvs_service_info", "gauge", "Service configuration: scheduler and flags.",
                        "jlvs_service_info{" + svc + "," + label("scheduler", s.config().scheduler()) + ","
                                + label("persistent", String.valueOf(s.config().persistent())) + "} 1");
                stats(families, "jlvs_service_", "{" + svc + "}", s.stats(), "service");
                for (DestInfo d : s.dests()) {
                    DestConfig c = d.config();
                    String labels = "{" + svc + "," + label("realserver", hostPort(c.address(), c.port())) + ","
                            + label("method", c.method().listName()) + "}";
                    stats(families, "jlvs_realserver_", labels, d.stats(), "real server");
                    add(families, "jlvs_realserver_weight", "gauge", "Scheduling weight (0: quiesced).",
                            "jlvs_realserver_weight" + labels + " " + c.weight());
                    add(families, "jlvs_realserver_active_connections", "gauge",
                            "Active connections (ipvsadm ActiveConn).",
                            "jlvs_realserver_active_connections" + labels + " " + d.activeConns());
                    add(families, "jlvs_realserver_inactive_connections", "gauge",
                            "Inactive connections (ipvsadm InActConn).",
                            "jlvs_realserver_inactive_connections" + labels + " " + d.inactiveConns());
                    add(families, "jlvs_realserver_persistent_connections", "gauge",
                            "Persistence templates pointing at the real server.",
                            "jlvs_realserver_persistent_connections" + labels + " " + d.persistentConns());
                }
            }
        }
        if (status != null && status.isObject()) {
            counter(families, status, "rx_frames", "jlvs_dataplane_rx_frames_total", "Frames received by the workers.");
            counter(families, status, "tx_frames", "jlvs_dataplane_tx_frames_total", "Frames sent by the workers.");
            counter(families, status, "ignored_frames", "jlvs_dataplane_ignored_frames_total",
                    "Frames received but left to the kernel.");
            counter(families, status, "rx_ring_drops", "jlvs_dataplane_rx_ring_drops_total",
                    "Frames the kernel dropped because a receive ring was full (the workers fell behind).");
            JsonNode drops = status.path("drops");
            for (Iterator<Map.Entry<String, JsonNode>> it = drops.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                add(families, "jlvs_dataplane_drops_total", "counter", "Frames dropped by the data plane, by reason.",
                        "jlvs_dataplane_drops_total{" + label("reason", e.getKey()) + "} " + e.getValue().asLong());
            }
            if (status.has("connections")) {
                add(families, "jlvs_dataplane_connections", "gauge", "Entries in the connection tables.",
                        "jlvs_dataplane_connections " + status.get("connections").asLong());
            }
            if (status.has("guard_installed")) {
                add(families, "jlvs_dataplane_guard_installed", "gauge",
                        "1 when the nftables guard (table netdev jlvs) is installed.",
                        "jlvs_dataplane_guard_installed " + (status.get("guard_installed").asBoolean() ? 1 : 0));
            }
        }
        add(families, "jlvs_vrrp_configured", "gauge", "1 when VRRP instances are configured on this director.",
                "jlvs_vrrp_configured " + (vrrp.isEmpty() ? 0 : 1));
        for (VrrpStatus.Instance v : vrrp) {
            String inst = label("instance", v.name());
            for (String state : VrrpStatus.STATES) {
                add(families, "jlvs_vrrp_state", "gauge", "VRRP instance state: 1 for the current one.",
                        "jlvs_vrrp_state{" + inst + "," + label("state", state) + "} "
                                + (state.equals(v.state()) ? 1 : 0));
            }
            add(families, "jlvs_vrrp_priority", "gauge", "VRRP instance priority.",
                    "jlvs_vrrp_priority{" + inst + "} " + v.priority());
        }
        StringBuilder sb = new StringBuilder();
        for (Family f : families.values()) {
            sb.append("# HELP ").append(f.name()).append(' ').append(f.help()).append('\n');
            sb.append("# TYPE ").append(f.name()).append(' ').append(f.type()).append('\n');
            for (String sample : f.samples()) {
                sb.append(sample).append('\n');
            }
        }
        return sb.toString();
    }

    private static void stats(Map<String, Family> families, String prefix, String labels, Stats s, String what) {
        Stats st = s == null ? Stats.ZERO : s;
        for (StatField f : STAT_FIELDS) {
            String name = prefix + f.suffix();
            add(families, name, f.type(), "Per " + what + ": " + f.help(),
                    name + labels + " " + f.value().applyAsLong(st));
        }
    }

    private static void counter(Map<String, Family> families, JsonNode status, String field, String name, String help) {
        if (status.has(field)) {
            add(families, name, "counter", help, name + " " + status.get(field).asLong());
        }
    }

    private static void add(Map<String, Family> families, String name, String type, String help, String sample) {
        families.computeIfAbsent(name, n -> new Family(n, type, help, new ArrayList<>())).samples().add(sample);
    }

    /** {@code name="value"} with the format's escapes (backslash, double quote, line feed). */
    static String label(String name, String value) {
        String v = value == null ? "" : value;
        return name + "=\"" + v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    /** {@code 198.19.0.11:80}, {@code [2001:db8::1]:80}: as ipvsadm -Ln prints a real server. */
    public static String hostPort(InetAddress address, int port) {
        String a = address.getHostAddress();
        return (address instanceof Inet6Address ? "[" + a + "]" : a) + ":" + port;
    }
}
