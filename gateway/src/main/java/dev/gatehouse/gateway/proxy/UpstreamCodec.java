package dev.gatehouse.gateway.proxy;

import dev.gatehouse.gateway.request.FramingHeaders;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpStatusClass;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;

/**
 * The upstream connection's HTTP codec: Netty's client codec as the gateway uses it (a response to HEAD has no body),
 * with the decoder's headers remembering what normalisation hides ({@link FramingHeaders}) and one thing Netty's
 * final {@code HttpClientCodec} cannot tell: whether bytes were received that no response accounts for. A connection
 * whose decoder holds such bytes — an upstream that sent more than its response, even without a line end — is never
 * pooled or reused: they would be read as the next client's response.
 */
final class UpstreamCodec extends CombinedChannelDuplexHandler<UpstreamCodec.ResponseDecoder, UpstreamCodec.RequestEncoder> {
    /** The methods of the requests sent, oldest first: a response to HEAD has no body, whatever it declares. */
    private final Queue<HttpMethod> methods = new ArrayDeque<>(2);

    UpstreamCodec() {
        init(new ResponseDecoder(new HttpDecoderConfig().setHeadersFactory(FramingHeaders.FACTORY)), new RequestEncoder());
    }

    /** Bytes received and not part of any response decoded so far. */
    int buffered() {
        return inboundHandler().buffered();
    }

    /** Whether the connection holds no bytes beyond the responses it delivered (false when it has no codec). */
    static boolean holdsNothing(Channel ch) {
        UpstreamCodec codec = ch.pipeline().get(UpstreamCodec.class);
        return codec != null && codec.buffered() == 0;
    }

    final class RequestEncoder extends HttpRequestEncoder {
        @Override
        protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
            if (msg instanceof HttpRequest request) {
                methods.offer(request.method());
            }
            super.encode(ctx, msg, out);
        }
    }

    final class ResponseDecoder extends HttpResponseDecoder {
        ResponseDecoder(HttpDecoderConfig config) {
            super(config);
        }

        int buffered() {
            return actualReadableBytes();
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            if (((HttpResponse) msg).status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                return super.isContentAlwaysEmpty(msg); // an interim response answers no request of its own
            }
            HttpMethod method = methods.poll();
            return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
        }
    }
}
