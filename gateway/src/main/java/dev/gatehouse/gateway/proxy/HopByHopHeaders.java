package dev.gatehouse.gateway.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * Removes hop-by-hop headers (RFC 9110 §7.6.1): the fixed set, and every header the Connection
 * header names. Callers add their own forwarding headers after this, so a client can never use
 * {@code Connection: X-Real-IP} to remove what the gateway sets.
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

    static void strip(HttpHeaders headers) {
        if (!headers.contains(HttpHeaderNames.CONNECTION)) {
            removeAlways(headers);
            return;
        }
        for (String connection : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String token : connection.split(",")) {
                String name = token.trim();
                if (!name.isEmpty()) {
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
