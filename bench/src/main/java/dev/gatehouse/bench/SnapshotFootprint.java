package dev.gatehouse.bench;

import dev.gatehouse.core.db.Database;
import dev.gatehouse.core.policy.PolicySnapshot;
import dev.gatehouse.core.policy.PolicySnapshotLoader;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * What a policy snapshot costs in the gateway's heap, in-process: N organisations × K CIDRs ({@link FleetSeed}) in an
 * embedded PostgreSQL, loaded by {@link PolicySnapshotLoader} as the gateway loads it. Reports, for a full load: the
 * time, the bytes allocated by the loading thread (the garbage a load makes) and the heap the snapshot retains (heap
 * used after full collections, with and without it) per CIDR entry; for a partial reload of one organisation after a
 * change: the time and the bytes allocated.
 *
 * <p>Usage: {@code java -Xmx2g -cp bench/target/benchmarks.jar dev.gatehouse.bench.SnapshotFootprint ORGS
 * CIDRS_PER_ORG [LOADS=3]}.
 */
public final class SnapshotFootprint {
    public static void main(String[] args) throws Exception {
        int orgs = Integer.parseInt(args[0]);
        int perOrg = Integer.parseInt(args[1]);
        int loads = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        long entries = (long) orgs * perOrg;
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            String url = pg.getJdbcUrl("postgres", "postgres");
            try (Database db = GatewayProcesses.migrated(url)) {
                FleetSeed.seed(db.dataSource(), orgs, perOrg);
                List<PolicySnapshot> kept = new ArrayList<>();
                try (Connection c = db.dataSource().getConnection()) {
                    for (int i = 0; i < loads; i++) {
                        long used0 = usedAfterGc();
                        long a0 = threads.getCurrentThreadAllocatedBytes();
                        long t0 = System.nanoTime();
                        PolicySnapshot s = PolicySnapshotLoader.load(c);
                        long ms = (System.nanoTime() - t0) / 1_000_000;
                        long allocated = threads.getCurrentThreadAllocatedBytes() - a0;
                        kept.add(s);
                        long retained = usedAfterGc() - used0;
                        System.out.printf("full load %d: %,d ms, allocated %,d MB (%,d B/entry), retained %,d MB"
                                + " (%,d B/entry)%n", i + 1, ms, allocated >> 20, allocated / entries, retained >> 20,
                                retained / entries);
                        kept.clear(); // the next one measures alone
                    }
                    PolicySnapshot base = PolicySnapshotLoader.load(c);
                    UUID org = base.org("Org1").id();
                    UUID policy = base.org("Org1").globalPolicies().get(0).id();
                    int reloads = 50;
                    long allocated = 0;
                    long nanos = 0;
                    for (int i = 0; i < reloads; i++) {
                        try (PreparedStatement ps = c.prepareStatement("UPDATE network_access_policies SET"
                                + " updated_at = now() WHERE id = ?")) {
                            ps.setObject(1, policy);
                            ps.executeUpdate();
                        }
                        long a0 = threads.getCurrentThreadAllocatedBytes();
                        long t0 = System.nanoTime();
                        base = PolicySnapshotLoader.reload(c, base, List.of(org));
                        nanos += System.nanoTime() - t0;
                        allocated += threads.getCurrentThreadAllocatedBytes() - a0;
                    }
                    System.out.printf("partial reload of one organisation (%d CIDRs): %.2f ms, allocated %,d KB"
                            + " (mean of %d)%n", perOrg, nanos / 1e6 / reloads, allocated / reloads >> 10, reloads);
                }
            }
        }
    }

    private static long usedAfterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
