package dev.gatehouse.gateway.proxy;

import dev.gatehouse.core.net.IpAddresses;
import dev.gatehouse.gateway.config.Route;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetAddress;

/**
 * Builds the two messages a proxy rewrites: the request sent upstream (hop-by-hop headers removed,
 * X-Real-IP / X-Forwarded-* / X-Request-Id set by the gateway) and the response head sent back to
 * the client (framing and keep-alive adapted to the client's HTTP version).
 */
final class ForwardedMessages {
    static final String X_REAL_IP = "X-Real-IP";
    static final String X_FORWARDED_FOR = "X-Forwarded-For";
    static final String X_FORWARDED_PROTO = "X-Forwarded-Proto";
    static final String X_FORWARDED_HOST = "X-Forwarded-Host";
    static final String X_REQUEST_ID = "X-Request-Id";

    private ForwardedMessages() {
    }

    /**
     * The upstream request. Until trusted proxies are configured every peer is untrusted, so an
     * incoming X-Forwarded-For / X-Real-IP is dropped and replaced by the socket peer.
     */
    static HttpRequest upstreamRequest(HttpRequest in, Route route, InetAddress client, String requestId) {
        boolean chunked = HttpUtil.isTransferEncodingChunked(in);
        HttpHeaders headers = in.headers().copy();
        HopByHopHeaders.strip(headers);
        if (chunked) {
            headers.remove(HttpHeaderNames.CONTENT_LENGTH);
            headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        String clientIp = IpAddresses.format(client);
        headers.set(X_REAL_IP, clientIp);
        headers.set(X_FORWARDED_FOR, clientIp);
        headers.set(X_FORWARDED_PROTO, "http");
        String host = in.headers().get(HttpHeaderNames.HOST);
        if (host != null) {
            headers.set(X_FORWARDED_HOST, host);
        } else {
            headers.remove(X_FORWARDED_HOST);
            headers.set(HttpHeaderNames.HOST, route.upstream().authority());
        }
        headers.set(X_REQUEST_ID, requestId);
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, in.method(), route.upstreamUri(in.uri()), headers);
    }

    /** What the response head implies for both connections. */
    record ResponseHead(HttpResponse response, boolean keepClient, boolean reuseUpstream) {
    }

    static ResponseHead clientResponse(HttpResponse upstream, HttpMethod method, HttpVersion clientVersion,
                                       boolean clientKeepAlive) {
        boolean upstreamChunked = HttpUtil.isTransferEncodingChunked(upstream);
        HttpHeaders headers = upstream.headers().copy();
        HopByHopHeaders.strip(headers);
        int code = upstream.status().code();
        boolean bodyless = method.equals(HttpMethod.HEAD) || code == 204 || code == 304
                || upstream.status().codeClass() == HttpStatusClass.INFORMATIONAL;
        boolean hasLength = !upstreamChunked && headers.contains(HttpHeaderNames.CONTENT_LENGTH);
        if (upstreamChunked) {
            headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        }
        boolean framedForClient = bodyless || hasLength;
        if (!framedForClient && clientVersion.equals(HttpVersion.HTTP_1_1)) {
            headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            framedForClient = true;
        }
        boolean keepClient = clientKeepAlive && framedForClient;
        if (!keepClient) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (clientVersion.equals(HttpVersion.HTTP_1_0)) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        boolean reuseUpstream = HttpUtil.isKeepAlive(upstream) && (bodyless || upstreamChunked || hasLength);
        return new ResponseHead(new DefaultHttpResponse(clientVersion, upstream.status(), headers), keepClient, reuseUpstream);
    }
}
