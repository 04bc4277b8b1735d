package io.jlvs.ipvsadm;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits {@code ipvsadm -R} input into command lines the way ipvsadm 1.31's config stream does:
 * tokens separated by spaces, tabs, CR or LF; every token that is exactly {@code ipvsadm} dropped; no
 * comment syntax; and a last line without a newline that ends in two or more blanks dropped (the
 * original's scanner hits end of input while skipping blanks and discards the line).
 */
final class RestoreReader {
    private final PushbackInputStream in;

    RestoreReader(InputStream in) {
        this.in = new PushbackInputStream(new BufferedInputStream(in), 1);
    }

    /** The next line's tokens (possibly empty), or null at the end of the input. */
    List<String> nextLine() {
        try {
            List<String> tokens = new ArrayList<>();
            int ntoken = 0;
            while (true) {
                int c = in.read();
                if (c < 0) {
                    return ntoken == 0 ? null : tokens;
                }
                if (isBlank(c)) {
                    // the scanner matched no token: skip blanks up to a newline or the next token
                    while (true) {
                        if (c < 0) {
                            return null;
                        }
                        if (c == '\n') {
                            return tokens;
                        }
                        if (!isBlank(c)) {
                            in.unread(c);
                            break;
                        }
                        c = in.read();
                    }
                    continue;
                }
                ByteArrayOutputStream token = new ByteArrayOutputStream();
                while (c >= 0 && !isBlank(c)) {
                    token.write(c);
                    c = in.read();
                }
                String t = token.toString(StandardCharsets.UTF_8);
                if (!t.equals("ipvsadm")) {
                    ntoken++;
                    tokens.add(t);
                }
                if (c == '\n') {
                    return tokens;
                }
                // c is the one blank the scanner consumes with the token, or the end of input
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isBlank(int c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }
}
