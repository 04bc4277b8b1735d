package io.jlvs.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.jlvs.control.ControlClient;
import io.jlvs.control.ControlProtocol;
import io.jlvs.control.IpvsException;
import io.jlvs.control.Protocol;
import io.jlvs.ops.Explainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code jlvs explain}: what the director would do with one packet, and why; sends nothing. */
@Command(name = "explain", mixinStandardHelpOptions = true,
        description = {"Says what the director in this network namespace would do with one packet, and why:",
                "which service, which real server by which scheduler rule, existing connection or persistence",
                "template, which forwarding method and the rewritten headers. Sends nothing and changes nothing.",
                "Example: jlvs explain -p tcp -s 198.18.0.2:40000 -d 198.18.0.100:80"})
public final class ExplainCommand implements Callable<Integer> {
    @Option(names = {"-p", "--protocol"}, defaultValue = "tcp", paramLabel = "tcp|udp",
            description = "Transport protocol. Default: ${DEFAULT-VALUE}.")
    String protocol;

    @Option(names = {"-s", "--src"}, required = true, paramLabel = "ADDR:PORT", description = "The packet's source.")
    String src;

    @Option(names = {"-d", "--dst"}, required = true, paramLabel = "ADDR:PORT", description = "The packet's destination.")
    String dst;

    @Option(names = "--not-syn", description = "A TCP segment of an established flow (default: a SYN, a new one).")
    boolean notSyn;

    @Option(names = "--json", description = "Print the answer as JSON.")
    boolean json;

    /** Runs this command alone, as {@code jlvs explain ARGS} does. */
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new ExplainCommand()).execute(args));
    }

    @Override
    public Integer call() {
        Explainer.Query q;
        try {
            Protocol p = switch (protocol.toLowerCase(Locale.ROOT)) {
                case "tcp" -> Protocol.TCP;
                case "udp" -> Protocol.UDP;
                case "sctp" -> Protocol.SCTP;
                default -> throw new IllegalArgumentException("protocol must be tcp or udp: protocol=" + protocol);
            };
            InetSocketAddress s = endpoint(src);
            InetSocketAddress d = endpoint(dst);
            q = new Explainer.Query(p, s.getAddress(), s.getPort(), d.getAddress(), d.getPort(), !notSyn);
        } catch (IllegalArgumentException e) {
            System.err.println("jlvs explain: " + e.getMessage());
            return 2;
        }
        try (ControlClient c = ControlClient.connect()) {
            JsonNode n = c.call(ControlProtocol.Request.withExtra("explain", q));
            if (json) {
                System.out.println(ControlProtocol.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n));
                return 0;
            }
            Explainer.Answer a = ControlProtocol.JSON.convertValue(n, Explainer.Answer.class);
            System.out.println(render(a));
            return 0;
        } catch (IOException e) {
            System.err.println("jlvs explain: no jlvs director is running in this network namespace");
            return 1;
        } catch (IpvsException e) {
            System.err.println("jlvs explain: " + e.getMessage());
            return 1;
        }
    }

    static String render(Explainer.Answer a) {
        StringBuilder sb = new StringBuilder();
        sb.append("verdict: ").append(a.verdict());
        switch (a.verdict()) {
            case "FORWARD" -> sb.append(" to ").append(a.realserver()).append(" (").append(a.method()).append(')');
            case "REPLY" -> sb.append(" to the client (NAT reply of ").append(a.realserver()).append(')');
            default -> sb.append(" (").append(a.reason()).append(')');
        }
        if (a.service() != null) {
            sb.append(", service ").append(a.service());
        }
        if (a.decidedBy() != null) {
            sb.append(", decided by the ").append(a.decidedBy()).append(a.exact() ? "" : " (not exact: see why)");
        }
        sb.append("\nwhy:\n");
        a.steps().forEach(s -> sb.append("  ").append(s).append('\n'));
        if (!a.rewrite().isEmpty()) {
            sb.append("rewrite:\n");
            a.rewrite().forEach(s -> sb.append("  ").append(s).append('\n'));
        }
        return sb.toString().stripTrailing();
    }

    /** {@code 198.18.0.2:40000} or {@code [2001:db8::2]:40000}. */
    static InetSocketAddress endpoint(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("want ADDR:PORT: " + text);
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port: " + text);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + text);
        }
        try {
            return new InetSocketAddress(InetAddress.ofLiteral(host), port);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("want an IP address: " + text);
        }
    }
}
