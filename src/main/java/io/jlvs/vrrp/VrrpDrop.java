package io.jlvs.vrrp;

/**
 * Why a received advert was ignored (vrrp.md §6), one counter each. The order of the checks is keepalived's; the
 * first failing one is counted.
 */
public enum VrrpDrop {
    /** Shorter than an IP header and the 8-byte VRRP header. */
    TOO_SHORT,
    /** IP protocol is not 112 (AH-authenticated adverts are not supported). */
    NOT_VRRP,
    /** No instance with this VRID on the receiving interface and family. */
    UNKNOWN_VRID,
    /** The instance is in FAULT or INIT. */
    NOT_RUNNING,
    /** Bytes received differ from what the advert's own version and count imply. */
    LENGTH,
    /** TTL / hop limit is not 255 on a multicast instance. */
    TTL,
    /** Version differs from the instance's. */
    VERSION,
    /** v2 auth type is not 0, 1 or 2. */
    AUTH_TYPE_INVALID,
    /** v2 auth type differs from the configured one. */
    AUTH_TYPE_MISMATCH,
    /** v2 PASS password differs. */
    AUTH_FAILURE,
    /** v2 advertisement interval differs from ours. */
    INTERVAL,
    /** Type is not 1 (advertisement). */
    TYPE,
    /** Address count differs from the number of configured VIPs. */
    ADDRESS_COUNT,
    /** IPv4 total-length field differs from the bytes received. */
    IP_TOTAL_LENGTH,
    /** VRRP checksum wrong. */
    CHECKSUM,
    /** Multicast advert to a unicast instance or the other way round. */
    CAST_MISMATCH,
    /** A configured VIP is missing from the advert. */
    ADDRESS_MISSING,
    /** Unicast source is not a configured peer ({@code check_unicast_src}). */
    UNICAST_SOURCE,
    /** Unicast TTL outside the peer's [min_ttl, max_ttl]. */
    UNICAST_TTL
}
