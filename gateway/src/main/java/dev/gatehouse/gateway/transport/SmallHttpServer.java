package dev.gatehouse.gateway.transport;

import dev.gatehouse.core.GatehouseException;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A small HTTP server on one thread of its own for the gateway's side services (management, the
 * demo upstream): whole requests up to a size, answered by one {@code @Sharable} handler.
 */
public final class SmallHttpServer implements AutoCloseable {
    private final EventLoopGroup group;
    private final Channel channel;

    private SmallHttpServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /** Binds {@code host:port} (0: any free port); fails with one line naming {@code what}. */
    public static SmallHttpServer start(Transport transport, String what, String host, int port, int maxContent,
                                        ChannelHandler handler) {
        return start(transport, what, host, port, maxContent, p -> {
        }, handler);
    }

    /**
     * As {@link #start(Transport, String, String, int, int, ChannelHandler)}, with {@code front} adding handlers of
     * the listener's own before the HTTP codec of each new connection (the console's: who may connect, timeouts).
     */
    public static SmallHttpServer start(Transport transport, String what, String host, int port, int maxContent,
                                        Consumer<ChannelPipeline> front, ChannelHandler handler) {
        EventLoopGroup group = transport.newGroup(1);
        try {
            Channel ch = new ServerBootstrap().group(group).channel(transport.serverChannel())
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            front.accept(c.pipeline());
                            c.pipeline()
                                    .addLast(new HttpServerCodec())
                                    .addLast(new HttpServerKeepAliveHandler())
                                    .addLast(new HttpObjectAggregator(maxContent))
                                    .addLast(handler);
                        }
                    })
                    .bind(host, port).sync().channel();
            return new SmallHttpServer(group, ch);
        } catch (Exception e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new GatehouseException("cannot listen on " + host + ":" + port + " (" + what + "): "
                    + e.getMessage() + " (is another process using the port?)", e);
        }
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
