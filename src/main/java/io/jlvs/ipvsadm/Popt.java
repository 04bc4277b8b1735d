package io.jlvs.ipvsadm;

import java.util.ArrayList;
import java.util.List;

/**
 * Command-line scanning with the semantics of libpopt 1.19 as ipvsadm uses it (no aliases, no
 * callbacks): short options clustered ({@code -Ln}), an argument attached ({@code -t10.0.0.1:80},
 * {@code -p=600}) or taken from the next word even when that word starts with '-', long options
 * spelled out in full ({@code --opt=value} or {@code --opt value}), an optional argument that is
 * taken from the next word only when it does not start with '-', {@code --} ending the options,
 * and words that are not options collected as leftovers in order.
 */
final class Popt {
    enum Arg { NONE, REQUIRED, OPTIONAL }

    /** One row of the option table; {@code shortName} 0 when there is none. */
    record Option(String longName, char shortName, Arg arg, int val) {}

    static final int END = -1;
    static final int ERROR_NOARG = -10;
    static final int ERROR_BADOPT = -11;
    static final int ERROR_UNWANTEDARG = -12;

    private final String[] argv;
    private final List<Option> table;
    private int next = 1;
    private String nextCharArg;
    private boolean restLeftover;
    private final List<String> leftovers = new ArrayList<>();
    private int nextLeftover;
    private String optArg;

    /** @param argv the words including the program name at index 0 */
    Popt(String[] argv, List<Option> table) {
        this.argv = argv;
        this.table = table;
    }

    /** The next option's {@code val}, {@link #END} when the words are used up, or a negative error. */
    int nextOpt() {
        while (true) {
            if (nextCharArg == null && next == argv.length) {
                return END;
            }
            Option opt = null;
            String longArg = null;
            if (nextCharArg == null) {
                String word = argv[next++];
                if (restLeftover || !word.startsWith("-") || word.equals("-")) {
                    leftovers.add(word);
                    continue;
                }
                if (word.equals("--")) {
                    restLeftover = true;
                    continue;
                }
                if (word.startsWith("--")) {
                    String s = word.substring(2);
                    int eq = s.indexOf('=');
                    if (eq >= 0) {
                        longArg = s.substring(eq + 1);
                        s = s.substring(0, eq);
                    }
                    opt = findLong(s);
                    if (opt == null) {
                        return ERROR_BADOPT;
                    }
                } else {
                    nextCharArg = word.substring(1);
                }
            }
            if (nextCharArg != null) {
                String chars = nextCharArg;
                nextCharArg = null;
                opt = findShort(chars.isEmpty() ? '\0' : chars.charAt(0));
                if (opt == null) {
                    return ERROR_BADOPT;
                }
                if (chars.length() > 1) {
                    String rest = chars.substring(1);
                    nextCharArg = rest.charAt(0) == '=' ? rest.substring(1) : rest;
                }
            }
            optArg = null;
            if (opt.arg() == Arg.NONE) {
                if (longArg != null || (nextCharArg != null && nextCharArg.startsWith("="))) {
                    return ERROR_UNWANTEDARG;
                }
            } else if (longArg != null) {
                optArg = longArg;
            } else if (nextCharArg != null) {
                optArg = nextCharArg.startsWith("=") ? nextCharArg.substring(1) : nextCharArg;
                nextCharArg = null;
            } else if (next == argv.length) {
                if (opt.arg() != Arg.OPTIONAL) {
                    return ERROR_NOARG;
                }
            } else if (!(opt.arg() == Arg.OPTIONAL && argv[next].startsWith("-"))) {
                optArg = argv[next++];
            }
            return opt.val();
        }
    }

    /** The argument of the option last returned; null when an optional one was not given. */
    String optArg() {
        return optArg;
    }

    /** The whole word being scanned when the last option or error came ({@code poptBadOption}). */
    String badOption() {
        return argv[next - 1];
    }

    /** The next leftover word, or null ({@code poptGetArg}). */
    String nextLeftover() {
        return nextLeftover < leftovers.size() ? leftovers.get(nextLeftover++) : null;
    }

    static String strerror(int error) {
        return switch (error) {
            case ERROR_NOARG -> "missing argument";
            case ERROR_BADOPT -> "unknown option";
            case ERROR_UNWANTEDARG -> "option does not take an argument";
            default -> "unknown error";
        };
    }

    private Option findLong(String name) {
        for (Option o : table) {
            if (o.longName() != null && o.longName().equals(name)) {
                return o;
            }
        }
        return null;
    }

    private Option findShort(char c) {
        if (c == '\0') {
            return null;
        }
        for (Option o : table) {
            if (o.shortName() == c) {
                return o;
            }
        }
        return null;
    }
}
