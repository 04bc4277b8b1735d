package io.jlvs.sched;

/** The packet fields hashing schedulers (sh, dh, mh, lblc) read. IPv4 for now. */
public interface FlowView {
    int srcIpv4();

    int dstIpv4();

    int srcPort();

    int dstPort();

    /** The worker's clock (lblc/lblcr entry expiry); never read from the system clock in a scheduler. */
    default long nowMs() {
        return 0;
    }
}
