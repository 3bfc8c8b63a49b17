package dev.gatehouse.gateway.route;

import dev.gatehouse.gateway.config.Route;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/** Finds the route for a request path: the longest matching prefix. Immutable (its selectors count). */
public final class RouteTable {
    private final List<UpstreamSelector> byLongestPrefix;

    public RouteTable(List<Route> routes, Duration failTimeout) {
        this.byLongestPrefix = routes.stream()
                .sorted(Comparator.comparingInt((Route r) -> r.prefix().length()).reversed())
                .map(r -> new UpstreamSelector(r, failTimeout.toNanos()))
                .toList();
    }

    /** The route (with its upstream selector) for a request URI (path plus optional query), or null. */
    public UpstreamSelector match(String uri) {
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        for (UpstreamSelector s : byLongestPrefix) {
            if (s.route().matches(path)) {
                return s;
            }
        }
        return null;
    }
}
