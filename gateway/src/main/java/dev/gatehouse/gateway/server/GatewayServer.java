package dev.gatehouse.gateway.server;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.gateway.config.GatewaySettings;
import dev.gatehouse.gateway.proxy.ConnectionTracker;
import dev.gatehouse.gateway.proxy.UpstreamPool;
import dev.gatehouse.gateway.transport.Transport;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The public listener: binds, serves through {@link GatewayChannelInitializer}, and shuts down. */
public final class GatewayServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GatewayServer.class);
    /** Connections the drain at close had to cut (still open at the drain timeout). */
    private volatile int cut;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel serverChannel;
    private final GatewaySettings settings;
    private final ConnectionTracker tracker;
    private final UpstreamPool pool;

    private GatewayServer(EventLoopGroup boss, EventLoopGroup workers, Channel serverChannel, PipelineParts parts) {
        this.boss = boss;
        this.workers = workers;
        this.serverChannel = serverChannel;
        this.settings = parts.settings();
        this.tracker = parts.tracker();
        this.pool = parts.pool();
    }

    /**
     * Binds the listener, each connection's pipeline assembled from {@code parts}; throws with a clear message when
     * the address is in use. From here on the listener owns the parts' connection tracker and upstream pool.
     */
    public static GatewayServer start(Transport transport, PipelineParts parts, MeterRegistry registry)
            throws InterruptedException {
        GatewaySettings settings = parts.settings();
        EventLoopGroup boss = transport.newGroup(1);
        EventLoopGroup workers = transport.newGroup(settings.server().eventLoopThreads());
        try {
            ConnectionTracker tracker = parts.tracker();
            ServerBootstrap b = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new GatewayChannelInitializer(parts));
            Gauge.builder("gatehouse.open.connections", tracker, ConnectionTracker::open)
                    .description("Open client connections.").strongReference(true).register(registry);
            Channel ch = b.bind(settings.listen().host(), settings.listen().port()).sync().channel();
            return new GatewayServer(boss, workers, ch, parts);
        } catch (Exception e) {
            boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            parts.pool().close();
            throw new GatehouseException("cannot listen on " + settings.listen().host() + ":"
                    + settings.listen().port() + ": " + e.getMessage() + " (is another process using the port?)", e);
        }
    }

    /** The upstream connections (per event loop), for the TLS files' reloads. */
    public UpstreamPool pool() {
        return pool;
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** Open client connections (for metrics). */
    public int openConnections() {
        return tracker.open();
    }

    /**
     * Graceful stop: no new connections, idle ones closed, in-flight exchanges finish within the
     * drain timeout (their responses say Connection: close), then everything else is cut.
     */
    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        int open = tracker.open();
        if (open > 0) {
            log.info("Draining {} client connection{} (up to {} ms)", open, open == 1 ? "" : "s",
                    settings.server().drainTimeout().toMillis());
        }
        cut = tracker.drain(settings.server().drainTimeout());
        if (cut > 0) {
            log.warn("Drain timeout: cut {} connection{} still busy", cut, cut == 1 ? "" : "s");
        }
        boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
        workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).syncUninterruptibly();
        pool.close();
    }

    /** Connections the drain had to cut (still open at the drain timeout); 0 before {@link #close()}. */
    public int cutAtStop() {
        return cut;
    }
}
