package dev.gatehouse.gateway.proxy;

import dev.gatehouse.core.route.Upstream;
import dev.gatehouse.gateway.request.LocalAnswer;
import dev.gatehouse.gateway.request.RequestContext;
import dev.gatehouse.gateway.route.UpstreamSelector;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.net.ConnectException;
import java.util.ArrayDeque;

/**
 * One request and its response, from the client's request head to the last byte of the response.
 * Runs entirely on the client channel's event loop (the upstream connection shares it).
 *
 * <p>The exchange is over when the request has been read to its end and the response has been
 * written; a response that ends first (an error, an early upstream answer) leaves the rest of the
 * request body to be read and dropped, so the client connection stays usable.
 *
 * <p>Upstream failures: a refused or timed-out connect tries the route's next upstream (nothing was
 * sent); a pooled connection the upstream had closed while idle is retried once on a new
 * connection, for idempotent requests without a body only; anything else is 502, or 504 for a
 * timeout, before the response started, and a cut connection after.
 *
 * <p>One class on purpose, though past 400 lines: it is one state machine, and every transition reads the
 * same handful of flags (request complete, response started or complete, client gone, upstream reused).
 * What is not state lives elsewhere — the heads in {@link ForwardedMessages}, the waiting in
 * {@link UpstreamTimer}, the pool in {@link UpstreamPool}, the choice of upstream in {@link UpstreamSelector},
 * the spliced bytes after a 101 in {@link Tunnel}, the failures in {@link ProxyErrors}, every answer of the gateway's
 * own in {@link LocalAnswer}.
 */
final class Exchange implements ProxyBackendHandler.UpstreamListener, UpstreamTimer.Waiter {
    private final ProxyFrontendHandler front;
    private final ChannelHandlerContext ctx;
    private final HttpRequest request;
    private final RequestContext context;
    private final HttpMethod method;
    private final HttpVersion clientVersion;
    private final boolean clientKeepAlive;
    private final UpstreamSelector selector;
    private final boolean upgradeRequested;
    private final boolean bodiless;
    /** Body parts read before the upstream connection is ready; usually none or the empty last one. */
    private final ArrayDeque<Object> pendingBody = new ArrayDeque<>(2);
    private final int firstPick;

    private int attempt;
    private boolean retriedStale;
    /** Built once, on the client's head's own headers; a stale-connection retry sends it again. */
    private HttpRequest upstreamHead;
    /** Read before the upstream head changes the client's headers (a client may name it in Connection). */
    private final String userAgent;
    private Channel upstream;
    private Upstream target;
    private boolean upstreamReused;
    private long bodyBytes;
    private boolean requestComplete;
    private boolean responseStarted;
    private boolean responseComplete;
    private boolean informational;
    private boolean keepClient;
    private boolean reuseUpstream;
    private boolean clientGone;
    private Tunnel tunnel;
    private int status;
    private long responseBytes;
    private long sentNanos;
    private boolean reported;

    private Exchange(ProxyFrontendHandler front, ChannelHandlerContext ctx, HttpRequest request, RequestContext context,
                     UpstreamSelector selector) {
        this.front = front;
        this.ctx = ctx;
        this.request = request;
        this.context = context;
        this.method = request.method();
        this.clientVersion = request.protocolVersion();
        this.clientKeepAlive = HttpUtil.isKeepAlive(request);
        this.userAgent = request.headers().get(HttpHeaderNames.USER_AGENT);
        this.selector = selector;
        this.upgradeRequested = ForwardedMessages.isUpgrade(request);
        this.bodiless = !HttpUtil.isTransferEncodingChunked(request) && HttpUtil.getContentLength(request, 0L) == 0;
        this.firstPick = selector == null ? 0 : selector.start();
        this.requestComplete = request instanceof LastHttpContent;
    }

    /** An exchange the gateway answers itself. */
    static Exchange local(ProxyFrontendHandler front, ChannelHandlerContext ctx, HttpRequest request, RequestContext context) {
        return new Exchange(front, ctx, request, context, null);
    }

    static Exchange proxied(ProxyFrontendHandler front, ChannelHandlerContext ctx, HttpRequest request,
                            RequestContext context, UpstreamSelector selector) {
        return new Exchange(front, ctx, request, context, selector);
    }

    boolean requestComplete() {
        return requestComplete;
    }

    String requestId() {
        return context.requestId();
    }

    // ---- connecting -------------------------------------------------------------------------

    void connect() {
        target = selector.pick(firstPick, attempt);
        Upstream chosen = target;
        Channel idle = front.pool().pollIdle(ctx.channel().eventLoop(), chosen);
        if (idle != null) {
            connected(idle, chosen); // the common case under load: no future, no listener
            return;
        }
        front.pool().connect(ctx.channel().eventLoop(), chosen).addListener(f -> connected(f, chosen));
    }

    private void connected(Future<? super Channel> f, Upstream chosen) {
        if (!f.isSuccess()) {
            selector.failed(chosen);
            if (clientGone) {
                return;
            }
            Throwable cause = f.cause();
            if (++attempt < selector.size()) {
                connect(); // nothing was sent: another upstream may take it
                return;
            }
            if (cause instanceof ConnectTimeoutException) {
                respondLocally(ProxyErrors.UPSTREAM_TIMEOUT, "connecting to " + chosen.authority());
            } else {
                respondLocally(ProxyErrors.UPSTREAM_CONNECT_FAILED,
                        cause instanceof ConnectException ? "connection refused" : cause.getMessage());
            }
            return;
        }
        connected((Channel) f.getNow(), chosen);
    }

    private void connected(Channel ch, Upstream chosen) {
        if (clientGone || responseComplete) {
            ch.close();
            return;
        }
        upstream = ch;
        upstreamReused = UpstreamPool.wasReused(ch);
        ch.pipeline().get(ProxyBackendHandler.class).attach(this);
        if (upstreamHead == null) { // a second successful connection is only a stale one's retry, to the same upstream
            upstreamHead = ForwardedMessages.upstreamRequest(request, selector.route(), chosen, context,
                    front.settings().clientIp().trust(), front.settings().upstream().headers());
        }
        ch.write(upstreamHead).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        Object c;
        while ((c = pendingBody.poll()) != null) {
            ch.write(c).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
        if (retriedStale) {
            ch.write(LastHttpContent.EMPTY_LAST_CONTENT);
        }
        ch.flush();
        ch.read();
        sentNanos = System.nanoTime();
        if (requestComplete) {
            awaitUpstream();
        } else {
            front.requestMore();
        }
    }

    // ---- the request body -------------------------------------------------------------------

    /** A piece of the request body from the client. */
    void requestBody(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (content.decoderResult().isFailure()) {
            String reason = content.decoderResult().cause().getMessage();
            ReferenceCountUtil.release(content);
            requestComplete = true;
            abortUpstream();
            if (!responseStarted) {
                respondAndClose(ProxyErrors.BAD_REQUEST, reason);
            } else {
                ctx.close();
            }
            return;
        }
        bodyBytes += content.content().readableBytes();
        if (last) {
            requestComplete = true;
            RequestTrailers.filter((LastHttpContent) content, front.settings().upstream().headers());
        }
        if (responseComplete || selector == null) {
            ReferenceCountUtil.release(content);   // already answered: drain and drop
            if (last) {
                finishIfDone();
            } else {
                front.requestMore();
            }
            return;
        }
        if (bodyBytes > selector.route().maxBodySize()) {
            ReferenceCountUtil.release(content);
            abortUpstream();
            if (!responseStarted) {
                respondAndClose(ProxyErrors.BODY_TOO_LARGE, "more than " + selector.route().maxBodySize() + " bytes");
            } else {
                ctx.close();
            }
            return;
        }
        if (upstream == null) {
            pendingBody.add(content);
            return;
        }
        upstream.writeAndFlush(content).addListener(f -> {
            if (!f.isSuccess()) {
                ((ChannelFuture) f).channel().close();
            } else if (last) {
                awaitUpstream();
            } else if (!requestComplete) {
                front.requestMore();
            }
        });
    }

    // ---- the response -----------------------------------------------------------------------

    @Override
    public void upstreamMessage(Object msg) {
        upstreamAnswered();
        if (clientGone) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (tunnel != null) {
            tunnel.early(msg); // bytes after the 101, before the splice
            return;
        }
        if (msg instanceof HttpResponse response) {
            upstreamHead(response);
        } else if (msg instanceof HttpContent content) {
            boolean last = content instanceof LastHttpContent;
            if (content.decoderResult().isFailure()) {
                // a bad chunk, a body past its length: the framing is in doubt, so is the connection
                ReferenceCountUtil.release(content);
                upstreamMalformed();
                return;
            }
            if (informational) {
                informational = !last;
                ctx.writeAndFlush(content).addListener(this::afterClientWrite);
                return;
            }
            responseBytes += content.content().readableBytes();
            if (last) {
                ctx.writeAndFlush(content).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
                responseDone();
            } else {
                ctx.write(content).addListener(this::afterClientWrite); // flushed at the end of the read batch
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void upstreamHead(HttpResponse response) {
        int code = response.status().code();
        if (response.decoderResult().isFailure() || code == 101 && !upgradeRequested
                || ForwardedMessages.framedInDoubt(response)) {
            // not framed without doubt (CL with TE, two lengths, a bad status line), or switching unasked
            ReferenceCountUtil.release(response);
            upstreamMalformed();
            return;
        }
        if (code == 101 && upgradeRequested) {
            status = 101;
            front.observer().upstreamLatency(selector.label(), System.nanoTime() - sentNanos);
            report();
            responseStarted = true;
            responseComplete = true;
            cancelTimer();
            tunnel = new Tunnel(ctx.channel(), upstream, front);
            HttpResponse head = ForwardedMessages.switchingProtocols(response, clientVersion,
                    front.settings().upstream().headers());
            ReferenceCountUtil.release(response);
            ctx.writeAndFlush(head).addListener(f -> {
                if (f.isSuccess()) {
                    tunnel.splice();
                } else {
                    tunnel.close();
                }
            });
            return;
        }
        boolean interim = response.status().codeClass() == HttpStatusClass.INFORMATIONAL && code != 101;
        ForwardedMessages.ResponseHead head = ForwardedMessages.clientResponse(response, method, clientVersion,
                clientKeepAlive && !front.draining(), front.settings().upstream().headers());
        ReferenceCountUtil.release(response);
        if (head.droppedCookies() > 0) {
            front.observer().upstreamCookiesDropped(selector.label(), head.droppedCookies());
        }
        if (!interim && context.signedIn() != null && context.signedIn().renewal() != null) {
            SessionRenewal.add(head.response().headers(), context.signedIn().renewal()); // idle time anew
        }
        if (interim) {
            informational = true;
        } else {
            status = code;
            front.observer().upstreamLatency(selector.label(), System.nanoTime() - sentNanos);
            responseStarted = true;
            keepClient = head.keepClient();
            reuseUpstream = head.reuseUpstream();
        }
        if (interim) {
            ctx.writeAndFlush(head.response()).addListener(this::afterClientWrite);
        } else {
            // flushed with the body, or at the end of the upstream's read batch: one write to the socket, not two
            ctx.write(head.response()).addListener(this::afterClientWrite);
        }
    }

    /**
     * The upstream sent something whose framing is in doubt: its connection is closed (never pooled), and the
     * client gets a 502 if nothing was sent yet, else sees its connection cut.
     */
    private void upstreamMalformed() {
        abortUpstream(); // not counted as the upstream failing: one odd response must not take it out of the route
        if (!responseStarted) {
            respondLocally(ProxyErrors.UPSTREAM_INVALID, null);
        } else {
            ctx.close();
        }
    }

    @Override
    public void upstreamReadComplete() {
        if (!clientGone && tunnel == null) {
            ctx.flush();
        }
    }

    /** Backpressure: read more from the upstream only once the client took the last piece. */
    private void afterClientWrite(Future<? super Void> f) {
        if (!f.isSuccess()) {
            ctx.close();
            return;
        }
        if (upstream != null && !responseComplete) {
            upstream.read();
            awaitUpstream();
        }
    }

    private void responseDone() {
        responseComplete = true;
        cancelTimer();
        selector.succeeded(target);
        Channel ch = upstream;
        upstream = null;
        ch.pipeline().get(ProxyBackendHandler.class).detach();
        if (reuseUpstream && requestComplete && UpstreamCodec.holdsNothing(ch)) {
            front.pool().release(ch, target);
        } else {
            ch.close();
        }
        if (requestComplete) {
            finishIfDone();
        } else {
            front.requestMore(); // drain the rest of the request body
        }
    }

    @Override
    public void upstreamClosed(Throwable cause) {
        upstream = null;
        upstreamAnswered();
        if (responseComplete || clientGone) {
            return;
        }
        if (!responseStarted) {
            if (upstreamReused && bodiless && isIdempotent() && !retriedStale) {
                // The upstream closed a kept-alive connection as we reused it; nothing was processed.
                retriedStale = true;
                Upstream same = target;
                front.pool().connect(ctx.channel().eventLoop(), same).addListener(f -> connected(f, same));
                return;
            }
            String detail = null;
            if (target.tls() && !upstreamReused) {
                UpstreamTlsException tls = UpstreamTlsException.closedUnanswered(target, cause);
                front.pool().tlsFailed(target, tls);
                detail = tls.getMessage();
            }
            respondLocally(ProxyErrors.UPSTREAM_RESET, detail);
        } else {
            ctx.close(); // the response is cut short: the client must see the connection end
        }
    }

    private boolean isIdempotent() {
        return method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD) || method.equals(HttpMethod.OPTIONS)
                || method.equals(HttpMethod.TRACE) || method.equals(HttpMethod.PUT) || method.equals(HttpMethod.DELETE);
    }

    // ---- the upstream timer -----------------------------------------------------------------

    /** Starts (or continues) waiting for the upstream; past response-timeout it is given up. */
    private void awaitUpstream() {
        if (responseComplete || upstream == null) {
            return;
        }
        front.upstreamTimer().waiting(this);
    }

    private void upstreamAnswered() {
        front.upstreamTimer().answered(this);
    }

    @Override
    public void upstreamTimedOut() {
        if (responseComplete || clientGone) {
            return;
        }
        selector.failed(target);
        abortUpstream();
        if (!responseStarted) {
            respondLocally(ProxyErrors.UPSTREAM_TIMEOUT, "no response within " + front.settings().upstream().responseTimeout().toMillis() + " ms");
        } else {
            ctx.close();
        }
    }

    private void cancelTimer() {
        front.upstreamTimer().done(this);
    }

    // ---- answering locally and finishing ---------------------------------------------------

    /** Answers the client with a failure of the proxy's and drops the rest of the request body. */
    private void respondLocally(ProxyErrors error, String detail) {
        answer(error.answer(detail));
    }

    /** Answers with the gateway's own response (an error, a denial, a redirect, a page) and drops the rest of the body. */
    void answer(LocalAnswer a) {
        boolean keep = clientKeepAlive && !front.draining();
        FullHttpResponse response = a.response(ctx.alloc(), context.requestId(), keep);
        status = response.status().code();
        front.observer().rejected(a.reason());
        responseStarted = true;
        responseComplete = true;
        keepClient = !response.headers().contains(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true);
        abortUpstream();
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        if (requestComplete) {
            finishIfDone();
        } else {
            front.requestMore();
        }
    }

    /** Answers and closes without reading the rest of the request (too large, malformed). */
    void respondAndClose(ProxyErrors error, String detail) {
        LocalAnswer a = error.answer(detail);
        FullHttpResponse response = a.response(ctx.alloc(), context.requestId(), false);
        status = response.status().code();
        front.observer().rejected(a.reason());
        report();
        responseStarted = true;
        responseComplete = true;
        keepClient = false;
        abortUpstream();
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    private void finishIfDone() {
        if (requestComplete && responseComplete) {
            report();
            releasePending();
            front.exchangeDone(keepClient);
        }
    }

    /** Reports the exchange to the metrics and the access log, once. */
    private void report() {
        if (!reported) {
            reported = true;
            front.observer().finished(context, request, userAgent, selector == null ? "" : selector.label(), status,
                    responseBytes, target);
        }
    }

    private void abortUpstream() {
        cancelTimer();
        releasePending();
        if (upstream != null) {
            Channel ch = upstream;
            upstream = null;
            ch.pipeline().get(ProxyBackendHandler.class).detach();
            ch.close();
        }
    }

    private void releasePending() {
        Object c;
        while ((c = pendingBody.poll()) != null) {
            ReferenceCountUtil.release(c);
        }
    }

    void clientClosed() {
        clientGone = true;
        report();
        if (tunnel == null) {
            abortUpstream();
        }
    }
}
