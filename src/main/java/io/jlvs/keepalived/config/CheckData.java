package io.jlvs.keepalived.config;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The checker side while it is being parsed: mutable counterparts of keepalived's {@code check_data_t},
 * {@code virtual_server_t}, {@code real_server_t} and {@code checker_t}, with keepalived's "unset" markers
 * ({@code -1}/{@code UNSET}) so defaults can be applied after the pass exactly as keepalived applies them.
 */
final class CheckData {
    static final long UNSET = -1;
    /** keepalived's {@code IP_VS_CONN_F_FWD_MASK}: forwarding method not set yet. */
    static final int FWD_UNSET = -1;

    final List<Vsg> groups = new ArrayList<>();
    final List<Vs> virtualServers = new ArrayList<>();
    final List<Checker> queue = new ArrayList<>();
    final List<TrackFileB> trackFiles = new ArrayList<>();
    boolean ssl;

    static final class Vsg {
        final String name;
        final List<VirtualServerGroup.Entry> entries = new ArrayList<>();
        boolean haveIpv4;
        boolean haveIpv6;
        boolean fwmarkNoFamily;

        Vsg(String name) {
            this.name = name;
        }

        boolean hasAddresses() {
            return entries.stream().anyMatch(e -> !e.isFwmark());
        }

        boolean hasFwmarks() {
            return entries.stream().anyMatch(VirtualServerGroup.Entry::isFwmark);
        }
    }

    static final class Fwd {
        int method = FWD_UNSET;
        int tunType;
        int tunPort;
        int tunFlags;

        Fwd copy() {
            Fwd f = new Fwd();
            f.method = method;
            f.tunType = tunType;
            f.tunPort = tunPort;
            f.tunFlags = tunFlags;
            return f;
        }
    }

    static final class Vs {
        String vsgName;
        Vsg vsg;
        int groupIndex;
        long fwmark;
        InetAddress addr;
        int port;
        int af;
        int protocol;
        String sched = "";
        int flags;
        boolean hashed;
        long persistenceTimeout;
        long granularity = -1;
        String persistenceEngine;
        Fwd fwd = new Fwd();
        long connectTimeoutUs = 5 * Numbers.TIMER_HZ;
        long delayLoopUs = 60 * Numbers.TIMER_HZ;
        long warmupUs = UNSET;
        long retry = UNSET;
        long delayBeforeRetryUs = UNSET;
        long weight = 1;
        boolean alpha;
        boolean omega;
        boolean inhibit;
        boolean haSuspend;
        long quorum = 1;
        long hysteresis;
        Script quorumUp;
        Script quorumDown;
        int smtpAlert = -1;
        String virtualhost;
        Rs sorry;
        boolean sorryDuplicatesRs;
        final List<Rs> rs = new ArrayList<>();

        /** keepalived's FMT_VS. */
        String display() {
            if (vsgName != null) {
                return "[" + vsgName + "]:" + groupIndex;
            }
            if (fwmark != 0) {
                return "FWM " + fwmark;
            }
            if (addr == null) {
                return "[]:" + port;
            }
            return new Inet.SockAddr(addr, port).trio(protocol);
        }
    }

    static final class Rs {
        InetAddress addr;
        int port;
        Fwd fwd;
        long weight = UNSET;
        long uthreshold;
        long lthreshold;
        int inhibit = -1;
        int alpha = -1;
        Script notifyUp;
        Script notifyDown;
        long connectTimeoutUs = UNSET;
        long delayLoopUs = UNSET;
        long warmupUs = UNSET;
        long retry = UNSET;
        long delayBeforeRetryUs = UNSET;
        int smtpAlert = -1;
        String virtualhost;
        final List<Checker> checkers = new ArrayList<>();
        final List<FileCheck> fileChecks = new ArrayList<>();
        boolean sorry;

        int af() {
            return addr instanceof java.net.Inet6Address ? Inet.AF_INET6 : Inet.AF_INET;
        }

        Inet.SockAddr sock() {
            return new Inet.SockAddr(addr, port);
        }
    }

    /** Connection options of a checker ({@code conn_opts_t}). */
    static final class Conn {
        InetAddress dst;
        int dstPort;
        boolean dstUnspec;
        InetAddress bindTo;
        int bindPort;
        String bindIf;
        long fwmark;
        long timeoutUs = UNSET;
    }

    /** One queued checker ({@code checker_t}) with its type-specific data. */
    static final class Checker {
        final String type;
        final Vs vs;
        final Rs rs;
        Conn conn;
        int alpha = -1;
        long delayLoopUs = UNSET;
        long warmupUs = UNSET;
        long retry = UNSET;
        long delayBeforeRetryUs = UNSET;
        boolean logAllFailures;
        long defaultRetry = 1;
        long defaultDelayBeforeRetryUs = Numbers.TIMER_HZ;
        boolean launch = true;
        // HTTP/SSL
        final List<UrlB> urls = new ArrayList<>();
        String virtualhost;
        String httpProtocol = "1.0";
        boolean fastRecovery;
        boolean enableSni;
        boolean tlsCompliant;
        // MISC
        Script script;
        long miscTimeoutUs;
        boolean dynamic;
        boolean miscUserSet;
        // DNS
        int dnsType = 6;
        String dnsName;
        // SMTP
        String helo;
        // UDP
        byte[] payload;
        boolean requireReply;
        byte[] reply;
        byte[] replyMask;
        int minReplyLen;
        int maxReplyLen = 255;
        // BFD
        String bfdName;

        Checker(String type, Vs vs, Rs rs) {
            this.type = type;
            this.vs = vs;
            this.rs = rs;
        }
    }

    static final class UrlB {
        String path;
        final boolean[] status = new boolean[600];
        boolean anyStatus;
        String digest;
        String virtualhost;
        String regex;
        boolean regexNoMatch;
        long regexMin;
        long regexMax;
    }

    static final class FileCheck {
        TrackFileB file;
        long weight = Long.MIN_VALUE;
        boolean reverse;
    }

    static final class TrackFileB {
        final String name;
        String path;
        int weight = 1;
        boolean reverse;
        int init;
        int initValue;

        TrackFileB(String name) {
            this.name = name;
        }

        TrackFile record() {
            return new TrackFile(name, path, weight, reverse, init, initValue);
        }
    }
}
