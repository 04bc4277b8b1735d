package io.jlvs.keepalived.check;

import io.jlvs.keepalived.config.CheckerConfig;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * FILE_CHECK (check_file.c, trackers/track_file.c): the tracked file holds an integer; times the checker's
 * weight (negated with {@code reverse}) it is added to the real server's weight. With weight 0, any non-zero
 * value is a failure; a product at or below {@link #FAULT} is a failure. keepalived watches the file with
 * inotify; jlvs reads it on every poll (the engine polls once a second). A missing or empty file reads as 0.
 */
public final class FileChecker implements HealthChecker {
    /** keepalived's {@code IPVS_WEIGHT_FAULT}. */
    public static final long FAULT = -(long) Integer.MAX_VALUE - 1;

    private final CheckerConfig.File config;
    /** The last value read that keepalived would accept. */
    private volatile long lastValue;

    public FileChecker(CheckerConfig.File config) {
        this.config = config;
    }

    @Override
    public String type() {
        return "FILE_CHECK";
    }

    public CheckerConfig.File config() {
        return config;
    }

    /**
     * The file's value as keepalived reads it ({@code strtol(buf, NULL, 0)} of its first 127 bytes; a missing or
     * empty file is 0). A number outside [{@code INT32_MIN}, {@code INT32_MAX + 1}] is ignored, as keepalived
     * ignores it ("Invalid number … - ignoring"): the previous value stays.
     */
    public long readValue() {
        byte[] b = new byte[127];
        int n;
        try (InputStream in = Files.newInputStream(Path.of(config.trackFile().path()))) {
            n = in.readNBytes(b, 0, b.length);
        } catch (IOException e) {
            n = 0;
        }
        long v = n == 0 ? 0 : parse(new String(b, 0, n, StandardCharsets.ISO_8859_1).strip());
        if (v < Integer.MIN_VALUE || v > (long) Integer.MAX_VALUE + 1) {
            return lastValue;
        }
        lastValue = v;
        return v;
    }

    /** {@code strtol(s, NULL, 0)}; {@link Long#MAX_VALUE} for a number too large (keepalived's ERANGE). */
    private static long parse(String s) {
        int end = 0;
        boolean negative = false;
        if (end < s.length() && (s.charAt(end) == '-' || s.charAt(end) == '+')) {
            negative = s.charAt(end) == '-';
            end++;
        }
        int radix = 10;
        int start = end;
        if ((s.startsWith("0x", end) || s.startsWith("0X", end)) && s.length() > end + 2
                && Character.digit(s.charAt(end + 2), 16) >= 0) {
            radix = 16;
            start = end + 2;
        } else if (s.startsWith("0", end)) {
            radix = 8;
        }
        int stop = start;
        while (stop < s.length() && Character.digit(s.charAt(stop), radix) >= 0) {
            stop++;
        }
        if (stop == start) {
            return 0;
        }
        try {
            long v = Long.parseLong(s.substring(start, stop), radix);
            return negative ? -v : v;
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    /** The status keepalived derives from a value: the weight contribution, or {@link #FAULT}. */
    public long status(long value) {
        boolean reverse = config.reverse();
        if (config.weight() == 0) {
            return (value != 0) != reverse ? FAULT : 0;
        }
        long product = value * config.weight() * (reverse ? -1 : 1);
        return Math.max(FAULT, Math.min(Integer.MAX_VALUE, product));
    }

    @Override
    public Result check(int step) {
        long status = status(readValue());
        return status == FAULT ? Result.failed("tracked file " + config.trackFile().name() + " now FAULT state")
                : new Result(true, "tracked file " + config.trackFile().name(), (int) Math.max(Integer.MIN_VALUE, status));
    }
}
