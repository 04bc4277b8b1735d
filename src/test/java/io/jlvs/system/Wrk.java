package io.jlvs.system;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a {@code wrk} run printed: request count, duration, rate, socket errors and non-2xx/3xx answers. */
record Wrk(long requests, String duration, String ratePerSecond, long socketErrors, long non2xx) {
    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in (\\S+),");
    private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
    private static final Pattern SOCKET_ERRORS =
            Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");

    /** Parses wrk's summary; {@code requests} is -1 when it printed none (wrk failed). */
    static Wrk parse(String output) {
        Matcher requests = REQUESTS.matcher(output);
        boolean counted = requests.find();
        long socketErrors = 0;
        Matcher errors = SOCKET_ERRORS.matcher(output);
        if (errors.find()) {
            for (int g = 1; g <= 4; g++) {
                socketErrors += Long.parseLong(errors.group(g));
            }
        }
        Matcher non2xx = NON_2XX.matcher(output);
        Matcher rate = RATE.matcher(output);
        return new Wrk(counted ? Long.parseLong(requests.group(1)) : -1, counted ? requests.group(2) : "?",
                rate.find() ? rate.group(1) : "?", socketErrors, non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0);
    }
}
