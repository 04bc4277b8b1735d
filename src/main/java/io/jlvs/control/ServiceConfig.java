package io.jlvs.control;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * A virtual service as configured ({@code ipvsadm -A/-E}).
 *
 * @param key                 what identifies the service
 * @param scheduler           scheduler name as ipvsadm spells it ("wlc")
 * @param flags               service flags: PERSISTENT 0x1, ONEPACKET 0x4, SCHED1..3 0x8/0x10/0x20
 * @param persistenceTimeoutS persistence timeout in seconds (0 when not persistent)
 * @param netmask             persistence netmask: IPv4 dotted mask as an int, or an IPv6 prefix length
 * @param persistenceEngine   persistence engine name ("sip") or null
 */
public record ServiceConfig(ServiceKey key, String scheduler, int flags, int persistenceTimeoutS,
                            int netmask, String persistenceEngine) {
    public static final int F_PERSISTENT = 0x1;
    public static final int F_ONEPACKET = 0x4;
    public static final int F_SCHED1 = 0x8;
    public static final int F_SCHED2 = 0x10;
    public static final int F_SCHED3 = 0x20;

    public static ServiceConfig of(ServiceKey key, String scheduler) {
        return new ServiceConfig(key, scheduler, 0, 0, 0xffffffff, null);
    }

    @JsonIgnore
    public boolean persistent() {
        return (flags & F_PERSISTENT) != 0;
    }
}
