package dev.gatehouse.core.route;

import java.util.ArrayList;
import java.util.List;

/**
 * Why a request takes the route it does ({@code gatehouse-admin route explain}): each configured route with its
 * verdict, and the winner. Uses {@link RouteMap}'s own decision, so the explanation cannot disagree with the gateway.
 *
 * @param host   the request host as routes compare it (port removed, lower case)
 * @param path   the request path (query removed)
 * @param winner the index of the chosen route in {@code gatehouse.routes}, or null when none matches (404)
 * @param routes every route, in configuration order, with its verdict
 */
public record RouteExplanation(String host, String path, Integer winner, List<Candidate> routes) {

    /**
     * @param index   position in {@code gatehouse.routes}
     * @param hosts   the route's hosts, or "*" for any host
     * @param prefix  the route's path prefix
     * @param verdict why it wins, or why not
     */
    public record Candidate(int index, String hosts, String prefix, String verdict) {
    }

    /** Explains the choice among {@code routes} for a request's Host header and target. */
    public static RouteExplanation of(List<Route> routes, String hostHeader, String uri) {
        String host = HostPattern.requestHost(hostHeader);
        String path = RouteMap.path(uri);
        int[] next = {0};
        Integer winner = new RouteMap<>(routes, r -> next[0]++).match(hostHeader, uri); // values: indexes, in order
        List<Candidate> out = new ArrayList<>();
        for (int i = 0; i < routes.size(); i++) {
            Route r = routes.get(i);
            String hosts = r.hosts().isEmpty() ? "*" : String.join(", ", r.hosts().stream().map(HostPattern::text).toList());
            out.add(new Candidate(i, hosts, r.prefix(), verdict(routes, i, winner, host, path)));
        }
        return new RouteExplanation(host, path, winner, out);
    }

    private static String verdict(List<Route> routes, int index, Integer winner, String host, String path) {
        Route r = routes.get(index);
        HostPattern hostMatch = best(r, host);
        if (!r.hosts().isEmpty() && hostMatch == null) {
            return "host " + (host.isEmpty() ? "(none)" : host) + " is not among its hosts";
        }
        if (!r.matches(path)) {
            return "path " + path + " is not under " + r.prefix();
        }
        String how = (hostMatch == null ? "any host" : hostMatch.wildcard() ? "wildcard " + hostMatch.text()
                : "exact host " + hostMatch.text()) + ", prefix " + r.prefix() + " (" + r.prefix().length() + " characters)";
        if (winner == index) { // this route matches, so the map found a winner: never null here
            return "WINS: " + how;
        }
        return "matches (" + how + ") but loses to routes[" + winner + "]: " + rank(routes.get(winner), host) + " beats "
                + rank(r, host);
    }

    /** The route's host pattern that matches most specifically (exact, else the longest wildcard), or null. */
    private static HostPattern best(Route r, String host) {
        HostPattern best = null;
        for (HostPattern h : r.hosts()) {
            if (h.matches(host) && (best == null || best.wildcard() && (!h.wildcard() || h.text().length() > best.text().length()))) {
                best = h;
            }
        }
        return best;
    }

    /** What ranks a matching route: its kind of host match, then its prefix length. */
    private static String rank(Route r, String host) {
        HostPattern h = best(r, host);
        String kind = h == null ? "any host" : h.wildcard() ? "wildcard " + h.text() : "exact host";
        return kind + " with prefix " + r.prefix();
    }
}
