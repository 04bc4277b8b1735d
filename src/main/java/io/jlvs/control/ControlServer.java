package io.jlvs.control;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.System.Logger;
import java.net.StandardProtocolFamily;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Serves {@link ControlProtocol} on the namespace's control socket, one virtual thread per client,
 * dispatching to the in-process {@link Ipvs}. Extra ops (director status, connection listing) are
 * registered by the director with {@link #register}.
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger LOG = System.getLogger("jlvs.control");

    private final Ipvs ipvs;
    private final Path path;
    private final ServerSocketChannel server;
    private final Map<String, Function<ControlProtocol.Request, Object>> extraOps = new ConcurrentHashMap<>();
    private final Thread acceptor;

    /** Binds the socket; fails when another director already serves this namespace. */
    public ControlServer(Ipvs ipvs) throws IOException {
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
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(ControlSocket.address());
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
        acceptor = Thread.ofPlatform().name("jlvs-control").daemon().start(this::acceptLoop);
    }

    public void register(String op, Function<ControlProtocol.Request, Object> handler) {
        extraOps.put(op, handler);
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel ch = server.accept();
                Thread.ofVirtual().name("jlvs-control-client").start(() -> serve(ch));
            } catch (IOException e) {
                if (server.isOpen()) {
                    LOG.log(Logger.Level.WARNING, "control accept: " + e.getMessage());
                }
            }
        }
    }

    private void serve(SocketChannel ch) {
        try (ch) {
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
            OutputStream out = Channels.newOutputStream(ch);
            String line;
            while ((line = in.readLine()) != null) {
                ControlProtocol.Response r = handle(line);
                out.write(ControlProtocol.JSON.writeValueAsBytes(r));
                out.write('\n');
                out.flush();
            }
        } catch (IOException e) {
            // client went away
        }
    }

    /** One request line to one response; never throws. */
    ControlProtocol.Response handle(String line) {
        return dispatch(ipvs, extraOps, line);
    }

    static ControlProtocol.Response dispatch(Ipvs ipvs, Map<String, Function<ControlProtocol.Request, Object>> extraOps,
                                             String line) {
        ControlProtocol.Request req;
        try {
            req = ControlProtocol.JSON.readValue(line, ControlProtocol.Request.class);
        } catch (IOException e) {
            return ControlProtocol.Response.error("EINVAL", "bad request: " + e.getMessage());
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
            return ControlProtocol.Response.ok(result instanceof JsonNode n ? n : result);
        } catch (IpvsException e) {
            return ControlProtocol.Response.error(e.errno().name(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Logger.Level.WARNING, "control op " + req.op() + " failed", e);
            return ControlProtocol.Response.error("EINVAL", String.valueOf(e.getMessage()));
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.log(Logger.Level.WARNING, "could not remove " + path);
        }
    }
}
