package dev.gatehouse.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.gateway.config.UpstreamHeaders;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hop-by-hop headers go; a Connection token never takes away what the gateway controls. */
class HopByHopHeadersTest {
    static final UpstreamHeaders RULES = new UpstreamHeaders(false, List.of("x-client-ip"), List.of());

    @Test
    void theFixedSetAndTheNamedExtensionsGo() {
        HttpHeaders h = new DefaultHttpHeaders().add("Connection", "keep-alive, X-Hop").add("Connection", "x-other")
                .add("Keep-Alive", "timeout=5").add("Proxy-Connection", "keep-alive").add("TE", "trailers")
                .add("Trailer", "X-T").add("Upgrade", "websocket").add("X-Hop", "1").add("X-Other", "2").add("X-Stay", "3");
        HopByHopHeaders.strip(h, RULES);
        assertThat(h.names()).containsExactly("X-Stay");
    }

    @Test
    void tokensNamingControlledHeadersAreIgnored() {
        HttpHeaders h = new DefaultHttpHeaders().add("Host", "h.test").add("Content-Length", "7")
                .add("Transfer-Encoding", "chunked").add("X-Real-IP", "1.2.3.4").add("X-Forwarded-For", "1.2.3.4")
                .add("X-Request-Id", "r").add("Forwarded", "for=1.2.3.4")
                .add("Connection", "Content-Length, HOST, x-real-ip, X-Forwarded-For, x-request-id, Forwarded, X-Client-IP");
        h.add("X-Client-IP", "1.2.3.4");
        HopByHopHeaders.strip(h, RULES);
        // Transfer-Encoding is hop-by-hop itself (the caller frames the message again); the rest are the caller's to set
        assertThat(h.names()).containsExactlyInAnyOrder("Host", "Content-Length", "X-Real-IP", "X-Forwarded-For",
                "X-Request-Id", "Forwarded", "X-Client-IP");
        assertThat(h.get("Content-Length")).isEqualTo("7");
    }

    @Test
    void emptyAndOddTokensDoNoHarm() {
        HttpHeaders h = new DefaultHttpHeaders().add("Connection", ",, ,close,").add("X-Stay", "1");
        HopByHopHeaders.strip(h, RULES);
        assertThat(h.names()).containsExactly("X-Stay");
    }

    @Test
    void closeAndKeepAliveAreTokensLikeAnyOtherWhateverTheirCaseAndSpacing() {
        HttpHeaders h = new DefaultHttpHeaders().add("Connection", "CLOSE\t,  Keep-Alive ,\tx-Hop")
                .add("Close", "a header named by a token goes").add("Keep-Alive", "timeout=5").add("X-Hop", "1")
                .add("X-Stay", "1").add("X-Closer", "not a token: stays");
        HopByHopHeaders.strip(h, RULES);
        assertThat(h.names()).containsExactlyInAnyOrder("X-Stay", "X-Closer");
    }
}
