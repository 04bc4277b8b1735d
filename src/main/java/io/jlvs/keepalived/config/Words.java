package io.jlvs.keepalived.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The words of one logical line as a keyword handler gets them (keepalived's {@code strvec}), with the line
 * itself for handlers that re-tokenise it (programs to run).
 */
public final class Words {
    private static final String WHITE = " \t\f\n\r\u000b";

    private final List<String> words;
    private final String raw;
    private final Reporter reporter;

    Words(List<String> words, String raw, Reporter reporter) {
        this.words = words;
        this.raw = raw;
        this.reporter = reporter;
    }

    /**
     * keepalived's {@code alloc_strvec}: words split on blanks; a word starting with {@code "} runs to the next
     * {@code "} (quotes removed); any other word also ends at a {@code "}.
     *
     * @return the words, or {@code null} for a line without any
     */
    static Words split(String line, Reporter r) {
        List<String> out = new ArrayList<>();
        int cp = 0;
        int n = line.length();
        while (true) {
            while (cp < n && WHITE.indexOf(line.charAt(cp)) >= 0) {
                cp++;
            }
            if (cp >= n) {
                break;
            }
            int start = cp;
            if (line.charAt(start) == '"') {
                start++;
                int close = line.indexOf('"', start);
                if (close < 0) {
                    r.error(ConfigStatus.UNMATCHED_QUOTE, "Unmatched quote: '" + line + "'");
                    break;
                }
                out.add(line.substring(start, close));
                cp = close + 1;
            } else {
                while (cp < n && WHITE.indexOf(line.charAt(cp)) < 0 && line.charAt(cp) != '"') {
                    cp++;
                }
                out.add(line.substring(start, cp));
            }
        }
        return out.isEmpty() ? null : new Words(out, line, r);
    }

    public int size() {
        return words.size();
    }

    /** The word at {@code index}, or {@code null} (keepalived's unchecked {@code vector_slot}). */
    public String get(int index) {
        return index < words.size() ? words.get(index) : null;
    }

    /**
     * The word at {@code index}; a missing one is keepalived's fatal "missing a parameter" (exit 2).
     */
    public String slot(int index) {
        if (index < words.size()) {
            return words.get(index);
        }
        String first = words.isEmpty() ? "***MISSING ***" : words.getFirst();
        String message;
        if (index > 0 && index - 1 < words.size()) {
            message = "*** Configuration line starting `" + first + "` is missing a parameter after keyword `"
                    + words.get(index - 1) + "` at word position " + (index + 1);
        } else {
            message = "*** Configuration line starting `" + first + "` is missing a parameter at word position "
                    + (index + 1);
        }
        reporter.error(ConfigStatus.MISSING_PARAMETER, message);
        throw new MissingParameterException(message);
    }

    public String last() {
        return words.getLast();
    }

    /** The line as the handler got it (keepalived's {@code buf_extern}). */
    public String raw() {
        return raw;
    }

    public List<String> all() {
        return Collections.unmodifiableList(words);
    }

    /** Words from {@code from} on, joined by single blanks ({@code make_strvec_str}). */
    public String join(int from) {
        return String.join(" ", words.subList(Math.min(from, words.size()), words.size()));
    }

    Words without(int index) {
        List<String> copy = new ArrayList<>(words);
        copy.remove(index);
        return new Words(copy, raw, reporter);
    }

    @Override
    public String toString() {
        return String.join(" ", words);
    }
}
