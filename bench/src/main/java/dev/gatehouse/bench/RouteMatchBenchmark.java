package dev.gatehouse.bench;

import dev.gatehouse.core.route.HostPattern;
import dev.gatehouse.core.route.Route;
import dev.gatehouse.core.route.RouteBinding;
import dev.gatehouse.core.route.RouteMap;
import dev.gatehouse.core.route.Upstream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A request's route: by path only (a few prefixes, no hosts: the Host is never read), and a multi-tenant table of
 * 1 000 tenant hosts plus a wildcard and a catch-all, looked up with a Host that has a port and upper case (the
 * normalising path), a wildcard's subdomain, and an unknown host that falls through to the catch-all.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class RouteMatchBenchmark {
    RouteMap<Route> byPath;
    RouteMap<Route> byHost;

    @Setup
    public void setup() {
        Upstream u = Upstream.parse("http://127.0.0.1:3000");
        byPath = new RouteMap<>(List.of(new Route("/", List.of(u), false, 1, RouteBinding.NONE),
                new Route("/api/", List.of(u), false, 1, RouteBinding.NONE),
                new Route("/static/", List.of(u), false, 1, RouteBinding.NONE)), r -> r);
        List<Route> tenants = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            tenants.add(new Route(List.of(HostPattern.parse("tenant" + i + ".example.com")), "/", List.of(u), false, 1,
                    RouteBinding.NONE));
        }
        tenants.add(new Route(List.of(HostPattern.parse("*.eu.example.com")), "/", List.of(u), false, 1, RouteBinding.NONE));
        tenants.add(new Route("/", List.of(u), false, 1, RouteBinding.NONE));
        byHost = new RouteMap<>(tenants, r -> r);
    }

    @Benchmark
    public Route pathOnly() {
        return byPath.match("tenant1.example.com", "/api/v1/secrets?x=1");
    }

    @Benchmark
    public Route exactHostLowerCaseNoPort() {
        return byHost.match("tenant517.example.com", "/api/v1/secrets");
    }

    @Benchmark
    public Route exactHostWithPortAndCase() {
        return byHost.match("Tenant517.Example.com:443", "/api/v1/secrets");
    }

    @Benchmark
    public Route wildcardHost() {
        return byHost.match("acme.eu.example.com", "/api/v1/secrets");
    }

    @Benchmark
    public Route unknownHostFallsThrough() {
        return byHost.match("other.test", "/api/v1/secrets");
    }
}
