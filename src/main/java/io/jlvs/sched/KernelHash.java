package io.jlvs.sched;

/**
 * The kernel's multiplicative hash ({@code hash_32} in include/linux/hash.h), used by dh, sh and the
 * lblc/lblcr tables: multiply by the 32-bit golden ratio and keep the top {@code bits} bits, which mix
 * every input bit (the low bits of a product would not).
 */
final class KernelHash {
    /** {@code GOLDEN_RATIO_32}. */
    static final int GOLDEN_RATIO_32 = 0x61C88647;

    private KernelHash() {}

    /** {@code hash_32(value, bits)} for 1 <= bits <= 32, as an unsigned value below {@code 1 << bits}. */
    static int hash32(int value, int bits) {
        return (value * GOLDEN_RATIO_32) >>> (32 - bits);
    }
}
