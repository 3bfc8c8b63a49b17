package dev.gatehouse.core.route;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Which route a request takes, by its host and then its path. The order, from first to last choice:
 * <ol>
 *   <li>routes naming the request's host exactly;</li>
 *   <li>routes with a wildcard the host falls under, the longest (most specific) wildcard first;</li>
 *   <li>routes with no {@code hosts} (any host).</li>
 * </ol>
 * Within each, the longest matching path prefix wins; a host whose routes match none of the path falls through
 * to the next group. Immutable; a lookup allocates only when routes name hosts (the Host is normalised).
 *
 * @param <T> what the gateway keeps per route (its upstream selector); the route itself for {@code route explain}
 */
public final class RouteMap<T> {
    private final Map<String, List<Entry<T>>> exact = new HashMap<>();
    private final Map<String, List<Entry<T>>> wildcards = new HashMap<>(); // by suffix, ".example.com"
    private final List<Entry<T>> anyHost;
    private final boolean byHost;

    private record Entry<T>(Route route, T value) {
    }

    public RouteMap(List<Route> routes, Function<Route, T> value) {
        List<Entry<T>> any = new ArrayList<>();
        for (Route r : routes) {
            Entry<T> e = new Entry<>(r, value.apply(r));
            if (r.hosts().isEmpty()) {
                any.add(e);
            }
            for (HostPattern h : r.hosts()) {
                (h.wildcard() ? wildcards.computeIfAbsent(h.suffix(), k -> new ArrayList<>())
                        : exact.computeIfAbsent(h.text(), k -> new ArrayList<>())).add(e);
            }
        }
        Comparator<Entry<T>> longestPrefix = Comparator.comparingInt((Entry<T> e) -> e.route().prefix().length()).reversed();
        exact.values().forEach(l -> l.sort(longestPrefix));
        wildcards.values().forEach(l -> l.sort(longestPrefix));
        any.sort(longestPrefix);
        this.anyHost = List.copyOf(any);
        this.byHost = !exact.isEmpty() || !wildcards.isEmpty();
    }

    /** True when some route names hosts (the Host header then takes part in routing). */
    public boolean byHost() {
        return byHost;
    }

    /**
     * The route's value for a request, or null when no route matches.
     *
     * @param hostHeader the request's own Host header (null when it has none)
     * @param uri        the request target in origin form: path and optional query
     */
    public T match(String hostHeader, String uri) {
        String path = path(uri);
        if (byHost) {
            String host = HostPattern.requestHost(hostHeader);
            T found = first(exact.get(host), path);
            if (found != null) {
                return found;
            }
            // the host's suffixes, longest first: a.b.example.com -> .b.example.com, .example.com, .com
            for (int dot = host.indexOf('.'); dot >= 0 && !wildcards.isEmpty(); dot = host.indexOf('.', dot + 1)) {
                if (dot > 0) {
                    found = first(wildcards.get(host.substring(dot)), path);
                    if (found != null) {
                        return found;
                    }
                }
            }
        }
        return first(anyHost, path);
    }

    private static <T> T first(List<Entry<T>> entries, String path) {
        if (entries != null) {
            for (Entry<T> e : entries) { // indexed access would not be faster: these lists are short
                if (e.route().matches(path)) {
                    return e.value();
                }
            }
        }
        return null;
    }

    /** The path of a request target (its query left out). */
    public static String path(String uri) {
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }
}
