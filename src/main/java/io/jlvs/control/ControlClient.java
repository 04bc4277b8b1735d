package io.jlvs.control;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@link IpvsApi} over the director's control socket (what {@code bin/ipvsadm} uses). One connection
 * per client; requests are answered in order.
 */
public final class ControlClient implements IpvsApi, AutoCloseable {
    private final SocketChannel channel;
    private final BufferedReader in;
    private final OutputStream out;

    private ControlClient(SocketChannel channel) {
        this.channel = channel;
        this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        this.out = Channels.newOutputStream(channel);
    }

    /** Connects to the director of this network namespace; throws IOException when none runs. */
    public static ControlClient connect() throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(ControlSocket.address());
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return new ControlClient(ch);
    }

    /** Sends one request and returns the result node; a refusal becomes {@link IpvsException}. */
    public JsonNode call(ControlProtocol.Request request) throws IpvsException {
        try {
            byte[] line = ControlProtocol.JSON.writeValueAsBytes(request);
            out.write(line);
            out.write('\n');
            out.flush();
            String reply = in.readLine();
            if (reply == null) {
                throw new IpvsException(Errno.EINVAL, "director closed the control connection");
            }
            ControlProtocol.Response r = ControlProtocol.JSON.readValue(reply, ControlProtocol.Response.class);
            if (!r.ok()) {
                Errno errno;
                try {
                    errno = Errno.valueOf(r.errno());
                } catch (RuntimeException e) {
                    errno = Errno.EINVAL;
                }
                throw new IpvsException(errno, r.message());
            }
            return r.result();
        } catch (IOException e) {
            throw new IpvsException(Errno.EINVAL, "control socket: " + e.getMessage());
        }
    }

    private <T> T convert(JsonNode node, Class<T> type) {
        return ControlProtocol.JSON.convertValue(node, type);
    }

    @Override
    public Info info() throws IpvsException {
        return convert(call(ControlProtocol.Request.of("info")), Info.class);
    }

    @Override
    public void addService(ServiceConfig service) throws IpvsException {
        call(new ControlProtocol.Request("addService", service, null, null, null, null));
    }

    @Override
    public void editService(ServiceConfig service) throws IpvsException {
        call(new ControlProtocol.Request("editService", service, null, null, null, null));
    }

    @Override
    public void deleteService(ServiceKey key) throws IpvsException {
        call(new ControlProtocol.Request("deleteService", null, key, null, null, null));
    }

    @Override
    public void flush() throws IpvsException {
        call(ControlProtocol.Request.of("flush"));
    }

    @Override
    public void addDest(ServiceKey service, DestConfig dest) throws IpvsException {
        call(new ControlProtocol.Request("addDest", null, service, dest, null, null));
    }

    @Override
    public void editDest(ServiceKey service, DestConfig dest) throws IpvsException {
        call(new ControlProtocol.Request("editDest", null, service, dest, null, null));
    }

    @Override
    public void deleteDest(ServiceKey service, InetAddress address, int port) throws IpvsException {
        call(new ControlProtocol.Request("deleteDest", null, service, null, address, port));
    }

    @Override
    public List<ServiceInfo> services() throws IpvsException {
        JsonNode n = call(ControlProtocol.Request.of("services"));
        return ControlProtocol.JSON.convertValue(n, new TypeReference<List<ServiceInfo>>() {});
    }

    @Override
    public ServiceInfo service(ServiceKey key) throws IpvsException {
        return convert(call(new ControlProtocol.Request("service", null, key, null, null, null)), ServiceInfo.class);
    }

    @Override
    public void zero(ServiceKey key) throws IpvsException {
        call(new ControlProtocol.Request("zero", null, key, null, null, null));
    }

    @Override
    public Timeouts timeouts() throws IpvsException {
        return convert(call(ControlProtocol.Request.of("timeouts")), Timeouts.class);
    }

    @Override
    public void setTimeouts(Timeouts timeouts) throws IpvsException {
        call(ControlProtocol.Request.withExtra("setTimeouts", timeouts));
    }

    @Override
    public List<String> connectionTable() throws IpvsException {
        return ControlProtocol.JSON.convertValue(call(ControlProtocol.Request.of("connectionTable")),
                new TypeReference<List<String>>() {});
    }

    @Override
    public void startDaemon(SyncDaemonConfig daemon) throws IpvsException {
        call(ControlProtocol.Request.withExtra("startDaemon", daemon));
    }

    @Override
    public void stopDaemon(String state) throws IpvsException {
        call(ControlProtocol.Request.withExtra("stopDaemon", state));
    }

    @Override
    public List<SyncDaemonConfig> daemons() throws IpvsException {
        return ControlProtocol.JSON.convertValue(call(ControlProtocol.Request.of("daemons")),
                new TypeReference<List<SyncDaemonConfig>>() {});
    }

    @Override
    public void addLocalAddress(ServiceKey service, InetAddress address) throws IpvsException {
        call(new ControlProtocol.Request("addLocalAddress", null, service, null, address, null));
    }

    @Override
    public void deleteLocalAddress(ServiceKey service, InetAddress address) throws IpvsException {
        call(new ControlProtocol.Request("deleteLocalAddress", null, service, null, address, null));
    }

    @Override
    public List<InetAddress> localAddresses(ServiceKey service) throws IpvsException {
        return ControlProtocol.JSON.convertValue(
                call(new ControlProtocol.Request("localAddresses", null, service, null, null, null)),
                new TypeReference<List<InetAddress>>() {});
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
