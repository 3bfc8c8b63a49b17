package dev.gatehouse.gateway.route;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/** Finds each request's route (by host, then longest prefix) and records it on the request. */
@ChannelHandler.Sharable
public final class RouteHandler extends ChannelInboundHandlerAdapter {
    private final RouteTable routes;

    public RouteHandler(RouteTable routes) {
        this.routes = routes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Routable r) {
            r.routed(routes.match(routes.byHost() ? r.host() : null, r.target()));
        }
        ctx.fireChannelRead(msg);
    }
}
