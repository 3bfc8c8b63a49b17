package dev.gatehouse.gateway.console;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.LoggerFactory;

/**
 * The console's requests: GET and HEAD only (anything else is 405, before anything is read), admitted by
 * {@link ConsoleAccess} (memory only), then the page is made on the console's page threads — its queries never run on
 * the event loop — and written back on the channel's own event loop.
 */
@ChannelHandler.Sharable
final class ConsoleHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final ConsoleAccess access;
    private final ConsolePages pages;
    private final DenialTail tail;
    private final Executor pageThreads;

    ConsoleHandler(ConsoleAccess access, ConsolePages pages, DenialTail tail, Executor pageThreads) {
        this.access = access;
        this.pages = pages;
        this.tail = tail;
        this.pageThreads = pageThreads;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (Boolean.TRUE.equals(ctx.channel().attr(ConsoleGate.STREAMING).get())) {
            ctx.close(); // a request pipelined after a live tail: the connection is the stream's alone
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        boolean head = req.method().equals(HttpMethod.HEAD);
        if (!req.method().equals(HttpMethod.GET) && !head) {
            write(ctx, ConsoleAnswer.message(HttpResponseStatus.METHOD_NOT_ALLOWED, "-", "Read-only", null, null,
                    "The console only reads: GET and HEAD.").with("Allow", "GET, HEAD"), false, keepAlive);
            return;
        }
        ConsoleAccess.Verdict verdict = access.admit(req, (InetSocketAddress) ctx.channel().remoteAddress());
        if (verdict instanceof ConsoleAccess.Refused r) {
            write(ctx, r.answer(), head, keepAlive);
            return;
        }
        Viewer viewer = ((ConsoleAccess.Admitted) verdict).viewer();
        QueryStringDecoder q = new QueryStringDecoder(req.uri());
        ConsolePages.Ask ask;
        try {
            String accept = req.headers().get(HttpHeaderNames.ACCEPT);
            ask = new ConsolePages.Ask(q.path(), q.parameters(), req.uri(),
                    accept != null && accept.contains("application/json") && !accept.contains("text/html"));
        } catch (IllegalArgumentException malformed) { // a bad %-escape
            write(ctx, ConsoleAnswer.message(HttpResponseStatus.BAD_REQUEST, viewer.name(), "Bad request", null, null,
                    "The address is malformed."), head, keepAlive);
            return;
        }
        if (ask.path().equals(ConsoleScript.PATH)) {
            write(ctx, ConsoleScript.ANSWER, head, keepAlive);
            return;
        }
        if (ask.path().equals(DenialTail.PATH) && !head) {
            tail.open(ctx, req, ask, viewer);
            return;
        }
        try {
            pageThreads.execute(() -> {
                ConsoleAnswer a = pages.answer(ask, viewer);
                ctx.executor().execute(() -> write(ctx, a, head, keepAlive));
            });
        } catch (RejectedExecutionException busy) {
            write(ctx, ConsoleAnswer.message(HttpResponseStatus.SERVICE_UNAVAILABLE, viewer.name(), "Busy", null, null,
                    "The console is answering as many pages as it may at once; try again in a moment.")
                    .with("Retry-After", "1"), head, keepAlive);
        }
    }

    private static void write(ChannelHandlerContext ctx, ConsoleAnswer a, boolean head, boolean keepAlive) {
        if (ctx.channel().isActive()) {
            ctx.writeAndFlush(a.response(ctx.alloc(), head, keepAlive));
        }
    }

    /**
     * A connection that failed (reset, a malformed request the codec refused): closed, and logged at debug only — a
     * client that resets connections on purpose must not be able to fill the log.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LoggerFactory.getLogger(ConsoleHandler.class).debug("console connection {} failed: {}",
                ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
