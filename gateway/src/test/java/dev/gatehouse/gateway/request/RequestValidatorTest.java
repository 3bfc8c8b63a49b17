package dev.gatehouse.gateway.request;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The edge's strict reading, as a handler behind the real decoder (EmbeddedChannel), and what it releases. */
class RequestValidatorTest {
    /**
     * Runs {@code raw} through the decoder and the validator, hands what came out to {@code check}, then releases it
     * and asserts that nothing of the input is still held (Netty's handler tests do the same).
     */
    private static void decode(String raw, java.util.function.Consumer<List<HttpObject>> check) {
        EmbeddedChannel ch = new EmbeddedChannel(new HttpServerCodec(new HttpDecoderConfig()
                .setHeadersFactory(FramingHeaders.FACTORY)), new RequestValidator(java.util.List.of("remote-user")));
        ByteBuf in = Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1);
        ch.writeInbound(in);
        List<HttpObject> out = new ArrayList<>();
        Object m;
        while ((m = ch.readInbound()) != null) {
            out.add((HttpObject) m);
        }
        try {
            check.accept(out);
        } finally {
            out.forEach(ReferenceCountUtil::release);
            ch.finishAndReleaseAll();
        }
        assertThat(in.refCnt()).as("everything read was released").isZero();
    }

    private static String refusal(String raw) {
        String[] why = new String[1];
        decode(raw, out -> {
            HttpRequest head = (HttpRequest) out.get(0);
            why[0] = head.decoderResult().isSuccess() ? null : head.decoderResult().cause().getMessage();
        });
        return why[0];
    }

    @Test
    void aValidRequestPassesWithItsTargetNormalised() {
        decode("POST /a/../b//c HTTP/1.1\r\nHost: h.test\r\nContent-Length: 3\r\n\r\nabc", out -> {
            HttpRequest head = (HttpRequest) out.get(0);
            assertThat(head.decoderResult().isSuccess()).isTrue();
            assertThat(head.uri()).isEqualTo("/b/c");
            assertThat(out.get(1)).isInstanceOf(HttpContent.class);
        });
    }

    @Test
    void eachRefusalSaysWhy() {
        assertThat(refusal("GET / HTTP/9.9\r\nHost: h\r\n\r\n")).contains("HTTP/9.9 is not supported");
        assertThat(refusal("GET /a\u007fb HTTP/1.1\r\nHost: h\r\n\r\n")).contains("visible ASCII");
        assertThat(refusal("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")).contains("more than one Host");
        assertThat(refusal("GET / HTTP/1.1\r\n\r\n")).contains("needs a Host");
        assertThat(refusal("GET / HTTP/1.1\r\nHost: a b\r\n\r\n")).contains("not a host[:port]");
        assertThat(refusal("GET * HTTP/1.1\r\nHost: h\r\n\r\n")).contains("must be a path");
        assertThat(refusal("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"))
                .contains("other than chunked");
        assertThat(refusal("POST / HTTP/1.0\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"))
                .contains("more than one Content-Length");
        assertThat(refusal("GET /../x HTTP/1.1\r\nHost: h\r\n\r\n")).contains("climbs above the root");
        assertThat(refusal("GET / HTTP/1.0\r\n\r\n")).as("HTTP/1.0 without Host is fine").isNull();
    }

    @Test
    void whatFollowsARefusedRequestIsDroppedAndReleased() {
        decode("GET / HTTP/9.9\r\nHost: h\r\n\r\nGET /next HTTP/1.1\r\nHost: h\r\n\r\n",
                out -> assertThat(out).hasSize(1).first().matches(o -> o.decoderResult().isFailure()));
    }

    @Test
    void anAbsoluteFormTargetBecomesOriginFormAndItsAuthorityTheHost() {
        decode("GET http://tenant.test:8080?q=1 HTTP/1.1\r\nHost: other\r\n\r\n", out -> {
            HttpRequest head = (HttpRequest) out.get(0);
            assertThat(head.uri()).isEqualTo("/?q=1");
            assertThat(head.headers().getAll("Host")).containsExactly("tenant.test:8080");
        });
    }
}
