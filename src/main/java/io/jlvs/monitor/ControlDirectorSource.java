package io.jlvs.monitor;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.jlvs.control.ControlClient;
import io.jlvs.control.ControlProtocol;
import io.jlvs.control.DestConfig;
import io.jlvs.control.Errno;
import io.jlvs.control.IpvsException;
import io.jlvs.control.ServiceInfo;
import io.jlvs.control.ServiceKey;

import java.io.IOException;
import java.util.List;

/**
 * {@link DirectorSource} over the control socket of the director in this network namespace. One
 * connection, opened on first use and reopened after a failure, so the monitor survives a director restart.
 * Ops a director does not serve (VRRP and health before their engines exist) read as empty.
 */
public final class ControlDirectorSource implements DirectorSource, AutoCloseable {
    private ControlClient client;

    private synchronized <T> T withClient(Call<T> call) throws IpvsException {
        for (int attempt = 0; ; attempt++) {
            try {
                if (client == null) {
                    client = ControlClient.connect();
                }
                return call.apply(client);
            } catch (IOException e) {
                closeQuietly();
                throw new IpvsException(Errno.EINVAL, "no jlvs director is running in this network namespace");
            } catch (IpvsException e) {
                String m = String.valueOf(e.getMessage());
                if (attempt == 0 && (m.contains("control socket:") || m.contains("closed the control connection"))) {
                    closeQuietly(); // the director restarted: reconnect once
                    continue;
                }
                throw e;
            }
        }
    }

    private interface Call<T> {
        T apply(ControlClient c) throws IpvsException, IOException;
    }

    @Override
    public List<ServiceInfo> services() throws IpvsException {
        return withClient(ControlClient::services);
    }

    @Override
    public JsonNode status() throws IpvsException {
        return withClient(c -> c.call(ControlProtocol.Request.of("status")));
    }

    @Override
    public List<String> connections() throws IpvsException {
        return withClient(ControlClient::connectionTable);
    }

    @Override
    public void editDest(ServiceKey service, DestConfig dest) throws IpvsException {
        withClient(c -> {
            c.editDest(service, dest);
            return null;
        });
    }

    @Override
    public List<VrrpStatus.Instance> vrrp() throws IpvsException {
        JsonNode n = optional(VrrpStatus.CONTROL_OP);
        return n == null ? List.of() : ControlProtocol.JSON.convertValue(n, new TypeReference<>() {});
    }

    @Override
    public List<RealServerHealth.Result> health() throws IpvsException {
        JsonNode n = optional(RealServerHealth.CONTROL_OP);
        return n == null ? List.of() : ControlProtocol.JSON.convertValue(n, new TypeReference<>() {});
    }

    /** The result of an op the director may not serve; null when it does not. */
    private JsonNode optional(String op) throws IpvsException {
        try {
            JsonNode n = withClient(c -> c.call(ControlProtocol.Request.of(op)));
            return n == null || n.isNull() ? null : n;
        } catch (IpvsException e) {
            if (String.valueOf(e.getMessage()).contains("unknown op")) {
                return null;
            }
            throw e;
        }
    }

    private void closeQuietly() {
        if (client != null) {
            try {
                client.close();
            } catch (IOException e) {
                // closing anyway
            }
            client = null;
        }
    }

    @Override
    public synchronized void close() {
        closeQuietly();
    }
}
