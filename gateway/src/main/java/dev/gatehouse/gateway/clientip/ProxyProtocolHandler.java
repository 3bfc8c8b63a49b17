package dev.gatehouse.gateway.clientip;

import dev.gatehouse.core.net.InvalidAddressException;
import dev.gatehouse.core.net.IpAddress;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the PROXY protocol header (decoded by Netty's HAProxyMessageDecoder) and makes its source
 * address the connection's peer. LOCAL (health checks) and UNKNOWN keep the socket peer. Anything
 * other than a header first closes the connection. Removes itself after the header.
 */
public final class ProxyProtocolHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ProxyProtocolHandler.class);

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HAProxyMessage header)) {
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        try {
            HAProxyProxiedProtocol.AddressFamily family = header.proxiedProtocol().addressFamily();
            if (header.command() == HAProxyCommand.PROXY
                    && (family == HAProxyProxiedProtocol.AddressFamily.AF_IPv4
                    || family == HAProxyProxiedProtocol.AddressFamily.AF_IPv6)) {
                PeerAddress.set(ctx.channel(), IpAddress.parse(header.sourceAddress()));
            } else {
                PeerAddress.set(ctx.channel(), PeerAddress.socketPeer(ctx.channel()));
            }
        } catch (InvalidAddressException e) {
            log.debug("closing {}: PROXY header with {}", ctx.channel().remoteAddress(), e.getMessage());
            ctx.close();
            return;
        } finally {
            header.release();
        }
        ctx.pipeline().remove(this);
        ctx.read(); // the HTTP request may not have arrived with the header
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("closing {}: {}", ctx.channel().remoteAddress(), cause.getMessage());
        ctx.close();
    }
}
