package io.jlvs.keepalived;

import io.jlvs.control.DestConfig;
import io.jlvs.control.IpvsApi;
import io.jlvs.control.IpvsException;
import io.jlvs.control.ServiceConfig;
import io.jlvs.control.ServiceInfo;
import io.jlvs.control.ServiceKey;

import java.net.InetAddress;
import java.util.List;

/** An {@link IpvsApi} safe for several threads over one that is not (the control socket client answers in order). */
final class SynchronizedIpvs implements IpvsApi {
    private final IpvsApi api;

    SynchronizedIpvs(IpvsApi api) {
        this.api = api;
    }

    @Override
    public synchronized Info info() throws IpvsException {
        return api.info();
    }

    @Override
    public synchronized void addService(ServiceConfig service) throws IpvsException {
        api.addService(service);
    }

    @Override
    public synchronized void editService(ServiceConfig service) throws IpvsException {
        api.editService(service);
    }

    @Override
    public synchronized void deleteService(ServiceKey key) throws IpvsException {
        api.deleteService(key);
    }

    @Override
    public synchronized void flush() throws IpvsException {
        api.flush();
    }

    @Override
    public synchronized void addDest(ServiceKey service, DestConfig dest) throws IpvsException {
        api.addDest(service, dest);
    }

    @Override
    public synchronized void editDest(ServiceKey service, DestConfig dest) throws IpvsException {
        api.editDest(service, dest);
    }

    @Override
    public synchronized void deleteDest(ServiceKey service, InetAddress address, int port) throws IpvsException {
        api.deleteDest(service, address, port);
    }

    @Override
    public synchronized List<ServiceInfo> services() throws IpvsException {
        return api.services();
    }

    @Override
    public synchronized ServiceInfo service(ServiceKey key) throws IpvsException {
        return api.service(key);
    }
}
