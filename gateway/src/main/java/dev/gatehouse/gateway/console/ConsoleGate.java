package dev.gatehouse.gateway.console;

import dev.gatehouse.core.net.IpAddress;
import dev.gatehouse.gateway.config.ConsoleSettings;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's connections before any HTTP: at most {@link #MAX_CONNECTIONS} at once; on a bind beyond loopback, a
 * peer neither in {@code console.allow} nor in {@code console.trusted-proxies} is closed at once, before a byte is read;
 * and a connection that neither reads nor writes for {@link #IDLE} (a request sent half, an idle keep-alive) is closed —
 * but a live tail, which writes its keep-alives and is read no further.
 */
@ChannelHandler.Sharable
final class ConsoleGate extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ConsoleGate.class);
    static final int MAX_CONNECTIONS = 64;
    static final Duration IDLE = Duration.ofSeconds(30);
    /** Set on a connection once it carries a live tail. */
    static final AttributeKey<Boolean> STREAMING = AttributeKey.valueOf("gatehouse.console.streaming");

    private final ConsoleSettings settings;
    private final AtomicInteger open = new AtomicInteger();
    private final ChannelHandler idleClose = new IdleClose();

    ConsoleGate(ConsoleSettings settings) {
        this.settings = settings;
    }

    /** Adds the gate and the idle timeout in front of the HTTP codec. */
    void install(ChannelPipeline p) {
        p.addLast(this)
                .addLast(new IdleStateHandler(0, 0, IDLE.toMillis(), TimeUnit.MILLISECONDS))
                .addLast(idleClose);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        Channel ch = ctx.channel();
        if (open.incrementAndGet() > MAX_CONNECTIONS) {
            log.debug("Console connection from {} closed: {} open already", ch.remoteAddress(), MAX_CONNECTIONS);
            ch.close();
        } else if (!settings.loopback() && !admitted((InetSocketAddress) ch.remoteAddress())) {
            ch.close();
        } else {
            super.channelActive(ctx);
        }
        ch.closeFuture().addListener(f -> open.decrementAndGet());
    }

    private boolean admitted(InetSocketAddress remote) {
        IpAddress peer = IpAddress.of(remote.getAddress().getAddress());
        return settings.allow().contains(peer) || settings.trustedProxies().contains(peer);
    }

    @ChannelHandler.Sharable
    private static final class IdleClose extends ChannelDuplexHandler {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof IdleStateEvent) {
                if (!Boolean.TRUE.equals(ctx.channel().attr(STREAMING).get())) {
                    ctx.close();
                }
                return;
            }
            super.userEventTriggered(ctx, evt);
        }
    }
}
