package dev.gatehouse.gateway.server;

import dev.gatehouse.gateway.clientip.ClientIpHandler;
import dev.gatehouse.gateway.clientip.ProxyProtocolHandler;
import dev.gatehouse.gateway.clientip.ProxyProtocolSenderFilter;
import dev.gatehouse.gateway.config.GatewaySettings;
import dev.gatehouse.gateway.policy.AccessHandler;
import dev.gatehouse.gateway.proxy.ProxyFrontendHandler;
import dev.gatehouse.gateway.request.FramingHeaders;
import dev.gatehouse.gateway.request.RequestHeadTimeout;
import dev.gatehouse.gateway.request.RequestValidator;
import dev.gatehouse.gateway.route.RouteHandler;
import dev.gatehouse.gateway.sso.SsoHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/** The client connection's pipeline, top to bottom. Assembles handlers; does nothing else. */
final class GatewayChannelInitializer extends ChannelInitializer<SocketChannel> {
    static final String PROXY_PROTOCOL_SENDERS = "proxy-protocol-senders";
    static final String PROXY_PROTOCOL_DECODER = "proxy-protocol-decoder";
    static final String PROXY_PROTOCOL = "proxy-protocol";
    static final String HEAD_TIMEOUT = "request-head-timeout";
    static final String HTTP_CODEC = "http-codec";
    static final String VALIDATOR = "request-validator";
    static final String IDLE = "client-idle";
    static final String CLIENT_IP = "client-ip";
    static final String ROUTE = "route";
    static final String SSO = "sso";
    static final String ACCESS = "access";
    static final String PROXY = "proxy";

    private final PipelineParts parts;
    private final GatewaySettings settings;
    // the handlers every connection shares (@Sharable)
    private final ProxyProtocolSenderFilter senderFilter;
    private final ClientIpHandler clientIp;
    private final RouteHandler route;
    private final AccessHandler access;

    GatewayChannelInitializer(PipelineParts parts) {
        this.parts = parts;
        this.settings = parts.settings();
        this.senderFilter = new ProxyProtocolSenderFilter(parts.hops());
        this.clientIp = new ClientIpHandler(parts.hops());
        this.route = new RouteHandler(parts.routes());
        this.access = new AccessHandler(parts.policies(), parts.tokenUsed());
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        parts.tracker().add(ch);
        ChannelPipeline p = ch.pipeline();
        if (settings.listen().proxyProtocol()) {
            p.addLast(PROXY_PROTOCOL_SENDERS, senderFilter);
            p.addLast(PROXY_PROTOCOL_DECODER, new HAProxyMessageDecoder());
            p.addLast(PROXY_PROTOCOL, new ProxyProtocolHandler());
        }
        p.addLast(HEAD_TIMEOUT, new RequestHeadTimeout(settings.server().requestHeaderTimeout().toNanos()));
        p.addLast(HTTP_CODEC, new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(settings.server().maxInitialLineLength())
                .setMaxHeaderSize(settings.server().maxHeaderSize())
                .setMaxChunkSize(16 * 1024)
                .setHeadersFactory(FramingHeaders.FACTORY)));
        p.addLast(VALIDATOR, new RequestValidator(settings.upstream().headers().identityHeaders()));
        p.addLast(IDLE, new IdleStateHandler(0, 0, settings.server().clientIdleTimeout().toMillis(), TimeUnit.MILLISECONDS));
        p.addLast(CLIENT_IP, clientIp);
        p.addLast(ROUTE, route);
        p.addLast(SSO, new SsoHandler(parts.sso())); // one per connection: it holds the messages behind a sign-in
        p.addLast(ACCESS, access);
        p.addLast(PROXY, new ProxyFrontendHandler(parts.pool(), settings, parts.tracker(), parts.observer()));
    }
}
