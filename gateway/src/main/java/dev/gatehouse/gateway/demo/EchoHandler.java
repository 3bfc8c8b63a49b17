package dev.gatehouse.gateway.demo;

import dev.gatehouse.core.util.Json;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Answers with the request it received: {"method", "uri", "headers": {name: value or [values]}, "body_bytes"}. */
@io.netty.channel.ChannelHandler.Sharable
final class EchoHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        Map<String, Object> headers = new LinkedHashMap<>();
        for (String name : req.headers().names()) {
            List<String> values = req.headers().getAll(name);
            headers.put(name.toLowerCase(java.util.Locale.ROOT), values.size() == 1 ? values.get(0) : new ArrayList<>(values));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("service", "gatehouse demo upstream");
        body.put("method", req.method().name());
        body.put("uri", req.uri());
        body.put("headers", headers);
        body.put("body_bytes", req.content().readableBytes());
        byte[] bytes = (Json.write(body) + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuf content = ctx.alloc().buffer(bytes.length).writeBytes(bytes);
        FullHttpResponse res = new DefaultFullHttpResponse(req.protocolVersion(), HttpResponseStatus.OK, content);
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON + "; charset=utf-8");
        HttpUtil.setContentLength(res, bytes.length);
        HttpUtil.setKeepAlive(res, HttpUtil.isKeepAlive(req));
        ctx.writeAndFlush(res);
    }
}
