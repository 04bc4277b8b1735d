package io.jlvs.control;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a director's control socket lives. As the real ipvsadm reaches the IPVS of its own network
 * namespace, the path is keyed by the namespace's inode, so {@code ip netns exec X ipvsadm …} finds the
 * director running in X with no extra flag.
 */
public final class ControlSocket {
    private ControlSocket() {}

    /** Overridable for tests ({@code JLVS_RUN_DIR}). */
    public static Path runDir() {
        String dir = System.getenv("JLVS_RUN_DIR");
        return Path.of(dir != null && !dir.isEmpty() ? dir : "/run/jlvs");
    }

    /** The inode number of this process's network namespace ("4026531840"). */
    public static String netnsId() {
        try {
            String link = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString(); // net:[NNN]
            return link.substring(link.indexOf('[') + 1, link.indexOf(']'));
        } catch (IOException | RuntimeException e) {
            return "default";
        }
    }

    public static Path path() {
        return runDir().resolve("ctl-" + netnsId() + ".sock");
    }

    public static UnixDomainSocketAddress address() {
        return UnixDomainSocketAddress.of(path());
    }
}
