package io.jlvs.monitor;

import java.util.Map;

/**
 * One HTTP request as {@link MonitorApp} sees it, independent of the server library.
 *
 * @param method        GET, POST…
 * @param path          the path, without the query
 * @param params        query and form parameters (first value of each)
 * @param cookies       cookies by name
 * @param headers       headers by lower-case name (first value)
 * @param remoteAddress the client's address, for login throttling and the audit log
 * @param secure        whether it came over TLS
 */
public record WebRequest(String method, String path, Map<String, String> params, Map<String, String> cookies,
                         Map<String, String> headers, String remoteAddress, boolean secure) {

    public String param(String name) {
        return params.get(name);
    }

    public String header(String lowerCaseName) {
        return headers.get(lowerCaseName);
    }
}
