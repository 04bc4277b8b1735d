package io.jlvs.keepalived.config;

import java.util.List;

/**
 * One health checker block of a real server, with every default resolved the way keepalived's
 * {@code validate_check_config} resolves it (checker → real server → virtual server → type default).
 * Equal records mean keepalived's reload would match the checkers and carry their state over.
 */
public sealed interface CheckerConfig {

    /** The block keyword: {@code TCP_CHECK}, {@code HTTP_GET} … */
    String type();

    /** Timing; FILE_CHECK has none of its own (its timing is {@link Timing#NONE}). */
    Timing timing();

    /**
     * Timing of a checker, microseconds.
     *
     * @param alpha            start DOWN and count failures from the first run
     * @param delayLoopUs      between rounds
     * @param warmupUs         upper bound of the random delay before the first round
     * @param retry            extra attempts before a running UP checker goes DOWN
     * @param delayBeforeRetryUs between those attempts
     * @param logAllFailures   log every failed attempt, not only state changes
     */
    record Timing(boolean alpha, long delayLoopUs, long warmupUs, long retry, long delayBeforeRetryUs,
                  boolean logAllFailures) {
        public static final Timing NONE = new Timing(false, 0, 0, 0, 0, false);
    }

    /**
     * Where a connection checker connects: {@code connect_ip}/{@code connect_port} (default the real server
     * as written in its block), {@code bindto}/{@code bind_port}, {@code bind_if}, {@code fwmark} (SO_MARK),
     * {@code connect_timeout}.
     */
    record Connection(Inet.SockAddr destination, Inet.SockAddr bindTo, String bindInterface, long fwmark,
                      long connectTimeoutUs) {}

    record Tcp(Timing timing, Connection connection) implements CheckerConfig {
        @Override
        public String type() {
            return "TCP_CHECK";
        }
    }

    /**
     * One {@code url} block: path, accepted status codes (default 200..299), MD5 digest of the body, the Host
     * header to send, and a PCRE-style regex the body must (or must not) match.
     */
    record Url(String path, List<Integer> statusCodes, String digestHex, String virtualhost, String regex,
               boolean regexNoMatch, long regexMinOffset, long regexMaxOffset) {
        public Url {
            statusCodes = List.copyOf(statusCodes);
        }
    }

    /**
     * HTTP_GET or SSL_GET.
     *
     * @param httpProtocol "1.0", "1.0C" or "1.1"
     * @param hostDefault  Host header when the url has none: checker, else real server, else virtual server
     *                     {@code virtualhost} (null: address:port)
     * @param sniName      SNI name for SSL_GET with {@code enable_sni}: url → checker → virtual server virtualhost
     */
    record Http(boolean ssl, Timing timing, Connection connection, List<Url> urls, String httpProtocol,
                String hostDefault, boolean fastRecovery, boolean enableSni, String sniName, boolean tlsCompliant)
            implements CheckerConfig {
        public Http {
            urls = List.copyOf(urls);
        }

        @Override
        public String type() {
            return ssl ? "SSL_GET" : "HTTP_GET";
        }
    }

    /**
     * MISC_CHECK.
     *
     * @param timeoutUs 0 means the virtual server's delay_loop
     * @param dynamic   exit codes 2..255 set the weight
     */
    record Misc(Timing timing, Script script, long timeoutUs, boolean dynamic) implements CheckerConfig {
        @Override
        public String type() {
            return "MISC_CHECK";
        }
    }

    /** DNS_CHECK: query type (numeric RR type) and name ({@code "."} when unset). */
    record Dns(Timing timing, Connection connection, int queryType, String name) implements CheckerConfig {
        @Override
        public String type() {
            return "DNS_CHECK";
        }
    }

    record Smtp(Timing timing, Connection connection, String heloName) implements CheckerConfig {
        @Override
        public String type() {
            return "SMTP_CHECK";
        }
    }

    /**
     * UDP_CHECK. Hex strings are lower case without blanks; {@code replyMaskHex} marks wildcard nibbles.
     */
    record Udp(Timing timing, Connection connection, String payloadHex, boolean requireReply, String replyHex,
               String replyMaskHex, int minReplyLength, int maxReplyLength) implements CheckerConfig {
        @Override
        public String type() {
            return "UDP_CHECK";
        }
    }

    record Ping(Timing timing, Connection connection) implements CheckerConfig {
        @Override
        public String type() {
            return "PING_CHECK";
        }
    }

    /** FILE_CHECK: the tracked file and the weight its value is multiplied by. */
    record File(TrackFile trackFile, long weight, boolean reverse) implements CheckerConfig {
        @Override
        public String type() {
            return "FILE_CHECK";
        }

        @Override
        public Timing timing() {
            return Timing.NONE;
        }
    }

    /** BFD_CHECK: up while the named BFD session is up (jlvs has no BFD: see docs/keepalived.md). */
    record Bfd(Timing timing, String name) implements CheckerConfig {
        @Override
        public String type() {
            return "BFD_CHECK";
        }
    }
}
