package io.jlvs.keepalived.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The shell-like tokenizer keepalived uses for program specifications ({@code alloc_strvec_quoted_escaped}):
 * single and double quotes both quote, adjacent pieces concatenate, backslash escapes ({@code \n \t \xHH
 * \nnn \cC} …) are decoded everywhere.
 */
public final class ShellWords {
    private static final String WHITE = " \t\f\n\r\u000b";

    private ShellWords() {}

    /**
     * Splits {@code src} into words.
     *
     * @return the words, or {@code null} when there are none or the text is malformed (reported)
     */
    public static List<String> split(Reporter r, String src) {
        List<String> out = new ArrayList<>();
        char quote = 0;
        int i = 0;
        int n = src.length();
        while (i < n) {
            while (i < n && WHITE.indexOf(src.charAt(i)) >= 0) {
                i++;
            }
            if (i >= n) {
                break;
            }
            StringBuilder word = new StringBuilder();
            while (i < n) {
                char c = src.charAt(i);
                if (c == '\\') {
                    i++;
                    if (i >= n) {
                        if (r != null) {
                            r.log("Missing escape char at end: '" + src + "'");
                        }
                        return null;
                    }
                    char e = src.charAt(i);
                    char op;
                    if (e == 'x' && i + 1 < n && isHex(src.charAt(i + 1))) {
                        i++;
                        int v = 0;
                        while (i < n && isHex(src.charAt(i))) {
                            v = (v << 4) | Character.digit(src.charAt(i), 16);
                            i++;
                        }
                        op = (char) (v & 0xff);
                    } else if (e == 'c' && i + 1 < n) {
                        op = (char) (src.charAt(i + 1) & 0x1f);
                        i += 2;
                    } else if (e >= '0' && e <= '7') {
                        int v = e - '0';
                        i++;
                        for (int k = 0; k < 2 && i < n && src.charAt(i) >= '0' && src.charAt(i) <= '7'; k++) {
                            v = (v << 3) + (src.charAt(i) - '0');
                            i++;
                        }
                        op = (char) (v & 0xff);
                    } else {
                        op = switch (e) {
                            case 'a' -> 0x07;
                            case 'b' -> '\b';
                            case 'E' -> 0x1b;
                            case 'f' -> '\f';
                            case 'n' -> '\n';
                            case 'r' -> '\r';
                            case 't' -> '\t';
                            case 'v' -> 0x0b;
                            default -> e;
                        };
                        i++;
                    }
                    word.append(op);
                    continue;
                }
                if (quote != 0) {
                    if (c == quote) {
                        quote = 0;
                    } else {
                        word.append(c);
                    }
                    i++;
                    continue;
                }
                if (c == '"' || c == '\'') {
                    quote = c;
                    i++;
                    continue;
                }
                if (WHITE.indexOf(c) >= 0) {
                    break;
                }
                word.append(c);
                i++;
            }
            if (quote != 0) {
                if (r != null) {
                    r.error(ConfigStatus.UNMATCHED_QUOTE, "String '" + src + "': missing terminating " + quote);
                }
                return null;
            }
            out.add(word.toString());
        }
        return out.isEmpty() ? null : out;
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /** keepalived's {@code cmd_str}: each argument in single quotes, separated by blanks. */
    public static String quoted(List<String> argv) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if (i > 0) {
                sb.append(' ');
            }
            boolean q = i > 0 || (!a.startsWith("<") && !a.startsWith(">"));
            if (q) {
                sb.append('\'');
            }
            sb.append(a);
            if (q) {
                sb.append('\'');
            }
        }
        return sb.toString();
    }
}
