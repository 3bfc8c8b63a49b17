package dev.gatehouse.gateway.proxy;

import dev.gatehouse.gateway.config.UpstreamHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Request trailers (the fields after a chunked body) pass to the upstream only when named in
 * {@code upstream.forward-trailers}; everything else is dropped. Several backends merge trailers into the headers,
 * so a trailer {@code X-Real-IP: 6.6.6.6} would otherwise forge what the gateway decided — the allowlist never
 * holds a header the gateway controls ({@link UpstreamHeaders#controlled}).
 */
final class RequestTrailers {
    private RequestTrailers() {
    }

    static void filter(LastHttpContent last, UpstreamHeaders rules) {
        HttpHeaders trailers = last.trailingHeaders();
        if (trailers.isEmpty()) {
            return; // the usual case (and EMPTY_LAST_CONTENT's headers are read-only)
        }
        List<String> allowed = rules.forwardTrailers();
        if (allowed.isEmpty()) {
            trailers.clear();
            return;
        }
        List<String> doomed = new ArrayList<>();
        for (Map.Entry<String, String> e : trailers) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (!allowed.contains(name) && !doomed.contains(name)) {
                doomed.add(name);
            }
        }
        doomed.forEach(trailers::remove);
    }
}
