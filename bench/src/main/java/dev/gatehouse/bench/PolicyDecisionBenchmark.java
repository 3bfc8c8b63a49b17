package dev.gatehouse.bench;

import dev.gatehouse.core.net.Cidr;
import dev.gatehouse.core.net.CidrSet;
import dev.gatehouse.core.net.IpAddress;
import dev.gatehouse.core.policy.AuditMode;
import dev.gatehouse.core.policy.CompiledPolicy;
import dev.gatehouse.core.policy.Decision;
import dev.gatehouse.core.policy.PolicySnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
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
 * The request path's policy decision over a snapshot of 1 000 organisations holding 100 000 CIDRs
 * in all (an allow-list policy of 90 networks and a deny policy of 10 each): organisation lookup by
 * id, then the semantics over its policies.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class PolicyDecisionBenchmark {
    PolicySnapshot snapshot;
    UUID[] orgIds;
    IpAddress[] probes;
    int i;

    @Setup
    public void setup() {
        Random r = new Random(7);
        Map<UUID, PolicySnapshot.Org> byId = new HashMap<>();
        Map<String, PolicySnapshot.Org> byName = new HashMap<>();
        orgIds = new UUID[1000];
        List<List<Cidr>> allowByOrg = new ArrayList<>();
        for (int o = 0; o < 1000; o++) {
            List<Cidr> allow = new ArrayList<>();
            List<Cidr> deny = new ArrayList<>();
            for (int k = 0; k < 100; k++) {
                int prefix = 16 + r.nextInt(17);
                Cidr c = new Cidr(IpAddress.v4(r.nextInt()), prefix);
                (k < 90 ? allow : deny).add(new Cidr(c.firstAddress(), prefix));
            }
            allowByOrg.add(allow);
            UUID id = new UUID(0, o);
            orgIds[o] = id;
            List<CompiledPolicy> global = List.of(
                    new CompiledPolicy(UUID.randomUUID(), "office", true, CidrSet.of(allow), CidrSet.EMPTY, true),
                    new CompiledPolicy(UUID.randomUUID(), "blocklist", true, CidrSet.EMPTY, CidrSet.of(deny), false));
            PolicySnapshot.Org org = new PolicySnapshot.Org(id, "org" + o, false, global, Map.of(), Map.of(), AuditMode.FULL, Map.of(),
                    List.of(), null, null, Set.of());
            byId.put(id, org);
            byName.put(org.name(), org);
        }
        snapshot = new PolicySnapshot(byName, byId, Map.of(), Instant.now());
        probes = new IpAddress[4096];
        for (int k = 0; k < probes.length; k++) {
            List<Cidr> allow = allowByOrg.get(k % 1000);
            probes[k] = k % 2 == 0 ? allow.get(r.nextInt(allow.size())).lastAddress() : IpAddress.v4(r.nextInt());
        }
    }

    @Benchmark
    public Decision decide() {
        int k = i++ & 4095;
        PolicySnapshot.Org org = snapshot.org(orgIds[k % 1000]);
        return snapshot.decide(org, null, probes[k]);
    }
}
