package dev.gatehouse.gateway.proxy;

import dev.gatehouse.core.util.Json;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Every response the gateway makes up itself (no route, upstream down, bad request...): one table
 * from failure to status, and a short JSON body with the request id.
 */
enum ProxyErrors {
    BAD_REQUEST(HttpResponseStatus.BAD_REQUEST, "bad request"),
    BAD_CLIENT_ADDRESS(HttpResponseStatus.BAD_REQUEST, "bad forwarding header"),
    NO_ROUTE(HttpResponseStatus.NOT_FOUND, "no route for this path"),
    URI_TOO_LONG(HttpResponseStatus.REQUEST_URI_TOO_LONG, "request URI too long"),
    HEADERS_TOO_LARGE(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "request header fields too large"),
    BODY_TOO_LARGE(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request body too large"),
    UPSTREAM_CONNECT_FAILED(HttpResponseStatus.BAD_GATEWAY, "upstream connection failed"),
    UPSTREAM_RESET(HttpResponseStatus.BAD_GATEWAY, "upstream closed the connection before responding"),
    UPSTREAM_INVALID(HttpResponseStatus.BAD_GATEWAY, "invalid response from upstream"),
    UPSTREAM_TIMEOUT(HttpResponseStatus.GATEWAY_TIMEOUT, "upstream timed out");

    private final HttpResponseStatus status;
    private final String message;

    ProxyErrors(HttpResponseStatus status, String message) {
        this.status = status;
        this.message = message;
    }

    public HttpResponseStatus status() {
        return status;
    }

    public String message() {
        return message;
    }

    /** The metric label: the constant's name in lower case. */
    public String reason() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The response, with {@code detail} (may be null) added to the message. */
    public FullHttpResponse response(ByteBufAllocator alloc, String requestId, String detail, boolean keepAlive) {
        return response(alloc, status, message, requestId, detail, keepAlive);
    }

    /** A response of the gateway's own shape for any status: {@code message} (and {@code detail}, may be null). */
    static FullHttpResponse response(ByteBufAllocator alloc, HttpResponseStatus status, String message, String requestId,
                                     String detail, boolean keepAlive) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", detail == null ? message : message + ": " + detail);
        body.put("status", status.code());
        body.put("request_id", requestId);
        byte[] bytes = (Json.write(body) + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuf content = alloc.buffer(bytes.length).writeBytes(bytes);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON + "; charset=utf-8");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        r.headers().set("X-Request-Id", requestId);
        if (!keepAlive) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return r;
    }
}
