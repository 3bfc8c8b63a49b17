package dev.gatehouse.gateway.clientip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.net.IpAddress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The PROXY protocol header: its source becomes the connection's peer; anything else first closes the connection. */
class ProxyProtocolHandlerTest {
    /** A channel whose socket peer is a load balancer at 10.0.0.2 (EmbeddedChannel's own address is not an IP). */
    static EmbeddedChannel fromBalancer(ChannelHandler... handlers) {
        return new EmbeddedChannel(handlers) {
            @Override
            public SocketAddress remoteAddress() {
                return new InetSocketAddress("10.0.0.2", 40000);
            }
        };
    }

    @Test
    void theHeadersSourceIsThePeerAndTheRequestBytesFollow() {
        EmbeddedChannel ch = fromBalancer(new HAProxyMessageDecoder(), new ProxyProtocolHandler());
        ch.writeInbound(Unpooled.copiedBuffer("PROXY TCP4 203.0.113.7 10.0.0.1 51000 443\r\nGET / HTTP/1.1\r\n\r\n",
                StandardCharsets.US_ASCII));
        assertThat(PeerAddress.of(ch)).isEqualTo(IpAddress.parse("203.0.113.7"));
        assertThat(ch.pipeline().get(ProxyProtocolHandler.class)).as("gone after the header").isNull();
        ByteBuf rest = ch.readInbound();
        assertThat(rest.toString(StandardCharsets.US_ASCII)).isEqualTo("GET / HTTP/1.1\r\n\r\n");
        rest.release();
        assertThat(ch.isOpen()).isTrue();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void anIpv6SourceAndAMappedOneAreReadAsAddresses() {
        EmbeddedChannel v6 = fromBalancer(new ProxyProtocolHandler());
        HAProxyMessage header = new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.PROXY,
                HAProxyProxiedProtocol.TCP6, "2001:db8::7", "2001:db8::1", 51000, 443);
        v6.writeInbound(header);
        assertThat(header.refCnt()).as("released").isZero();
        assertThat(PeerAddress.of(v6)).isEqualTo(IpAddress.parse("2001:db8::7"));
        v6.finishAndReleaseAll();

        EmbeddedChannel mapped = fromBalancer(new ProxyProtocolHandler());
        mapped.writeInbound(new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.PROXY,
                HAProxyProxiedProtocol.TCP6, "::ffff:198.51.100.9", "2001:db8::1", 51000, 443));
        assertThat(PeerAddress.of(mapped)).as("::ffff:a.b.c.d is a.b.c.d").isEqualTo(IpAddress.parse("198.51.100.9"));
        mapped.finishAndReleaseAll();
    }

    @Test
    void aLocalHeaderKeepsTheSocketPeer() {
        EmbeddedChannel ch = fromBalancer(new ProxyProtocolHandler());
        HAProxyMessage health = new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.LOCAL,
                HAProxyProxiedProtocol.UNKNOWN, null, null, 0, 0);
        ch.writeInbound(health);
        assertThat(health.refCnt()).isZero();
        assertThat(PeerAddress.of(ch)).as("the balancer itself").isEqualTo(IpAddress.parse("10.0.0.2"));
        assertThat(ch.isOpen()).isTrue();
        ch.finishAndReleaseAll();
    }

    @Test
    void bytesBeforeAnyHeaderCloseTheConnectionAndAreReleased() {
        EmbeddedChannel ch = fromBalancer(new ProxyProtocolHandler());
        ByteBuf request = Unpooled.copiedBuffer("GET / HTTP/1.1\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n", StandardCharsets.US_ASCII);
        ch.writeInbound(request);
        assertThat(request.refCnt()).as("consumed: released").isZero();
        assertThat(ch.isOpen()).as("no header, no trust: the connection is closed").isFalse();
        assertThat((Object) ch.readInbound()).as("nothing passed on").isNull();
    }

    @Test
    void aHeaderTheDecoderRefusesClosesTheConnection() {
        EmbeddedChannel ch = fromBalancer(new HAProxyMessageDecoder(), new ProxyProtocolHandler());
        try {
            ch.writeInbound(Unpooled.copiedBuffer("PROXY TCP4 203.0.113.999 10.0.0.1 51000 443\r\nGET / HTTP/1.1\r\n\r\n",
                    StandardCharsets.US_ASCII));
        } catch (RuntimeException decoderSaidNo) {
            // EmbeddedChannel rethrows what the pipeline's exceptionCaught saw; the handler closed the channel first
        }
        assertThat(ch.isOpen()).isFalse();
        assertThat(PeerAddress.of(ch)).as("never the header's").isEqualTo(IpAddress.parse("10.0.0.2"));
        ch.finishAndReleaseAll();
    }
}
