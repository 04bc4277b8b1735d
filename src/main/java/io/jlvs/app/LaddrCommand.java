package io.jlvs.app;

import io.jlvs.control.ControlClient;
import io.jlvs.control.IpvsException;
import io.jlvs.control.Protocol;
import io.jlvs.control.ServiceKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.Callable;

/**
 * {@code jlvs laddr add|del|list}: a FULLNAT service's local address pool (DPVS: {@code ipvsadm
 * --add-laddr -z ADDR -t VIP:PORT}).
 */
@Command(name = "laddr", mixinStandardHelpOptions = true,
        description = {"Manages the local address pool of a FULLNAT service (real servers see these addresses",
                "as the source; jlvs answers ARP for them and owns their ports 1024-65535). Example:",
                "  ipvsadm -A -t 198.18.0.100:80 -s rr",
                "  jlvs laddr add -t 198.18.0.100:80 -z 198.19.0.100",
                "  ipvsadm -a -t 198.18.0.100:80 -r 198.19.0.11 --fullnat"})
public final class LaddrCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "add|del|list")
    String action;

    @Option(names = {"-t", "--tcp-service"}, paramLabel = "VIP:PORT", description = "TCP service.")
    String tcp;

    @Option(names = {"-u", "--udp-service"}, paramLabel = "VIP:PORT", description = "UDP service.")
    String udp;

    @Option(names = {"-z", "--laddr"}, paramLabel = "ADDR", description = "Local address (add, del).")
    String laddr;

    @Override
    public Integer call() {
        try (ControlClient c = ControlClient.connect()) {
            ServiceKey key = key();
            switch (action) {
                case "add" -> c.addLocalAddress(key, address());
                case "del" -> c.deleteLocalAddress(key, address());
                case "list" -> c.localAddresses(key).forEach(a -> System.out.println(a.getHostAddress()));
                default -> {
                    System.err.println("jlvs laddr: unknown action '" + action + "' (add, del, list)");
                    return 2;
                }
            }
            return 0;
        } catch (IOException e) {
            System.err.println("jlvs laddr: no jlvs director is running in this network namespace");
            return 1;
        } catch (IpvsException | IllegalArgumentException e) {
            System.err.println("jlvs laddr: " + e.getMessage());
            return 2;
        }
    }

    private InetAddress address() throws IOException {
        if (laddr == null) {
            throw new IllegalArgumentException("-z ADDR is required");
        }
        return InetAddress.getByName(laddr);
    }

    private ServiceKey key() throws IOException {
        String spec = tcp != null ? tcp : udp;
        if (spec == null) {
            throw new IllegalArgumentException("-t or -u VIP:PORT is required");
        }
        int colon = spec.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("service must be VIP:PORT: " + spec);
        }
        String host = spec.substring(0, colon).replace("[", "").replace("]", "");
        return ServiceKey.of(tcp != null ? Protocol.TCP : Protocol.UDP, InetAddress.getByName(host),
                Integer.parseInt(spec.substring(colon + 1)));
    }
}
