package io.jlvs.ipvsadm;

import io.jlvs.control.DestConfig;
import io.jlvs.control.ForwardMethod;
import io.jlvs.control.Protocol;
import io.jlvs.control.ServiceConfig;
import io.jlvs.control.ServiceKey;

import java.net.InetAddress;

/**
 * One parsed command line with ipvsadm's per-command defaults: weight 1, direct routing, tunnel type
 * ipip, thresholds 0, IPv4 persistence mask /32, no scheduler (wlc is filled in later), not
 * persistent, syncid 0. Fields are set in command-line order, so later options see earlier ones.
 */
final class CommandEntry {
    Cmd cmd;
    long options;
    int format;

    // the virtual service, as ipvs_service_t
    int svcAf;
    int protocol;
    InetAddress svcAddr;
    int svcPort;
    int fwmark;
    String scheduler = "";
    int svcFlags;
    int timeoutS;
    int netmask = 0xffffffff;
    String pe = "";

    // the real server, as ipvs_dest_t
    int destAf;
    InetAddress destAddr;
    int destPort;
    ForwardMethod method = ForwardMethod.DROUTE;
    int weight = 1;
    int upperThreshold;
    int lowerThreshold;
    int tunnelType;
    int tunnelPort;
    int tunnelFlags;

    // the sync daemon and the timeouts
    int daemonState;
    String mcastInterface = "";
    int syncId;
    int syncMaxlen;
    int mcastPort;
    int mcastTtl;
    InetAddress mcastGroup;
    int tcpTimeoutS;
    int tcpFinTimeoutS;
    int udpTimeoutS;

    boolean has(Opt opt) {
        return (options & opt.bit()) != 0;
    }

    ServiceKey serviceKey() {
        if (fwmark != 0) {
            return ServiceKey.ofFwmark(svcAf, fwmark);
        }
        return ServiceKey.of(Protocol.ofNumber(protocol), svcAddr, svcPort);
    }

    ServiceConfig serviceConfig() {
        return new ServiceConfig(serviceKey(), scheduler, svcFlags, timeoutS, netmask, pe.isEmpty() ? null : pe);
    }

    DestConfig destConfig() {
        return new DestConfig(destAddr, destPort, method, weight, upperThreshold, lowerThreshold, tunnelType,
                tunnelPort, tunnelFlags);
    }
}
