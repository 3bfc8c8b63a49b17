package dev.gatehouse.gateway.clientip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.clientip.ClientIpSettings;
import dev.gatehouse.core.clientip.CloudflareRanges;
import dev.gatehouse.core.net.Cidr;
import dev.gatehouse.core.net.CidrSet;
import dev.gatehouse.core.net.IpAddress;
import dev.gatehouse.gateway.request.InboundRequest;
import dev.gatehouse.gateway.request.RequestContext;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where the client IP is decided, as a handler: each request head leaves it with the decision attached. */
class ClientIpHandlerTest {
    static final TrustedHops HOPS = new TrustedHops(new ClientIpSettings(CidrSet.of(Cidr.parse("10.0.0.0/8")),
            List.of("x-forwarded-for"), true, Map.of(), CloudflareRanges.snapshot()), CidrSet.of());

    static EmbeddedChannel from(String peer) {
        return new EmbeddedChannel(new ClientIpHandler(HOPS)) {
            @Override
            public SocketAddress remoteAddress() {
                return new InetSocketAddress(peer, 40000);
            }
        };
    }

    static HttpRequest get(String... headers) {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/x");
        for (int i = 0; i < headers.length; i += 2) {
            r.headers().add(headers[i], headers[i + 1]);
        }
        return r;
    }

    @Test
    void aTrustedProxysHeaderNamesTheClientAndItsRequestIdIsKept() {
        EmbeddedChannel ch = from("10.1.2.3");
        HttpRequest head = get("X-Forwarded-For", "198.51.100.8, 10.9.9.9", "X-Request-Id", "abc-123");
        ch.writeInbound(head);
        InboundRequest in = ch.readInbound();
        assertThat(in.head()).isSameAs(head);
        RequestContext rc = in.context();
        assertThat(rc.client()).isEqualTo(IpAddress.parse("198.51.100.8"));
        assertThat(rc.peer()).isEqualTo(IpAddress.parse("10.1.2.3"));
        assertThat(rc.peerTrusted()).isTrue();
        assertThat(rc.requestId()).isEqualTo("abc-123");
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void anUntrustedPeersHeadersAreNotBelieved() {
        EmbeddedChannel ch = from("192.0.2.9");
        ch.writeInbound(get("X-Forwarded-For", "198.51.100.8", "X-Request-Id", "forged"));
        RequestContext rc = ((InboundRequest) ch.readInbound()).context();
        assertThat(rc.client()).as("the socket peer").isEqualTo(IpAddress.parse("192.0.2.9"));
        assertThat(rc.peerTrusted()).isFalse();
        assertThat(rc.requestId()).as("a new id, not the sender's").isNotEqualTo("forged").matches("[0-9a-f]{16}");
        ch.finish();
    }

    @Test
    void aMalformedForwardingHeaderFromATrustedHopIsARejectionPassedOn() {
        EmbeddedChannel ch = from("10.1.2.3");
        ch.writeInbound(get("X-Forwarded-For", "198.51.100.8:80:90"));
        RequestContext rc = ((InboundRequest) ch.readInbound()).context();
        assertThat(rc.rejection()).as("the proxy answers it with 400 and this reason").isNotNull();
        ch.finish();
    }

    @Test
    void bodiesAndUndecodableHeadsPassUntouched() {
        EmbeddedChannel ch = from("10.1.2.3");
        HttpContent body = new DefaultHttpContent(Unpooled.copiedBuffer(new byte[] {1, 2, 3}));
        ch.writeInbound(body);
        Object out = ch.readInbound();
        assertThat(out).isSameAs(body);
        assertThat(body.refCnt()).as("not consumed here: passed on").isEqualTo(1);
        body.release();

        HttpRequest broken = get();
        broken.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("bad head")));
        ch.writeInbound(broken);
        assertThat((Object) ch.readInbound()).as("left for the validator to answer").isSameAs(broken);
        assertThat(ch.finish()).isFalse();
    }
}
