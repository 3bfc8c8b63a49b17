package dev.gatehouse.gateway.console;

import dev.gatehouse.core.route.Route;
import java.util.List;

/**
 * The route an audit row's request most likely took. The row keeps the organisation, the app and the path, not the
 * host: among the routes bound to that organisation (and app, when the row names one), the longest prefix the path
 * falls under — the route it took unless host-routed routes of the organisation share a prefix. Shown as such.
 */
final class RouteGuess {
    private final List<Route> routes;

    RouteGuess(List<Route> routes) {
        this.routes = List.copyOf(routes);
    }

    /** The route's label (its prefix, after its first host when it has hosts), or "" when none fits. */
    String label(String org, String app, String path) {
        Route best = null;
        for (Route r : routes) {
            var b = r.binding();
            boolean orgFits = org != null && org.equals(b.org()) || b.org() == null && b.token();
            boolean appFits = b.app() == null || b.app().equals(app);
            if (orgFits && appFits && path != null && r.matches(path)
                    && (best == null || r.prefix().length() > best.prefix().length())) {
                best = r;
            }
        }
        return best == null ? "" : best.label();
    }
}
