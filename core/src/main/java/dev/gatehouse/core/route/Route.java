package dev.gatehouse.core.route;

import java.util.List;

/**
 * Host names and a path prefix, and where their requests go.
 *
 * @param hosts        the request hosts the route answers ({@link HostPattern}s: exact or {@code *.}wildcard);
 *                     empty: any host
 * @param prefix       matched against the request path (longest prefix wins)
 * @param upstreams    one or more upstreams, used in turn
 * @param stripPrefix  remove the prefix from the path before forwarding
 * @param maxBodySize  largest request body accepted, in bytes
 * @param binding      the organisation/app and identification the route's requests are checked with
 */
public record Route(List<HostPattern> hosts, String prefix, List<Upstream> upstreams, boolean stripPrefix, long maxBodySize,
                    RouteBinding binding) {

    public Route {
        hosts = List.copyOf(hosts);
        upstreams = List.copyOf(upstreams);
        if (upstreams.isEmpty()) {
            throw new IllegalArgumentException("a route needs at least one upstream");
        }
    }

    /** A route for any host. */
    public Route(String prefix, List<Upstream> upstreams, boolean stripPrefix, long maxBodySize, RouteBinding binding) {
        this(List.of(), prefix, upstreams, stripPrefix, maxBodySize, binding);
    }

    /** The same route with other upstreams. */
    public Route withUpstreams(List<Upstream> other) {
        return new Route(hosts, prefix, other, stripPrefix, maxBodySize, binding);
    }

    /**
     * The route's name in metrics and logs: its prefix, after its first host when it has hosts
     * ({@code acme.example.com/api}). Unique among the routes: {@link Routes} refuses a host and prefix given twice.
     */
    public String label() {
        return hosts.isEmpty() ? prefix : hosts.get(0) + prefix;
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
