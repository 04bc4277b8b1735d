package io.jlvs.io.linux;

import java.io.IOException;
import java.lang.System.Logger;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the director's own kernel from handling what jlvs forwards: an nftables table in the
 * {@code netdev} family with an {@code ingress} chain per served interface. jlvs's packet sockets
 * ({@code ETH_P_ALL}) see each frame before that hook, so the kernel never answers a SYN to the VIP
 * with a RST, never forwards client packets a second time, and never routes NAT replies un-translated.
 *
 * <pre>
 * table netdev jlvs {
 *   set services { type ipv4_addr . inet_proto . inet_service }   # VIP . proto . port
 *   set natreal  { type ipv4_addr . inet_proto . inet_service }   # real server of a NAT service
 *   set marked   { … flags interval }                            # jlvs fwmark rules: net . proto . ports
 *   chain in_eth0 { type filter hook ingress device "eth0" priority -500; policy accept;
 *     ip daddr . meta l4proto . th dport @services drop
 *     ip daddr . meta l4proto . th dport @marked drop
 *     ip saddr . meta l4proto . th sport @natreal fib daddr type != local drop
 *     ip6 daddr . meta l4proto . th dport @services6 drop                 # the same three for IPv6
 *     ip6 saddr . meta l4proto . th sport @natreal6 fib daddr type != local drop
 *     ip6 saddr @natrealaddr6 icmpv6 type { … errors } fib daddr type != local drop }
 * }
 * </pre>
 * NAT replies addressed to the director itself (a health check from the director to the real
 * server) are left to the kernel. The table is created once; later changes replace only the sets'
 * elements in one transaction (re-creating the chains would unregister the ingress hooks for a
 * moment, and a packet reaching the kernel then would be answered with a RST). It is deleted when
 * the director stops. This runs the {@code nft} program (the nftables netlink
 * protocol is not worth re-implementing here); it is on the control path only.
 */
public final class NftGuard implements AutoCloseable {
    private static final Logger LOG = System.getLogger("jlvs.guard");
    public static final String TABLE = "jlvs";

    /** An (IPv4 address or network, IP protocol, port or port range) element. */
    public record Entry(String ipv4, int protocol, String port) {
        public Entry(String ipv4, int protocol, int port) {
            this(ipv4, protocol, Integer.toString(port));
        }
    }

    /** The IPv6 elements: VIP . proto . port, NAT real server . proto . port, NAT real server addresses. */
    public record Ipv6Sets(Collection<Entry> services, Collection<Entry> natReals, Collection<String> natRealAddrs) {
        public static final Ipv6Sets EMPTY = new Ipv6Sets(List.of(), List.of(), List.of());
    }

    private boolean installed;

    /** Installs or replaces the guard. */
    public synchronized void apply(Collection<String> interfaces, Collection<Entry> services,
                                   Collection<Entry> natReals) throws IOException {
        apply(interfaces, services, natReals, List.of());
    }

    /** Installs or replaces the guard; {@code marked} are the networks/port ranges of jlvs's marking rules. */
    public synchronized void apply(Collection<String> interfaces, Collection<Entry> services,
                                   Collection<Entry> natReals, Collection<Entry> marked) throws IOException {
        apply(interfaces, services, natReals, marked, List.of());
    }

    /** … and {@code natRealAddrs}: NAT real servers whose ICMP errors jlvs translates (the kernel must not route them). */
    public synchronized void apply(Collection<String> interfaces, Collection<Entry> services,
                                   Collection<Entry> natReals, Collection<Entry> marked,
                                   Collection<String> natRealAddrs) throws IOException {
        apply(interfaces, services, natReals, marked, natRealAddrs, Ipv6Sets.EMPTY);
    }

    /** … and the IPv6 services and NAT real servers. */
    public synchronized void apply(Collection<String> interfaces, Collection<Entry> services,
                                   Collection<Entry> natReals, Collection<Entry> marked,
                                   Collection<String> natRealAddrs, Ipv6Sets v6) throws IOException {
        java.util.List<String> ifs = java.util.List.copyOf(interfaces);
        if (installed && ifs.equals(installedInterfaces)) {
            // only the elements change: the chains (netdev hooks) stay registered, so no packet slips
            // through to the kernel between an old and a new hook (it would answer the VIP with a RST)
            nft(renderElements(services, natReals, marked, natRealAddrs, v6));
        } else {
            nft(render(interfaces, services, natReals, marked, natRealAddrs, v6));
            installedInterfaces = ifs;
        }
        installed = true;
    }

    private java.util.List<String> installedInterfaces = java.util.List.of();

    /** One transaction that replaces the sets' elements and nothing else. */
    static String renderElements(Collection<Entry> services, Collection<Entry> natReals, Collection<Entry> marked,
                                 Collection<String> natRealAddrs) {
        return renderElements(services, natReals, marked, natRealAddrs, Ipv6Sets.EMPTY);
    }

    static String renderElements(Collection<Entry> services, Collection<Entry> natReals, Collection<Entry> marked,
                                 Collection<String> natRealAddrs, Ipv6Sets v6) {
        StringBuilder sb = new StringBuilder();
        elements(sb, "services6", v6.services().stream().map(NftGuard::element).toList());
        elements(sb, "natreal6", v6.natReals().stream().map(NftGuard::element).toList());
        elements(sb, "natrealaddr6", java.util.List.copyOf(v6.natRealAddrs()));
        elements(sb, "services", services.stream().map(NftGuard::element).toList());
        elements(sb, "natreal", natReals.stream().map(NftGuard::element).toList());
        elements(sb, "marked", marked.stream().map(NftGuard::element).toList());
        elements(sb, "natrealaddr", java.util.List.copyOf(natRealAddrs));
        return sb.toString();
    }

    private static String element(Entry e) {
        return e.ipv4() + " . " + e.protocol() + " . " + e.port();
    }

    private static void elements(StringBuilder sb, String set, java.util.List<String> elements) {
        sb.append("flush set netdev ").append(TABLE).append(' ').append(set).append('\n');
        if (!elements.isEmpty()) {
            sb.append("add element netdev ").append(TABLE).append(' ').append(set).append(" { ")
                    .append(String.join(", ", elements)).append(" }\n");
        }
    }

    /** The ruleset text, one transaction: create-if-missing, delete, create. */
    static String render(Collection<String> interfaces, Collection<Entry> services, Collection<Entry> natReals,
                         Collection<Entry> marked, Collection<String> natRealAddrs) {
        return render(interfaces, services, natReals, marked, natRealAddrs, Ipv6Sets.EMPTY);
    }

    static String render(Collection<String> interfaces, Collection<Entry> services, Collection<Entry> natReals,
                         Collection<Entry> marked, Collection<String> natRealAddrs, Ipv6Sets v6) {
        StringBuilder sb = new StringBuilder();
        sb.append("table netdev ").append(TABLE).append('\n');
        sb.append("delete table netdev ").append(TABLE).append('\n');
        sb.append("table netdev ").append(TABLE).append(" {\n");
        set(sb, "services", services);
        set(sb, "natreal", natReals);
        set(sb, "marked", marked);
        sb.append("  set natrealaddr { type ipv4_addr;");
        if (!natRealAddrs.isEmpty()) {
            sb.append(" elements = { ").append(String.join(", ", natRealAddrs)).append(" }");
        }
        sb.append(" }\n");
        set(sb, "services6", "ipv6_addr", v6.services());
        set(sb, "natreal6", "ipv6_addr", v6.natReals());
        sb.append("  set natrealaddr6 { type ipv6_addr;");
        if (!v6.natRealAddrs().isEmpty()) {
            sb.append(" elements = { ").append(String.join(", ", v6.natRealAddrs())).append(" }");
        }
        sb.append(" }\n");
        for (String ifname : interfaces) {
            sb.append("  chain in_").append(ifname.replaceAll("[^A-Za-z0-9_]", "_")).append(" {\n");
            sb.append("    type filter hook ingress device \"").append(ifname)
                    .append("\" priority -500; policy accept;\n");
            sb.append("    ip daddr . meta l4proto . th dport @services counter drop\n");
            sb.append("    ip daddr . meta l4proto . th dport @marked counter drop\n");
            sb.append("    ip saddr . meta l4proto . th sport @natreal fib daddr type != local counter drop\n");
            sb.append("    ip saddr @natrealaddr icmp type { destination-unreachable, source-quench, time-exceeded }"
                    + " fib daddr type != local counter drop\n");
            sb.append("    ip6 daddr . meta l4proto . th dport @services6 counter drop\n");
            sb.append("    ip6 saddr . meta l4proto . th sport @natreal6 fib daddr type != local counter drop\n");
            sb.append("    ip6 saddr @natrealaddr6 icmpv6 type { destination-unreachable, packet-too-big, time-exceeded }"
                    + " fib daddr type != local counter drop\n");
            sb.append("  }\n");
        }
        sb.append("}\n");
        return sb.toString();
    }

    private static void set(StringBuilder sb, String name, Collection<Entry> entries) {
        set(sb, name, "ipv4_addr", entries);
    }

    private static void set(StringBuilder sb, String name, String addrType, Collection<Entry> entries) {
        sb.append("  set ").append(name).append(" { type ").append(addrType)
                .append(" . inet_proto . inet_service; flags interval;");
        if (!entries.isEmpty()) {
            sb.append(" elements = { ");
            boolean first = true;
            for (Entry e : entries) {
                if (!first) {
                    sb.append(", ");
                }
                first = false;
                sb.append(e.ipv4()).append(" . ").append(e.protocol()).append(" . ").append(e.port());
            }
            sb.append(" }");
        }
        sb.append(" }\n");
    }

    /**
     * At start: removes a guard table a director killed without its shutdown hook ({@code kill -9}) left in the
     * kernel. Returns whether there was one.
     */
    public synchronized boolean removeStale() {
        boolean present;
        try {
            Process p = new ProcessBuilder(List.of("nft", "list", "table", "netdev", TABLE)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            present = p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            present = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            present = false;
        }
        remove();
        return present;
    }

    /** Removes the guard table (also one left behind by a director that was killed). */
    public synchronized void remove() {
        installedInterfaces = java.util.List.of();
        try {
            nft("table netdev " + TABLE + "\ndelete table netdev " + TABLE + "\n");
        } catch (IOException e) {
            LOG.log(Logger.Level.WARNING, "could not remove nftables table " + TABLE + ": " + e.getMessage());
        }
        installed = false;
    }

    public synchronized boolean installed() {
        return installed;
    }

    private static void nft(String script) throws IOException {
        Process p = new ProcessBuilder(List.of("nft", "-f", "-")).redirectErrorStream(true).start();
        p.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("nft did not finish");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        if (p.exitValue() != 0) {
            throw new IOException("nft failed (" + p.exitValue() + "): " + out.strip() + "\nscript:\n" + script);
        }
    }

    @Override
    public void close() {
        if (installed) {
            remove();
        }
    }
}
