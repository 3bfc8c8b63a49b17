package dev.gatehouse.gateway.clientip;

import dev.gatehouse.core.clientip.ClientIpResolver;
import dev.gatehouse.core.clientip.ClientIpResult;
import dev.gatehouse.core.net.IpAddress;
import dev.gatehouse.gateway.request.InboundRequest;
import dev.gatehouse.gateway.request.RequestContext;
import dev.gatehouse.gateway.request.RequestIds;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;

/**
 * <b>Where the client IP is decided.</b> For each request head: asks the pure
 * {@link ClientIpResolver} who the client is, given the connection's peer and the request's
 * forwarding headers, and passes the request on with that decision ({@link InboundRequest}).
 * A rejected decision is passed on too; the proxy answers it with 400 and the reason.
 */
@ChannelHandler.Sharable
public final class ClientIpHandler extends ChannelInboundHandlerAdapter {
    private final TrustedHops hops;

    public ClientIpHandler(TrustedHops hops) {
        this.hops = hops;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest head && head.decoderResult().isSuccess()) {
            long start = System.nanoTime();
            IpAddress peer = PeerAddress.of(ctx.channel());
            ClientIpResolver resolver = hops.resolver(); // one list for the whole decision, even across a reload
            ClientIpResult result = resolver.resolve(peer, head.headers()::getAll);
            boolean peerTrusted = resolver.settings().trusted().contains(peer);
            String requestId = RequestIds.incomingOrNew(head, peerTrusted);
            ctx.fireChannelRead(new InboundRequest(head, new RequestContext(requestId, result, peerTrusted, start)));
            return;
        }
        ctx.fireChannelRead(msg);
    }
}
