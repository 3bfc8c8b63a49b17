package dev.gatehouse.gateway.route;

import dev.gatehouse.core.route.Route;
import dev.gatehouse.core.route.RouteMap;
import java.time.Duration;
import java.util.List;

/**
 * Finds the route for a request: by its own Host first (exact, then wildcard, then routes for any host), then the
 * longest matching path prefix — {@link RouteMap}'s rules, which {@code gatehouse-admin route explain} shows.
 * Immutable (its selectors count).
 */
public final class RouteTable {
    private final RouteMap<UpstreamSelector> map;

    public RouteTable(List<Route> routes, Duration failTimeout) {
        this.map = new RouteMap<>(routes, r -> new UpstreamSelector(r, failTimeout.toNanos()));
    }

    /**
     * The route (with its upstream selector) for a request, or null.
     *
     * @param host the request's Host header (null when it has none); a forwarded host is never used
     * @param uri  path plus optional query
     */
    public UpstreamSelector match(String host, String uri) {
        return map.match(host, uri);
    }

    /** True when routes name hosts: the Host header is then read for every request. */
    public boolean byHost() {
        return map.byHost();
    }
}
