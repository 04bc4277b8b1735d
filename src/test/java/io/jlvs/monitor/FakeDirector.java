package io.jlvs.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import io.jlvs.control.DestConfig;
import io.jlvs.control.DestInfo;
import io.jlvs.control.Errno;
import io.jlvs.control.IpvsException;
import io.jlvs.control.ServiceInfo;
import io.jlvs.control.ServiceKey;

import java.util.ArrayList;
import java.util.List;

/** A director for monitor tests: services held in memory, edits applied to them and recorded. */
final class FakeDirector implements DirectorSource {
    List<ServiceInfo> services;
    JsonNode status;
    List<VrrpStatus.Instance> vrrp = List.of();
    List<RealServerHealth.Result> health = List.of();
    List<String> connections = List.of();
    final List<String> edits = new ArrayList<>();
    boolean down;

    FakeDirector(List<ServiceInfo> services, JsonNode status) {
        this.services = new ArrayList<>(services);
        this.status = status;
    }

    private void check() throws IpvsException {
        if (down) {
            throw new IpvsException(Errno.EINVAL, "no jlvs director is running in this network namespace");
        }
    }

    @Override
    public List<ServiceInfo> services() throws IpvsException {
        check();
        return services;
    }

    @Override
    public JsonNode status() throws IpvsException {
        check();
        return status;
    }

    @Override
    public List<String> connections() throws IpvsException {
        check();
        return connections;
    }

    @Override
    public void editDest(ServiceKey service, DestConfig dest) throws IpvsException {
        check();
        List<ServiceInfo> next = new ArrayList<>();
        boolean found = false;
        for (ServiceInfo s : services) {
            List<DestInfo> dests = new ArrayList<>();
            for (DestInfo d : s.dests()) {
                if (s.config().key().equals(service) && d.config().address().equals(dest.address())
                        && d.config().port() == dest.port()) {
                    d = new DestInfo(dest, d.activeConns(), d.inactiveConns(), d.persistentConns(), d.stats());
                    found = true;
                }
                dests.add(d);
            }
            next.add(new ServiceInfo(s.config(), s.stats(), dests));
        }
        if (!found) {
            throw new IpvsException(Errno.ENOENT, "no such destination");
        }
        services = next;
        edits.add(service + " " + dest.address().getHostAddress() + ":" + dest.port() + " w" + dest.weight());
    }

    @Override
    public List<VrrpStatus.Instance> vrrp() throws IpvsException {
        check();
        return vrrp;
    }

    @Override
    public List<RealServerHealth.Result> health() throws IpvsException {
        check();
        return health;
    }
}
