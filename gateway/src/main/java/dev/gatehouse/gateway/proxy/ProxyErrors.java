package dev.gatehouse.gateway.proxy;

import dev.gatehouse.gateway.request.LocalAnswer;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Locale;

/**
 * The failures the proxy answers itself (no route, upstream down, bad request...): one table from failure to status,
 * message and metric label. The answer is the gateway's JSON error, made by {@link LocalAnswer}.
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

    /** The answer, with {@code detail} (may be null) added to the message. */
    LocalAnswer answer(String detail) {
        return LocalAnswer.error(status, detail == null ? message : message + ": " + detail, reason());
    }
}
