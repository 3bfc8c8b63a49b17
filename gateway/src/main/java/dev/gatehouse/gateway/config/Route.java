package dev.gatehouse.gateway.config;

import java.util.List;

/**
 * A path prefix and where its requests go.
 *
 * @param prefix       matched against the request path (longest prefix wins)
 * @param upstreams    one or more upstreams, used in turn
 * @param stripPrefix  remove the prefix from the path before forwarding
 * @param maxBodySize  largest request body accepted, in bytes
 * @param binding      the organisation/app and identification the route's requests are checked with
 */
public record Route(String prefix, List<Upstream> upstreams, boolean stripPrefix, long maxBodySize, RouteBinding binding) {

    public Route {
        upstreams = List.copyOf(upstreams);
        if (upstreams.isEmpty()) {
            throw new IllegalArgumentException("a route needs at least one upstream");
        }
    }

    /** The path and query to send to {@code upstream} for a request URI that matched this route. */
    public String upstreamUri(String requestUri, Upstream upstream) {
        String rest = requestUri;
        if (stripPrefix) {
            rest = requestUri.substring(Math.min(prefix.length(), requestUri.length()));
            if (!rest.startsWith("/")) {
                rest = "/" + rest;
            }
        }
        String base = upstream.basePath();
        if (base.isEmpty()) {
            return rest;
        }
        return base.endsWith("/") && rest.startsWith("/") ? base + rest.substring(1) : base + rest;
    }

    /** True when the request path (no query) falls under this route's prefix. */
    public boolean matches(String path) {
        if (!path.startsWith(prefix)) {
            return false;
        }
        // "/api" matches "/api", "/api/x" and "/api?q", not "/apix"
        return prefix.endsWith("/") || path.length() == prefix.length()
                || path.charAt(prefix.length()) == '/';
    }
}
