package io.jlvs.ipvsadm;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;

/** {@link NameService} of the machine: the JDK resolver (hosts file and DNS) and /etc/services. */
public final class SystemNameService implements NameService {
    private final Path servicesFile;
    private ServicesDatabase services;

    public SystemNameService() {
        this(Path.of("/etc/services"));
    }

    public SystemNameService(Path servicesFile) {
        this.servicesFile = servicesFile;
    }

    private ServicesDatabase services() {
        if (services == null) {
            services = ServicesDatabase.load(servicesFile);
        }
        return services;
    }

    @Override
    public Inet4Address ipv4ByName(String name) {
        if (name.isEmpty()) {
            return null; // the JDK would answer the loopback address, the C library fails
        }
        try {
            for (InetAddress a : InetAddress.getAllByName(name)) {
                if (a instanceof Inet4Address v4) {
                    return (Inet4Address) InetText.v4(v4.getAddress());
                }
            }
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
        return null;
    }

    @Override
    public String nameOf(InetAddress address) {
        try {
            InetAddress bare = InetAddress.getByAddress(address.getAddress());
            String name = bare.getHostName();
            return name.equals(bare.getHostAddress()) ? null : name;
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
    }

    @Override
    public int portOf(String service, String protocol) {
        return services().portOf(service, protocol);
    }

    @Override
    public String serviceOf(int port, String protocol) {
        return services().nameOf(port, protocol);
    }
}
