package io.jlvs.monitor;

/** Escaping for server-rendered pages: every value written into HTML goes through {@link #e}. */
final class Html {
    private Html() {}

    /** Escapes text for an element's content or a double-quoted attribute. */
    static String e(Object value) {
        String s = String.valueOf(value);
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
