package io.jlvs.app;

import io.jlvs.io.linux.Netlink;

import java.lang.System.Logger;
import java.net.Inet4Address;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which IPv4 addresses this host holds on its interfaces, re-read every {@link #PERIOD_MS} (an RTM_GETADDR dump), so
 * a director in {@code --vip-arp held} mode answers ARP only for the VIPs a VRRP master has put on an interface.
 *
 * <p>Why: two directors that share a VIP by VRRP both carry the service; if both answered ARP for it, a client could
 * reach the backup. Kernel IPVS never answers ARP; the kernel does, and only for addresses it holds, which is what
 * keepalived relies on. {@link #onChange} runs on the watch's own thread when the set changed.
 */
final class HeldAddressWatch implements AutoCloseable {
    private static final Logger LOG = System.getLogger("jlvs.director");
    static final long PERIOD_MS = 50;

    private final Runnable onChange;
    private final Thread thread;
    private volatile Set<Integer> held;

    HeldAddressWatch(Runnable onChange) {
        this.onChange = onChange;
        this.held = read();
        this.thread = Thread.ofPlatform().name("jlvs-vip-watch").daemon().start(this::run);
    }

    /** The IPv4 addresses held now (as int, network order), as last read. */
    boolean holds(int ipv4) {
        return held.contains(ipv4);
    }

    private void run() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(PERIOD_MS);
                Set<Integer> now = read();
                if (!now.equals(held)) {
                    held = now;
                    onChange.run();
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(Logger.Level.WARNING, "reading the host's addresses failed: " + e.getMessage());
            }
        }
    }

    private static Set<Integer> read() {
        Set<Integer> out = new TreeSet<>();
        try (Netlink nl = Netlink.open()) {
            for (Netlink.Address a : nl.addresses()) {
                if (a.address() instanceof Inet4Address v4) {
                    out.add(Director.toInt(v4));
                }
            }
        }
        return Set.copyOf(out);
    }

    @Override
    public void close() {
        thread.interrupt();
    }
}
