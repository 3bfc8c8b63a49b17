package dev.gatehouse.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.clientip.ClientIpResult;
import dev.gatehouse.core.clientip.ClientIpSettings;
import dev.gatehouse.core.clientip.CloudflareRanges;
import dev.gatehouse.core.net.CidrSet;
import dev.gatehouse.core.net.IpAddress;
import dev.gatehouse.core.route.Route;
import dev.gatehouse.core.route.RouteBinding;
import dev.gatehouse.core.route.Upstream;
import dev.gatehouse.gateway.config.UpstreamHeaders;
import dev.gatehouse.gateway.request.RequestContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The upstream request's head as the gateway rewrites it: framing, Connection tokens, client-address headers. */
class ForwardedMessagesTest {
    static final UpstreamHeaders RULES = new UpstreamHeaders(false, List.of("x-client-ip", "true-client-ip",
            "cf-connecting-ip"), List.of());
    static final ClientIpSettings CLIENT_IP = new ClientIpSettings(CidrSet.of(), List.of("x-forwarded-for"), true,
            Map.of(), CloudflareRanges.snapshot());
    static final Route ROUTE = new Route("/", List.of(new Upstream("127.0.0.1", 9, "")), false, 1 << 20, RouteBinding.NONE);

    static HttpRequest forward(String method, HttpHeaders h) {
        IpAddress client = IpAddress.parse("198.51.100.7");
        RequestContext ctx = new RequestContext("rid-1", new ClientIpResult(client, client, "peer", null, List.of()),
                false, 0);
        HttpRequest in = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), "/x", h);
        return ForwardedMessages.upstreamRequest(in, ROUTE, ROUTE.upstreams().get(0), ctx, CLIENT_IP, RULES);
    }

    /**
     * The bytes an upstream receives (the forwarded head through Netty's encoder on an EmbeddedChannel): the
     * gateway's X-Real-IP and framing once each, whatever the client sent, and the body's length the gateway counted.
     */
    @Test
    void onTheWireTheGatewaysHeadersAppearOnceEach() {
        HttpHeaders h = new DefaultHttpHeaders().add("Host", "h.test").add("Content-Length", "3")
                .add("X-Real-IP", "10.6.6.6").add("x-real-ip", "10.7.7.7").add("X-Forwarded-For", "10.8.8.8")
                .add("Connection", "X-Real-IP");
        EmbeddedChannel wire = new EmbeddedChannel(new HttpRequestEncoder());
        HttpRequest head = forward("POST", h);
        assertThat(wire.writeOutbound(head, new DefaultLastHttpContent(Unpooled.copiedBuffer("abc", StandardCharsets.US_ASCII))))
                .isTrue();
        StringBuilder bytes = new StringBuilder();
        for (ByteBuf b; (b = wire.readOutbound()) != null; ) {
            bytes.append(b.toString(StandardCharsets.US_ASCII));
            b.release();
        }
        String sent = bytes.toString();
        String headPart = sent.substring(0, sent.indexOf("\r\n\r\n") + 4);
        assertThat(headPart).startsWith("POST /x HTTP/1.1\r\n");
        assertThat(lines(headPart, "x-real-ip")).containsExactly("x-real-ip: 198.51.100.7");
        assertThat(lines(headPart, "x-forwarded-for")).as("the untrusted client's own value is not kept")
                .containsExactly("x-forwarded-for: 198.51.100.7");
        assertThat(lines(headPart, "content-length")).containsExactly("content-length: 3");
        assertThat(lines(headPart, "transfer-encoding")).isEmpty();
        assertThat(sent).endsWith("\r\n\r\nabc");
        assertThat(wire.finish()).isFalse();
    }

    private static List<String> lines(String head, String name) {
        return head.lines().map(l -> l.toLowerCase(java.util.Locale.ROOT)).filter(l -> l.startsWith(name + ":")).toList();
    }

    @Test
    void aConnectionTokenCannotRemoveTheFramingOrTheHost() {
        HttpHeaders h = new DefaultHttpHeaders().add("Host", "h.test").add("Content-Length", "42")
                .add("Connection", "Content-Length, Host, X-Real-IP, X-Hop");
        h.add("X-Hop", "1");
        HttpRequest out = forward("POST", h);
        assertThat(out.headers().getAll("Content-Length")).containsExactly("42");
        assertThat(out.headers().getAll("Host")).containsExactly("h.test");
        assertThat(out.headers().getAll("X-Real-IP")).containsExactly("198.51.100.7");
        assertThat(out.headers().contains("X-Hop")).as("a true hop-by-hop extension goes").isFalse();
        assertThat(out.headers().contains("Connection")).isFalse();
    }

    @Test
    void chunkedStaysChunkedAndABodilessRequestCarriesNoFraming() {
        HttpHeaders chunked = new DefaultHttpHeaders().add("Host", "h").add("Transfer-Encoding", "chunked");
        assertThat(forward("POST", chunked).headers().getAll("Transfer-Encoding")).containsExactly("chunked");
        HttpRequest get = forward("GET", new DefaultHttpHeaders().add("Host", "h"));
        assertThat(get.headers().contains("Content-Length")).isFalse();
        assertThat(get.headers().contains("Transfer-Encoding")).isFalse();
    }

    @Test
    void clientAddressHeadersAndLookalikesAreTheGatewaysOwn() {
        HttpHeaders h = new DefaultHttpHeaders().add("Host", "h").add("X-Client-IP", "10.0.0.7")
                .add("True-Client-IP", "10.0.0.7").add("X-Forwarded-Port", "1").add("X-Forwarded-Prefix", "/admin")
                .add("X_Forwarded_For", "10.0.0.7").add("X-Gatehouse-Org", "Evil");
        HttpHeaders out = forward("GET", h).headers();
        for (String gone : List.of("X-Client-IP", "True-Client-IP", "X-Forwarded-Port", "X-Forwarded-Prefix",
                "X_Forwarded_For", "X-Gatehouse-Org")) {
            assertThat(out.contains(gone)).as(gone).isFalse();
        }
        assertThat(out.get("X-Forwarded-For")).isEqualTo("198.51.100.7");
        assertThat(out.get("X-Request-Id")).isEqualTo("rid-1");
    }

    @Test
    void onlyAGetsWebSocketUpgradeIsOne() {
        HttpHeaders ws = new DefaultHttpHeaders().add("Host", "h").add("Upgrade", "websocket").add("Connection", "Upgrade");
        assertThat(ForwardedMessages.isUpgrade(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/", ws))).isTrue();
        assertThat(ForwardedMessages.isUpgrade(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/", ws))).isFalse();
        HttpHeaders h2c = new DefaultHttpHeaders().add("Host", "h").add("Upgrade", "h2c").add("Connection", "Upgrade");
        assertThat(ForwardedMessages.isUpgrade(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/", h2c))).isFalse();
    }

    @Test
    void responsesFramedInDoubt() {
        assertThat(ForwardedMessages.framedInDoubt(response(HttpVersion.valueOf("HTTP/1.2"), 200, "Content-Length", "1"))).isTrue();
        assertThat(ForwardedMessages.framedInDoubt(response(HttpVersion.HTTP_1_1, 200, "Transfer-Encoding", "gzip"))).isTrue();
        assertThat(ForwardedMessages.framedInDoubt(response(HttpVersion.HTTP_1_1, 204, "Content-Length", "5"))).isTrue();
        assertThat(ForwardedMessages.framedInDoubt(response(HttpVersion.HTTP_1_1, 204, "Transfer-Encoding", "chunked"))).isTrue();
        assertThat(ForwardedMessages.framedInDoubt(response(HttpVersion.HTTP_1_1, 200, "Transfer-Encoding", "chunked"))).isFalse();
        assertThat(ForwardedMessages.framedInDoubt(response(HttpVersion.HTTP_1_0, 200, "Content-Length", "5"))).isFalse();
    }

    private static DefaultHttpResponse response(HttpVersion v, int status, String name, String value) {
        DefaultHttpResponse r = new DefaultHttpResponse(v, HttpResponseStatus.valueOf(status));
        r.headers().add(name, value);
        return r;
    }
}
