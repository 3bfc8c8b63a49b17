package dev.gatehouse.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-request meters: requests by route and status class, upstream latency by route, and the
 * gateway's own answers by reason. Every route's meters are registered when the listener starts, so a
 * request only finds them (a lookup by the route's label, whose hash the String keeps) and counts:
 * nothing is allocated per request. Labels are bounded: routes come from the configuration, status
 * classes are six, reasons are a fixed set of names.
 */
public final class RequestMeters {
    private static final Logger log = LoggerFactory.getLogger(RequestMeters.class);
    /** Upper bounds of the upstream latency histogram's buckets (the names Prometheus sees: le="0.001"...). */
    static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5),
            Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
            Duration.ofSeconds(5), Duration.ofSeconds(10)};
    /** Status classes; "0xx" counts requests that got no status (the connection was cut first). */
    private static final String[] STATUS_CLASSES = {"0xx", "1xx", "2xx", "3xx", "4xx", "5xx"};

    private final MeterRegistry registry;
    private final Map<String, RouteMeters> routes = new ConcurrentHashMap<>();
    private final Map<String, Counter> rejections = new ConcurrentHashMap<>();

    /** @param routePrefixes the configured routes' labels (prefix, after the first host when hosts are named); "" (no route matched) is added */
    public RequestMeters(MeterRegistry registry, Collection<String> routePrefixes) {
        this.registry = registry;
        routes.put("", new RouteMeters(registry, ""));
        for (String prefix : routePrefixes) {
            routes.computeIfAbsent(prefix, p -> new RouteMeters(registry, p));
        }
    }

    /** A finished request: its route prefix ("" when none matched) and the status sent (0: none). */
    public void request(String route, int status) {
        meters(route).byStatusClass[Math.max(0, Math.min(5, status / 100))].increment();
    }

    /** Time from sending the request upstream to its response head. */
    public void upstreamLatency(String route, long nanos) {
        meters(route).upstreamLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** A request the gateway answered itself, by reason (no_route, upstream_timeout, invalid_host...). */
    public void rejection(String reason) {
        Counter c = rejections.get(reason);
        if (c == null) {
            c = rejections.computeIfAbsent(reason, r -> Counter.builder("gatehouse.rejections")
                    .description("Requests the gateway answered itself, by reason.").tag("reason", r).register(registry));
        }
        c.increment();
    }

    /**
     * An upstream's Set-Cookie naming one of the gateway's cookies, removed (counted by route; logged once per route:
     * an upstream that tries it is misconfigured or hostile, and a log line per response would flood).
     */
    public void upstreamCookiesDropped(String route, int count) {
        RouteMeters m = meters(route);
        if (m.droppedCookies == null) {
            m.droppedCookies = Counter.builder("gatehouse.upstream.cookies.dropped").description("Set-Cookie headers of"
                    + " an upstream that named the gateway's own cookies (__Host-gatehouse*), removed.")
                    .tag("route", route).register(registry);
        }
        m.droppedCookies.increment(count);
        if (m.droppedCookiesLogged.compareAndSet(false, true)) {
            log.warn("The upstream of route {} tried to set the gateway's own cookie (__Host-gatehouse*): removed from"
                    + " its response (counted in gatehouse_upstream_cookies_dropped_total; logged once per route)", route);
        }
    }

    private RouteMeters meters(String route) {
        RouteMeters m = routes.get(route);
        return m != null ? m : routes.computeIfAbsent(route, r -> new RouteMeters(registry, r)); // never, in practice
    }

    private static final class RouteMeters {
        final AtomicBoolean droppedCookiesLogged = new AtomicBoolean();
        volatile Counter droppedCookies;
        final Counter[] byStatusClass = new Counter[STATUS_CLASSES.length];
        final Timer upstreamLatency;

        RouteMeters(MeterRegistry registry, String route) {
            for (int i = 0; i < STATUS_CLASSES.length; i++) {
                byStatusClass[i] = Counter.builder("gatehouse.requests")
                        .description("Requests answered, by route (prefix, or host and prefix) and status class.")
                        .tags("route", route, "status", STATUS_CLASSES[i]).register(registry);
            }
            upstreamLatency = Timer.builder("gatehouse.upstream.latency")
                    .description("From request sent upstream to response head.")
                    .tag("route", route).serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
        }
    }
}
