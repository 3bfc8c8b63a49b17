package dev.gatehouse.gateway.proxy;

import dev.gatehouse.gateway.clientip.RequestIds;
import dev.gatehouse.gateway.config.GatewaySettings;
import dev.gatehouse.gateway.config.Route;
import dev.gatehouse.gateway.request.InboundRequest;
import dev.gatehouse.gateway.request.RequestContext;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpContent;
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

    private final RouteTable routes;
    private final UpstreamPool pool;
    private final GatewaySettings settings;
    private final ArrayDeque<Object> queued = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private Exchange exchange;

    public ProxyFrontendHandler(RouteTable routes, UpstreamPool pool, GatewaySettings settings) {
        this.routes = routes;
        this.pool = pool;
        this.settings = settings;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
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
        DecoderResult result = request.decoderResult();
        if (result.isFailure() || context == null) {
            ReferenceCountUtil.release(request);
            rejectMalformed(result.cause());
            return;
        }
        String requestId = context.requestId();
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        String uri = request.uri();
        if (!uri.startsWith("/")) {
            exchange = Exchange.local(this, ctx, request, requestId, keepAlive);
            exchange.respondLocally(ProxyErrors.BAD_REQUEST, "the request target must be a path starting with '/'");
            ReferenceCountUtil.release(request);
            return;
        }
        if (context.rejection() != null) {
            exchange = Exchange.local(this, ctx, request, requestId, keepAlive);
            exchange.respondLocally(ProxyErrors.BAD_CLIENT_ADDRESS, context.rejection());
            ReferenceCountUtil.release(request);
            return;
        }
        Route route = routes.match(uri);
        if (route == null) {
            exchange = Exchange.local(this, ctx, request, requestId, keepAlive);
            exchange.respondLocally(ProxyErrors.NO_ROUTE, null);
            ReferenceCountUtil.release(request);
            return;
        }
        exchange = Exchange.proxied(this, ctx, request, requestId, keepAlive, route,
                ForwardedMessages.upstreamRequest(request, route, context, settings.clientIp(), settings.forwardedHeader()));
        ReferenceCountUtil.release(request); // a plain head holds no buffer; a full request's body is not forwarded
        exchange.connect(pool);
    }

    private void rejectMalformed(Throwable cause) {
        ProxyErrors error = cause instanceof TooLongHttpLineException ? ProxyErrors.URI_TOO_LONG
                : cause instanceof TooLongHttpHeaderException ? ProxyErrors.HEADERS_TOO_LARGE
                : ProxyErrors.BAD_REQUEST;
        String detail = error == ProxyErrors.BAD_REQUEST && !(cause instanceof TooLongFrameException)
                ? cause.getMessage() : null;
        ctx.writeAndFlush(error.response(ctx.alloc(), RequestIds.next(), detail, false))
                .addListener(ChannelFutureListener.CLOSE);
    }

    /** Called by the exchange when both its request and its response are over. */
    void exchangeDone(boolean keepClient) {
        exchange = null;
        if (!keepClient) {
            closeOnFlush();
            return;
        }
        requestMore();
    }

    UpstreamPool pool() {
        return pool;
    }

    void closeOnFlush() {
        if (ctx.channel().isActive()) {
            ctx.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.clientClosed();
            exchange = null;
        }
        Object m;
        while ((m = queued.poll()) != null) {
            ReferenceCountUtil.release(m);
        }
        ctx.fireChannelInactive();
    }

    /**
     * The connection was idle for the configured time. Closed when it is the client's turn (between
     * requests, or mid-request-body); left alone while waiting on the upstream, whose own timeout
     * governs that wait.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            if (exchange == null || !exchange.requestComplete()) {
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
