package io.jlvs.ops;

import io.jlvs.io.linux.Netlink;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** {@link Doctor.Network} on this machine: netlink, plain TCP sockets and {@link LinkProber}. */
public final class LinuxDoctorNetwork implements Doctor.Network {
    @Override
    public List<Netlink.Link> links() {
        try (Netlink nl = Netlink.open()) {
            return nl.links();
        }
    }

    @Override
    public List<Netlink.Address> addresses() {
        try (Netlink nl = Netlink.open()) {
            return nl.addresses();
        }
    }

    @Override
    public Netlink.Route route(InetAddress to) {
        try (Netlink nl = Netlink.open()) {
            return nl.routeTo(to);
        }
    }

    @Override
    public Doctor.TcpOutcome connect(InetAddress bindTo, InetAddress to, int port, int timeoutMs) {
        try (Socket s = new Socket()) {
            if (bindTo != null) {
                s.bind(new InetSocketAddress(bindTo, 0));
            }
            s.connect(new InetSocketAddress(to, port), timeoutMs);
            return new Doctor.TcpOutcome(true, "");
        } catch (ConnectException e) {
            String m = String.valueOf(e.getMessage());
            return new Doctor.TcpOutcome(false, m.toLowerCase().contains("refused") ? "refused" : m);
        } catch (SocketTimeoutException e) {
            return new Doctor.TcpOutcome(false, "timeout after " + timeoutMs + " ms");
        } catch (NoRouteToHostException e) {
            return new Doctor.TcpOutcome(false, "unreachable: " + e.getMessage());
        } catch (IOException e) {
            return new Doctor.TcpOutcome(false, String.valueOf(e.getMessage()));
        }
    }

    @Override
    public Doctor.HttpOutcome http(InetAddress to, int port, int timeoutMs) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(to, port), timeoutMs);
            s.setSoTimeout(timeoutMs);
            OutputStream out = s.getOutputStream();
            String host = to.getHostAddress().contains(":") ? "[" + to.getHostAddress() + "]" : to.getHostAddress();
            out.write(("GET / HTTP/1.0\r\nHost: " + host + "\r\nUser-Agent: jlvs-doctor\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1))
                    .readLine();
            if (line == null || !line.startsWith("HTTP/")) {
                return new Doctor.HttpOutcome(0, "no HTTP status line (" + line + ")");
            }
            String[] f = line.split(" ", 3);
            int status = f.length > 1 && f[1].matches("\\d{3}") ? Integer.parseInt(f[1]) : 0;
            return new Doctor.HttpOutcome(status, line.strip());
        } catch (SocketTimeoutException e) {
            return new Doctor.HttpOutcome(0, "no answer within " + timeoutMs + " ms");
        } catch (IOException e) {
            return new Doctor.HttpOutcome(0, String.valueOf(e.getMessage()));
        }
    }

    @Override
    public List<Long> arp(int ifindex, long ourMac, int ourIp, int targetIp, long timeoutMs) {
        try (LinkProber p = new LinkProber(ifindex, ourMac, ourIp)) {
            return p.arp(targetIp, timeoutMs);
        }
    }

    @Override
    public LinkProber.SynResult syn(int ifindex, long ourMac, int ourIp, long realServerMac, int vip, int port,
                                    long timeoutMs) {
        try (LinkProber p = new LinkProber(ifindex, ourMac, ourIp)) {
            return p.syn(realServerMac, vip, port, timeoutMs);
        }
    }
}
