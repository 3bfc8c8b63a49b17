package dev.gatehouse.gateway.proxy;

import dev.gatehouse.gateway.config.Route;
import java.util.Comparator;
import java.util.List;

/** Finds the route for a request path: the longest matching prefix. Immutable. */
public final class RouteTable {
    private final List<Route> byLongestPrefix;

    public RouteTable(List<Route> routes) {
        this.byLongestPrefix = routes.stream()
                .sorted(Comparator.comparingInt((Route r) -> r.prefix().length()).reversed())
                .toList();
    }

    /** The route for a request URI (path plus optional query), or null. */
    public Route match(String uri) {
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        for (Route r : byLongestPrefix) {
            if (r.matches(path)) {
                return r;
            }
        }
        return null;
    }
}
