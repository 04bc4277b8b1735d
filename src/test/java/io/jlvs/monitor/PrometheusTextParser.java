package io.jlvs.monitor;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A strict reader of Prometheus' text exposition format 0.0.4, for tests: it rejects what the format forbids
 * (bad names, bad escapes, a TYPE after its samples or twice, a family's samples split up, duplicate series,
 * an unknown type) so a test that parses {@code /metrics} with it checks the format, not only the numbers.
 */
public final class PrometheusTextParser {
    private static final Pattern METRIC = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    /** One series' value. */
    public record Sample(String name, Map<String, String> labels, double value) {}

    /** Everything read: samples in order, the declared type and help of each family. */
    public record Exposition(List<Sample> samples, Map<String, String> types, Map<String, String> help) {
        /** The value of the one series with exactly these labels; throws when there is none. */
        public double value(String name, Map<String, String> labels) {
            return samples.stream().filter(s -> s.name().equals(name) && s.labels().equals(labels)).findFirst()
                    .orElseThrow(() -> new AssertionError("no series " + name + labels)).value();
        }

        public List<Sample> family(String name) {
            return samples.stream().filter(s -> s.name().equals(name)).toList();
        }
    }

    private PrometheusTextParser() {}

    public static Exposition parse(String text) {
        List<Sample> samples = new ArrayList<>();
        Map<String, String> types = new LinkedHashMap<>();
        Map<String, String> help = new LinkedHashMap<>();
        Set<String> seenFamilies = new HashSet<>();
        Set<String> series = new HashSet<>();
        String current = null;
        String[] lines = text.split("\n", -1);
        if (!text.endsWith("\n")) {
            throw new IllegalArgumentException("the exposition must end with a line feed");
        }
        for (int n = 0; n < lines.length - 1; n++) {
            String line = lines[n];
            String where = "line " + (n + 1) + ": " + line + ": ";
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                String[] f = line.split(" ", 4);
                if (f.length >= 3 && (f[1].equals("HELP") || f[1].equals("TYPE"))) {
                    if (!METRIC.matcher(f[2]).matches()) {
                        throw new IllegalArgumentException(where + "bad metric name");
                    }
                    if (f[1].equals("TYPE")) {
                        String type = f.length > 3 ? f[3] : "";
                        if (!TYPES.contains(type)) {
                            throw new IllegalArgumentException(where + "unknown type");
                        }
                        if (types.containsKey(f[2]) || seenFamilies.contains(f[2])) {
                            throw new IllegalArgumentException(where + "TYPE twice or after the family's samples");
                        }
                        types.put(f[2], type);
                    } else {
                        if (help.containsKey(f[2])) {
                            throw new IllegalArgumentException(where + "HELP twice");
                        }
                        help.put(f[2], f.length > 3 ? f[3] : "");
                    }
                }
                continue;
            }
            int i = 0;
            while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
                i++;
            }
            String name = line.substring(0, i);
            if (!METRIC.matcher(name).matches()) {
                throw new IllegalArgumentException(where + "bad metric name");
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (i < line.length() && line.charAt(i) == '{') {
                i++;
                while (line.charAt(i) != '}') {
                    int eq = line.indexOf('=', i);
                    String label = line.substring(i, eq);
                    if (!LABEL.matcher(label).matches() || labels.containsKey(label)) {
                        throw new IllegalArgumentException(where + "bad or repeated label name " + label);
                    }
                    if (line.charAt(eq + 1) != '"') {
                        throw new IllegalArgumentException(where + "label value not quoted");
                    }
                    StringBuilder v = new StringBuilder();
                    int j = eq + 2;
                    for (; line.charAt(j) != '"'; j++) {
                        char c = line.charAt(j);
                        if (c == '\\') {
                            char e = line.charAt(++j);
                            v.append(switch (e) {
                                case '\\' -> '\\';
                                case '"' -> '"';
                                case 'n' -> '\n';
                                default -> throw new IllegalArgumentException(where + "bad escape \\" + e);
                            });
                        } else {
                            v.append(c);
                        }
                    }
                    labels.put(label, v.toString());
                    i = j + 1;
                    if (line.charAt(i) == ',') {
                        i++;
                    } else if (line.charAt(i) != '}') {
                        throw new IllegalArgumentException(where + "expected , or }");
                    }
                }
                i++;
            }
            if (i >= line.length() || line.charAt(i) != ' ') {
                throw new IllegalArgumentException(where + "expected a space before the value");
            }
            String[] rest = line.substring(i + 1).split(" ");
            if (rest.length < 1 || rest.length > 2) {
                throw new IllegalArgumentException(where + "expected value [timestamp]");
            }
            double value = switch (rest[0]) {
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                case "NaN" -> Double.NaN;
                default -> Double.parseDouble(rest[0]);
            };
            String family = name;
            if (!family.equals(current)) {
                if (seenFamilies.contains(family)) {
                    throw new IllegalArgumentException(where + "the samples of " + family + " are not together");
                }
                seenFamilies.add(family);
                current = family;
            }
            if (!series.add(name + labels)) {
                throw new IllegalArgumentException(where + "duplicate series");
            }
            if (types.getOrDefault(name, "untyped").equals("counter") && value < 0) {
                throw new IllegalArgumentException(where + "negative counter");
            }
            samples.add(new Sample(name, labels, value));
        }
        return new Exposition(samples, types, help);
    }
}
