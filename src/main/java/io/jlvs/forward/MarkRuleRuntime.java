package io.jlvs.forward;

/**
 * A marking rule as the data plane matches it (see {@code control.MarkRule}): destination network,
 * protocol (0 = TCP or UDP), destination port range, and the mark it gives.
 */
public record MarkRuleRuntime(int network, int mask, int protocol, int portLow, int portHigh, int mark) {

    public boolean matches(int proto, int dst, int dport) {
        return (dst & mask) == network && (protocol == 0 || protocol == proto)
                && dport >= portLow && dport <= portHigh;
    }
}
