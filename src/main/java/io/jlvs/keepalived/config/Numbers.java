package io.jlvs.keepalived.config;

/**
 * Number reading as keepalived's lib/parser.c does it, on top of C's {@code strtoul}/{@code strtol}
 * semantics: the same acceptance, the same messages, the same quirks (a timer with trailing garbage is
 * still read up to the garbage; a lenient number outside {@code -t} is used with a {@code WARNING - }).
 * Timers are in microseconds, as keepalived's {@code TIMER_HZ} is 1 000 000.
 */
public final class Numbers {
    /** keepalived's TIMER_HZ: timers are microseconds. */
    public static final long TIMER_HZ = 1_000_000L;
    /** ULONG_MAX - 1, the largest timer keepalived reads (µs, unsigned). */
    public static final long TIMER_MAXIMUM = -2L;
    public static final long UINT_MAX = 0xffff_ffffL;

    private Numbers() {}

    /** What {@code strtoul}/{@code strtol} return: value (64 bits), where parsing stopped, overflow. */
    record CParse(long value, int end, boolean erange, boolean negative) {}

    static boolean isCSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0b;
    }

    private static int digit(char c, int base) {
        int d;
        if (c >= '0' && c <= '9') {
            d = c - '0';
        } else if (c >= 'a' && c <= 'z') {
            d = c - 'a' + 10;
        } else if (c >= 'A' && c <= 'Z') {
            d = c - 'A' + 10;
        } else {
            return -1;
        }
        return d < base ? d : -1;
    }

    /** C {@code strtoul} (unsigned 64-bit, negation wraps) with base 0, 8, 10 or 16. */
    static CParse strtoul(String s, int from, int base) {
        int i = from;
        while (i < s.length() && isCSpace(s.charAt(i))) {
            i++;
        }
        boolean neg = false;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            neg = s.charAt(i) == '-';
            i++;
        }
        if ((base == 0 || base == 16) && i + 1 < s.length() && s.charAt(i) == '0'
                && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X') && i + 2 < s.length()
                && digit(s.charAt(i + 2), 16) >= 0) {
            i += 2;
            base = 16;
        } else if (base == 0) {
            base = i < s.length() && s.charAt(i) == '0' ? 8 : 10;
        }
        int start = i;
        long v = 0;
        boolean overflow = false;
        while (i < s.length()) {
            int d = digit(s.charAt(i), base);
            if (d < 0) {
                break;
            }
            if (!overflow) {
                long hi = Math.unsignedMultiplyHigh(v, base);
                long lo = v * base;
                long sum = lo + d;
                if (hi != 0 || Long.compareUnsigned(sum, lo) < 0) {
                    overflow = true;
                } else {
                    v = sum;
                }
            }
            i++;
        }
        if (i == start) {
            return new CParse(0, from, false, false);
        }
        if (overflow) {
            return new CParse(-1L, i, true, neg);
        }
        return new CParse(neg ? -v : v, i, false, neg);
    }

    /** C {@code strtol} (signed 64-bit, saturating on overflow). */
    static CParse strtol(String s, int from, int base) {
        CParse u = strtoul(s, from, base);
        if (u.end == from) {
            return u;
        }
        // recompute magnitude without the wrap: strtoul gave -v for negatives
        long mag = u.negative ? -u.value : u.value;
        if (u.erange || (!u.negative && mag < 0) || (u.negative && Long.compareUnsigned(mag, Long.MIN_VALUE) > 0)) {
            return new CParse(u.negative ? Long.MIN_VALUE : Long.MAX_VALUE, u.end, true, u.negative);
        }
        return new CParse(u.negative ? -mag : mag, u.end, false, u.negative);
    }

    /**
     * {@code read_unsigned}: a decimal unsigned in [min, max] (unsigned 32-bit values given as longs).
     *
     * @return the value, or {@code null} when the caller must treat it as invalid
     */
    public static Long readUnsigned(Reporter r, String number, long min, long max, boolean ignoreError) {
        return readUnsignedBase(r, number, 10, min, max, ignoreError);
    }

    static Long readUnsignedBase(Reporter r, String number, int base, long min, long max, boolean ignoreError) {
        String warn = ignoreError ? r.warnPrefix() : "";
        int offset = 0;
        while (offset < number.length() && isCSpace(number.charAt(offset))) {
            offset++;
        }
        CParse p = strtoul(number, offset, base);
        long val = p.value;
        boolean endGarbage = p.end < number.length();
        if (offset < number.length() && number.charAt(offset) == '-') {
            r.error(ConfigStatus.INVALID_NUMBER, warn + "negative number '" + number + "'");
        } else if (endGarbage) {
            r.error(ConfigStatus.INVALID_NUMBER, warn + "invalid number '" + number + "'");
        } else if (p.erange || Long.compareUnsigned(val, UINT_MAX) > 0) {
            r.error(ConfigStatus.INVALID_NUMBER, warn + "number '" + number + "' outside unsigned integer range");
        } else if (Long.compareUnsigned(val, min) < 0 || Long.compareUnsigned(val, max) > 0) {
            r.error(ConfigStatus.INVALID_NUMBER, warn + "number '" + number + "' outside range [" + min + ", " + max + "]");
        } else {
            return val;
        }
        boolean ok = ignoreError && Long.compareUnsigned(val, min) >= 0 && Long.compareUnsigned(val, max) <= 0
                && !r.configTest();
        return ok ? val & UINT_MAX : null;
    }

    /** {@code read_int}: a decimal signed integer in [min, max]. */
    public static Integer readInt(Reporter r, String number, int min, int max, boolean ignoreError) {
        String warn = ignoreError ? r.warnPrefix() : "";
        CParse p = strtol(number, 0, 10);
        long val = p.value;
        boolean garbage = p.end < number.length();
        if (garbage) {
            r.error(ConfigStatus.INVALID_NUMBER, warn + "invalid number '" + number + "'");
        } else if (p.erange || val < Integer.MIN_VALUE || val > Integer.MAX_VALUE) {
            r.error(ConfigStatus.INVALID_NUMBER, warn + "number '" + number + "' outside integer range");
        } else if (val < min || val > max) {
            r.error(ConfigStatus.INVALID_NUMBER, "number '" + number + "' outside range [" + min + ", " + max + "]");
        } else {
            return (int) val;
        }
        boolean ok = ignoreError && val >= min && val <= max && !r.configTest();
        return ok ? (int) val : null;
    }

    /**
     * {@code read_decimal_unsigned_long}: a non-negative decimal with at most {@code shift} fractional digits,
     * returned multiplied by 10^shift. Bounds are in those units and compared unsigned.
     */
    public static Long readDecimal(Reporter r, String param, long min, long max, int shift, boolean ignoreError) {
        String warn = ignoreError ? r.warnPrefix() : "";
        if (param.startsWith("-")) {
            r.error(ConfigStatus.INVALID_NUMBER, warn + "negative number '" + param + "'");
            return null;
        }
        int dp = param.indexOf('.');
        int numDp = dp >= 0 ? param.length() - dp - 1 : 0;
        boolean roundUp = false;
        if (numDp > shift) {
            r.accepted(ConfigStatus.INVALID_NUMBER, warn + "number '" + param + "' has too many decimal places");
            roundUp = param.charAt(dp + shift + 1) >= '5';
            numDp = shift;
        }
        StringBuilder updated = new StringBuilder();
        if (dp >= 0) {
            updated.append(param, 0, dp).append(param, dp + 1, dp + 1 + numDp);
        } else {
            updated.append(param);
        }
        updated.append("0".repeat(shift - numDp));
        String u = updated.toString();
        CParse p = strtoul(u, 0, 10);
        long val = p.value;
        if (roundUp) {
            val++;
        }
        boolean valid = p.end >= u.length();
        if (!valid) {
            r.error(ConfigStatus.INVALID_NUMBER, warn + "invalid number '" + param + "'");
        } else if (p.erange) {
            r.error(ConfigStatus.INVALID_NUMBER, warn + "number '" + param + "' outside unsigned decimal range");
            return null;
        } else if (Long.compareUnsigned(val, min) < 0 || Long.compareUnsigned(val, max) > 0) {
            long unit = 1;
            for (int d = 0; d < shift; d++) {
                unit *= 10;
            }
            r.error(ConfigStatus.INVALID_NUMBER, warn + "number '" + param + "' outside range ["
                    + decimal(min, unit, shift) + ", " + decimal(max, unit, shift) + "]");
        } else {
            return val;
        }
        boolean ok = ignoreError && Long.compareUnsigned(val, min) >= 0 && Long.compareUnsigned(val, max) <= 0;
        return ok ? val : null;
    }

    private static String decimal(long v, long unit, int shift) {
        String frac = Long.toUnsignedString(Long.remainderUnsigned(v, unit));
        return Long.toUnsignedString(Long.divideUnsigned(v, unit)) + "." + "0".repeat(shift - frac.length()) + frac;
    }

    /** {@code read_timer}: seconds with up to 6 decimals, in µs; {@code maxUs} 0 means TIMER_MAXIMUM. */
    public static Long readTimer(Reporter r, String s, long minUs, long maxUs, boolean ignoreError) {
        return readDecimal(r, s, minUs, maxUs == 0 ? TIMER_MAXIMUM : maxUs, 6, ignoreError);
    }

    /** {@code check_true_false}: 1 for on/true/yes, 0 for off/false/no, -1 otherwise. */
    public static int trueFalse(String s) {
        return switch (s) {
            case "true", "on", "yes" -> 1;
            case "false", "off", "no" -> 0;
            default -> -1;
        };
    }

    /**
     * {@code read_hex_str}: hex octets, blanks allowed between groups, a single digit before a blank or the
     * end is a whole octet; with {@code mask} non-null, {@code x}/{@code X} nibbles are wildcards (mask bits set).
     *
     * @return the octets, or {@code null} when the string is empty or has a bad digit
     */
    public static byte[] readHex(String str, byte[][] mask) {
        byte[] buf = new byte[(str.length() + 1) / 2];
        byte[] m = new byte[buf.length];
        boolean usingMask = false;
        int len = 0;
        int p = 0;
        int val = 0;
        while (true) {
            while (p < str.length() && (str.charAt(p) == ' ' || str.charAt(p) == '\t')) {
                p++;
            }
            if (p >= str.length()) {
                break;
            }
            val = hexVal(str.charAt(p++), mask != null);
            if (val == 0xff) {
                break;
            }
            int maskVal = 0;
            if (val == 0xfe) {
                maskVal = 0x0f;
                val = 0;
                usingMask = true;
            }
            if (p < str.length() && str.charAt(p) != ' ') {
                int val1 = val << 4;
                maskVal <<= 4;
                val = hexVal(str.charAt(p++), mask != null);
                if (val == 0xff) {
                    break;
                }
                if (val == 0xfe) {
                    maskVal |= 0x0f;
                    val = 0;
                    usingMask = true;
                }
                val |= val1;
            }
            buf[len] = (byte) val;
            m[len] = (byte) maskVal;
            len++;
        }
        if (val == 0xff || len == 0) {
            return null;
        }
        if (mask != null) {
            mask[0] = usingMask ? java.util.Arrays.copyOf(m, len) : null;
        }
        return java.util.Arrays.copyOf(buf, len);
    }

    private static int hexVal(char p, boolean wildcard) {
        if (p >= '0' && p <= '9') {
            return p - '0';
        }
        if (p >= 'a') {
            p -= 'a' - 'A';
        }
        if (p >= 'A' && p <= 'F') {
            return p - 'A' + 10;
        }
        if (wildcard && p == 'X') {
            return 0xfe;
        }
        return 0xff;
    }
}
