package io.jlvs.keepalived.config;

import java.util.List;

/**
 * A whole keepalived.conf as jlvs understood it: the checker side validated and defaulted the way
 * keepalived does it, the VRRP side parsed for issue 8.
 *
 * @param mainFile the {@code -f} argument as given
 * @param bfdInstances names of {@code bfd_instance} blocks (jlvs runs no BFD)
 * @param bgp          jlvs's {@code bgp_speaker} block ({@link BgpKeywords}); empty when there is none
 */
public record KeepalivedConfig(String mainFile, GlobalDefs global, List<VirtualServerGroup> groups,
                               List<VirtualServer> virtualServers, List<TrackFile> trackFiles, VrrpConfig vrrp,
                               List<String> bfdInstances, io.jlvs.bgp.BgpConfigFile.Partial bgp) {
    public KeepalivedConfig {
        groups = List.copyOf(groups);
        virtualServers = List.copyOf(virtualServers);
        trackFiles = List.copyOf(trackFiles);
        bfdInstances = List.copyOf(bfdInstances);
    }
}
