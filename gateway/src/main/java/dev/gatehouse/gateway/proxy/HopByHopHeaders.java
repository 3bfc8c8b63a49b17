package dev.gatehouse.gateway.proxy;

import dev.gatehouse.gateway.config.UpstreamHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;
import java.util.Locale;

/**
 * Removes hop-by-hop headers (RFC 9110 §7.6.1): the fixed set, and the extension headers the Connection
 * header names. A Connection token that names a header the gateway controls ({@link UpstreamHeaders#controlled}:
 * Content-Length, Transfer-Encoding, Host, X-Real-IP, X-Forwarded-*...) is ignored: {@code Connection:
 * Content-Length} must not take a message's framing away (the next hop would read its body as a request), nor
 * {@code Connection: Host} its Host. Callers set the framing and their own forwarding headers after this.
 */
final class HopByHopHeaders {
    private static final List<AsciiString> ALWAYS = List.of(
            HttpHeaderNames.CONNECTION,
            HttpHeaderNames.KEEP_ALIVE,
            AsciiString.cached("proxy-connection"),
            HttpHeaderNames.TE,
            HttpHeaderNames.TRAILER,
            HttpHeaderNames.TRANSFER_ENCODING,
            HttpHeaderNames.UPGRADE);

    private HopByHopHeaders() {
    }

    static void strip(HttpHeaders headers, UpstreamHeaders rules) {
        if (!headers.contains(HttpHeaderNames.CONNECTION)) {
            removeAlways(headers);
            return;
        }
        for (String connection : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : connection.split(",")) {
                String name = token.trim().toLowerCase(Locale.ROOT);
                if (!name.isEmpty() && !rules.controlled(name)) {
                    headers.remove(name);
                }
            }
        }
        removeAlways(headers);
    }

    private static void removeAlways(HttpHeaders headers) {
        for (AsciiString name : ALWAYS) {
            headers.remove(name);
        }
    }
}
