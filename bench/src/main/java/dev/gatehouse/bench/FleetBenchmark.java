package dev.gatehouse.bench;

import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.core.admin.Organisations;
import dev.gatehouse.core.admin.Policies;
import dev.gatehouse.core.db.Database;
import dev.gatehouse.core.net.Cidr;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * A gateway at fleet scale: N organisations × K CIDRs (one global policy each, made in SQL by {@link FleetSeed}) in
 * an embedded PostgreSQL 17, one gateway process (audit off, the deployments' {@code -Xms64m -Xmx512m} unless
 * {@code -Dgateway.jvm="..."} says otherwise) bound to one more organisation, {@code Probe}. Reports:
 * <ul>
 * <li>ready: process start to the first 200 from {@code /readyz} (which waits for the policy snapshot);</li>
 * <li>RSS at ready, and after the idle window;</li>
 * <li>over the idle window (no traffic): the gateway's CPU time (user + system, from {@code /proc}) and the rows
 * PostgreSQL read for the whole database ({@code pg_stat_database}: tup_returned + tup_fetched, per minute);</li>
 * <li>then, with a probe sending a request every 0.5 ms, the time from each of {@code changes} policy changes'
 * commit (through {@code gatehouse-admin policy update}'s code, toggling the probe's network in {@code Probe}'s
 * policy) to the first response carrying the new decision: p50, p99, max.</li>
 * </ul>
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.gatehouse.bench.FleetBenchmark ORGS CIDRS_PER_ORG
 * [IDLE_SECONDS=65] [CHANGES=100]}; {@code -Dgateway.jar=...} names the gateway's jar,
 * {@code -Dgateway.logback=FILE} gives it a logback configuration, {@code -Dstarts=N} starts it N times (the last
 * one measured as above; the median ready time of all).
 */
public final class FleetBenchmark {
    private static final String PROBE_IP = "198.51.100.7";
    private static final Cidr PROBE_NET = Cidr.parse("198.51.100.0/24");

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: FleetBenchmark ORGS CIDRS_PER_ORG [IDLE_SECONDS] [CHANGES]");
            System.exit(2);
        }
        int orgs = Integer.parseInt(args[0]);
        int perOrg = Integer.parseInt(args[1]);
        int idleSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 65;
        int changes = args.length > 3 ? Integer.parseInt(args[3]) : 100;
        List<String> jvm = List.of(System.getProperty("gateway.jvm", "-Xms64m -Xmx512m").trim().split("\\s+"));
        Path jar = GatewayProcesses.jar();
        Path work = Files.createTempDirectory("gatehouse-fleet");
        System.out.println("gateway log in " + work);
        HttpServer upstream = OkUpstream.start(1);
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            String url = pg.getJdbcUrl("postgres", "postgres");
            try (Database db = GatewayProcesses.migrated(url)) {
                long t0 = System.nanoTime();
                FleetSeed.seed(db.dataSource(), orgs, perOrg);
                Policies policies = new Policies(db.dataSource(), "bench");
                new Organisations(db.dataSource(), "bench").createOrg("Probe", false, null);
                policies.create("Probe", "office", true, List.of(Cidr.parse("203.0.113.0/24")), List.of(), null, true);
                System.out.printf("seeded %,d organisations × %d CIDRs in %.1f s%n", orgs, perOrg,
                        (System.nanoTime() - t0) / 1e9);

                int port = GatewayProcesses.freePort();
                int mgmt = GatewayProcesses.freePort();
                Path conf = work.resolve("gateway.conf");
                Files.writeString(conf, "gatehouse {\n"
                        + "  listen { host = \"127.0.0.1\", port = " + port + " }\n"
                        + "  server.event-loop-threads = 1\n"
                        + "  management { host = \"127.0.0.1\", port = " + mgmt + " }\n"
                        + "  audit { enabled = false, spool-dir = \"" + work.resolve("spool") + "\" }\n"
                        + "  database { url = \"" + url + "\", user = \"postgres\", password = \"\" }\n"
                        + "  client-ip { trusted-proxies = [\"127.0.0.1\"], headers = [\"X-Forwarded-For\"] }\n"
                        + "  routes = [ { prefix = \"/\", upstream = \"http://127.0.0.1:"
                        + upstream.getAddress().getPort() + "\", org = \"Probe\" } ]\n"
                        + "}\n");
                List<String> command = new ArrayList<>(List.of("java"));
                command.addAll(jvm);
                if (System.getProperty("gateway.logback") != null) {
                    command.add("-Dlogback.configurationFile=" + System.getProperty("gateway.logback"));
                }
                command.addAll(List.of("-jar", jar.toString(), "--config", conf.toString()));
                int starts = Integer.getInteger("starts", 1);
                List<Long> readyTimes = new ArrayList<>();
                for (int i = 1; i < starts; i++) { // the earlier starts only time the start
                    long start = System.nanoTime();
                    Process gateway = new ProcessBuilder(command).redirectErrorStream(true)
                            .redirectOutput(work.resolve("gateway-" + i + ".log").toFile()).start();
                    try {
                        GatewayProcesses.awaitReady(mgmt, gateway);
                        readyTimes.add((System.nanoTime() - start) / 1_000_000);
                        System.out.printf("start %d: ready after %d ms, RSS %d MB%n", i, readyTimes.get(i - 1),
                                rssKb(gateway.pid()) / 1024);
                    } finally {
                        gateway.destroy();
                        gateway.waitFor();
                    }
                }
                System.out.println("load average before the measured start: " + loadAverage());
                long start = System.nanoTime();
                Process gateway = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(work.resolve("gateway.log").toFile()).start();
                StatusProbe probe = null;
                try {
                    GatewayProcesses.awaitReady(mgmt, gateway);
                    long readyMs = (System.nanoTime() - start) / 1_000_000;
                    long rssReady = rssKb(gateway.pid());
                    System.out.printf("ready after %d ms, RSS %d MB (JVM: %s)%n", readyMs, rssReady / 1024,
                            String.join(" ", jvm));
                    readyTimes.add(readyMs);
                    if (starts > 1) {
                        List<Long> sorted = new ArrayList<>(readyTimes);
                        sorted.sort(null);
                        System.out.printf("ready over %d starts: median %d ms, %s%n", starts, sorted.get(starts / 2),
                                readyTimes);
                    }

                    // past the start's own statistics: a session's counters reach pg_stat within 10 s of going idle
                    Thread.sleep(12_000);
                    long cpu0 = cpuTicks(gateway.pid());
                    long rows0 = rowsRead(db.dataSource());
                    Map<String, Long> tables0 = rowsReadByTable(db.dataSource());
                    long i0 = System.nanoTime();
                    for (int s = 0; s < idleSeconds; s++) {
                        Thread.sleep(1_000);
                    }
                    long cpu1 = cpuTicks(gateway.pid());
                    double window = (System.nanoTime() - i0) / 1e9;
                    long rows1 = rowsRead(db.dataSource());
                    Map<String, Long> tables1 = rowsReadByTable(db.dataSource());
                    List<String> byTable = new ArrayList<>();
                    tables1.forEach((table, n) -> {
                        long d = n - tables0.getOrDefault(table, 0L);
                        if (d > 0) {
                            byTable.add(table + " " + d);
                        }
                    });
                    System.out.println("rows read while idle, by table (seq + index fetches): " + byTable);
                    long rssIdle = rssKb(gateway.pid());
                    double cpuSeconds = (cpu1 - cpu0) / 100.0;
                    System.out.printf("idle %.0f s: CPU %.2f s (%.2f%% of a core), PostgreSQL rows read %,d (%,.0f a"
                            + " minute), RSS after %d MB%n", window, cpuSeconds, 100 * cpuSeconds / window,
                            rows1 - rows0, (rows1 - rows0) * 60 / window, rssIdle / 1024);

                    probe = new StatusProbe(port, PROBE_IP, 500_000);
                    probe.thread.start();
                    probe.awaitStatus(403, 10_000_000_000L);
                    long[] enforced = changes(policies, probe, changes);
                    System.out.printf("%d changes of one organisation, commit -> enforced: p50 %.1f ms  p99 %.1f ms"
                            + "  max %.1f ms; slowest: %s%n", changes, PropagationBenchmark.pct(enforced, 50) / 1e6,
                            PropagationBenchmark.pct(enforced, 99) / 1e6, PropagationBenchmark.pct(enforced, 100) / 1e6,
                            slowest(enforced, 5));
                    System.out.println("load average (the machine's other work): " + loadAverage());
                    System.out.printf("| %,d × %d | %.2f s | %d → %d MB | %.2f s / %.0f s (%.2f%%) | %,.0f | %.1f / %.1f ms |%n",
                            orgs, perOrg, readyMs / 1000.0, rssReady / 1024, rssIdle / 1024, cpuSeconds, window,
                            100 * cpuSeconds / window, (rows1 - rows0) * 60 / window,
                            PropagationBenchmark.pct(enforced, 50) / 1e6, PropagationBenchmark.pct(enforced, 99) / 1e6);
                } finally {
                    if (probe != null) {
                        probe.stop();
                    }
                    gateway.destroy();
                    gateway.waitFor();
                }
            }
        } finally {
            upstream.stop(0);
        }
    }

    private static long[] changes(Policies policies, StatusProbe probe, int changes) throws Exception {
        long[] enforced = new long[changes];
        Random pause = new Random(42);
        for (int i = 0; i < changes; i++) {
            boolean allow = i % 2 == 0;
            if (allow) {
                policies.update("Probe", "office", null, List.of(PROBE_NET), List.of(), List.of(), true);
            } else {
                policies.update("Probe", "office", null, List.of(), List.of(), List.of(PROBE_NET), true);
            }
            long committed = System.nanoTime();
            enforced[i] = probe.awaitStatus(allow ? 200 : 403, 10_000_000_000L) - committed;
            Thread.sleep(20 + pause.nextInt(100)); // changes arrive apart, as an operator's do
        }
        return enforced;
    }

    /** The {@code n} slowest changes, as "#index: ms". */
    private static String slowest(long[] nanos, int n) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < nanos.length; i++) {
            order.add(i);
        }
        order.sort((a, b) -> Long.compare(nanos[b], nanos[a]));
        List<String> out = new ArrayList<>();
        for (int i : order.subList(0, Math.min(n, order.size()))) {
            out.add(String.format("#%d: %.1f ms", i + 1, nanos[i] / 1e6));
        }
        return String.join(", ", out);
    }

    /** /proc/loadavg's 1-, 5- and 15-minute figures: other work on a shared machine shows here. */
    static String loadAverage() throws IOException {
        String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
        return f[0] + " " + f[1] + " " + f[2];
    }

    /** Rows the database's scans returned and fetched, every session's, so far. */
    private static long rowsRead(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT tup_returned + tup_fetched FROM pg_stat_database"
                     + " WHERE datname = current_database()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Rows read from each table by sequential scans and index fetches, so far. */
    private static Map<String, Long> rowsReadByTable(DataSource ds) throws SQLException {
        Map<String, Long> out = new TreeMap<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT relname, coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0)"
                     + " FROM pg_stat_user_tables")) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getLong(2));
            }
        }
        return out;
    }

    /** The process's user + system CPU time, in clock ticks (1/100 s). */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15)
    }

    static long rssKb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }
}
