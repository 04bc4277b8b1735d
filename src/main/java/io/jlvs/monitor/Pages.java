package io.jlvs.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import io.jlvs.control.DestConfig;
import io.jlvs.control.DestInfo;
import io.jlvs.control.ServiceConfig;
import io.jlvs.control.ServiceInfo;
import io.jlvs.control.Stats;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static io.jlvs.monitor.Html.e;

/**
 * The monitor's server-rendered pages. Each page is complete without JavaScript; {@code /static/monitor.js}
 * only refreshes the numbers and draws the charts from {@code /api/stats}. No inline script or style (the
 * Content-Security-Policy forbids them); every value is escaped.
 */
final class Pages {
    private Pages() {}

    /** The series each service chart draws, in order: JSON field of the rates and the caption. */
    static final List<String[]> CHARTS = List.of(
            new String[] {"cps", "connections/s"},
            new String[] {"pps", "packets/s (in + out)"},
            new String[] {"bps", "bytes/s (in + out)"});

    static String login(String loginCsrf, String message) {
        StringBuilder b = new StringBuilder();
        b.append("<main class=\"login\"><h1>jlvs monitor</h1>");
        if (message != null) {
            b.append("<p class=\"error\" id=\"login-error\">").append(e(message)).append("</p>");
        }
        b.append("<form method=\"post\" action=\"/login\" id=\"login-form\">")
                .append("<input type=\"hidden\" name=\"csrf\" value=\"").append(e(loginCsrf)).append("\">")
                .append("<label>User <input name=\"user\" id=\"user\" autocomplete=\"username\" required autofocus></label>")
                .append("<label>Password <input type=\"password\" name=\"password\" id=\"password\" ")
                .append("autocomplete=\"current-password\" required></label>")
                .append("<button type=\"submit\" id=\"login\">Log in</button></form></main>");
        return document("log in", b.toString());
    }

    static String layout(String title, SessionStore.Session s, String nav, String body) {
        StringBuilder b = new StringBuilder();
        b.append("<header><span class=\"brand\">jlvs monitor</span><nav>");
        for (String[] item : List.of(new String[] {"services", "/services", "Services"},
                new String[] {"connections", "/connections", "Connections"},
                new String[] {"director", "/director", "Director"})) {
            b.append("<a href=\"").append(item[1]).append('"').append(item[0].equals(nav) ? " class=\"active\"" : "")
                    .append('>').append(item[2]).append("</a>");
        }
        b.append("</nav><span class=\"who\" id=\"who\">").append(e(s.user())).append(" (").append(s.role().word())
                .append(")</span>")
                .append("<form method=\"post\" action=\"/logout\" class=\"inline\">").append(csrf(s))
                .append("<button type=\"submit\" id=\"logout\">Log out</button></form></header>");
        b.append("<main data-csrf=\"").append(e(s.csrfToken())).append("\">").append(body).append("</main>");
        return document(title, b.toString());
    }

    private static String document(String title, String body) {
        return "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<title>" + e(title) + " · jlvs</title><link rel=\"stylesheet\" href=\"/static/monitor.css\">"
                + "<script src=\"/static/monitor.js\" defer></script></head><body>" + body + "</body></html>";
    }

    private static String csrf(SessionStore.Session s) {
        return "<input type=\"hidden\" name=\"csrf\" value=\"" + e(s.csrfToken()) + "\">";
    }

    static String services(List<ServiceInfo> services, Map<String, RealServerHealth.Result> health,
                           SessionStore.Session s, String message) {
        StringBuilder b = new StringBuilder();
        b.append("<h1>Virtual services</h1>");
        if (message != null) {
            b.append("<p class=\"notice\" id=\"notice\">").append(e(message)).append("</p>");
        }
        b.append("<p class=\"meta\">Rates from the director's estimator (2 s period); this page refreshes every 2 s. ")
                .append("<span id=\"updated\"></span></p>");
        if (services.isEmpty()) {
            b.append("<p id=\"no-services\">No virtual service is configured (<code>ipvsadm -A</code> adds one).</p>");
        }
        boolean operator = s.role() == Role.OPERATOR;
        for (ServiceInfo svc : services) {
            ServiceConfig c = svc.config();
            String key = c.key().toString();
            b.append("<section class=\"service\" data-service=\"").append(e(key)).append("\">");
            b.append("<h2>").append(e(key)).append(" <span class=\"sched\">").append(e(c.scheduler())).append("</span>");
            if (c.persistent()) {
                b.append(" <span class=\"tag\">persistent ").append(c.persistenceTimeoutS()).append(" s</span>");
            }
            b.append("</h2>");
            b.append("<table class=\"stats\"><thead><tr><th>Conns</th><th>CPS</th><th>InPPS</th><th>OutPPS</th>")
                    .append("<th>InBPS</th><th>OutBPS</th><th>InPkts</th><th>OutPkts</th></tr></thead><tbody><tr>");
            statsCells(b, svc.stats(), true);
            b.append("</tr></tbody></table>");
            b.append("<div class=\"charts\">");
            for (String[] chart : CHARTS) {
                b.append("<figure class=\"chart\" data-series=\"").append(chart[0]).append("\"><figcaption>")
                        .append(chart[1]).append(" <span class=\"max\" data-max=\"").append(chart[0])
                        .append("\">max 0</span></figcaption>")
                        .append("<svg viewBox=\"0 0 300 80\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"")
                        .append(chart[1]).append("\"><polyline class=\"line\" points=\"\"></polyline></svg></figure>");
            }
            b.append("</div>");
            b.append("<table class=\"dests\"><thead><tr><th>Real server</th><th>Forward</th><th>Weight</th>")
                    .append("<th>State</th><th>Health</th><th>ActiveConn</th><th>InActConn</th><th>Conns</th>")
                    .append("<th>CPS</th><th>InPPS</th><th>InBPS</th>");
            if (operator) {
                b.append("<th>Change</th>");
            }
            b.append("</tr></thead><tbody>");
            if (svc.dests().isEmpty()) {
                b.append("<tr><td colspan=\"").append(operator ? 12 : 11).append("\">no real server</td></tr>");
            }
            for (DestInfo d : svc.dests()) {
                DestConfig dc = d.config();
                String rs = PrometheusExposition.hostPort(dc.address(), dc.port());
                RealServerHealth.Result h = health.get(key + " " + rs);
                b.append("<tr data-realserver=\"").append(e(rs)).append("\"><td>").append(e(rs)).append("</td><td>")
                        .append(e(dc.method().listName())).append("</td><td data-field=\"weight\">").append(dc.weight())
                        .append("</td><td data-field=\"state\">").append(dc.weight() == 0 ? "quiesced" : "in service")
                        .append("</td><td class=\"").append(h == null ? "unknown" : h.up() ? "up" : "down").append("\">")
                        .append(h == null ? "not checked" : e((h.up() ? "up" : "down")
                                + (h.detail() == null || h.detail().isEmpty() ? "" : ": " + h.detail())))
                        .append("</td><td data-field=\"active\">").append(d.activeConns())
                        .append("</td><td data-field=\"inactive\">").append(d.inactiveConns()).append("</td>");
                Stats st = d.stats() == null ? Stats.ZERO : d.stats();
                b.append("<td data-field=\"conns\">").append(st.conns()).append("</td><td data-field=\"cps\">")
                        .append(st.cps()).append("</td><td data-field=\"inpps\">").append(st.inPps())
                        .append("</td><td data-field=\"inbps\">").append(st.inBps()).append("</td>");
                if (operator) {
                    String svcParam = MonitorApp.serviceParam(c.key());
                    String rsParam = dc.address().getHostAddress() + "|" + dc.port();
                    b.append("<td class=\"actions\"><form method=\"post\" action=\"/action/weight\" class=\"inline\">")
                            .append(csrf(s)).append(hidden("service", svcParam)).append(hidden("realserver", rsParam))
                            .append("<input type=\"number\" name=\"weight\" min=\"0\" max=\"65535\" value=\"")
                            .append(dc.weight()).append("\" aria-label=\"weight\">")
                            .append("<button type=\"submit\">Set weight</button></form>");
                    if (dc.weight() != 0) {
                        b.append("<form method=\"post\" action=\"/action/quiesce\" class=\"inline\">").append(csrf(s))
                                .append(hidden("service", svcParam)).append(hidden("realserver", rsParam))
                                .append("<button type=\"submit\">Quiesce</button></form>");
                    }
                    b.append("</td>");
                }
                b.append("</tr>");
            }
            b.append("</tbody></table></section>");
        }
        return layout("services", s, "services", b.toString());
    }

    private static String hidden(String name, String value) {
        return "<input type=\"hidden\" name=\"" + name + "\" value=\"" + e(value) + "\">";
    }

    private static void statsCells(StringBuilder b, Stats stats, boolean withPackets) {
        Stats st = stats == null ? Stats.ZERO : stats;
        cell(b, "conns", st.conns());
        cell(b, "cps", st.cps());
        cell(b, "inpps", st.inPps());
        cell(b, "outpps", st.outPps());
        cell(b, "inbps", st.inBps());
        cell(b, "outbps", st.outBps());
        if (withPackets) {
            cell(b, "inpkts", st.inPkts());
            cell(b, "outpkts", st.outPkts());
        }
    }

    private static void cell(StringBuilder b, String field, long value) {
        b.append("<td data-field=\"").append(field).append("\">").append(value).append("</td>");
    }

    static String connections(List<String> table, int limit, SessionStore.Session s) {
        StringBuilder b = new StringBuilder("<h1>Connections</h1>");
        int total = Math.max(0, table.size() - 1);
        b.append("<p class=\"meta\" id=\"conn-count\">").append(total).append(" entries")
                .append(total > limit ? ", the first " + limit + " shown" : "").append(" (as <code>ipvsadm -Lcn</code>)</p>");
        b.append("<table class=\"conns\"><thead><tr><th>Pro</th><th>State</th><th>Expires (s)</th><th>Source</th>")
                .append("<th>Virtual</th><th>Destination</th></tr></thead><tbody>");
        int shown = 0;
        for (int i = 1; i < table.size() && shown < limit; i++) {
            String[] f = table.get(i).trim().split("\\s+");
            if (f.length < 9) {
                continue;
            }
            try {
                b.append("<tr><td>").append(e(f[0])).append("</td><td>").append(e(f[7])).append("</td><td>")
                        .append(e(f[8])).append("</td><td>").append(hexEndpoint(f[1], f[2])).append("</td><td>")
                        .append(hexEndpoint(f[3], f[4])).append("</td><td>").append(hexEndpoint(f[5], f[6]))
                        .append("</td></tr>");
                shown++;
            } catch (NumberFormatException ex) {
                // a line in another format: skip it
            }
        }
        b.append("</tbody></table>");
        return layout("connections", s, "connections", b.toString());
    }

    /** {@code C612000A} {@code 0050} as {@code 198.18.0.10:80}. */
    static String hexEndpoint(String ipHex, String portHex) {
        int ip = (int) Long.parseLong(ipHex, 16);
        return io.jlvs.packet.Ipv4View.addrToString(ip) + ":" + Integer.parseInt(portHex, 16);
    }

    static String director(JsonNode status, List<VrrpStatus.Instance> vrrp, SessionStore.Session s) {
        StringBuilder b = new StringBuilder("<h1>Director</h1>");
        b.append("<table class=\"kv\" id=\"dataplane\"><tbody>");
        for (String[] f : List.of(new String[] {"interfaces", "Served interfaces"},
                new String[] {"transport", "Transport"}, new String[] {"rx_frames", "Frames received"},
                new String[] {"tx_frames", "Frames sent"}, new String[] {"ignored_frames", "Frames left to the kernel"},
                new String[] {"connections", "Connections"}, new String[] {"guard_installed", "Kernel guard installed"})) {
            JsonNode v = status.path(f[0]);
            String text = v.isArray() ? String.join(", ", iterable(v)) : v.isMissingNode() ? "—" : v.asText();
            b.append("<tr><th>").append(f[1]).append("</th><td data-field=\"").append(f[0]).append("\">").append(e(text))
                    .append("</td></tr>");
        }
        b.append("</tbody></table><h2>Drops by reason</h2><table class=\"kv\" id=\"drops\"><tbody>");
        for (Iterator<Map.Entry<String, JsonNode>> it = status.path("drops").properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> d = it.next();
            long n = d.getValue().asLong();
            b.append("<tr").append(n > 0 ? " class=\"nonzero\"" : "").append("><th>").append(e(d.getKey()))
                    .append("</th><td data-drop=\"").append(e(d.getKey())).append("\">").append(n).append("</td></tr>");
        }
        b.append("</tbody></table><h2>VRRP</h2>");
        if (vrrp.isEmpty()) {
            b.append("<p id=\"vrrp\">not configured</p>");
        } else {
            b.append("<table id=\"vrrp\"><thead><tr><th>Instance</th><th>State</th><th>Interface</th><th>VRID</th>")
                    .append("<th>Priority</th><th>VIPs</th></tr></thead><tbody>");
            for (VrrpStatus.Instance v : vrrp) {
                b.append("<tr><td>").append(e(v.name())).append("</td><td class=\"vrrp-").append(e(v.state())).append("\">")
                        .append(e(v.state())).append("</td><td>").append(e(v.interfaceName())).append("</td><td>")
                        .append(v.virtualRouterId()).append("</td><td>").append(v.priority()).append("</td><td>")
                        .append(e(v.vips() == null ? "" : String.join(", ", v.vips()))).append("</td></tr>");
            }
            b.append("</tbody></table>");
        }
        return layout("director", s, "director", b.toString());
    }

    private static List<String> iterable(JsonNode array) {
        java.util.ArrayList<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    static String unavailable(String what, SessionStore.Session s, String nav) {
        return layout("unavailable", s, nav, "<h1>Director unavailable</h1><p class=\"error\" id=\"unavailable\">"
                + e(what) + "</p>");
    }
}
