package io.jlvs.ipvsadm;

/**
 * The C library number parsers ipvsadm relies on ({@code strtol} base 10, {@code atoi}), with their
 * quirks: leading blanks and a sign are accepted, and only {@code strtol}'s callers insist that the
 * whole word is consumed.
 */
final class CNumbers {
    private CNumbers() {}

    /** Result of {@code strtol(s, &end, 10)}: the clamped value, where parsing stopped, and ERANGE. */
    record Strtol(long value, int end, boolean range) {}

    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
    }

    static Strtol strtol(String s) {
        int i = 0;
        int n = s.length();
        while (i < n && isSpace(s.charAt(i))) {
            i++;
        }
        boolean negative = false;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            negative = s.charAt(i) == '-';
            i++;
        }
        int digitsStart = i;
        long value = 0;
        boolean range = false;
        while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            int d = s.charAt(i) - '0';
            if (!range) {
                // accumulate negatively so that Long.MIN_VALUE fits
                if (value < (Long.MIN_VALUE + d) / 10) {
                    range = true;
                } else {
                    value = value * 10 - d;
                }
            }
            i++;
        }
        if (i == digitsStart) {
            return new Strtol(0, 0, false);
        }
        if (range) {
            return new Strtol(negative ? Long.MIN_VALUE : Long.MAX_VALUE, i, true);
        }
        if (!negative) {
            if (value == Long.MIN_VALUE) {
                return new Strtol(Long.MAX_VALUE, i, true);
            }
            value = -value;
        }
        return new Strtol(value, i, false);
    }

    /** ipvsadm's {@code string_to_number}: the whole word in min..max, else -1. */
    static int stringToNumber(String s, int min, int max) {
        Strtol r = strtol(s);
        if (r.end() == s.length() && r.end() != 0 && !r.range() && r.value() >= min && r.value() <= max) {
            return (int) r.value();
        }
        return -1;
    }

    /** {@code atoi}: the leading number, trailing text ignored, truncated to an int as glibc does. */
    static int atoi(String s) {
        return (int) strtol(s).value();
    }
}
