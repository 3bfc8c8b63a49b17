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
            // tokens in place, not String.split: nearly every response says "keep-alive" or "close", and those two
            // cost no string of their own
            int n = connection.length();
            for (int start = 0; start <= n; ) {
                int comma = connection.indexOf(',', start);
                int end = comma < 0 ? n : comma;
                int s = start;
                int e = end;
                while (s < e && connection.charAt(s) <= ' ') { // as String.trim() did
                    s++;
                }
                while (e > s && connection.charAt(e - 1) <= ' ') {
                    e--;
                }
                if (e - s == 10 && connection.regionMatches(true, s, "keep-alive", 0, 10)) {
                    // Keep-Alive goes with the others, below
                } else if (e - s == 5 && connection.regionMatches(true, s, "close", 0, 5)) {
                    headers.remove("close");
                } else if (e > s) {
                    String name = connection.substring(s, e).toLowerCase(Locale.ROOT);
                    if (!rules.controlled(name)) {
                        headers.remove(name);
                    }
                }
                if (comma < 0) {
                    break;
                }
                start = comma + 1;
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
