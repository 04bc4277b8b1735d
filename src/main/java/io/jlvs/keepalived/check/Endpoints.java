package io.jlvs.keepalived.check;

import io.jlvs.keepalived.config.CheckerConfig;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;

/** Socket set-up shared by the connection checkers: destination, source binding and the timeout. */
final class Endpoints {
    private Endpoints() {}

    /** The checker's destination; an unusable one (bad connect_ip) makes every attempt fail. */
    static InetSocketAddress destination(CheckerConfig.Connection c) {
        if (c == null || c.destination() == null) {
            return null;
        }
        return new InetSocketAddress(c.destination().address(), c.destination().port());
    }

    static int timeoutMs(CheckerConfig.Connection c) {
        long us = c == null ? 5_000_000L : c.connectTimeoutUs();
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (us + 999) / 1000));
    }

    /** A TCP socket bound as {@code bindto}/{@code bind_port} say, connected within the timeout. */
    static Socket connect(CheckerConfig.Connection c) throws IOException {
        InetSocketAddress dst = destination(c);
        if (dst == null) {
            throw new IOException("no destination");
        }
        if (dst.getPort() == 0) {
            throw new IOException("no port to connect to (set connect_port)");
        }
        Socket s = new Socket();
        try {
            if (c.bindTo() != null) {
                s.bind(new InetSocketAddress(c.bindTo().address(), c.bindTo().port()));
            }
            s.connect(dst, timeoutMs(c));
            s.setSoTimeout(timeoutMs(c));
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** A UDP socket bound as {@code bindto} says and connected to the destination. */
    static DatagramSocket datagram(CheckerConfig.Connection c) throws IOException {
        InetSocketAddress dst = destination(c);
        if (dst == null) {
            throw new IOException("no destination");
        }
        DatagramSocket s = c.bindTo() != null
                ? new DatagramSocket(new InetSocketAddress(c.bindTo().address(), c.bindTo().port()))
                : new DatagramSocket();
        try {
            s.connect(dst);
            s.setSoTimeout(timeoutMs(c));
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    static String text(CheckerConfig.Connection c) {
        InetSocketAddress d = destination(c);
        return d == null ? "[?]" : "[" + d.getAddress().getHostAddress() + "]:" + d.getPort();
    }
}
