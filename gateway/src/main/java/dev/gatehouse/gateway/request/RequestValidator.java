package dev.gatehouse.gateway.request;

import dev.gatehouse.core.route.HostPattern;
import dev.gatehouse.gateway.config.GatewayNamespace;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValidationUtil;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.util.List;

/**
 * The edge's strict reading of a request head (RFC 9110, RFC 9112), right after the decoder and before anything
 * looks at the request: what it lets through, the upstream reads exactly as the gateway does. Netty's decoder
 * already refuses bare LF line ends, Content-Length with Transfer-Encoding, differing Content-Lengths, invalid
 * header names and values; this adds:
 * <ul>
 *   <li>HTTP/1.0 and HTTP/1.1 only (505);</li>
 *   <li>a method that is a token; a request-target of visible ASCII only (no control bytes, spaces or raw
 *       non-ASCII), in origin-form or absolute-form (an absolute-form target becomes origin-form and its authority
 *       the Host, RFC 9112 §3.2.2); its path normalised ({@link RequestTarget});</li>
 *   <li>exactly one Host on HTTP/1.1, at most one on HTTP/1.0, and a Host that is a host[:port];</li>
 *   <li>Transfer-Encoding, when present, exactly {@code chunked} (501 otherwise: the gateway re-frames bodies and
 *       does not decode other codings).</li>
 * </ul>
 * Obsolete line folding is replaced by a space by the decoder (RFC 9112 §5.2 allows either), so a folded value
 * reaches the upstream as one line.
 *
 * <p>Then the gateway's namespace is cleared ({@link GatewayNamespace#stripHeaders}): every {@code X-Gatehouse-*}
 * header and every configured identity header a client sent is removed before routing, whatever the route, so
 * nothing after this point — nor the upstream — can read a client's claim of who it is.
 *
 * <p>A refused head is passed on with an {@link InvalidRequest} as its decoder failure (the proxy answers with its
 * status and reason, then closes); everything after it on the connection is dropped, as Netty's own decoder does
 * after a malformed message. One instance per connection.
 */
public final class RequestValidator extends ChannelInboundHandlerAdapter {
    private final List<String> identityHeaders;
    private boolean refused;

    /** @param identityHeaders lower-case names removed from every request besides X-Gatehouse-* */
    public RequestValidator(List<String> identityHeaders) {
        this.identityHeaders = identityHeaders;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest head && head.decoderResult().isSuccess()) {
            try {
                validate(head);
                GatewayNamespace.stripHeaders(head.headers(), identityHeaders);
            } catch (InvalidRequest e) {
                head.setDecoderResult(DecoderResult.failure(e));
                refused = true;
            }
        } else if (msg instanceof HttpRequest) {
            refused = true; // the decoder's own failure: it reads nothing more either
        }
        ctx.fireChannelRead(msg);
    }

    static void validate(HttpRequest head) {
        HttpVersion v = head.protocolVersion();
        if (v.majorVersion() != 1 || v.minorVersion() > 1) {
            throw new InvalidRequest(InvalidRequest.Kind.HTTP_VERSION, v.text() + " is not supported (HTTP/1.0 or HTTP/1.1)");
        }
        if (HttpHeaderValidationUtil.validateToken(head.method().name()) >= 0) {
            throw new InvalidRequest(InvalidRequest.Kind.METHOD, "the method is not a token");
        }
        HttpHeaders headers = head.headers();
        if (FramingHeaders.repeatedContentLength(headers)) {
            throw new InvalidRequest(InvalidRequest.Kind.FRAMING, "more than one Content-Length");
        }
        int hosts = FramingHeaders.count(headers, HttpHeaderNames.HOST); // counted as decoded: no list per request
        if (hosts > 1) {
            throw new InvalidRequest(InvalidRequest.Kind.HOST, "more than one Host header");
        }
        if (hosts == 0 && v.minorVersion() == 1) {
            throw new InvalidRequest(InvalidRequest.Kind.HOST, "an HTTP/1.1 request needs a Host header");
        }
        if (hosts == 1 && !HostPattern.validHostHeader(headers.get(HttpHeaderNames.HOST))) {
            throw new InvalidRequest(InvalidRequest.Kind.HOST, "the Host header is not a host[:port]");
        }
        String target = head.uri();
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw new InvalidRequest(InvalidRequest.Kind.TARGET,
                        "the request target may hold only visible ASCII (found 0x" + Integer.toHexString(c) + ")");
            }
        }
        if (target.isEmpty() || target.charAt(0) != '/') {
            target = absoluteForm(head, target);
        }
        String normal = RequestTarget.normalize(target);
        if (normal != target) {
            head.setUri(normal);
        }
        int codings = FramingHeaders.count(headers, HttpHeaderNames.TRANSFER_ENCODING);
        if (codings > 1 || codings == 1 && !headers.get(HttpHeaderNames.TRANSFER_ENCODING).strip().equalsIgnoreCase("chunked")) {
            throw new InvalidRequest(InvalidRequest.Kind.TRANSFER_CODING,
                    "Transfer-Encoding other than chunked is not supported");
        }
    }

    /**
     * An absolute-form target ({@code http://host:port/path?query}): the host information replaces the Host
     * header (RFC 9112 §3.2.2) and the target becomes its path and query. Any other form is refused.
     */
    private static String absoluteForm(HttpRequest head, String target) {
        int colon = target.indexOf("://");
        String scheme = colon < 0 ? "" : target.substring(0, colon);
        if (!scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")) {
            throw new InvalidRequest(InvalidRequest.Kind.TARGET, "the request target must be a path starting with '/'"
                    + " or an http(s) URL");
        }
        int start = colon + 3;
        int end = start;
        while (end < target.length() && target.charAt(end) != '/' && target.charAt(end) != '?'
                && target.charAt(end) != '#') {
            end++;
        }
        String authority = target.substring(start, end);
        if (authority.isEmpty() || !HostPattern.validHostHeader(authority)) {
            throw new InvalidRequest(InvalidRequest.Kind.TARGET, "the request target's authority is not a host[:port]");
        }
        String rest = target.substring(end);
        if (rest.startsWith("#")) {
            throw new InvalidRequest(InvalidRequest.Kind.TARGET, "a request target has no fragment");
        }
        String path = rest.isEmpty() ? "/" : rest.charAt(0) == '?' ? "/" + rest : rest;
        head.headers().set(HttpHeaderNames.HOST, authority);
        head.setUri(path);
        return path;
    }

}
