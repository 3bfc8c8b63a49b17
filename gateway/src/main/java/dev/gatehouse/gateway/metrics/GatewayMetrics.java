package dev.gatehouse.gateway.metrics;

import dev.gatehouse.core.clientip.CloudflareRanges;
import dev.gatehouse.gateway.FileReloader;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * The gateway's counters, written from the event loops without locks (LongAdder) and rendered in
 * the Prometheus text format by {@link PrometheusFormat}. Labels are bounded: route prefixes come
 * from the configuration, status classes are five, reasons are an enum's names.
 */
public final class GatewayMetrics {
    /** Upper bounds, in seconds, of the upstream latency histogram. */
    static final double[] BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    final Map<String, LongAdder[]> requests = new ConcurrentHashMap<>();    // route -> counters by status class
    final Map<String, LongAdder> rejections = new ConcurrentHashMap<>();    // reason
    final Map<String, Histogram> upstreamLatency = new ConcurrentHashMap<>(); // route
    /** Per upstream: [0] connections opened, [1] requests sent on a pooled (kept-alive) connection. */
    final Map<dev.gatehouse.gateway.config.Upstream, LongAdder[]> upstreamConnections = new ConcurrentHashMap<>();
    private volatile IntSupplier openConnections = () -> 0;
    private volatile java.util.function.BooleanSupplier databaseUp = () -> false;
    private volatile dev.gatehouse.gateway.policy.PolicyService policies;

    /** A finished request: the route prefix ("" when none matched) and the status sent. */
    public void request(String route, int status) {
        LongAdder[] byClass = requests.computeIfAbsent(route, k -> newAdders(6));
        byClass[Math.max(0, Math.min(5, status / 100))].increment(); // 0: no status sent (connection cut)
    }

    private static LongAdder[] newAdders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    /** A request the gateway answered itself, by reason (no_route, upstream_timeout...). */
    public void rejection(String reason) {
        rejections.computeIfAbsent(reason, k -> new LongAdder()).increment();
    }

    /** Time from sending the request upstream to its response head. */
    public void upstreamLatency(String route, long nanos) {
        upstreamLatency.computeIfAbsent(route, k -> new Histogram()).observe(nanos / 1e9);
    }

    /**
     * A connection to an upstream for one request: a new one ({@code reused} false) or one from the
     * pool. Opened over both is the pool's miss rate; an upstream that closes kept-alive connections
     * (or a keepalive shorter than {@code upstream.idle-timeout}) shows as opened growing with requests.
     */
    public void upstreamConnection(dev.gatehouse.gateway.config.Upstream upstream, boolean reused) {
        upstreamConnections.computeIfAbsent(upstream, k -> newAdders(2))[reused ? 1 : 0].increment();
    }

    public void openConnections(IntSupplier supplier) {
        this.openConnections = supplier;
    }

    private volatile java.util.function.Supplier<Map<String, Double>> threadIdle = Map::of;

    /** Seconds since each long-lived thread went round its loop (-1: dead), from readiness. */
    public void threads(java.util.function.Supplier<Map<String, Double>> supplier) {
        this.threadIdle = supplier;
    }

    Map<String, Double> threadIdle() {
        return threadIdle.get();
    }

    public void databaseUp(java.util.function.BooleanSupplier supplier) {
        this.databaseUp = supplier;
    }

    private volatile dev.gatehouse.gateway.audit.AuditWriter audit;

    public void audit(dev.gatehouse.gateway.audit.AuditWriter a) {
        this.audit = a;
    }

    dev.gatehouse.gateway.audit.AuditWriter audit() {
        return audit;
    }

    private volatile FileReloader<CloudflareRanges> cloudflareRanges;
    private volatile FileReloader<?> upstreamTls;

    public void cloudflareRanges(FileReloader<CloudflareRanges> w) {
        this.cloudflareRanges = w;
    }

    FileReloader<CloudflareRanges> cloudflareRanges() {
        return cloudflareRanges;
    }

    public void upstreamTls(FileReloader<?> w) {
        this.upstreamTls = w;
    }

    FileReloader<?> upstreamTls() {
        return upstreamTls;
    }

    public void policies(dev.gatehouse.gateway.policy.PolicyService p) {
        this.policies = p;
    }

    dev.gatehouse.gateway.policy.PolicyService policies() {
        return policies;
    }

    int openConnections() {
        return openConnections.getAsInt();
    }

    boolean databaseUp() {
        return databaseUp.getAsBoolean();
    }

    /** A cumulative histogram with fixed buckets. */
    static final class Histogram {
        final LongAdder[] counts = new LongAdder[BUCKETS.length + 1];
        final java.util.concurrent.atomic.DoubleAdder sum = new java.util.concurrent.atomic.DoubleAdder();

        Histogram() {
            for (int i = 0; i < counts.length; i++) {
                counts[i] = new LongAdder();
            }
        }

        void observe(double seconds) {
            int i = 0;
            while (i < BUCKETS.length && seconds > BUCKETS[i]) {
                i++;
            }
            counts[i].increment();
            sum.add(seconds);
        }
    }
}
