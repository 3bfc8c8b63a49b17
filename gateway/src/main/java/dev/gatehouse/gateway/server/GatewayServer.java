package dev.gatehouse.gateway.server;

import dev.gatehouse.gateway.config.GatewaySettings;
import dev.gatehouse.gateway.proxy.RouteTable;
import dev.gatehouse.gateway.proxy.UpstreamPool;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** The public listener: binds, serves through {@link GatewayChannelInitializer}, and shuts down. */
public final class GatewayServer implements AutoCloseable {
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel serverChannel;
    private final GatewaySettings settings;

    private GatewayServer(EventLoopGroup boss, EventLoopGroup workers, Channel serverChannel, GatewaySettings settings) {
        this.boss = boss;
        this.workers = workers;
        this.serverChannel = serverChannel;
        this.settings = settings;
    }

    /** Binds the listener; throws with a clear message when the address is in use. */
    public static GatewayServer start(GatewaySettings settings) throws InterruptedException {
        Transport transport = Transport.best();
        EventLoopGroup boss = transport.newGroup(1);
        EventLoopGroup workers = transport.newGroup(settings.eventLoopThreads());
        try {
            UpstreamPool pool = new UpstreamPool(transport, settings);
            ServerBootstrap b = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new GatewayChannelInitializer(settings, new RouteTable(settings.routes()), pool));
            Channel ch = b.bind(settings.listenHost(), settings.listenPort()).sync().channel();
            return new GatewayServer(boss, workers, ch, settings);
        } catch (Exception e) {
            boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new dev.gatehouse.core.GatehouseException("cannot listen on " + settings.listenHost() + ":"
                    + settings.listenPort() + ": " + e.getMessage() + " (is another process using the port?)", e);
        }
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        long drain = settings.drainTimeout().toMillis();
        boss.shutdownGracefully(0, drain, TimeUnit.MILLISECONDS);
        workers.shutdownGracefully(0, drain, TimeUnit.MILLISECONDS).syncUninterruptibly();
    }
}
