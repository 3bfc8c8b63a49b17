package dev.gatehouse.gateway.proxy;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.route.Upstream;
import dev.gatehouse.gateway.config.GatewaySettings;
import dev.gatehouse.gateway.config.UpstreamTls;
import dev.gatehouse.gateway.transport.Transport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.DefaultAddressResolverGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keep-alive connections to upstreams, pooled per event loop: a client connection and its upstream
 * connection always share one thread, so nothing here is locked and no connection crosses threads.
 * Each pool is touched only from its own event loop. Upstream host names are resolved by Netty's
 * asynchronous DNS resolver (hosts file, then the system's name servers), never by a blocking
 * lookup on an event loop. An https:// upstream's connection joins the pool once its TLS handshake
 * succeeded (the certificate checked as {@code upstream.tls} says).
 */
public final class UpstreamPool implements AutoCloseable {
    static final String CODEC = "upstream-codec";
    static final String HANDLER = "upstream-handler";
    static final String TLS = "upstream-tls";
    private static final Logger log = LoggerFactory.getLogger(UpstreamPool.class);
    private static final long TLS_WARNING_EVERY = TimeUnit.MINUTES.toNanos(1);

    private final Transport transport;
    private final GatewaySettings settings;
    private final MeterRegistry registry;
    /** Per upstream origin: [0] connections opened, [1] requests sent on a pooled (kept-alive) connection. */
    private final Map<Upstream, Counter[]> connectionCounters = new ConcurrentHashMap<>();
    private final Map<EventLoop, Map<Upstream, ArrayDeque<Channel>>> idleByLoop = new ConcurrentHashMap<>();
    /** Created when the first upstream given by name is connected to (IP literals need none). */
    private volatile DnsAddressResolverGroup resolver;
    /** For https:// upstreams; null when no route has one. Replaced when the TLS files are reloaded. */
    private volatile SslContext tlsContext;
    /** When a failed TLS handshake was last logged, per upstream: once a minute at most, whatever the load. */
    private final Map<Upstream, Long> tlsWarned = new ConcurrentHashMap<>();

    public UpstreamPool(Transport transport, GatewaySettings settings, MeterRegistry registry) {
        this.transport = transport;
        this.settings = settings;
        this.registry = registry;
        boolean anyTls = settings.routes().stream().flatMap(r -> r.upstreams().stream()).anyMatch(Upstream::tls);
        this.tlsContext = anyTls ? tlsContext(settings.upstream().tls()) : null;
    }

    /**
     * A connection to an upstream for one request: a new one ({@code reused} false) or one from the pool. Opened
     * over both is the pool's miss rate; an upstream that closes kept-alive connections (or a keepalive shorter
     * than {@code upstream.idle-timeout}) shows as opened growing with requests. Labelled by origin (scheme, host,
     * port: the pool's keys carry no base path), so http://h:8443 and https://h:8443 stay two series.
     */
    private void counted(Upstream key, boolean reused) {
        Counter[] c = connectionCounters.get(key);
        if (c == null) {
            c = connectionCounters.computeIfAbsent(key, u -> new Counter[] {
                    Counter.builder("gatehouse.upstream.connections.opened").tag("upstream", u.toString())
                            .description("Connections opened to an upstream (a request that found no idle kept-alive one, or a retry).")
                            .register(registry),
                    Counter.builder("gatehouse.upstream.connections.reused").tag("upstream", u.toString())
                            .description("Requests sent on a kept-alive upstream connection from the pool.")
                            .register(registry)});
        }
        c[reused ? 1 : 0].increment();
    }

    private AddressResolverGroup<InetSocketAddress> dns() {
        DnsAddressResolverGroup r = resolver;
        if (r == null) {
            synchronized (this) {
                r = resolver;
                if (r == null) {
                    r = new DnsAddressResolverGroup(new DnsNameResolverBuilder()
                            .datagramChannelType(transport.datagramChannel())
                            .socketChannelType(transport.socketChannel()));
                    resolver = r;
                }
            }
        }
        return r;
    }

    /** Whether any route has an https:// upstream (and so a TLS context to reload). */
    public boolean usesTls() {
        return tlsContext != null;
    }

    /** New upstream TLS connections use this context from now on; pooled ones keep their session. */
    void useTls(SslContext context) {
        tlsContext = context;
    }

    /**
     * The client-side TLS context for https:// upstreams, made at start: the configured CAs, or the JVM's trust
     * store; and the client certificate, when one is configured (mutual TLS).
     */
    static SslContext tlsContext(UpstreamTls conf) {
        try {
            SslContextBuilder b = SslContextBuilder.forClient()
                    .trustManager(conf.caFile() == null ? null : conf.caFile().toFile())
                    // the builder checks the host by default (Netty 4.2); null turns it off
                    .endpointIdentificationAlgorithm(conf.verifyHostname() ? "HTTPS" : null);
            if (conf.certificateFile() != null) {
                b.keyManager(conf.certificateFile().toFile(), conf.keyFile().toFile());
            }
            return b.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new GatehouseException("cannot set up TLS to upstreams: " + e.getMessage(), e);
        }
    }

    /**
     * A TLS client handler for the upstream: its host name as SNI and, unless configured off, as the name
     * the certificate must carry (an address in the URL: the address it must carry).
     */
    private SslHandler tlsHandler(Channel ch, Upstream upstream) {
        SslHandler handler = tlsContext.newHandler(ch.alloc(), upstream.host(), upstream.port());
        handler.setHandshakeTimeoutMillis(settings.upstream().connectTimeout().toMillis());
        return handler;
    }

    @Override
    public synchronized void close() {
        if (resolver != null) {
            resolver.close();
        }
    }

    private static Upstream key(Upstream u) {
        return u.basePath().isEmpty() ? u : new Upstream(u.host(), u.port(), "", u.tls());
    }

    /** An idle kept-alive connection to the upstream on this event loop, or null when there is none. */
    Channel pollIdle(EventLoop loop, Upstream upstream) {
        assert loop.inEventLoop();
        Upstream key = key(upstream);
        ArrayDeque<Channel> idle = loopPool(loop).get(key);
        while (idle != null && !idle.isEmpty()) {
            Channel ch = idle.pollLast();   // most recently used: warmest, least likely closed by the upstream
            if (ch.isActive() && UpstreamCodec.holdsNothing(ch)) { // bytes that came while idle: never reused
                ProxyBackendHandler h = backend(ch);
                h.idleSince = 0;
                h.reused = true;
                counted(key, true);
                return ch;
            }
            ch.close();
        }
        return null;
    }

    private static ProxyBackendHandler backend(Channel ch) {
        return ch.pipeline().get(ProxyBackendHandler.class);
    }

    /** A new connection to the upstream on this event loop (after the TLS handshake, for an https one). */
    Future<Channel> connect(EventLoop loop, Upstream upstream) {
        assert loop.inEventLoop();
        Promise<Channel> promise = loop.newPromise();
        // an IP literal is connected to as it is (the default group never resolves a resolved address)
        InetAddress literal = upstream.literal(); // strict, like every address in Gatehouse (not NetUtil's)
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.upstream().connectTimeout().toMillis())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .resolver(literal != null ? DefaultAddressResolverGroup.INSTANCE : dns())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (upstream.tls()) {
                            ch.pipeline().addLast(TLS, tlsHandler(ch, upstream));
                        }
                        ch.pipeline()
                                .addLast(CODEC, new UpstreamCodec())
                                .addLast(HANDLER, new ProxyBackendHandler());
                    }
                });
        ChannelFuture f = b.connect(literal != null ? new InetSocketAddress(literal, upstream.port())
                : InetSocketAddress.createUnresolved(upstream.host(), upstream.port()));
        Upstream key = key(upstream);
        f.channel().closeFuture().addListener(c -> {
            ArrayDeque<Channel> idleNow = loopPool(loop).get(key);
            if (idleNow != null) {
                idleNow.remove(f.channel());
            }
        });
        f.addListener(done -> {
            if (!done.isSuccess()) {
                promise.setFailure(done.cause());
            } else if (!upstream.tls()) {
                counted(key, false);
                promise.setSuccess(f.channel());
            } else {
                f.channel().pipeline().get(SslHandler.class).handshakeFuture().addListener(shook -> {
                    if (shook.isSuccess()) {
                        counted(key, false);
                        promise.setSuccess(f.channel());
                    } else {
                        f.channel().close();
                        UpstreamTlsException failure = new UpstreamTlsException(upstream, shook.cause());
                        warnOncePerMinute(key, failure);
                        promise.setFailure(failure);
                    }
                });
            }
        });
        return promise;
    }

    /** A TLS failure after the handshake ({@link UpstreamTlsException#closedUnanswered}): logged like a failed one. */
    void tlsFailed(Upstream upstream, UpstreamTlsException failure) {
        warnOncePerMinute(key(upstream), failure);
    }

    private void warnOncePerMinute(Upstream upstream, UpstreamTlsException failure) {
        long now = System.nanoTime();
        Long last = tlsWarned.get(upstream);
        if (last == null || now - last >= TLS_WARNING_EVERY) {
            tlsWarned.put(upstream, now);
            log.warn("{} (requests to it answer 502; logged once a minute while it lasts)", failure.getMessage());
        }
    }

    /** True when the connection served an earlier request (the upstream may have closed it meanwhile). */
    static boolean wasReused(Channel ch) {
        return backend(ch).reused;
    }

    /** Returns a connection whose exchange ended cleanly; it is closed when idle too long or the pool is full. */
    void release(Channel ch, Upstream upstream) {
        EventLoop loop = ch.eventLoop();
        assert loop.inEventLoop();
        if (!ch.isActive()) {
            return;
        }
        ArrayDeque<Channel> idle = loopPool(loop).computeIfAbsent(key(upstream), k -> new ArrayDeque<>());
        if (idle.size() >= settings.upstream().maxIdlePerLoop()) {
            ch.close();
            return;
        }
        backend(ch).idleSince = System.nanoTime();
        idle.addLast(ch);
        ch.read(); // notice an upstream that closes the idle connection (ProxyBackendHandler closes on anything read while idle)
    }

    /**
     * The loop's pool, created on first use together with its sweeper: one periodic task per loop
     * closes connections idle longer than the idle timeout (a timer per release would pile up
     * hundreds of thousands of scheduled tasks under load).
     */
    private Map<Upstream, ArrayDeque<Channel>> loopPool(EventLoop loop) {
        Map<Upstream, ArrayDeque<Channel>> pool = idleByLoop.get(loop);
        if (pool == null) {
            pool = new HashMap<>();
            idleByLoop.put(loop, pool);
            Map<Upstream, ArrayDeque<Channel>> sweep = pool;
            long timeout = settings.upstream().idleTimeout().toNanos();
            long period = Math.max(TimeUnit.MILLISECONDS.toNanos(100), timeout / 4);
            loop.scheduleAtFixedRate(() -> {
                long now = System.nanoTime();
                for (ArrayDeque<Channel> idle : sweep.values()) {
                    // oldest first: stop at the first one still young enough
                    while (!idle.isEmpty()) {
                        long since = backend(idle.peekFirst()).idleSince;
                        if (since != 0 && now - since < timeout) {
                            break;
                        }
                        idle.pollFirst().close();
                    }
                }
            }, period, period, TimeUnit.NANOSECONDS);
        }
        return pool;
    }
}
