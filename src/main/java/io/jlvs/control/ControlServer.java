package io.jlvs.control;

import com.fasterxml.jackson.databind.JsonNode;
import io.jlvs.io.linux.Libc;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * Serves {@link ControlProtocol} on the namespace's control socket, one thread per client, dispatching
 * to the in-process {@link Ipvs}. Extra ops (director status, connection listing) are registered by the
 * director with {@link #register}.
 *
 * <p>Access: the socket file is {@code rw-rw----} (group: the {@code --control-group}, else root's), and
 * every connection's peer is checked again on its kernel credentials ({@code SO_PEERCRED}) against
 * {@link ControlAccess}, so a socket file opened up by mistake still lets no one in. A refused peer gets
 * one {@code EPERM} answer (ipvsadm prints "Permission denied (you must be root)") and is disconnected.
 * Every accepted change is logged with who made it. The socket is a plain {@code AF_UNIX} stream socket
 * driven through {@link Libc} because the JDK's channels do not tell the peer's pid or supplementary groups.
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger LOG = System.getLogger("jlvs.control");

    /** A request line longer than this is refused and the connection closed. */
    static final int MAX_LINE_BYTES = 1 << 20;
    /** What a refused peer may send before its one EPERM answer. */
    static final int MAX_REFUSED_LINE_BYTES = 4096;
    /** Privileged clients served at once; refused ones have their own, smaller budget. */
    static final int MAX_CLIENTS = 64;
    static final int MAX_REFUSED_CLIENTS = 8;
    /** How long a refused peer may take to send its request. */
    static final int REFUSED_TIMEOUT_MS = 2000;
    private static final int IO_BUFFER_BYTES = 64 * 1024;

    private final Ipvs ipvs;
    private final Path path;
    private final ControlAccess access;
    private final int listenFd;
    private final Map<String, Function<ControlProtocol.Request, Object>> extraOps = new ConcurrentHashMap<>();
    private final Set<String> extraChangingOps = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    /** Open client descriptors, guarded by itself so that close() never shuts down a reused number. */
    private final Set<Integer> clients = new HashSet<>();
    private int privilegedClients;
    private int refusedClients;
    private volatile boolean closed;

    /** Binds the socket for root and the director's own user; fails when another director serves this namespace. */
    public ControlServer(Ipvs ipvs) throws IOException {
        this(ipvs, null);
    }

    /**
     * Binds the socket; fails when another director already serves this namespace or the group is unknown.
     *
     * @param controlGroup a group whose members may use the socket as root does ({@code --control-group}), or null
     */
    public ControlServer(Ipvs ipvs, String controlGroup) throws IOException {
        this.ipvs = ipvs;
        this.path = ControlSocket.path();
        Files.createDirectories(path.getParent());
        if (Files.exists(path)) {
            try (ControlClient c = ControlClient.connect()) {
                throw new IOException("a director already serves this network namespace (" + path + ")");
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("a director")) {
                    throw e;
                }
                Files.deleteIfExists(path); // stale socket of a director that died
            }
        }
        this.listenFd = bindAndListen(path);
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
            int gid = -1;
            if (controlGroup != null && !controlGroup.isEmpty()) {
                gid = applyGroup(path, controlGroup);
            }
            this.access = new ControlAccess(Libc.geteuid(), gid, controlGroup);
        } catch (IOException | RuntimeException e) {
            Libc.close(listenFd);
            Files.deleteIfExists(path);
            throw e;
        }
        LOG.log(Logger.Level.INFO, "control socket " + path + ": open to " + access.describe());
        acceptor = Thread.ofPlatform().name("jlvs-control").daemon().start(this::acceptLoop);
    }

    private static int bindAndListen(Path path) throws IOException {
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        if (name.length > Libc.SOCKADDR_UN_PATH_MAX) {
            throw new IOException("control socket path longer than " + Libc.SOCKADDR_UN_PATH_MAX + " bytes: " + path);
        }
        int fd = Libc.socket(Libc.AF_UNIX, Libc.SOCK_STREAM | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw new IOException("control socket: socket: " + Libc.strerror(-fd));
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(Libc.SOCKADDR_UN_BYTES, 2);
            addr.set(ValueLayout.JAVA_SHORT, 0, (short) Libc.AF_UNIX);
            MemorySegment.copy(name, 0, addr, ValueLayout.JAVA_BYTE, 2, name.length);
            int r = Libc.bind(fd, addr, 2 + name.length + 1);
            if (r < 0) {
                throw new IOException("control socket: bind " + path + ": " + Libc.strerror(-r));
            }
            r = Libc.listen(fd, 64);
            if (r < 0) {
                throw new IOException("control socket: listen: " + Libc.strerror(-r));
            }
            return fd;
        } catch (IOException | RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    /** Gives the socket file to the control group; returns its gid. */
    private static int applyGroup(Path path, String group) throws IOException {
        GroupPrincipal principal;
        try {
            principal = FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
        } catch (UserPrincipalNotFoundException e) {
            throw new IOException("control group: no such group: group=" + group);
        }
        Files.getFileAttributeView(path, PosixFileAttributeView.class).setGroup(principal);
        return (Integer) Files.getAttribute(path, "unix:gid");
    }

    /** Adds a read-only op (status, listings): any permitted peer may run it; it is not logged. */
    public void register(String op, Function<ControlProtocol.Request, Object> handler) {
        extraOps.put(op, handler);
    }

    /** Adds an op that changes state: each accepted call is logged with its author, like the table ops. */
    public void registerChange(String op, Function<ControlProtocol.Request, Object> handler) {
        extraChangingOps.add(op);
        extraOps.put(op, handler);
    }

    /** Who may use the socket. */
    public ControlAccess access() {
        return access;
    }

    private void acceptLoop() {
        while (!closed) {
            int fd = Libc.accept4(listenFd, Libc.SOCK_CLOEXEC);
            if (fd < 0) {
                if (closed) {
                    break;
                }
                if (-fd != Libc.EINTR && -fd != Libc.EAGAIN) {
                    LOG.log(Logger.Level.WARNING, "control accept: " + Libc.strerror(-fd));
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // e.g. out of descriptors: let them free
                }
                continue;
            }
            PeerCredentials peer;
            try {
                peer = PeerCredentials.of(fd);
            } catch (RuntimeException e) {
                LOG.log(Logger.Level.WARNING, "control: closing a connection whose peer is unknown: " + e.getMessage());
                Libc.close(fd);
                continue;
            }
            boolean permitted = access.permits(peer);
            if (!admit(fd, permitted)) {
                LOG.log(Logger.Level.WARNING, "control: too many " + (permitted ? "" : "refused ")
                        + "connections, closing one from " + peer);
                Libc.close(fd);
                continue;
            }
            if (!permitted) {
                LOG.log(Logger.Level.WARNING, "control: refused " + peer + " (needs " + access.describe() + ")");
            }
            Thread.ofPlatform().name("jlvs-control-client").daemon().start(() -> serve(fd, peer, permitted));
        }
    }

    private boolean admit(int fd, boolean permitted) {
        synchronized (clients) {
            if (closed || (permitted ? privilegedClients >= MAX_CLIENTS : refusedClients >= MAX_REFUSED_CLIENTS)) {
                return false;
            }
            if (permitted) {
                privilegedClients++;
            } else {
                refusedClients++;
            }
            clients.add(fd);
            return true;
        }
    }

    private void release(int fd, boolean permitted) {
        synchronized (clients) {
            if (permitted) {
                privilegedClients--;
            } else {
                refusedClients--;
            }
            clients.remove(fd);
            Libc.close(fd);
        }
    }

    /** One client: request lines in, response lines out, until it hangs up (a refused peer: one answer). */
    private void serve(int fd, PeerCredentials peer, boolean permitted) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment io = arena.allocate(IO_BUFFER_BYTES);
            byte[] chunk = new byte[IO_BUFFER_BYTES];
            int maxLine = permitted ? MAX_LINE_BYTES : MAX_REFUSED_LINE_BYTES;
            if (!permitted) {
                MemorySegment tv = arena.allocate(Libc.TIMEVAL_BYTES, 8);
                tv.set(ValueLayout.JAVA_LONG, 0, REFUSED_TIMEOUT_MS / 1000);
                tv.set(ValueLayout.JAVA_LONG, 8, (REFUSED_TIMEOUT_MS % 1000) * 1000L);
                Libc.setsockopt(fd, Libc.SOL_SOCKET, Libc.SO_RCVTIMEO, tv, Libc.TIMEVAL_BYTES);
            }
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (true) {
                long n = Libc.recv(fd, io, IO_BUFFER_BYTES, 0);
                if (n == -Libc.EINTR) {
                    continue;
                }
                if (n <= 0) {
                    return; // hung up, timed out (a refused peer) or failed
                }
                MemorySegment.copy(io, ValueLayout.JAVA_BYTE, 0, chunk, 0, (int) n);
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (chunk[i] != '\n') {
                        continue;
                    }
                    line.write(chunk, start, i - start);
                    start = i + 1;
                    ControlProtocol.Response r = permitted
                            ? dispatch(ipvs, extraOps, extraChangingOps, line.toString(StandardCharsets.UTF_8), peer)
                            : refusal();
                    line.reset();
                    if (!send(fd, io, ControlProtocol.JSON.writeValueAsBytes(r)) || !permitted) {
                        return;
                    }
                }
                line.write(chunk, start, (int) n - start);
                if (line.size() > maxLine) {
                    send(fd, io, ControlProtocol.JSON.writeValueAsBytes(permitted
                            ? ControlProtocol.Response.error("EINVAL", "request longer than " + maxLine + " bytes")
                            : refusal()));
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Logger.Level.WARNING, "control client " + peer + ": " + e.getMessage());
        } finally {
            release(fd, permitted);
        }
    }

    /** Writes one response line (the JSON and a newline) through the I/O buffer. */
    private static boolean send(int fd, MemorySegment io, byte[] json) {
        byte[] lineBytes = new byte[json.length + 1];
        System.arraycopy(json, 0, lineBytes, 0, json.length);
        lineBytes[json.length] = '\n';
        int off = 0;
        while (off < lineBytes.length) {
            int len = (int) Math.min(io.byteSize(), lineBytes.length - off);
            MemorySegment.copy(lineBytes, off, io, ValueLayout.JAVA_BYTE, 0, len);
            int sent = 0;
            while (sent < len) {
                long w = Libc.send(fd, io.asSlice(sent), len - sent, Libc.MSG_NOSIGNAL);
                if (w == -Libc.EINTR) {
                    continue;
                }
                if (w <= 0) {
                    return false;
                }
                sent += (int) w;
            }
            off += len;
        }
        return true;
    }

    static ControlProtocol.Response refusal() {
        return ControlProtocol.Response.error("EPERM", "Permission denied (you must be root)");
    }

    /** One request line to one response; never throws. */
    ControlProtocol.Response handle(String line) {
        return dispatch(ipvs, extraOps, extraChangingOps, line, PeerCredentials.self());
    }

    /** One request line from a trusted in-process caller (tests, the fuzzer): nothing is logged. */
    static ControlProtocol.Response dispatch(Ipvs ipvs, Map<String, Function<ControlProtocol.Request, Object>> extraOps,
                                             String line) {
        return dispatch(ipvs, extraOps, Set.of(), line, null);
    }

    /**
     * One request line to one response; never throws. The caller has already checked {@code peer} against
     * {@link ControlAccess}; an accepted change is logged with it (nothing is logged when it is null).
     */
    static ControlProtocol.Response dispatch(Ipvs ipvs, Map<String, Function<ControlProtocol.Request, Object>> extraOps,
                                             Set<String> extraChangingOps, String line, PeerCredentials peer) {
        ControlProtocol.Request req;
        try {
            req = ControlProtocol.JSON.readValue(line, ControlProtocol.Request.class);
        } catch (IOException e) {
            return ControlProtocol.Response.error("EINVAL", "bad request: " + e.getMessage());
        }
        if (req == null) {
            return ControlProtocol.Response.error("EINVAL", "bad request: empty");
        }
        try {
            Object result = switch (req.op() == null ? "" : req.op()) {
                case "info" -> ipvs.info();
                case "addService" -> { ipvs.addService(req.service()); yield null; }
                case "editService" -> { ipvs.editService(req.service()); yield null; }
                case "deleteService" -> { ipvs.deleteService(req.key()); yield null; }
                case "flush" -> { ipvs.flush(); yield null; }
                case "addDest" -> { ipvs.addDest(req.key(), req.dest()); yield null; }
                case "editDest" -> { ipvs.editDest(req.key(), req.dest()); yield null; }
                case "deleteDest" -> { ipvs.deleteDest(req.key(), req.address(), req.port() == null ? 0 : req.port()); yield null; }
                case "services" -> ipvs.services();
                case "service" -> ipvs.service(req.key());
                case "zero" -> { ipvs.zero(req.key()); yield null; }
                case "timeouts" -> ipvs.timeouts();
                case "setTimeouts" -> { ipvs.setTimeouts(ControlProtocol.JSON.convertValue(req.extra(), IpvsApi.Timeouts.class)); yield null; }
                case "connectionTable" -> ipvs.connectionTable();
                case "startDaemon" -> { ipvs.startDaemon(ControlProtocol.JSON.convertValue(req.extra(), IpvsApi.SyncDaemonConfig.class)); yield null; }
                case "stopDaemon" -> { ipvs.stopDaemon(req.extra().asText()); yield null; }
                case "daemons" -> ipvs.daemons();
                case "addLocalAddress" -> { ipvs.addLocalAddress(req.key(), req.address()); yield null; }
                case "deleteLocalAddress" -> { ipvs.deleteLocalAddress(req.key(), req.address()); yield null; }
                case "localAddresses" -> ipvs.localAddresses(req.key());
                case "addMark" -> { ipvs.addMarkRule(req.mark()); yield null; }
                case "deleteMark" -> { ipvs.deleteMarkRule(req.mark()); yield null; }
                case "marks" -> ipvs.markRules();
                default -> {
                    Function<ControlProtocol.Request, Object> h = extraOps.get(req.op());
                    if (h == null) {
                        throw new IpvsException(Errno.EINVAL, "unknown op " + req.op());
                    }
                    yield h.apply(req);
                }
            };
            if (peer != null && (ControlAccess.changesState(req.op()) || extraChangingOps.contains(req.op()))) {
                LOG.log(Logger.Level.INFO, "control: " + describe(req) + " by " + peer);
            }
            return ControlProtocol.Response.ok(result instanceof JsonNode n ? n : result);
        } catch (IpvsException e) {
            return ControlProtocol.Response.error(e.errno().name(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Logger.Level.WARNING, "control op " + req.op() + " failed", e);
            return ControlProtocol.Response.error("EINVAL", String.valueOf(e.getMessage()));
        }
    }

    /** The change for the log: {@code addDest TCP 198.18.0.100:80 real 198.19.0.11:80}. */
    static String describe(ControlProtocol.Request req) {
        StringBuilder sb = new StringBuilder(req.op());
        try {
            if (req.service() != null) {
                sb.append(' ').append(req.service().key()).append(" scheduler ").append(req.service().scheduler());
            } else if (req.key() != null) {
                sb.append(' ').append(req.key());
            }
            if (req.dest() != null && req.dest().address() != null) {
                sb.append(" real ").append(req.dest().address().getHostAddress()).append(':').append(req.dest().port())
                        .append(' ').append(req.dest().method()).append(" weight ").append(req.dest().weight());
            } else if (req.address() != null) {
                sb.append(" real ").append(req.address().getHostAddress()).append(':')
                        .append(req.port() == null ? 0 : req.port());
            }
            if (req.mark() != null) {
                sb.append(' ').append(req.mark().describe());
            }
            if (req.extra() != null) {
                String extra = req.extra().toString();
                sb.append(' ').append(extra.length() > 200 ? extra.substring(0, 200) + "…" : extra);
            }
        } catch (RuntimeException e) {
            sb.append(" (undescribable: ").append(e.getClass().getSimpleName()).append(')');
        }
        return sb.toString();
    }

    @Override
    public void close() {
        synchronized (clients) {
            if (closed) {
                return;
            }
            closed = true;
            for (int fd : clients) {
                Libc.shutdown(fd, Libc.SHUT_RDWR); // wakes the client's thread, which closes it
            }
        }
        Libc.shutdown(listenFd, Libc.SHUT_RDWR); // wakes accept
        try {
            acceptor.join(TimeUnit.SECONDS.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Libc.close(listenFd);
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.log(Logger.Level.WARNING, "could not remove " + path);
        }
    }
}
