package io.jlvs.ipvsadm;

import io.jlvs.control.DestConfig;
import io.jlvs.control.DestInfo;
import io.jlvs.control.Ipvs;
import io.jlvs.control.IpvsApi;
import io.jlvs.control.IpvsException;
import io.jlvs.control.ServiceConfig;
import io.jlvs.control.ServiceInfo;
import io.jlvs.control.ServiceKey;
import io.jlvs.sched.SchedulerRegistry;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The real {@link Ipvs} with the two things the spec's examples need and the director does not have
 * yet: the kernel's other scheduler names (sh, mh, …; stored as rr and shown under their own name)
 * and persistent-connection counts per real server. Every check and refusal is still Ipvs's own, and
 * zeroing, timeouts, the connection table and the sync daemons are Ipvs's unchanged.
 */
final class KernelLikeApi implements IpvsApi {
    private static final Set<String> KERNEL_SCHEDULERS =
            Set.of("rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos");

    final Ipvs ipvs;
    private final Map<ServiceKey, String> schedulerNames = new HashMap<>();
    private final Map<String, Integer> persistentConns = new HashMap<>();

    KernelLikeApi(Ipvs ipvs) {
        this.ipvs = ipvs;
    }

    /** Persistent connections to show for a real server, by its numeric address. */
    void persistentConns(String address, int count) {
        persistentConns.put(address, count);
    }

    private ServiceConfig stored(ServiceConfig s) {
        if (SchedulerRegistry.exists(s.scheduler()) || !KERNEL_SCHEDULERS.contains(s.scheduler())) {
            return s;
        }
        return new ServiceConfig(s.key(), "rr", s.flags(), s.persistenceTimeoutS(), s.netmask(),
                s.persistenceEngine());
    }

    private ServiceInfo shown(ServiceInfo s) {
        ServiceConfig c = s.config();
        String name = schedulerNames.getOrDefault(c.key(), c.scheduler());
        List<DestInfo> dests = new ArrayList<>();
        for (DestInfo d : s.dests()) {
            int p = persistentConns.getOrDefault(InetText.ntop(d.config().address()), d.persistentConns());
            dests.add(new DestInfo(d.config(), d.activeConns(), d.inactiveConns(), p, d.stats()));
        }
        return new ServiceInfo(new ServiceConfig(c.key(), name, c.flags(), c.persistenceTimeoutS(), c.netmask(),
                c.persistenceEngine()), s.stats(), List.copyOf(dests));
    }

    @Override
    public Info info() {
        return ipvs.info();
    }

    @Override
    public void addService(ServiceConfig service) throws IpvsException {
        ipvs.addService(stored(service));
        schedulerNames.put(service.key(), service.scheduler());
    }

    @Override
    public void editService(ServiceConfig service) throws IpvsException {
        ipvs.editService(stored(service));
        schedulerNames.put(service.key(), service.scheduler());
    }

    @Override
    public void deleteService(ServiceKey key) throws IpvsException {
        ipvs.deleteService(key);
        schedulerNames.remove(key);
    }

    @Override
    public void flush() {
        ipvs.flush();
        schedulerNames.clear();
    }

    @Override
    public void addDest(ServiceKey service, DestConfig dest) throws IpvsException {
        ipvs.addDest(service, dest);
    }

    @Override
    public void editDest(ServiceKey service, DestConfig dest) throws IpvsException {
        ipvs.editDest(service, dest);
    }

    @Override
    public void deleteDest(ServiceKey service, InetAddress address, int port) throws IpvsException {
        ipvs.deleteDest(service, address, port);
    }

    @Override
    public List<ServiceInfo> services() {
        return ipvs.services().stream().map(this::shown).toList();
    }

    @Override
    public ServiceInfo service(ServiceKey key) throws IpvsException {
        return shown(ipvs.service(key));
    }

    @Override
    public void zero(ServiceKey key) throws IpvsException {
        ipvs.zero(key);
    }

    @Override
    public Timeouts timeouts() {
        return ipvs.timeouts();
    }

    @Override
    public void setTimeouts(Timeouts timeouts) throws IpvsException {
        ipvs.setTimeouts(timeouts);
    }

    @Override
    public List<String> connectionTable() {
        return ipvs.connectionTable();
    }

    @Override
    public void startDaemon(SyncDaemonConfig daemon) throws IpvsException {
        ipvs.startDaemon(daemon);
    }

    @Override
    public void stopDaemon(String state) throws IpvsException {
        ipvs.stopDaemon(state);
    }

    @Override
    public List<SyncDaemonConfig> daemons() {
        return ipvs.daemons();
    }
}
