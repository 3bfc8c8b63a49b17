package dev.gatehouse.gateway.route;

/**
 * A request as routing sees it: its target and where the route found is recorded. The request's own types
 * implement it ({@code request/InboundRequest}), so routing stays below them and knows nothing else of a request.
 */
public interface Routable {
    /** The request target, origin-form and normalised (RequestValidator saw to it). */
    String target();

    /** The request's own Host header (null when it has none), as validated; never a forwarded host. */
    String host();

    /** Records the route found; null when none matched. */
    void routed(UpstreamSelector route);
}
