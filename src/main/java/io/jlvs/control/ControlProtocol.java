package io.jlvs.control;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.InetAddress;

/**
 * The control socket's wire format: one JSON object per line each way.
 *
 * <pre>
 * request:  {"op":"addDest","key":{…ServiceKey…},"dest":{…DestConfig…}}
 * response: {"ok":true,"result":…}  or  {"ok":false,"errno":"ESRCH","message":"…"}
 * </pre>
 * The ops are the {@link IpvsApi} method names plus the director's own ({@code status}).
 */
public final class ControlProtocol {
    private ControlProtocol() {}

    public static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Request(String op, ServiceConfig service, ServiceKey key, DestConfig dest,
                          InetAddress address, Integer port, MarkRule mark, JsonNode extra) {
        public Request(String op, ServiceConfig service, ServiceKey key, DestConfig dest, InetAddress address,
                       Integer port) {
            this(op, service, key, dest, address, port, null, null);
        }

        public static Request of(String op) {
            return new Request(op, null, null, null, null, null, null, null);
        }

        public static Request mark(String op, MarkRule rule) {
            return new Request(op, null, null, null, null, null, rule, null);
        }

        /** An op with a free-form argument (timeouts, the director's own ops). */
        public static Request withExtra(String op, Object extra) {
            return new Request(op, null, null, null, null, null, null, JSON.valueToTree(extra));
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Response(boolean ok, JsonNode result, String errno, String message) {
        public static Response ok(Object result) {
            return new Response(true, result == null ? null : JSON.valueToTree(result), null, null);
        }

        public static Response error(String errno, String message) {
            return new Response(false, null, errno, message);
        }
    }
}
