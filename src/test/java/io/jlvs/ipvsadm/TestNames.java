package io.jlvs.ipvsadm;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Map;

/**
 * Fixed name answers for tests: the Debian services entries the spec's examples use, a few host
 * names, and no reverse DNS unless a test adds some.
 */
final class TestNames implements NameService {
    static final String SERVICES = """
            # a few lines of Debian's /etc/services
            domain		53/tcp				# Domain Name Server
            domain		53/udp
            http		80/tcp		www		# WorldWideWeb HTTP
            https		443/tcp				# http protocol over TLS/SSL
            https		443/udp				# HTTP/3
            sip		5060/tcp			# Session Initiation Protocol
            sip		5060/udp
            http-alt	8080/tcp	webcache	# WWW caching service
            """;

    private final ServicesDatabase services = ServicesDatabase.parse(SERVICES);
    private final Map<String, String> hosts;
    private final Map<String, String> reverse;

    TestNames(Map<String, String> hosts, Map<String, String> reverse) {
        this.hosts = hosts;
        this.reverse = reverse;
    }

    /** director.example → 192.168.100.10, real1.example → 10.0.0.11, v6only.example has only IPv6. */
    static TestNames standard() {
        return new TestNames(Map.of("director.example", "192.168.100.10", "real1.example", "10.0.0.11",
                "v6only.example", "2001:db8::99", "mask.example", "255.255.0.0"), Map.of());
    }

    static TestNames withReverse(Map<String, String> reverse) {
        TestNames s = standard();
        return new TestNames(s.hosts, reverse);
    }

    @Override
    public Inet4Address ipv4ByName(String name) {
        String a = hosts.get(name);
        return a == null ? null : InetText.pton4(a);
    }

    @Override
    public String nameOf(InetAddress address) {
        return reverse.get(InetText.ntop(address));
    }

    @Override
    public int portOf(String service, String protocol) {
        return services.portOf(service, protocol);
    }

    @Override
    public String serviceOf(int port, String protocol) {
        return services.nameOf(port, protocol);
    }
}
