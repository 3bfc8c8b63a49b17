package dev.gatehouse.gateway.proxy;

import dev.gatehouse.gateway.config.Route;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
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
 */
final class Exchange implements ProxyBackendHandler.UpstreamListener {
    private final ProxyFrontendHandler front;
    private final ChannelHandlerContext ctx;
    private final String requestId;
    private final HttpMethod method;
    private final HttpVersion clientVersion;
    private final boolean clientKeepAlive;
    private final Route route;
    private final HttpRequest upstreamRequest;
    private final ArrayDeque<HttpContent> pendingBody = new ArrayDeque<>();

    private Channel upstream;
    private boolean requestComplete;
    private boolean responseStarted;
    private boolean responseComplete;
    private boolean informational;
    private boolean keepClient;
    private boolean reuseUpstream;
    private boolean clientGone;

    private Exchange(ProxyFrontendHandler front, ChannelHandlerContext ctx, HttpRequest request, String requestId,
                     boolean clientKeepAlive, Route route, HttpRequest upstreamRequest) {
        this.front = front;
        this.ctx = ctx;
        this.requestId = requestId;
        this.method = request.method();
        this.clientVersion = request.protocolVersion();
        this.clientKeepAlive = clientKeepAlive;
        this.route = route;
        this.upstreamRequest = upstreamRequest;
        this.requestComplete = request instanceof LastHttpContent;
    }

    static Exchange local(ProxyFrontendHandler front, ChannelHandlerContext ctx, HttpRequest request, String requestId,
                          boolean keepAlive) {
        return new Exchange(front, ctx, request, requestId, keepAlive, null, null);
    }

    static Exchange proxied(ProxyFrontendHandler front, ChannelHandlerContext ctx, HttpRequest request,
                            String requestId, boolean keepAlive, Route route, HttpRequest upstreamRequest) {
        return new Exchange(front, ctx, request, requestId, keepAlive, route, upstreamRequest);
    }

    boolean requestComplete() {
        return requestComplete;
    }

    void connect(UpstreamPool pool) {
        pool.acquire(ctx.channel().eventLoop(), route.upstream()).addListener(this::connected);
    }

    private void connected(Future<? super Channel> f) {
        if (!f.isSuccess()) {
            Throwable cause = f.cause();
            String detail = cause instanceof ConnectException ? "connection refused" : cause.getMessage();
            respondLocally(ProxyErrors.UPSTREAM_CONNECT_FAILED, detail);
            return;
        }
        Channel ch = (Channel) f.getNow();
        if (clientGone) {
            ch.close();
            return;
        }
        upstream = ch;
        ch.pipeline().get(ProxyBackendHandler.class).attach(this);
        ch.write(upstreamRequest).addListener(this::closeUpstreamOnFailure);
        HttpContent c;
        while ((c = pendingBody.poll()) != null) {
            ch.write(c).addListener(this::closeUpstreamOnFailure);
        }
        ch.flush();
        ch.read();
        if (!requestComplete) {
            front.requestMore();
        }
    }

    private void closeUpstreamOnFailure(Future<? super Void> f) {
        if (!f.isSuccess()) {
            ((ChannelFuture) f).channel().close();
        }
    }

    /** A piece of the request body from the client. */
    void requestBody(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (content.decoderResult().isFailure()) {
            ReferenceCountUtil.release(content);
            keepClient = false;
            requestComplete = true;
            if (!responseStarted) {
                respondLocally(ProxyErrors.BAD_REQUEST, content.decoderResult().cause().getMessage());
            }
            abortUpstream();
            front.closeOnFlush();
            return;
        }
        if (last) {
            requestComplete = true;
        }
        if (responseComplete || route == null) {
            ReferenceCountUtil.release(content);   // already answered: drain and drop
            if (last) {
                finishIfDone();
            } else {
                front.requestMore();
            }
        } else if (upstream == null) {
            pendingBody.add(content);
        } else {
            upstream.writeAndFlush(content).addListener(f -> {
                if (!f.isSuccess()) {
                    upstream.close();
                } else if (!requestComplete) {
                    front.requestMore();
                }
            });
        }
    }

    @Override
    public void upstreamMessage(Object msg) {
        if (clientGone) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpResponse response) {
            if (response.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                reuseUpstream = false;
                abortUpstream();
                respondLocally(ProxyErrors.UPSTREAM_RESET, "invalid response from upstream");
                return;
            }
            boolean interim = response.status().codeClass() == HttpStatusClass.INFORMATIONAL
                    && response.status().code() != 101;
            ForwardedMessages.ResponseHead head =
                    ForwardedMessages.clientResponse(response, method, clientVersion, clientKeepAlive);
            ReferenceCountUtil.release(msg);
            if (interim) {
                informational = true;
            } else {
                responseStarted = true;
                keepClient = head.keepClient();
                reuseUpstream = head.reuseUpstream();
            }
            ctx.writeAndFlush(head.response()).addListener(this::afterClientWrite);
        } else if (msg instanceof HttpContent content) {
            boolean last = content instanceof LastHttpContent;
            if (informational) {
                informational = !last;
                ctx.writeAndFlush(content).addListener(this::afterClientWrite);
                return;
            }
            if (last) {
                ctx.writeAndFlush(content).addListener(f -> {
                    if (!f.isSuccess()) {
                        ctx.close();
                    }
                });
                responseDone();
            } else {
                ctx.writeAndFlush(content).addListener(this::afterClientWrite);
            }
        } else {
            ReferenceCountUtil.release(msg);
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
        }
    }

    private void responseDone() {
        responseComplete = true;
        Channel ch = upstream;
        upstream = null;
        ch.pipeline().get(ProxyBackendHandler.class).detach();
        if (reuseUpstream && requestComplete) {
            front.pool().release(ch, route.upstream());
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
        if (responseComplete || clientGone) {
            return;
        }
        if (!responseStarted) {
            respondLocally(ProxyErrors.UPSTREAM_RESET, null);
        } else {
            ctx.close(); // the response is cut short: the client must see the connection end
        }
    }

    /** Answers the client from the gateway itself and drops the rest of the request body. */
    void respondLocally(ProxyErrors error, String detail) {
        responseStarted = true;
        responseComplete = true;
        keepClient = clientKeepAlive;
        abortUpstream();
        ctx.writeAndFlush(error.response(ctx.alloc(), requestId, detail, keepClient)).addListener(f -> {
            if (!f.isSuccess()) {
                ctx.close();
            }
        });
        if (requestComplete) {
            finishIfDone();
        } else {
            front.requestMore();
        }
    }

    private void finishIfDone() {
        if (requestComplete && responseComplete) {
            releasePending();
            front.exchangeDone(keepClient);
        }
    }

    private void abortUpstream() {
        releasePending();
        if (upstream != null) {
            Channel ch = upstream;
            upstream = null;
            ch.pipeline().get(ProxyBackendHandler.class).detach();
            ch.close();
        }
    }

    private void releasePending() {
        HttpContent c;
        while ((c = pendingBody.poll()) != null) {
            c.release();
        }
    }

    void clientClosed() {
        clientGone = true;
        abortUpstream();
    }
}
