package io.jlvs.app;

import com.fasterxml.jackson.core.type.TypeReference;
import io.jlvs.control.ControlClient;
import io.jlvs.control.ControlProtocol;
import io.jlvs.control.IpvsException;
import io.jlvs.control.MarkRule;
import io.jlvs.control.Protocol;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code jlvs fwmark add|del|list}: jlvs's packet marking for firewall-mark services, in place of
 * {@code iptables -t mangle … -j MARK --set-mark N} (a user-space data plane cannot see kernel marks).
 */
@Command(name = "fwmark", mixinStandardHelpOptions = true,
        description = {"Marks packets for firewall-mark services (ipvsadm -A -f MARK), as",
                "  iptables -t mangle -A PREROUTING -d NET -p PROTO --dport PORT -j MARK --set-mark MARK",
                "does for kernel LVS. Example (the seed's 80+443 shopping cart on one server):",
                "  jlvs fwmark add --dst 198.18.0.100 --proto tcp --dport 80,443 --mark 1",
                "  ipvsadm -A -f 1 -s rr -p 300",
                "  ipvsadm -a -f 1 -r 198.19.0.11 -g ; ipvsadm -a -f 1 -r 198.19.0.12 -g"})
public final class FwmarkCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "add|del|list", description = "What to do.")
    String action;

    @Option(names = {"-d", "--dst"}, paramLabel = "ADDR[/LEN]", description = "Destination address or network.")
    String dst;

    @Option(names = {"-p", "--proto"}, paramLabel = "tcp|udp", description = "Protocol (default: both).")
    String proto;

    @Option(names = "--dport", paramLabel = "PORT[:LAST][,…]",
            description = "Destination port, range (80:90) or list (80,443; one rule each). Default: all.")
    String dport;

    @Option(names = {"-m", "--mark"}, paramLabel = "MARK", description = "The mark (an ipvsadm -f service).")
    Integer mark;

    @Override
    public Integer call() {
        try (ControlClient c = ControlClient.connect()) {
            switch (action) {
                case "list" -> {
                    List<MarkRule> rules = ControlProtocol.JSON.convertValue(c.call(ControlProtocol.Request.of("marks")),
                            new TypeReference<List<MarkRule>>() {});
                    for (MarkRule r : rules) {
                        System.out.println(r.describe());
                    }
                    return 0;
                }
                case "add", "del" -> {
                    for (MarkRule r : rules()) {
                        c.call(ControlProtocol.Request.mark(action.equals("add") ? "addMark" : "deleteMark", r));
                    }
                    return 0;
                }
                default -> {
                    System.err.println("jlvs fwmark: unknown action '" + action + "' (add, del, list)");
                    return 2;
                }
            }
        } catch (IOException e) {
            System.err.println("jlvs fwmark: no jlvs director is running in this network namespace");
            return 1;
        } catch (IpvsException | IllegalArgumentException e) {
            System.err.println("jlvs fwmark: " + e.getMessage());
            return 2;
        }
    }

    private List<MarkRule> rules() throws IOException {
        if (dst == null || mark == null) {
            throw new IllegalArgumentException("--dst and --mark are required");
        }
        String[] net = dst.split("/", 2);
        InetAddress address = InetAddress.getByName(net[0]);
        int prefix = net.length == 2 ? Integer.parseInt(net[1]) : 32;
        Protocol p = null;
        if (proto != null) {
            p = switch (proto.toLowerCase(java.util.Locale.ROOT)) {
                case "tcp", "6" -> Protocol.TCP;
                case "udp", "17" -> Protocol.UDP;
                default -> throw new IllegalArgumentException("protocol must be tcp or udp: " + proto);
            };
        }
        List<MarkRule> out = new ArrayList<>();
        for (String range : dport == null ? new String[] {"0:65535"} : dport.split(",")) {
            String[] lh = range.split(":", 2);
            int low = Integer.parseInt(lh[0].trim());
            int high = lh.length == 2 ? Integer.parseInt(lh[1].trim()) : low;
            out.add(new MarkRule(address, prefix, p, low, high, mark));
        }
        return out;
    }
}
