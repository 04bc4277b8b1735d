package io.jlvs.stats;

/**
 * Why the data plane dropped a frame. Every drop has a reason and its own counter; the names are
 * what {@code jlvs status} and the metrics show.
 */
public enum DropReason {
    TRUNCATED_ETHERNET("truncated_ethernet"),
    TRUNCATED_IPV4("truncated_ipv4"),
    BAD_IPV4_VERSION("bad_ipv4_version"),
    BAD_IPV4_IHL("bad_ipv4_ihl"),
    BAD_IPV4_TOTAL_LENGTH("bad_ipv4_total_length"),
    TRUNCATED_TCP("truncated_tcp"),
    BAD_TCP_DATA_OFFSET("bad_tcp_data_offset"),
    TRUNCATED_UDP("truncated_udp"),
    BAD_UDP_LENGTH("bad_udp_length"),
    TRUNCATED_ARP("truncated_arp"),
    TRUNCATED_ICMP("truncated_icmp"),
    TRUNCATED_IPV6("truncated_ipv6"),
    BAD_IPV6_VERSION("bad_ipv6_version"),
    BAD_IPV6_PAYLOAD_LENGTH("bad_ipv6_payload_length"),
    TRUNCATED_ICMPV6("truncated_icmpv6"),
    BAD_ND("bad_nd"),
    /** The ring held less than the frame (snap length below wire length). */
    TRUNCATED_CAPTURE("truncated_capture"),
    /** A TCP segment without SYN (or with RST) for which no connection exists. */
    NO_CONNECTION("no_connection"),
    /** The scheduler found no eligible real server. */
    NO_DESTINATION("no_destination"),
    CONN_TABLE_FULL("conn_table_full"),
    /** The connection's real server was deleted ({@code expire_nodest_conn=0}: drop). */
    DEST_UNAVAILABLE("dest_unavailable"),
    NEIGHBOUR_UNRESOLVED("neighbour_unresolved"),
    TTL_EXCEEDED("ttl_exceeded"),
    /** A reply from a NAT real server's port that matches no connection. */
    NAT_REPLY_NO_CONNECTION("nat_reply_no_connection"),
    /** The real server is reachable through no interface jlvs serves. */
    NO_ROUTE("no_route"),
    /** A later IPv4 fragment whose first fragment never came (held, then given up) or could not be held. */
    FRAGMENT("fragment"),
    TX_FAILED("tx_failed"),
    /** Larger than the way out allows without fragmenting (and not sent back as ICMP: no DF, or not TCP GSO). */
    TOO_BIG("too_big"),
    /** Answered with ICMP "fragmentation needed" (DF set, larger than the path MTU). */
    FRAG_NEEDED_SENT("frag_needed_sent"),
    /** FULLNAT: every local address of the service has run out of ports. */
    NO_LOCAL_PORT("no_local_port"),
    /** An ICMP error that quotes no tracked flow (or one jlvs cannot carry back). */
    ICMP_UNRELATED("icmp_unrelated"),
    /** A sync message named a service or real server this director does not have. */
    SYNC_NO_SERVICE("sync_no_service"),
    /** A bug: the pipeline threw on this frame. The worker carries on. */
    INTERNAL_ERROR("internal_error"),
    /** A SYN (or an ACK to adopt) that needed a half-open entry while the half-open cap was reached (SYN flood). */
    SYN_HALF_OPEN_LIMIT("syn_half_open_limit"),
    /** An ACK for a SYN-proxied service that opens nothing: its cookie is wrong or too old (SynProxy). */
    SYN_COOKIE_INVALID("syn_cookie_invalid"),
    /**
     * A client segment of a SYN-proxied connection whose real server has not answered: a bare ACK, a RST, or
     * data that found no room (or waited 3 s) in the hold queue; or a stray real-server segment then.
     */
    SYN_PROXY_WAIT("syn_proxy_wait"),
    /** With several workers on AF_XDP: the owner worker's hand-over ring was full (it fell behind). */
    HANDOFF_FULL("handoff_full");

    public static final DropReason[] ALL = values();
    private final String metricName;

    DropReason(String metricName) {
        this.metricName = metricName;
    }

    public String metricName() {
        return metricName;
    }

    /** The reason for a negative {@code io.jlvs.packet.PacketError} code (-1 → TRUNCATED_ETHERNET …). */
    public static DropReason ofPacketError(int code) {
        return ALL[-code - 1];
    }
}
