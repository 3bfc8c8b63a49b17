package dev.gatehouse.gateway.server;

import dev.gatehouse.gateway.config.GatewaySettings;
import dev.gatehouse.gateway.proxy.ProxyFrontendHandler;
import dev.gatehouse.gateway.proxy.RouteTable;
import dev.gatehouse.gateway.proxy.UpstreamPool;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/** The client connection's pipeline, top to bottom. Assembles handlers; does nothing else. */
public final class GatewayChannelInitializer extends ChannelInitializer<SocketChannel> {
    static final String HTTP_CODEC = "http-codec";
    static final String IDLE = "client-idle";
    static final String IDLE_CLOSER = "client-idle-closer";
    static final String PROXY = "proxy";

    private final GatewaySettings settings;
    private final RouteTable routes;
    private final UpstreamPool pool;

    public GatewayChannelInitializer(GatewaySettings settings, RouteTable routes, UpstreamPool pool) {
        this.settings = settings;
        this.routes = routes;
        this.pool = pool;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        p.addLast(HTTP_CODEC, new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(settings.maxInitialLineLength())
                .setMaxHeaderSize(settings.maxHeaderSize())
                .setMaxChunkSize(16 * 1024)));
        p.addLast(IDLE, new IdleStateHandler(0, 0, settings.clientIdleTimeout().toMillis(), TimeUnit.MILLISECONDS));
        p.addLast(IDLE_CLOSER, new IdleConnectionCloser());
        p.addLast(PROXY, new ProxyFrontendHandler(routes, pool));
    }
}
