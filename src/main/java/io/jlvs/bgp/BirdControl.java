package io.jlvs.bgp;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A client of BIRD's control socket (what {@code birdc -s SOCK} speaks), one connection per command.
 *
 * <pre>
 * BIRD → 0001 BIRD 2.0.12 ready.          greeting
 * us   → show protocols                   one command line
 * BIRD → 2002-Name  Proto  Table  State   "CCCC-text": more lines follow
 *        1002-device1  Device  ---  up     CCCC: 0xxx done, 1xxx data, 2xxx heading, 8xxx/9xxx error
 *         bgp1  BGP  ---  up  …           " text": one more line under the previous code
 *        0000                              "CCCC text": the last line of the reply
 * </pre>
 */
public final class BirdControl {
    /** One reply: its lines without the code prefixes, and the code of its last line. */
    public record Reply(int code, List<String> lines) {
        /** 8xxx run-time errors, 9xxx parse errors. */
        public boolean ok() {
            return code < 8000;
        }

        public String text() {
            return String.join("\n", lines);
        }
    }

    private final Path socket;
    private final long timeoutMs;

    public BirdControl(Path socket, long timeoutMs) {
        this.socket = socket;
        this.timeoutMs = timeoutMs;
    }

    public Path socket() {
        return socket;
    }

    /** Runs one command; IOException when BIRD does not answer in time (not running, stuck). */
    public Reply command(String command) throws IOException {
        if (command.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("bird control: a command is one line: command=" + command);
        }
        long deadlineNs = System.nanoTime() + timeoutMs * 1_000_000L;
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
             Selector selector = Selector.open()) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.configureBlocking(false);
            ch.register(selector, SelectionKey.OP_READ);
            LineReader in = new LineReader(ch, selector, deadlineNs);
            Reply greeting = readReply(in);
            if (greeting.code() != 1) {
                throw new IOException("bird control: unexpected greeting: " + greeting.text());
            }
            ByteBuffer out = ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                ch.write(out);
            }
            return readReply(in);
        }
    }

    /** {@code configure}: BIRD re-reads its configuration file; a bad file leaves the running one in place. */
    public Reply configure() throws IOException {
        return command("configure");
    }

    /** {@code show protocols}, parsed. */
    public List<ProtocolStatus> showProtocols() throws IOException {
        Reply r = command("show protocols");
        if (!r.ok()) {
            throw new IOException("bird control: show protocols: " + r.text());
        }
        return ProtocolStatus.parse(r.lines());
    }

    static Reply readReply(LineSource in) throws IOException {
        List<String> lines = new ArrayList<>();
        int code = -1;
        while (true) {
            String line = in.readLine();
            if (line == null) {
                throw new IOException("bird control: connection closed mid-reply after: " + lines);
            }
            if (line.startsWith(" ")) {
                lines.add(line.substring(1));
                continue;
            }
            if (line.length() < 4 || !line.substring(0, 4).chars().allMatch(Character::isDigit)) {
                throw new IOException("bird control: malformed reply line: " + line);
            }
            code = Integer.parseInt(line.substring(0, 4));
            boolean last = line.length() == 4 || line.charAt(4) == ' ';
            String text = line.length() > 5 ? line.substring(5) : "";
            if (!(last && text.isEmpty() && code == 0 && !lines.isEmpty())) {
                lines.add(text);
            }
            if (last) {
                return new Reply(code, lines);
            }
        }
    }

    /** Where reply lines come from (a socket, or a string in tests). */
    interface LineSource {
        String readLine() throws IOException;
    }

    private static final class LineReader implements LineSource {
        private final SocketChannel ch;
        private final Selector selector;
        private final long deadlineNs;
        private final ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        private final StringBuilder pending = new StringBuilder();

        LineReader(SocketChannel ch, Selector selector, long deadlineNs) {
            this.ch = ch;
            this.selector = selector;
            this.deadlineNs = deadlineNs;
        }

        @Override
        public String readLine() throws IOException {
            while (true) {
                int nl = pending.indexOf("\n");
                if (nl >= 0) {
                    String line = pending.substring(0, nl);
                    pending.delete(0, nl + 1);
                    return line;
                }
                long leftMs = (deadlineNs - System.nanoTime()) / 1_000_000L;
                if (leftMs <= 0) {
                    throw new IOException("bird control: no answer within the timeout");
                }
                selector.select(leftMs);
                selector.selectedKeys().clear();
                buf.clear();
                int n = ch.read(buf);
                if (n < 0) {
                    return pending.isEmpty() ? null : drain();
                }
                buf.flip();
                pending.append(StandardCharsets.UTF_8.decode(buf));
            }
        }

        private String drain() {
            String s = pending.toString();
            pending.setLength(0);
            return s;
        }
    }
}
