package io.jlvs.monitor;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What {@link MonitorApp} answers: status, headers (in order, repeatable), body. */
public record WebResponse(int status, List<Map.Entry<String, String>> headers, byte[] body) {

    public static WebResponse of(int status, String contentType, String body) {
        WebResponse r = new WebResponse(status, new ArrayList<>(), body.getBytes(StandardCharsets.UTF_8));
        return r.with("Content-Type", contentType);
    }

    public static WebResponse of(int status, String contentType, byte[] body) {
        return new WebResponse(status, new ArrayList<>(), body).with("Content-Type", contentType);
    }

    public static WebResponse redirect(int status, String location) {
        return of(status, "text/plain; charset=utf-8", "see " + location + "\n").with("Location", location);
    }

    public WebResponse with(String name, String value) {
        headers.add(Map.entry(name, value));
        return this;
    }

    /** The first value of a header; null when absent. */
    public String header(String name) {
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().equalsIgnoreCase(name)) {
                return h.getValue();
            }
        }
        return null;
    }

    public List<String> headers(String name) {
        return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).toList();
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
