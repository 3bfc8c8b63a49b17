package dev.gatehouse.gateway.management;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.gateway.metrics.GatewayMetrics;
import dev.gatehouse.gateway.server.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** The management listener (health, readiness, metrics), on its own thread, apart from the traffic. */
public final class ManagementServer implements AutoCloseable {
    private final EventLoopGroup group;
    private final Channel channel;

    private ManagementServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    public static ManagementServer start(String host, int port, Readiness readiness, GatewayMetrics metrics) {
        Transport transport = Transport.best();
        EventLoopGroup group = transport.newGroup(1);
        ManagementHandler handler = new ManagementHandler(readiness, metrics);
        try {
            Channel ch = new ServerBootstrap().group(group).channel(transport.serverChannel())
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline()
                                    .addLast(new HttpServerCodec())
                                    .addLast(new HttpServerKeepAliveHandler())
                                    .addLast(new HttpObjectAggregator(8192))
                                    .addLast(handler);
                        }
                    })
                    .bind(host, port).sync().channel();
            return new ManagementServer(group, ch);
        } catch (Exception e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new GatehouseException("cannot listen on " + host + ":" + port + " (gatehouse.management): "
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
