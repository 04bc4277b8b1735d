package io.jlvs.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import io.jlvs.control.DestConfig;
import io.jlvs.control.IpvsException;
import io.jlvs.control.ServiceInfo;
import io.jlvs.control.ServiceKey;

import java.util.List;

/**
 * What the monitor reads from and does to the director: the same control API {@code ipvsadm} uses
 * ({@link ControlDirectorSource} in production, a fake in tests).
 */
public interface DirectorSource {
    List<ServiceInfo> services() throws IpvsException;

    /** The data plane's status (interfaces, frames, drops by reason), as {@code jlvs status} prints it. */
    JsonNode status() throws IpvsException;

    /** The connection table in {@code /proc/net/ip_vs_conn} format, header first. */
    List<String> connections() throws IpvsException;

    void editDest(ServiceKey service, DestConfig dest) throws IpvsException;

    List<VrrpStatus.Instance> vrrp() throws IpvsException;

    List<RealServerHealth.Result> health() throws IpvsException;
}
