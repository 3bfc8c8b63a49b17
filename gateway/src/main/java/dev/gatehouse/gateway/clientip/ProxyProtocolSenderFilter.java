package dev.gatehouse.gateway.clientip;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On a PROXY protocol listener, only the configured senders may speak: any other connection is
 * closed before a byte is read (it could otherwise claim any source address). Removes itself once
 * the sender is accepted, so accepted connections pay nothing more. The senders are those in force
 * when the connection opens ({@link TrustedHops}).
 */
@ChannelHandler.Sharable
public final class ProxyProtocolSenderFilter extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ProxyProtocolSenderFilter.class);
    private final TrustedHops hops;

    public ProxyProtocolSenderFilter(TrustedHops hops) {
        this.hops = hops;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!hops.proxyProtocolSenders().contains(PeerAddress.socketPeer(ctx.channel()))) {
            log.debug("closing {}: not an allowed PROXY protocol sender", ctx.channel().remoteAddress());
            ctx.close();
            return;
        }
        ctx.pipeline().remove(this);
        ctx.fireChannelActive();
    }
}
