package dev.gatehouse.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * After a 101 Switching Protocols (WebSocket and other upgrades): both connections stop speaking
 * HTTP and become a byte pipe, each side read only when the other side took the last write. The
 * client connection's idle timeout still applies; either side closing closes the other.
 */
final class Tunnel {
    private final Channel client;
    private final Channel upstream;
    private final ProxyFrontendHandler front;
    private final ArrayDeque<Object> early = new ArrayDeque<>();

    Tunnel(Channel client, Channel upstream, ProxyFrontendHandler front) {
        this.client = client;
        this.upstream = upstream;
        this.front = front;
    }

    /** Bytes the upstream sent right after the 101, before the pipes were joined. */
    void early(Object msg) {
        if (msg instanceof ByteBuf b) {
            early.add(b);
        } else {
            if (msg instanceof ByteBufHolder h && h.content().isReadable()) {
                early.add(h.content().retain());
            }
            ReferenceCountUtil.release(msg); // the end of the 101 message itself
        }
    }

    /** Replaces the HTTP handlers on both channels with pipes to each other. */
    void splice() {
        if (!client.isActive() || !upstream.isActive()) {
            close();
            return;
        }
        front.becameTunnel();
        ChannelPipeline up = upstream.pipeline();
        up.addLast("tunnel", new Pipe(client));
        up.remove(UpstreamPool.HANDLER);
        up.remove(UpstreamPool.CODEC);

        ChannelPipeline cp = client.pipeline();
        cp.addLast("tunnel", new Pipe(upstream));
        for (String name : cp.names()) {
            io.netty.channel.ChannelHandler h = cp.get(name);
            if (h != null && !(h instanceof Pipe) && !(h instanceof io.netty.handler.timeout.IdleStateHandler)
                    && !(h instanceof HttpServerCodec) && !name.startsWith("DefaultChannelPipeline")) {
                cp.remove(name);
            }
        }
        cp.remove(HttpServerCodec.class); // any bytes it held go to the pipe
        Object m;
        while ((m = early.poll()) != null) {
            client.write(m);
        }
        client.flush();
        client.read();
        upstream.read();
    }

    void close() {
        Object m;
        while ((m = early.poll()) != null) {
            ReferenceCountUtil.release(m);
        }
        client.close();
        upstream.close();
    }

    /** Forwards everything read on one channel to the other, with backpressure. */
    private static final class Pipe extends ChannelInboundHandlerAdapter {
        private final Channel other;

        Pipe(Channel other) {
            this.other = other;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf)) {
                // what a removed HTTP codec still held: forward its bytes, drop the framing (an empty LastHttpContent)
                ByteBuf bytes = msg instanceof ByteBufHolder h && h.content().isReadable() ? h.content().retain() : null;
                ReferenceCountUtil.release(msg);
                if (bytes == null) {
                    ctx.channel().read();
                    return;
                }
                msg = bytes;
            }
            if (!other.isActive()) {
                ReferenceCountUtil.release(msg);
                ctx.close();
                return;
            }
            other.writeAndFlush(msg).addListener(f -> {
                if (f.isSuccess()) {
                    ctx.channel().read();
                } else {
                    ctx.close();
                }
            });
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (other.isActive()) {
                other.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                ctx.close();
            } else {
                ReferenceCountUtil.release(evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
