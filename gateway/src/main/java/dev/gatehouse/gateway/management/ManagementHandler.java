package dev.gatehouse.gateway.management;

import dev.gatehouse.core.util.Json;
import dev.gatehouse.gateway.metrics.StandardMeters;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** GET /healthz, /readyz, /metrics. Answers from memory only: no I/O on the event loop. */
@ChannelHandler.Sharable
final class ManagementHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Readiness readiness;
    private final StandardMeters metrics;

    ManagementHandler(Readiness readiness, StandardMeters metrics) {
        this.readiness = readiness;
        this.metrics = metrics;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        String path = req.uri().split("\\?", 2)[0];
        FullHttpResponse res;
        if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.HEAD)) {
            res = text(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", "GET only\n");
        } else if (path.equals("/healthz")) {
            List<String> dead = readiness.deadThreads();
            // a dead thread will not come back by itself (they catch everything; one that died anyway is a bug):
            // failing the liveness probe gets the process restarted
            res = dead.isEmpty() ? text(ctx, HttpResponseStatus.OK, "text/plain; charset=utf-8", "ok\n")
                    : text(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "text/plain; charset=utf-8",
                    "dead: " + String.join(", ", dead) + "\n");
        } else if (path.equals("/readyz")) {
            boolean ready = readiness.ready();
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", readiness.status());
            body.put("checks", readiness.checks());
            res = text(ctx, ready ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "application/json; charset=utf-8", Json.write(body) + "\n");
        } else if (path.equals("/metrics")) {
            res = text(ctx, HttpResponseStatus.OK, StandardMeters.CONTENT_TYPE, metrics.scrape());
        } else {
            res = text(ctx, HttpResponseStatus.NOT_FOUND, "text/plain; charset=utf-8", "try /healthz, /readyz or /metrics\n");
        }
        HttpUtil.setKeepAlive(res, HttpUtil.isKeepAlive(req));
        ctx.writeAndFlush(res);
    }

    private static FullHttpResponse text(ChannelHandlerContext ctx, HttpResponseStatus status, String type, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ByteBuf content = ctx.alloc().buffer(bytes.length).writeBytes(bytes);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        HttpUtil.setContentLength(r, bytes.length);
        return r;
    }
}
