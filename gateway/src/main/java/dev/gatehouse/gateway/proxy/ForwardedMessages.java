package dev.gatehouse.gateway.proxy;

import dev.gatehouse.core.clientip.ClientIpSettings;
import dev.gatehouse.core.route.Route;
import dev.gatehouse.core.route.Upstream;
import dev.gatehouse.gateway.config.GatewayNamespace;
import dev.gatehouse.gateway.config.UpstreamHeaders;
import dev.gatehouse.gateway.request.FramingHeaders;
import dev.gatehouse.gateway.request.RequestContext;
import dev.gatehouse.gateway.request.RequestIds;
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
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

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
    static final String FORWARDED = "Forwarded";

    private ForwardedMessages() {
    }

    private static final String X_FORWARDED_PREFIX = "x-forwarded-";
    /** The X-Forwarded-* headers the gateway sets; every other one is removed. */
    private static final Set<String> GATEWAY_FORWARDED = Set.of("x-forwarded-for", "x-forwarded-proto", "x-forwarded-host");
    /** Header names whose underscore spellings (X_Forwarded_For) are removed: some backends read them as the real one. */
    private static final Set<String> FORWARDING_NAMES = Set.of("x-forwarded-for", "x-forwarded-proto", "x-forwarded-host",
            "x-forwarded-port", "x-real-ip", "forwarded", "x-request-id", "cf-connecting-ip", "true-client-ip",
            "x-client-ip", "x-cluster-client-ip");

    /**
     * The upstream request: hop-by-hop headers removed first, then the gateway's own headers set,
     * so nothing the client sends (not even {@code Connection: X-Real-IP}) can remove or forge them.
     * A trusted peer's X-Forwarded-For / -Proto / -Host are kept and extended; an untrusted peer's
     * are replaced.
     *
     * <p>Built on the client's head's own headers, changed in place (no copy of every header per request):
     * what is needed of the client's values is read before anything is changed, and the client's head is
     * not read again afterwards. Build it once per request; a re-send (a stale kept-alive connection) sends
     * the same head again.
     */
    static HttpRequest upstreamRequest(HttpRequest in, Route route, Upstream upstream, RequestContext ctx,
                                       ClientIpSettings clientIp, UpstreamHeaders rules) {
        HttpHeaders headers = in.headers();
        boolean chunked = HttpUtil.isTransferEncodingChunked(in);
        // the body the decoder reads (a Content-Length it checked, or none): the upstream is told exactly that
        long length = chunked ? -1L : HttpUtil.getContentLength(in, -1L);
        String upgrade = isUpgrade(in) ? headers.get(HttpHeaderNames.UPGRADE) : null;
        List<String> xff = headers.getAll(X_FORWARDED_FOR);
        String proto = headers.get(X_FORWARDED_PROTO);
        String host = headers.get(HttpHeaderNames.HOST);
        String xForwardedHost = headers.get(X_FORWARDED_HOST);
        List<String> forwarded = headers.getAll(FORWARDED);

        HopByHopHeaders.strip(headers, rules);
        if (upgrade != null) {
            headers.set(HttpHeaderNames.UPGRADE, upgrade);
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        }
        stripLookalikes(headers, clientIp, rules);
        frame(headers, chunked, length);
        boolean trusted = ctx.peerTrusted();
        String peer = ctx.peer().toString();
        headers.set(X_REAL_IP, ctx.client().toString());

        headers.set(X_FORWARDED_FOR, trusted && !allBlank(xff) ? joined(xff).strip() + ", " + peer : peer);

        if (!trusted || proto == null || !(proto.equalsIgnoreCase("http") || proto.equalsIgnoreCase("https"))) {
            proto = "http";
        }
        headers.set(X_FORWARDED_PROTO, proto.toLowerCase(Locale.ROOT));

        String forwardedHost = trusted && xForwardedHost != null ? xForwardedHost : host;
        if (forwardedHost != null) {
            headers.set(X_FORWARDED_HOST, forwardedHost);
        } else {
            headers.remove(X_FORWARDED_HOST);
        }
        if (host == null) {
            headers.set(HttpHeaderNames.HOST, upstream.authority());
        }

        if (!trusted) {
            headers.remove(FORWARDED);
            forwarded = List.of();
        }
        if (rules.forwardedHeader()) {
            String element = "for=" + (ctx.peer().isV4() ? peer : "\"[" + peer + "]\"") + ";proto=" + proto
                    + (host != null ? ";host=\"" + host.replace("\\", "").replace("\"", "") + "\"" : "");
            headers.set(FORWARDED, forwarded.isEmpty() ? element : joined(forwarded) + ", " + element);
        }
        List<String> strip = rules.stripClientHeaders();
        for (int i = 0; i < strip.size(); i++) { // indexed: no iterator per request
            String name = strip.get(i);
            if (!name.equals(ctx.clientIp().source())) {
                headers.remove(name);
            }
        }
        List<String> configured = clientIp.headers();
        for (int i = 0; i < configured.size(); i++) {
            String name = configured.get(i);
            if (!name.equals(ctx.clientIp().source()) && !name.equals(ClientIpSettings.X_FORWARDED_FOR)
                    && !name.equals(ClientIpSettings.FORWARDED) && !name.equals("x-real-ip")) {
                headers.remove(name);
            }
        }
        GatewayNamespace.stripCookies(headers); // the session is the gateway's: an upstream could replay it
        identityHeaders(headers, ctx);
        headers.set(RequestIds.HEADER, ctx.requestId());
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, in.method(), route.upstreamUri(in.uri(), upstream), headers);
    }

    /**
     * The request's framing, as the gateway decoded it and nothing else: chunked, or the Content-Length the
     * decoder checked and will read, or no body at all (RFC 9112 §6.3: then neither header).
     */
    private static void frame(HttpHeaders headers, boolean chunked, long length) {
        if (chunked) {
            headers.remove(HttpHeaderNames.CONTENT_LENGTH);
            headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        } else if (length >= 0) {
            headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
            headers.set(HttpHeaderNames.CONTENT_LENGTH, length);
        } else {
            headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
            headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        }
    }

    private static boolean allBlank(List<String> values) {
        for (int i = 0; i < values.size(); i++) {
            if (!values.get(i).isBlank()) {
                return false;
            }
        }
        return true;
    }

    /** The values of a repeated list header as one (the usual single header: no joining). */
    private static String joined(List<String> values) {
        return values.size() == 1 ? values.get(0) : String.join(", ", values);
    }

    /**
     * A request to switch to WebSocket: a GET with Upgrade {@code websocket} named in Connection, on HTTP/1.1
     * (RFC 6455 §4.1). No other protocol is tunnelled: after a 101 the gateway no longer sees requests, and an upgrade to {@code h2c} (say)
     * would let every later request on the connection past the client-IP decision and the policies. Other
     * Upgrade headers are dropped as hop-by-hop and the request is served as plain HTTP.
     */
    static boolean isUpgrade(HttpRequest in) {
        String upgrade = in.headers().get(HttpHeaderNames.UPGRADE);
        if (upgrade == null || !in.protocolVersion().equals(HttpVersion.HTTP_1_1) || !in.method().equals(HttpMethod.GET)) {
            return false;
        }
        String protocol = upgrade.strip();
        return protocol.regionMatches(true, 0, "websocket", 0, 9) && (protocol.length() == 9 || protocol.charAt(9) == '/')
                && in.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
    }

    /** The 101 for the client: the upstream's headers, hop-by-hop removed, Upgrade and Connection restored. */
    static HttpResponse switchingProtocols(HttpResponse upstream, HttpVersion clientVersion, UpstreamHeaders rules) {
        HttpHeaders headers = upstream.headers().copy();
        HopByHopHeaders.strip(headers, rules);
        GatewayNamespace.stripSetCookies(headers);
        headers.set(HttpHeaderNames.UPGRADE, upstream.headers().get(HttpHeaderNames.UPGRADE, "websocket"));
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        return new DefaultHttpResponse(clientVersion, upstream.status(), headers);
    }

    static final String X_GATEHOUSE_ORG = "X-Gatehouse-Org";
    static final String X_GATEHOUSE_APP = "X-Gatehouse-App";
    static final String X_GATEHOUSE_ACCOUNT = "X-Gatehouse-Account";
    static final String X_GATEHOUSE_USER_EMAIL = "X-Gatehouse-User-Email";
    static final String X_GATEHOUSE_ASSERTION = "X-Gatehouse-Assertion";

    /**
     * Who called, for the upstream: organisation, app and account names on a policy-checked route
     * ("-" where there is none). Whatever the client sent in the gateway's namespace was removed before routing
     * ({@code RequestValidator}); only what is set here reaches the upstream. Names are percent-encoded outside
     * printable ASCII.
     */
    private static void identityHeaders(HttpHeaders headers, RequestContext ctx) {
        var who = ctx.identity();
        if (who == null) {
            return;
        }
        headers.set(X_GATEHOUSE_ORG, headerValue(who.org() == null ? null : who.org().name()));
        headers.set(X_GATEHOUSE_APP, headerValue(who.appName()));
        headers.set(X_GATEHOUSE_ACCOUNT, headerValue(who.account() == null ? null : who.account().name()));
        if (ctx.signedIn() != null) { // a browser signed in through SSO: the address its provider vouched for
            headers.set(X_GATEHOUSE_USER_EMAIL, headerValue(ctx.signedIn().email()));
            if (ctx.signedIn().assertion() != null) {
                headers.set(X_GATEHOUSE_ASSERTION, ctx.signedIn().assertion());
            }
        }
    }

    static String headerValue(String name) {
        if (name == null) {
            return "-";
        }
        if (printableAsciiWithoutPercent(name)) {
            return name; // the usual name: nothing to encode
        }
        StringBuilder sb = new StringBuilder(name.length());
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 0x21 && c <= 0x7e && c != '%') {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }

    private static boolean printableAsciiWithoutPercent(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x21 || c > 0x7e || c == '%') {
                return false;
            }
        }
        return true;
    }

    /**
     * Removes what would pass for a gateway header without being one: {@code X-Gatehouse-*} in any spelling,
     * underscore spellings of forwarding and
     * controlled headers ({@code X_Forwarded_For}: some backends read them as the real one), and every
     * {@code X-Forwarded-*} the gateway does not set itself ({@code -Port}, {@code -Server}, {@code -Prefix}...:
     * frameworks build URLs and redirects from them). One pass over the names; nothing allocated when there is none.
     */
    private static void stripLookalikes(HttpHeaders headers, ClientIpSettings clientIp, UpstreamHeaders rules) {
        List<String> doomed = null;
        for (var it = headers.iteratorCharSequence(); it.hasNext(); ) { // names() would build a set per request
            CharSequence raw = it.next().getKey();
            boolean underscore = AsciiString.indexOf(raw, '_', 0) >= 0;
            boolean forwardedFamily = raw.length() > X_FORWARDED_PREFIX.length()
                    && AsciiString.regionMatches(raw, true, 0, X_FORWARDED_PREFIX, 0, X_FORWARDED_PREFIX.length());
            if (GatewayNamespace.isOwnHeader(raw)) { // (removed before routing already: this is the upstream's boundary)
                if (doomed == null) {
                    doomed = new ArrayList<>();
                }
                doomed.add(raw.toString());
                continue;
            }
            if (!underscore && !forwardedFamily) {
                continue;
            }
            String name = raw.toString();
            String normal = name.replace('_', '-').toLowerCase(Locale.ROOT);
            boolean doom = underscore
                    ? FORWARDING_NAMES.contains(normal) || clientIp.headers().contains(normal) || rules.controlled(normal)
                    : !GATEWAY_FORWARDED.contains(normal);
            if (doom) {
                if (doomed == null) {
                    doomed = new ArrayList<>();
                }
                doomed.add(name);
            }
        }
        if (doomed != null) {
            doomed.forEach(headers::remove);
        }
    }

    /**
     * Whether an upstream response's framing is in doubt, beyond what Netty's decoder refuses itself (Content-Length
     * with chunked, two lengths on HTTP/1.1, a bad status line): a version other than HTTP/1.0 and 1.1; more than one
     * Content-Length on HTTP/1.0 ({@link FramingHeaders}); a Transfer-Encoding other
     * than exactly {@code chunked} (nginx: "unknown Transfer-Encoding", 502); a 1xx, 204 or 304 with a
     * Transfer-Encoding, or a 204 with a non-zero Content-Length (RFC 9112 §6.1, RFC 9110 §8.6: they have no body,
     * so whatever follows would be read as the next response). Such a response is a 502 and its connection closed.
     */
    static boolean framedInDoubt(HttpResponse r) {
        HttpVersion v = r.protocolVersion();
        if (v.majorVersion() != 1 || v.minorVersion() > 1 || FramingHeaders.repeatedContentLength(r.headers())) {
            return true;
        }
        int code = r.status().code();
        boolean bodyless = code < 200 || code == 204 || code == 304;
        int codings = FramingHeaders.count(r.headers(), HttpHeaderNames.TRANSFER_ENCODING);
        if (bodyless && (codings > 0 || FramingHeaders.hadTransferEncoding(r.headers()))) {
            return true; // (the decoder drops it from these): the body that follows would be read as the next response
        }
        if (codings > 1 || codings == 1 && !r.headers().get(HttpHeaderNames.TRANSFER_ENCODING).strip().equalsIgnoreCase("chunked")) {
            return true;
        }
        return code == 204 && HttpUtil.getContentLength(r, 0L) != 0;
    }

    /**
     * What the response head implies for both connections.
     *
     * @param droppedCookies Set-Cookie headers of the upstream's naming the gateway's cookies, removed
     */
    record ResponseHead(HttpResponse response, boolean keepClient, boolean reuseUpstream, int droppedCookies) {
    }

    /**
     * The client's response head, built on the upstream head's own headers (changed in place: the
     * upstream head is spent once this returns), and whether each connection stays open.
     */
    static ResponseHead clientResponse(HttpResponse upstream, HttpMethod method, HttpVersion clientVersion,
                                       boolean clientKeepAlive, UpstreamHeaders rules) {
        boolean upstreamChunked = HttpUtil.isTransferEncodingChunked(upstream);
        boolean upstreamKeepAlive = HttpUtil.isKeepAlive(upstream); // read before Connection is stripped
        HttpHeaders headers = upstream.headers();
        HopByHopHeaders.strip(headers, rules);
        int droppedCookies = GatewayNamespace.stripSetCookies(headers); // an upstream cannot set the gateway's session
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
        boolean reuseUpstream = upstreamKeepAlive && (bodyless || upstreamChunked || hasLength);
        return new ResponseHead(new DefaultHttpResponse(clientVersion, upstream.status(), headers), keepClient, reuseUpstream,
                droppedCookies);
    }
}
