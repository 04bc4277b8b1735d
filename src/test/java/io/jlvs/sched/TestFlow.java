package io.jlvs.sched;

/** A mutable {@link FlowView} for scheduler tests: fluent setters, addresses as dotted text or ints. */
final class TestFlow implements FlowView {
    private int src = ip("10.0.0.1");
    private int dst = ip("192.168.0.100");
    private int srcPort = 40000;
    private int dstPort = 80;
    private long nowMs;

    static TestFlow from(String srcAddr) {
        return new TestFlow().src(srcAddr);
    }

    static TestFlow to(String dstAddr) {
        return new TestFlow().dst(dstAddr);
    }

    /** Host-order int of a dotted IPv4 address. */
    static int ip(String dotted) {
        String[] parts = dotted.split("\\.");
        int v = 0;
        for (String p : parts) {
            v = (v << 8) | Integer.parseInt(p);
        }
        return v;
    }

    TestFlow src(String dotted) {
        return src(ip(dotted));
    }

    TestFlow src(int ipv4) {
        src = ipv4;
        return this;
    }

    TestFlow dst(String dotted) {
        return dst(ip(dotted));
    }

    TestFlow dst(int ipv4) {
        dst = ipv4;
        return this;
    }

    TestFlow srcPort(int port) {
        srcPort = port;
        return this;
    }

    TestFlow dstPort(int port) {
        dstPort = port;
        return this;
    }

    TestFlow nowMs(long value) {
        nowMs = value;
        return this;
    }

    @Override
    public int srcIpv4() {
        return src;
    }

    @Override
    public int dstIpv4() {
        return dst;
    }

    @Override
    public int srcPort() {
        return srcPort;
    }

    @Override
    public int dstPort() {
        return dstPort;
    }

    @Override
    public long nowMs() {
        return nowMs;
    }
}
