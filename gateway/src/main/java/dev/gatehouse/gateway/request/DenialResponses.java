package dev.gatehouse.gateway.request;

import dev.gatehouse.core.util.Json;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The responses for denials. API clients get JSON with the error, the client IP Gatehouse saw and
 * the request id; browsers (Accept: text/html) get a small page saying which IP was seen and that an
 * organisation policy blocks it, the first thing a locked-out administrator needs. Neither reveals
 * anything of the policy itself.
 */
public final class DenialResponses {
    private DenialResponses() {
    }

    public static FullHttpResponse build(ByteBufAllocator alloc, Denial denial, RequestContext rc, String accept,
                                         boolean keepAlive) {
        String ip = rc.client() == null ? "unknown" : rc.client().toString();
        boolean html = denial.policyDenial() && accept != null && accept.contains("text/html");
        String body;
        String type;
        if (html) {
            type = "text/html; charset=utf-8";
            body = "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Access blocked</title></head>\n"
                    + "<body style=\"font-family:sans-serif;max-width:40em;margin:4em auto\">\n"
                    + "<h1>Access from your network is blocked</h1>\n"
                    + "<p>Your organisation's network access policy does not allow requests from <strong>"
                    + escape(ip) + "</strong>, the address this request came from.</p>\n"
                    + "<p>If you should have access, ask an administrator of your organisation to allow this address.</p>\n"
                    + "<p style=\"color:#666\">Request id: " + escape(rc.requestId()) + "</p>\n</body></html>\n";
        } else {
            type = HttpHeaderValues.APPLICATION_JSON + "; charset=utf-8";
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("error", denial.error());
            if (denial.policyDenial()) {
                m.put("client_ip", ip);
            }
            m.put("status", denial.status().code());
            m.put("request_id", rc.requestId());
            body = Json.write(m) + "\n";
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, denial.status(),
                alloc.buffer(bytes.length).writeBytes(bytes));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        r.headers().set("X-Request-Id", rc.requestId());
        if (denial.status().code() == 401) {
            r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
        }
        if (!keepAlive) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return r;
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
