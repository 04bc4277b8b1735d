package io.jlvs.sync;

import java.io.IOException;
import java.lang.System.Logger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A connection-sync daemon ({@code ipvsadm --start-daemon master|backup}), the user-space counterpart of
 * the kernel's sync threads, on the IPVS wire format ({@link SyncCodec}, version 1, 224.0.0.81:8848,
 * TTL 1 by default).
 *
 * <p>Master: every 20 ms drains the worker's {@link SyncRing} into messages of at most {@code maxLen}
 * bytes and multicasts them; it also listens on the group for a backup's resync request and then has
 * the worker send its whole table (jlvs goes beyond the kernel here: a backup that starts or comes back
 * gets the current state, not only later changes). Backup: receives, filters by syncid, hands entries
 * to the worker to install, and asks for a full resync when it starts.
 */
public final class SyncDaemon implements AutoCloseable {
    private static final Logger LOG = System.getLogger("jlvs.sync");
    public static final String DEFAULT_GROUP = "224.0.0.81";
    public static final int DEFAULT_PORT = 8848;

    /** What the daemon needs from the director's worker. */
    public interface WorkerLink {
        SyncRing ring();

        /** Every worker's ring (one producer each); the master drains them all. */
        default List<SyncRing> rings() {
            return List.of(ring());
        }

        void requestFullSync();

        void install(SyncEntry entry);
    }

    private final boolean master;
    private final int syncId;
    private final int maxLen;
    private final InetSocketAddress group;
    private final NetworkInterface nif;
    private final WorkerLink worker;
    private final DatagramChannel channel;
    private final Thread thread;
    private volatile boolean running = true;
    private long sentMessages;
    private long receivedEntries;
    private long badMessages;

    public SyncDaemon(boolean master, String ifname, int syncId, int maxLen, String groupAddress, int port, int ttl,
                      WorkerLink worker) throws IOException {
        this.master = master;
        this.syncId = syncId;
        this.maxLen = maxLen > 0 ? maxLen : 1500 - 28;
        this.group = new InetSocketAddress(InetAddress.getByName(groupAddress), port);
        this.nif = NetworkInterface.getByName(ifname);
        if (nif == null) {
            throw new IOException("no interface " + ifname);
        }
        this.worker = worker;
        this.channel = DatagramChannel.open(StandardProtocolFamily.INET)
                .setOption(StandardSocketOptions.SO_REUSEADDR, true)
                .setOption(StandardSocketOptions.IP_MULTICAST_IF, nif)
                .setOption(StandardSocketOptions.IP_MULTICAST_TTL, ttl)
                .setOption(StandardSocketOptions.IP_MULTICAST_LOOP, false)
                .bind(new InetSocketAddress(port));
        channel.join(group.getAddress(), nif);
        thread = Thread.ofPlatform().name("jlvs-sync-" + (master ? "master" : "backup")).daemon()
                .start(master ? this::runMaster : this::runBackup);
        LOG.log(Logger.Level.INFO, (master ? "master" : "backup") + " sync daemon on " + ifname + " syncid " + syncId
                + " group " + group);
    }

    private void runMaster() {
        ByteBuffer out = ByteBuffer.allocate(maxLen);
        ByteBuffer in = ByteBuffer.allocate(65536);
        List<SyncEntry> batch = new ArrayList<>();
        try {
            channel.configureBlocking(false);
            while (running) {
                in.clear();
                while (channel.receive(in) != null) {
                    in.flip();
                    if (SyncCodec.decode(in, syncId, e -> { }) == SyncCodec.Result.RESYNC_REQUEST) {
                        LOG.log(Logger.Level.INFO, "a backup asked for the whole connection table");
                        worker.requestFullSync();
                    }
                    in.clear();
                }
                batch.clear();
                for (SyncRing ring : worker.rings()) {
                    ring.drain(batch::add, 100_000);
                }
                SyncCodec.begin(out, syncId);
                for (SyncEntry e : batch) {
                    if (!SyncCodec.fits(out, e) || SyncCodec.count(out) == 255) {
                        send(out);
                        SyncCodec.begin(out, syncId);
                    }
                    SyncCodec.putEntry(out, e);
                }
                if (SyncCodec.count(out) > 0) {
                    send(out);
                }
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            if (running) {
                LOG.log(Logger.Level.ERROR, "sync master stopped: " + e.getMessage());
            }
        }
    }

    private void send(ByteBuffer out) throws IOException {
        SyncCodec.finish(out);
        channel.send(out, group);
        sentMessages++;
    }

    private void runBackup() {
        ByteBuffer in = ByteBuffer.allocate(65536);
        try {
            ByteBuffer req = ByteBuffer.allocate(SyncCodec.HEADER_V1);
            SyncCodec.resyncRequest(req, syncId);
            channel.send(req, group);
            Consumer<SyncEntry> install = e -> {
                receivedEntries++;
                worker.install(e);
            };
            while (running) {
                in.clear();
                channel.receive(in);
                in.flip();
                SyncCodec.Result r = SyncCodec.decode(in, syncId, install);
                if (r == SyncCodec.Result.BAD_LENGTH || r == SyncCodec.Result.BAD_ENTRY) {
                    badMessages++;
                }
            }
        } catch (IOException e) {
            if (running) {
                LOG.log(Logger.Level.ERROR, "sync backup stopped: " + e.getMessage());
            }
        }
    }

    public boolean master() {
        return master;
    }

    public long sentMessages() {
        return sentMessages;
    }

    public long receivedEntries() {
        return receivedEntries;
    }

    public long badMessages() {
        return badMessages;
    }

    @Override
    public void close() {
        running = false;
        try {
            channel.close();
        } catch (IOException e) {
            // closing
        }
        thread.interrupt();
    }
}
