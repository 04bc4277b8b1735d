package io.jlvs.keepalived.check;

import io.jlvs.keepalived.config.CheckerConfig;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;

/**
 * DNS_CHECK (check_dns.c): one UDP query (random ID, RD set, one question of the configured type, class IN)
 * to the checker's destination; success is a response with the same ID, QR set and RCODE 0 within
 * {@code connect_timeout}. Responses with another ID, or queries, are ignored while waiting.
 *
 * <pre>
 *  0                   1
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |              ID               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |QR| Opcode |AA|TC|RD|RA| Z|RCODE|
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  QDCOUNT=1 | ANCOUNT | NSCOUNT | ARCOUNT (16 bits each)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | QNAME (labels) | QTYPE | QCLASS=1 |
 * </pre>
 */
public final class DnsChecker implements HealthChecker {
    private final CheckerConfig.Dns config;

    public DnsChecker(CheckerConfig.Dns config) {
        this.config = config;
    }

    @Override
    public String type() {
        return "DNS_CHECK";
    }

    /** The query keepalived sends, for the given ID. */
    public static byte[] query(int id, String name, int type) {
        ByteBuffer b = ByteBuffer.allocate(12 + name.length() + 2 + 4);
        b.putShort((short) id).putShort((short) 0x0100).putShort((short) 1).putShort((short) 0).putShort((short) 0)
                .putShort((short) 0);
        int s = 0;
        while (s < name.length()) {
            int e = name.indexOf('.', s);
            if (e < 0) {
                e = name.length();
            }
            b.put((byte) (e - s));
            for (int i = s; i < e; i++) {
                b.put((byte) name.charAt(i));
            }
            s = e < name.length() ? e + 1 : e;
        }
        if (!name.equals(".")) {
            b.put((byte) 0);
        }
        b.putShort((short) type).putShort((short) 1);
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }

    @Override
    public Result check(int step) {
        InetSocketAddress dst = Endpoints.destination(config.connection());
        String to = Endpoints.text(config.connection());
        if (dst == null || dst.getPort() == 0) {
            return Result.failed("DNS_CHECK (" + to + ") no destination port");
        }
        int id = ThreadLocalRandom.current().nextInt(0x10000);
        byte[] q = query(id, config.name(), config.queryType());
        long deadlineNs = System.nanoTime() + Endpoints.timeoutMs(config.connection()) * 1_000_000L;
        try (DatagramSocket s = Endpoints.datagram(config.connection())) {
            s.send(new DatagramPacket(q, q.length));
            byte[] buf = new byte[4096];
            while (true) {
                long leftMs = (deadlineNs - System.nanoTime()) / 1_000_000L;
                if (leftMs <= 0) {
                    return Result.failed("DNS_CHECK (" + to + ") read timeout from socket");
                }
                s.setSoTimeout((int) leftMs);
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    s.receive(p);
                } catch (SocketTimeoutException e) {
                    return Result.failed("DNS_CHECK (" + to + ") read timeout from socket");
                }
                if (p.getLength() < 12) {
                    continue;
                }
                int rid = ((buf[0] & 0xff) << 8) | (buf[1] & 0xff);
                int flags = ((buf[2] & 0xff) << 8) | (buf[3] & 0xff);
                if (rid != id || (flags & 0x8000) == 0) {
                    continue;
                }
                int rcode = flags & 0xf;
                if (rcode != 0) {
                    return Result.failed("DNS_CHECK (" + to + ") read error occurred. (rcode = " + rcode + ")");
                }
                return Result.ok("DNS_CHECK (" + to + ") success");
            }
        } catch (IOException e) {
            return Result.failed("DNS_CHECK (" + to + ") failed to read socket; " + e.getMessage());
        }
    }
}
