package dev.gatehouse.bench;

import dev.gatehouse.core.clientip.ClientIpResolver;
import dev.gatehouse.core.clientip.ClientIpResult;
import dev.gatehouse.core.clientip.ClientIpSettings;
import dev.gatehouse.core.clientip.CloudflareRanges;
import dev.gatehouse.core.clientip.Headers;
import dev.gatehouse.core.net.Cidr;
import dev.gatehouse.core.net.CidrSet;
import dev.gatehouse.core.net.IpAddress;
import java.util.List;
import java.util.Map;
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
 * The client-IP walk on the common paths: an untrusted peer, and a three-hop trusted chain (the same
 * client, and a different one each time).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class ClientIpResolverBenchmark {
    ClientIpResolver resolver;
    IpAddress trustedPeer;
    IpAddress untrustedPeer;
    List<String> xff;
    List<Headers> distinctClients;
    Headers chain;
    int next;

    @Setup
    public void setup() {
        CidrSet trusted = CidrSet.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("172.16.0.0/12"));
        resolver = new ClientIpResolver(new ClientIpSettings(trusted, List.of("x-forwarded-for"), true, Map.of(),
                CloudflareRanges.snapshot()));
        trustedPeer = IpAddress.parse("10.0.2.2");
        untrustedPeer = IpAddress.parse("198.51.100.7");
        xff = List.of("203.0.113.77, 10.0.1.1, 172.16.0.9");
        chain = name -> name.equals("x-forwarded-for") ? xff : List.of(); // built once: the gateway's headers exist already
        distinctClients = new java.util.ArrayList<>();
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < 100_000; i++) {
            List<String> h = List.of(IpAddress.v4(0xC0000000 | r.nextInt(1 << 24)) + ", 10.0.1.1, 172.16.0.9");
            distinctClients.add(name -> name.equals("x-forwarded-for") ? h : List.of());
        }
    }

    @Benchmark
    public ClientIpResult trustedChainOfThree() {
        return resolver.resolve(trustedPeer, chain);
    }

    /** A different client each time (100 000 of them): the recent-results cache mostly misses. */
    @Benchmark
    public ClientIpResult trustedChainOfThreeManyClients() {
        return resolver.resolve(trustedPeer, distinctClients.get(next++ % distinctClients.size()));
    }

    @Benchmark
    public ClientIpResult untrustedPeer() {
        return resolver.resolve(untrustedPeer, chain);
    }
}
