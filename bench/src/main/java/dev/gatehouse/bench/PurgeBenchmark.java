package dev.gatehouse.bench;

import dev.gatehouse.core.admin.AuditPurge;
import dev.gatehouse.core.db.Database;
import dev.gatehouse.core.db.DatabaseSettings;
import dev.gatehouse.core.db.Migrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The purge paths on an embedded PostgreSQL 17: (1) {@code events} rows across five organisations,
 * one organisation's fifth purged in batches while another thread inserts single rows (their
 * latency is the cost to the gateways); (2) {@code dropRows} rows in daily partitions removed with
 * {@code --all-orgs}. Usage: {@code java -cp bench/target/benchmarks.jar dev.gatehouse.bench.PurgeBenchmark
 * [events] [dropRows]}.
 */
public final class PurgeBenchmark {
    public static void main(String[] args) throws Exception {
        long events = args.length > 0 ? Long.parseLong(args[0]) : 5_000_000L;
        long dropRows = args.length > 1 ? Long.parseLong(args[1]) : 10_000_000L;
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("synchronous_commit", "on")
                .setServerConfig("max_wal_size", "4GB").start()) {
            DatabaseSettings s = new DatabaseSettings(pg.getJdbcUrl("postgres", "postgres"), "postgres", "", false, 4,
                    Duration.ofSeconds(5), Path.of("/nonexistent"), 0, Duration.ofSeconds(30));
            try (Database db = Database.open(s, "bench")) {
                new Migrations(db.dataSource()).migrate();
                UUID[] orgs = new UUID[5];
                try (Connection c = db.connection(); Statement st = c.createStatement()) {
                    for (int i = 0; i < orgs.length; i++) {
                        var rs = st.executeQuery("INSERT INTO organisations (name) VALUES ('org" + i + "') RETURNING id");
                        rs.next();
                        orgs[i] = (UUID) rs.getObject(1);
                    }
                    st.execute("SELECT gatehouse_ensure_access_event_partitions(current_date - 60, 61)");
                    long t0 = System.nanoTime();
                    for (int i = 0; i < orgs.length; i++) {
                        st.execute("INSERT INTO access_events (ts, event_id, org_id, client_ip, decision, method, path, status)"
                                + " SELECT now() - interval '45 days' + (g % 864000) * interval '1 second', gen_random_uuid(), '"
                                + orgs[i] + "', '198.51.100.1', 'allow', 'GET', '/api/v1/secrets', 200"
                                + " FROM generate_series(1, " + events / orgs.length + ") g");
                    }
                    st.execute("ANALYZE access_events");
                    System.out.printf("seeded %d events in %.1f s%n", events, (System.nanoTime() - t0) / 1e9);
                }

                List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
                AtomicBoolean done = new AtomicBoolean();
                Thread inserter = new Thread(() -> {
                    try (Connection c = db.connection(); PreparedStatement ps = c.prepareStatement(
                            "INSERT INTO access_events (ts, event_id, org_id, client_ip, decision) VALUES (now(), ?, ?, '192.0.2.1', 'allow')")) {
                        while (!done.get()) {
                            long t = System.nanoTime();
                            ps.setObject(1, UUID.randomUUID());
                            ps.setObject(2, orgs[1]);
                            ps.executeUpdate();
                            latencies.add(System.nanoTime() - t);
                            Thread.sleep(2);
                        }
                    } catch (Exception e) {
                        e.printStackTrace();
                    }
                });
                inserter.start();
                long t0 = System.nanoTime();
                AuditPurge.Result r = new AuditPurge(db.dataSource(), "bench").purgeOrg("org0", null,
                        Instant.now().minus(Duration.ofDays(30)), 10_000, (d, t) -> { }, () -> false);
                double secs = (System.nanoTime() - t0) / 1e9;
                done.set(true);
                inserter.join();
                List<Long> sorted = new ArrayList<>(latencies);
                Collections.sort(sorted);
                System.out.printf("purge of one organisation: %d rows in %.1f s = %.0f rows/s; concurrent single-row"
                                + " inserts: %d, p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", r.deleted(), secs, r.deleted() / secs,
                        sorted.size(), pct(sorted, 0.50), pct(sorted, 0.99), sorted.get(sorted.size() - 1) / 1e6);

                try (Connection c = db.connection(); Statement st = c.createStatement()) {
                    st.execute("TRUNCATE access_events");
                    long t1 = System.nanoTime();
                    st.execute("INSERT INTO access_events (ts, event_id, org_id, client_ip, decision)"
                            + " SELECT now() - interval '55 days' + (g % 1728000) * interval '1 second', gen_random_uuid(), '"
                            + orgs[2] + "', '198.51.100.1', 'allow' FROM generate_series(1, " + dropRows + ") g");
                    System.out.printf("seeded %d rows over 20 daily partitions in %.1f s%n", dropRows, (System.nanoTime() - t1) / 1e9);
                }
                long t2 = System.nanoTime();
                AuditPurge.Result all = new AuditPurge(db.dataSource(), "bench").purgeAll(Instant.now().minus(Duration.ofDays(30)),
                        10_000, (d, t) -> { }, () -> false);
                System.out.printf("purge --all-orgs: %d partitions dropped, %d rows deleted in batches, %.3f s%n",
                        all.partitionsDropped(), all.deleted(), (System.nanoTime() - t2) / 1e9);
            }
        }
    }

    private static double pct(List<Long> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * p))) / 1e6;
    }
}
