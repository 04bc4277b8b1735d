package io.jlvs.ops;

import com.fasterxml.jackson.databind.JsonNode;
import io.jlvs.control.ControlClient;
import io.jlvs.control.ControlProtocol;
import io.jlvs.control.Errno;
import io.jlvs.control.IpvsException;
import io.jlvs.control.ServiceInfo;
import io.jlvs.control.ServiceKey;
import io.jlvs.monitor.ControlDirectorSource;
import io.jlvs.monitor.VrrpStatus;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/** {@link Doctor.DirectorAccess} over the control socket of the director in this network namespace. */
public final class ControlDoctorAccess implements Doctor.DirectorAccess, AutoCloseable {
    private final ControlDirectorSource source = new ControlDirectorSource();

    @Override
    public List<ServiceInfo> services() throws IpvsException {
        return source.services();
    }

    @Override
    public JsonNode status() throws IpvsException {
        return source.status();
    }

    @Override
    public List<VrrpStatus.Instance> vrrp() throws IpvsException {
        return source.vrrp();
    }

    @Override
    public Explainer.Spread spread(ServiceKey key, int flows) throws IpvsException {
        try (ControlClient c = ControlClient.connect()) {
            JsonNode n = c.call(new ControlProtocol.Request("explainSpread", null, key, null, null, null, null,
                    ControlProtocol.JSON.valueToTree(Map.of("flows", flows))));
            return ControlProtocol.JSON.convertValue(n, Explainer.Spread.class);
        } catch (IOException e) {
            throw new IpvsException(Errno.EINVAL, "no jlvs director is running in this network namespace");
        }
    }

    @Override
    public void close() {
        source.close();
    }
}
