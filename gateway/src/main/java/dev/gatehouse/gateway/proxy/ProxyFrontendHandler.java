package dev.gatehouse.gateway.proxy;

import dev.gatehouse.gateway.config.GatewaySettings;
import dev.gatehouse.gateway.metrics.RequestObserver;
import dev.gatehouse.gateway.request.InboundRequest;
import dev.gatehouse.gateway.request.InvalidRequest;
import dev.gatehouse.gateway.request.LocalAnswer;
import dev.gatehouse.gateway.request.RequestContext;
import dev.gatehouse.gateway.request.RequestHeadTimeout;
import dev.gatehouse.gateway.request.RequestIds;
import dev.gatehouse.gateway.route.UpstreamSelector;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of a proxied connection: one {@link Exchange} at a time, in order.
 *
 * <p>The channel does not auto-read: the next piece of a request body is read only after the
 * previous one was written upstream, so a slow upstream slows the client down instead of filling
 * memory. Pipelined requests that arrive in the same read are queued and served in order once the
 * current exchange is over.
 */
public final class ProxyFrontendHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ProxyFrontendHandler.class);

    private final UpstreamPool pool;
    private final GatewaySettings settings;
    private final ConnectionTracker tracker;
    private final RequestObserver observer;
    private final ArrayDeque<Object> queued = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private RequestHeadTimeout headTimeout;
    private Exchange exchange;
    /** The exchanges' upstream response timeout, one for the connection; made on first use. */
    private UpstreamTimer upstreamTimer;

    public ProxyFrontendHandler(UpstreamPool pool, GatewaySettings settings, ConnectionTracker tracker,
                                RequestObserver observer) {
        this.pool = pool;
        this.settings = settings;
        this.tracker = tracker;
        this.observer = observer;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.headTimeout = ctx.pipeline().get(RequestHeadTimeout.class);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!queued.isEmpty() || !accepts(msg)) {
            queued.add(msg); // pipelined: kept in order until the current exchange is over
            return;
        }
        dispatch(msg);
    }

    /** Whether a message can be handled now: a new request when idle, or the body of the current one. */
    private boolean accepts(Object msg) {
        return exchange == null || (!exchange.requestComplete() && msg instanceof HttpContent && !(msg instanceof HttpRequest));
    }

    private void dispatch(Object msg) {
        if (exchange != null) {
            exchange.requestBody((HttpContent) msg);
        } else if (msg instanceof InboundRequest request) {
            start(request.head(), request.context());
        } else if (msg instanceof HttpRequest malformed) {
            start(malformed, null); // the decoder's failed message: answered 400/414/431 and closed
        } else {
            ReferenceCountUtil.release(msg); // stray body of a request already answered
            requestMore();
        }
    }

    /**
     * The current exchange (or the idle connection) wants the next message: a queued one if it can
     * take it, otherwise the next read from the socket.
     */
    void requestMore() {
        Object next = queued.peek();
        if (next == null) {
            ctx.read();
        } else if (accepts(next)) {
            dispatch(queued.poll());
        }
    }

    private void start(HttpRequest request, RequestContext context) {
        if (headTimeout != null) {
            headTimeout.headReceived();
        }
        DecoderResult result = request.decoderResult();
        if (result.isFailure() || context == null) {
            ReferenceCountUtil.release(request);
            rejectMalformed(result.cause());
            return;
        }
        ReferenceCountUtil.release(request); // a head holds no buffer; kept for its headers
        UpstreamSelector selector = context.upstreams();
        LocalAnswer local = null;
        if (context.rejection() != null) {
            local = ProxyErrors.BAD_CLIENT_ADDRESS.answer(context.rejection());
        } else if (context.answer() != null) { // the gateway's own pages (/.gatehouse/...), whatever the routes
            local = context.answer();
        } else if (selector == null) { // the target is origin-form: RequestValidator saw to it
            local = ProxyErrors.NO_ROUTE.answer(null);
        } else if (context.denial() != null) {
            local = LocalAnswer.denied(context.denial(), context.client(), request.headers().get(HttpHeaderNames.ACCEPT));
        }
        if (local != null) {
            exchange = Exchange.local(this, ctx, request, context);
            exchange.answer(local);
            return;
        }
        long length = HttpUtil.getContentLength(request, -1L);
        exchange = Exchange.proxied(this, ctx, request, context, selector);
        if (length > selector.route().maxBodySize()) {
            exchange.respondAndClose(ProxyErrors.BODY_TOO_LARGE, "Content-Length " + length + " is more than "
                    + selector.route().maxBodySize() + " bytes");
            return;
        }
        exchange.connect();
    }

    /** A head the edge refused or the decoder could not read: answered (400, 414, 431, 501, 505) and closed. */
    private void rejectMalformed(Throwable cause) {
        LocalAnswer answer;
        if (cause instanceof InvalidRequest invalid) {
            answer = invalid.answer();
        } else {
            ProxyErrors error = cause instanceof TooLongHttpLineException ? ProxyErrors.URI_TOO_LONG
                    : cause instanceof TooLongHttpHeaderException ? ProxyErrors.HEADERS_TOO_LARGE
                    : ProxyErrors.BAD_REQUEST;
            answer = error.answer(error == ProxyErrors.BAD_REQUEST && !(cause instanceof TooLongFrameException)
                    ? cause.getMessage() : null);
        }
        observer.rejected(answer.reason());
        observer.finished(null, null, null, "", answer.status().code(), 0, null);
        ctx.writeAndFlush(answer.response(ctx.alloc(), RequestIds.next(), false)).addListener(ChannelFutureListener.CLOSE);
    }

    /** Called by the exchange when both its request and its response are over. */
    void exchangeDone(boolean keepClient) {
        exchange = null;
        if (!keepClient || draining()) {
            closeOnFlush();
            return;
        }
        if (headTimeout != null) {
            headTimeout.awaitHead();
        }
        requestMore();
    }

    /** The exchange switched protocols: this handler leaves the pipeline. */
    void becameTunnel() {
        exchange = null;
        Object m;
        while ((m = queued.poll()) != null) {
            ReferenceCountUtil.release(m);
        }
    }

    RequestObserver observer() {
        return observer;
    }

    UpstreamPool pool() {
        return pool;
    }

    GatewaySettings settings() {
        return settings;
    }

    UpstreamTimer upstreamTimer() {
        if (upstreamTimer == null) {
            upstreamTimer = new UpstreamTimer(ctx.channel().eventLoop(), settings.upstream().responseTimeout().toNanos());
        }
        return upstreamTimer;
    }

    boolean draining() {
        return tracker.draining();
    }

    void closeOnFlush() {
        if (ctx.channel().isActive()) {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.clientClosed();
            exchange = null;
        }
        if (upstreamTimer != null) {
            upstreamTimer.close();
        }
        Object m;
        while ((m = queued.poll()) != null) {
            ReferenceCountUtil.release(m);
        }
        ctx.fireChannelInactive();
    }

    /**
     * Idle for the configured time: closed when it is the client's turn (between requests, or
     * mid-request-body); left alone while waiting on the upstream, whose own timeout governs that.
     * Draining: an idle connection closes at once; a busy one after its exchange.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent || evt == ConnectionTracker.DRAIN) {
            if (exchange == null || (evt instanceof IdleStateEvent && !exchange.requestComplete())) {
                ctx.close();
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("client connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
