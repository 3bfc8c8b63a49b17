package dev.gatehouse.gateway.config;

/**
 * A path prefix and where its requests go.
 *
 * @param prefix      matched against the request path (longest prefix wins)
 * @param upstream    the upstream to forward to
 * @param stripPrefix remove the prefix from the path before forwarding
 */
public record Route(String prefix, Upstream upstream, boolean stripPrefix) {

    /** The path and query to send upstream for a request URI that matched this route. */
    public String upstreamUri(String requestUri) {
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
