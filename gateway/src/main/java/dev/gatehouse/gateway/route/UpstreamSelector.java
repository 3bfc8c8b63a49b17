package dev.gatehouse.gateway.route;

import dev.gatehouse.core.route.Route;
import dev.gatehouse.core.route.Upstream;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Picks a route's upstream: round robin, skipping an upstream that failed within the fail timeout
 * (while another is available). Shared by all event loops; lock-free.
 */
public final class UpstreamSelector {
    private final Route route;
    private final String label;
    private final long failTimeoutNanos;
    private final AtomicInteger next = new AtomicInteger();
    private final ConcurrentHashMap<Upstream, Long> failedUntil = new ConcurrentHashMap<>();

    UpstreamSelector(Route route, long failTimeoutNanos) {
        this.route = route;
        this.label = route.label(); // computed once: it names the route in every request's metrics
        this.failTimeoutNanos = failTimeoutNanos;
    }

    public Route route() {
        return route;
    }

    /** The route's name in metrics and logs ({@link Route#label()}). */
    public String label() {
        return label;
    }

    /** The upstream for attempt number {@code attempt} (0 first) of one request. */
    public Upstream pick(int start, int attempt) {
        List<Upstream> all = route.upstreams();
        int n = all.size();
        long now = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Upstream u = all.get(Math.floorMod(start + attempt + i, n));
            Long until = failedUntil.get(u);
            if (until == null || now - until >= 0) {
                return u;
            }
        }
        return all.get(Math.floorMod(start + attempt, n)); // all failed recently: try anyway
    }

    /** Where a new request starts its round. */
    public int start() {
        return next.getAndIncrement();
    }

    public int size() {
        return route.upstreams().size();
    }

    public void failed(Upstream u) {
        failedUntil.put(u, System.nanoTime() + failTimeoutNanos);
    }

    public void succeeded(Upstream u) {
        if (!failedUntil.isEmpty()) {
            failedUntil.remove(u);
        }
    }
}
