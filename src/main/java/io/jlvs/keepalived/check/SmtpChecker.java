package io.jlvs.keepalived.check;

import io.jlvs.keepalived.config.CheckerConfig;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * SMTP_CHECK (check_smtp.c): read the greeting (220), send {@code HELO name} (expect 250), send {@code QUIT},
 * read a line; every step bounded by {@code connect_timeout}.
 */
public final class SmtpChecker implements HealthChecker {
    private final CheckerConfig.Smtp config;

    public SmtpChecker(CheckerConfig.Smtp config) {
        this.config = config;
    }

    @Override
    public String type() {
        return "SMTP_CHECK";
    }

    @Override
    public Result check(int step) {
        String to = Endpoints.text(config.connection());
        try (Socket s = Endpoints.connect(config.connection())) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
            OutputStream out = s.getOutputStream();
            int greeting = reply(in);
            if (greeting != 220) {
                return Result.failed("SMTP_CHECK " + to + ": Bad greeting " + greeting);
            }
            out.write(("HELO " + config.heloName() + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            int helo = reply(in);
            if (helo != 250) {
                return Result.failed("SMTP_CHECK " + to + ": Bad HELO response " + helo);
            }
            out.write("QUIT\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            reply(in);
            return Result.ok("SMTP connection to " + to + " success.");
        } catch (SocketTimeoutException e) {
            return Result.failed("SMTP_CHECK " + to + ": Timeout");
        } catch (IOException e) {
            return Result.failed("SMTP_CHECK " + to + ": " + e.getMessage());
        }
    }

    /** The code of an SMTP reply, skipping continuation lines ({@code 250-…}); -1 when the server closed. */
    static int reply(BufferedReader in) throws IOException {
        while (true) {
            String line = in.readLine();
            if (line == null) {
                return -1;
            }
            if (line.length() >= 4 && line.charAt(3) == '-') {
                continue;
            }
            try {
                return line.length() >= 3 ? Integer.parseInt(line.substring(0, 3)) : -1;
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }
}
