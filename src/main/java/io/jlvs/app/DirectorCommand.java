package io.jlvs.app;

import io.jlvs.io.linux.Libc;
import io.jlvs.io.linux.PacketSocket;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code jlvs director}: runs the data plane and the control socket in this network namespace. */
@Command(name = "director", mixinStandardHelpOptions = true,
        description = {"Runs a director in the current network namespace until SIGTERM/SIGINT.",
                "Serves every interface that is up (except loopback) unless --interface names some.",
                "Configure it with bin/ipvsadm from the same namespace."})
public final class DirectorCommand implements Callable<Integer> {
    @Option(names = {"-i", "--interface"}, split = ",", paramLabel = "IFNAME",
            description = "Interface(s) to serve (repeatable or comma-separated). Default: all that are up.")
    List<String> interfaces = new ArrayList<>();

    @Option(names = "--conn-table-size", defaultValue = "1048576", paramLabel = "N",
            description = "Connection table capacity in flows (64 bytes each, plus hash buckets). Default: ${DEFAULT-VALUE}.")
    int connTableSize;

    @Option(names = "--rx-ring", defaultValue = "v3", paramLabel = "v2|v3",
            converter = RingConverter.class,
            description = {"Receive ring layout. v3 (default) hands frames over a block at a time: efficient under "
                    + "load, but a lightly loaded block waits for its timeout (a kernel timer tick, ~4 ms). "
                    + "v2 hands over every frame at once: lower latency, 128 KiB per slot."})
    PacketSocket.RingVersion ringVersion;

    @Option(names = "--ring-block-size", paramLabel = "BYTES",
            description = "Ring block size (v3: 262144; v2: one slot, 131072; must exceed a 64 KiB GSO frame).")
    Integer blockSize;

    @Option(names = "--ring-blocks", paramLabel = "N",
            description = "Ring blocks per interface (v3: 64; v2: 256).")
    Integer blockCount;

    @Option(names = "--ring-block-timeout-ms", defaultValue = "1", paramLabel = "MS",
            description = "How long the kernel may hold a partly filled ring block. Default: ${DEFAULT-VALUE}.")
    int blockTimeoutMs;

    @Option(names = "--idle-poll-ms", defaultValue = "10", paramLabel = "MS",
            description = "How long an idle worker blocks in poll(2) between housekeeping rounds. Default: ${DEFAULT-VALUE}.")
    int idlePollMs;

    @Option(names = "--control-group", paramLabel = "GROUP",
            description = {"A group whose members may use the control socket (bin/ipvsadm, jlvs status) as root does. "
                    + "Default: root only."})
    String controlGroup;

    static final class RingConverter implements CommandLine.ITypeConverter<PacketSocket.RingVersion> {
        @Override
        public PacketSocket.RingVersion convert(String value) {
            return PacketSocket.RingVersion.valueOf(value.toUpperCase(java.util.Locale.ROOT));
        }
    }

    @Option(names = "--state-file", paramLabel = "PATH",
            description = {"Where the rules are kept across restarts (ipvsadm-save format, rewritten atomically after "
                    + "every change, restored at start). Default: /var/lib/jlvs/<netns>/rules."})
    java.nio.file.Path stateFile;

    @Option(names = "--no-state-file", description = "Keep no state file: a restarted director starts empty.")
    boolean noStateFile;

    @Option(names = "--workers", defaultValue = "1", paramLabel = "N",
            description = {"Forwarding worker threads, each with its own packet sockets (one PACKET_FANOUT group per "
                    + "interface steers a flow, both directions, to one worker), connection table (--conn-table-size "
                    + "split evenly) and counters. 0: one per core but one (at least 1). Default: ${DEFAULT-VALUE}: "
                    + "on a small box the client, servers and the kernel's own packet work need the other cores."})
    int workers;

    @Option(names = "--vip-arp", defaultValue = "always", paramLabel = "always|held",
            description = {"always (default): answer ARP for every VIP on the served interfaces. held: only for VIPs "
                    + "this host holds on an interface (two directors sharing VIPs by VRRP: only the master answers)."})
    String vipArp;

    @Option(names = "--busy-poll", description = "Never block when idle: lowest latency, one whole core per worker.")
    boolean busyPoll;

    @Option(names = "--transport", defaultValue = "af_packet", paramLabel = "af_packet|af_xdp|auto",
            description = {"Data-plane transport. af_xdp steers served IPv4 traffic into AF_XDP sockets with an XDP "
                    + "program (ARP and the rest stay on af_packet); when AF_XDP cannot run, the director says why and "
                    + "uses af_packet. auto: af_xdp when available. With --workers N, every served interface needs N receive queues "
                    + "(worker w drives queues q % N == w and hands other workers' flows to them). Default: ${DEFAULT-VALUE}. "
                    + "See docs/af_xdp.md."})
    String transport;

    @Option(names = "--xdp-mode", defaultValue = "auto", paramLabel = "auto|drv|skb",
            description = "XDP attach mode for --transport af_xdp: driver (native) if the driver has it, else generic. "
                    + "Default: ${DEFAULT-VALUE}.")
    String xdpMode;

    @Option(names = "--sloppy-tcp", description = {"Schedule a TCP segment without SYN that finds no connection "
            + "(IPVS's sloppy_tcp), so a flow moved here from another director continues. On with BGP."})
    boolean sloppyTcp;

    @Option(names = "--expire-nodest-conn", description = {"IPVS's expire_nodest_conn: a connection whose real server "
            + "was deleted is expired at once (its next packet is handled as new: a SYN is scheduled), and a SYN on a "
            + "connection to a real server of weight 0 is scheduled anew. Off (as the kernel's default): such packets "
            + "are dropped until the connection times out."})
    boolean expireNodestConn;

    @Option(names = "--syn-half-open-max", paramLabel = "N",
            description = {"SYN flood guard: most half-open connections (SYN seen, handshake not done); a SYN that "
                    + "needs another is dropped. Split over the workers. Default: --conn-table-size / 4. "
                    + "See docs/reliability.md."})
    Integer synHalfOpenMax;

    @Option(names = "--syn-pressure-threshold", paramLabel = "N",
            description = {"SYN flood guard: half-open connections from which the guard is under pressure (short "
                    + "timeouts, stateless SYNs for DR/TUN). Split over the workers. At most the half-open cap. "
                    + "Default: --conn-table-size / 16."})
    Integer synPressureThreshold;

    @Option(names = "--syn-pressure-timeout-ms", paramLabel = "MS",
            description = "SYN flood guard: idle timeout of a half-open connection under pressure (1 to 60000). "
                    + "Default: 3000.")
    Long synPressureTimeoutMs;

    @Option(names = "--syn-proxy", paramLabel = "WHEN", defaultValue = "pressure",
            description = {"SYN proxy for services whose real servers are all NAT or FULLNAT: the director answers "
                    + "SYNs itself with SYN cookies and opens the real server's connection when the client's ACK "
                    + "proves it real. pressure (default): while the SYN flood guard is under pressure; always; off."})
    String synProxy;

    /** The SYN flood guard's settings from the --syn-* options, checked against --conn-table-size. */
    io.jlvs.forward.SynGuardSettings synGuardSettings() {
        io.jlvs.forward.SynGuardSettings s = new io.jlvs.forward.SynGuardSettings(synHalfOpenMax, synPressureThreshold,
                synPressureTimeoutMs);
        s.validate(connTableSize);
        return s;
    }

    @Option(names = "--bgp-local-as", paramLabel = "N", description = "Announce the VIPs by BGP (BIRD 2) from this AS.")
    Long bgpLocalAs;

    @Option(names = "--bgp-peer", paramLabel = "ADDR:AS", description = "A router to announce the VIPs to (repeatable).")
    List<String> bgpPeers = new ArrayList<>();

    @Option(names = "--bgp-router-id", paramLabel = "ADDR", description = "The BGP router id (an IPv4 address).")
    String bgpRouterId;

    @Option(names = "--bgp-withdraw-delay-ms", paramLabel = "MS",
            description = "When stopping: how long to keep forwarding after the withdrawal. Default: 2000.")
    Long bgpWithdrawDelayMs;

    @Option(names = "--bgp-config", paramLabel = "FILE",
            description = "A file with a bgp_speaker { … } block (docs/scale-out.md); --bgp-* options win over it.")
    java.nio.file.Path bgpConfig;

    /** The BGP settings from --bgp-config and the --bgp-* options (null: no BGP). */
    io.jlvs.bgp.BgpSettings bgpSettings() throws io.jlvs.bgp.BgpConfigFile.ConfigException {
        io.jlvs.bgp.BgpConfigFile.Partial file = bgpConfig == null ? io.jlvs.bgp.BgpConfigFile.Partial.NONE
                : io.jlvs.bgp.BgpConfigFile.read(bgpConfig);
        List<io.jlvs.bgp.BgpPeer> peers = bgpPeers.stream().map(io.jlvs.bgp.BgpPeer::parse).toList();
        io.jlvs.bgp.BgpConfigFile.Partial cli = new io.jlvs.bgp.BgpConfigFile.Partial(
                bgpRouterId == null ? null : io.jlvs.bgp.BgpSettings.parseRouterId(bgpRouterId), bgpLocalAs, peers,
                bgpWithdrawDelayMs);
        return cli.over(file).settings();
    }

    @Override
    public Integer call() throws Exception {
        if (Libc.geteuid() != 0) {
            System.err.println("jlvs director: must run as root (packet sockets and nftables need CAP_NET_ADMIN/CAP_NET_RAW)");
            return 1;
        }
        if (workers < 0 || workers > Director.MAX_WORKERS) {
            System.err.println("jlvs director: --workers must be 0 (one per core but one) to " + Director.MAX_WORKERS);
            return 2;
        }
        io.jlvs.forward.SynGuardSettings synGuard;
        try {
            synGuard = synGuardSettings();
        } catch (IllegalArgumentException e) {
            System.err.println("jlvs director: " + e.getMessage());
            return 2;
        }
        io.jlvs.forward.SynProxy.Mode synProxyMode;
        try {
            synProxyMode = io.jlvs.forward.SynProxy.Mode.parse(synProxy);
        } catch (IllegalArgumentException e) {
            System.err.println("jlvs director: " + e.getMessage());
            return 2;
        }
        io.jlvs.bgp.BgpSettings bgp;
        try {
            bgp = bgpSettings();
        } catch (io.jlvs.bgp.BgpConfigFile.ConfigException | IllegalArgumentException e) {
            System.err.println("jlvs director: " + e.getMessage());
            return 2;
        }
        boolean v2 = ringVersion == PacketSocket.RingVersion.V2;
        int size = blockSize != null ? blockSize : v2 ? 131072 : 262144;
        int count = blockCount != null ? blockCount : v2 ? 256 : 64;
        Director director = new Director(new Director.Options(interfaces, connTableSize, ringVersion, size, count,
                blockTimeoutMs, idlePollMs, controlGroup, busyPoll,
                workers > 0 ? workers : Math.max(1, Math.min(Director.MAX_WORKERS,
                        Runtime.getRuntime().availableProcessors() - 1))));
        if (!noStateFile) {
            director.stateFile(new RulesStateFile(stateFile != null ? stateFile : RulesStateFile.defaultPath()));
        }
        if (!vipArp.equals("always") && !vipArp.equals("held")) {
            System.err.println("jlvs director: --vip-arp must be always or held, not " + vipArp);
            return 2;
        }
        director.vipArpHeldOnly(vipArp.equals("held"));
        director.sloppyTcp(sloppyTcp).bgp(bgp).synGuard(synGuard).synProxy(synProxyMode)
                .expireNodestConn(expireNodestConn);
        try {
            director.transport(transport, xdpMode);
            director.start();
        } catch (RuntimeException | java.io.IOException e) { // includes a bad --transport / --xdp-mode
            System.err.println("jlvs director: " + e.getMessage());
            director.close();
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(director::close, "jlvs-shutdown"));
        System.err.println("jlvs director: running (pid " + ProcessHandle.current().pid() + ")");
        director.awaitStop();
        return 0;
    }
}
