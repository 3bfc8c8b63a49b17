package dev.gatehouse.gateway.request;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A response the gateway gives itself that is not a denial: the sign-in redirects, the provider chooser, the
 * signed-out page, the keys a backend verifies assertions with. Never cached.
 *
 * @param headers extra headers (Location, Set-Cookie...), in order
 * @param reason  the metric label (gatehouse_rejections_total{reason})
 */
public record LocalAnswer(HttpResponseStatus status, List<Map.Entry<String, String>> headers, String contentType,
                          String body, String reason) {

    public static LocalAnswer redirect(String location, String reason, List<Map.Entry<String, String>> cookies) {
        List<Map.Entry<String, String>> h = new ArrayList<>();
        h.add(Map.entry(HttpHeaderNames.LOCATION.toString(), location));
        h.addAll(cookies);
        return new LocalAnswer(HttpResponseStatus.FOUND, h, "text/plain; charset=utf-8", "", reason);
    }

    public static LocalAnswer html(HttpResponseStatus status, String title, String paragraphsHtml, String reason,
                                   List<Map.Entry<String, String>> cookies) {
        String body = "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>" + escape(title) + "</title></head>\n"
                + "<body style=\"font-family:sans-serif;max-width:40em;margin:4em auto\">\n<h1>" + escape(title) + "</h1>\n"
                + paragraphsHtml + "\n</body></html>\n";
        return new LocalAnswer(status, cookies, "text/html; charset=utf-8", body, reason);
    }

    public static LocalAnswer json(HttpResponseStatus status, String json, String reason) {
        return new LocalAnswer(status, List.of(), HttpHeaderValues.APPLICATION_JSON + "; charset=utf-8", json, reason);
    }

    public FullHttpResponse response(ByteBufAllocator alloc, String requestId, boolean keepAlive) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, alloc.buffer(bytes.length).writeBytes(bytes));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        r.headers().set("X-Request-Id", requestId);
        for (Map.Entry<String, String> h : headers) {
            r.headers().add(h.getKey(), h.getValue());
        }
        if (!keepAlive) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return r;
    }

    /** Text for an HTML page. */
    public static String escape(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }
}
