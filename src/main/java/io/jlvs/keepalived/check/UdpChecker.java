package io.jlvs.keepalived.check;

import io.jlvs.keepalived.config.CheckerConfig;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * UDP_CHECK (check_udp.c): sends {@code payload} (default: 32 bytes of "keepalived check - " filler). Without
 * {@code require_reply}, success unless an ICMP error (port/host unreachable) comes back within
 * {@code connect_timeout} — silence is success. With it, a reply must come, its length within
 * [{@code min_reply_length}, {@code max_reply_length}], its first bytes matching (x nibbles are wildcards).
 */
public final class UdpChecker implements HealthChecker {
    static final byte[] DEFAULT_PAYLOAD = filler(32);

    private final CheckerConfig.Udp config;
    private final byte[] payload;
    private final byte[] reply;
    private final byte[] mask;

    public UdpChecker(CheckerConfig.Udp config) {
        this.config = config;
        this.payload = config.payloadHex() == null ? DEFAULT_PAYLOAD : HexFormat.of().parseHex(config.payloadHex());
        this.reply = config.replyHex() == null ? null : HexFormat.of().parseHex(config.replyHex());
        this.mask = config.replyMaskHex() == null ? null : HexFormat.of().parseHex(config.replyMaskHex());
    }

    static byte[] filler(int len) {
        byte[] s = "keepalived check - ".getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[len];
        for (int i = 0; i < len; i++) {
            out[i] = s[i % s.length];
        }
        return out;
    }

    @Override
    public String type() {
        return "UDP_CHECK";
    }

    @Override
    public Result check(int step) {
        String to = Endpoints.text(config.connection());
        try (DatagramSocket s = Endpoints.datagram(config.connection())) {
            if (s.getPort() == 0) {
                return Result.failed("UDP connection to " + to + " failed: no port");
            }
            s.send(new DatagramPacket(payload, payload.length));
            byte[] buf = new byte[config.maxReplyLength() + 1];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                s.receive(p);
            } catch (SocketTimeoutException e) {
                return config.requireReply() ? Result.failed("UDP connection to " + to + " failed: no reply")
                        : Result.ok("UDP connection to " + to + " success.");
            }
            if (!config.requireReply()) {
                return Result.ok("UDP connection to " + to + " success.");
            }
            if (!matches(buf, p.getLength())) {
                return Result.failed("UDP check to " + to + " reply data mismatch.");
            }
            return Result.ok("UDP connection to " + to + " success.");
        } catch (PortUnreachableException e) {
            return Result.failed("UDP connection to " + to + " failed: port unreachable");
        } catch (IOException e) {
            return Result.failed("UDP connection to " + to + " failed: " + e.getMessage());
        }
    }

    /** {@code check_udp_reply}: length in range and the first min(len, reply) bytes equal outside the mask. */
    boolean matches(byte[] data, int len) {
        if (reply == null) {
            return true;
        }
        if (len < config.minReplyLength() || len > config.maxReplyLength()) {
            return false;
        }
        int n = Math.min(len, reply.length);
        for (int i = 0; i < n; i++) {
            int m = mask == null ? 0xff : ~mask[i] & 0xff;
            if (((data[i] ^ reply[i]) & m) != 0) {
                return false;
            }
        }
        return true;
    }
}
