package io.jlvs.app;

import io.jlvs.io.linux.Libc;
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
            description = "Connection table capacity (rounded up to a power of two). Default: ${DEFAULT-VALUE}.")
    int connTableSize;

    @Option(names = "--ring-block-size", defaultValue = "262144", paramLabel = "BYTES",
            description = "TPACKET_V3 ring block size (must exceed a 64 KiB GSO frame). Default: ${DEFAULT-VALUE}.")
    int blockSize;

    @Option(names = "--ring-blocks", defaultValue = "64", paramLabel = "N",
            description = "TPACKET_V3 ring blocks per interface. Default: ${DEFAULT-VALUE}.")
    int blockCount;

    @Option(names = "--ring-block-timeout-ms", defaultValue = "1", paramLabel = "MS",
            description = "How long the kernel may hold a partly filled ring block. Default: ${DEFAULT-VALUE}.")
    int blockTimeoutMs;

    @Option(names = "--idle-poll-ms", defaultValue = "10", paramLabel = "MS",
            description = "How long an idle worker blocks in poll(2) between housekeeping rounds. Default: ${DEFAULT-VALUE}.")
    int idlePollMs;

    @Override
    public Integer call() throws Exception {
        if (Libc.geteuid() != 0) {
            System.err.println("jlvs director: must run as root (packet sockets and nftables need CAP_NET_ADMIN/CAP_NET_RAW)");
            return 1;
        }
        Director director = new Director(new Director.Options(interfaces, connTableSize, blockSize, blockCount,
                blockTimeoutMs, idlePollMs));
        try {
            director.start();
        } catch (RuntimeException | java.io.IOException e) {
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
