package dev.gatehouse.gateway.request;

import io.netty.handler.codec.http.HttpRequest;

/** A request head with what the gateway decided about it; its body follows as HttpContent messages. */
public record InboundRequest(HttpRequest head, RequestContext context) {
}
