package dev.gatehouse.gateway.request;

import dev.gatehouse.gateway.route.Routable;
import dev.gatehouse.gateway.route.UpstreamSelector;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;

/** A request head with what the gateway decided about it; its body follows as HttpContent messages. */
public record InboundRequest(HttpRequest head, RequestContext context) implements Routable {
    @Override
    public String target() {
        return head.uri();
    }

    @Override
    public String host() {
        return head.headers().get(HttpHeaderNames.HOST);
    }

    @Override
    public void routed(UpstreamSelector matched) {
        context.routed(matched);
    }
}
