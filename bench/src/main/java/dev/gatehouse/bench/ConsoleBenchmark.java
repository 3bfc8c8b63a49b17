package dev.gatehouse.bench;

import com.typesafe.config.Config;
import dev.gatehouse.core.config.ConfigLoader;
import dev.gatehouse.gateway.Gateway;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The operator console's page render times over a large audit log, on an embedded PostgreSQL 17: {@code rows}
 * access_events over {@code days} days (90 % in one organisation, "Big"; the rest in nine others), one in twenty
 * denied, generated with generate_series; then each page asked {@code runs} times, one at a time, after a warm-up,
 * through a gateway's console (its own pool: 2 connections, a 10 s statement timeout). Prints p50, p99 and max per
 * page and the status codes seen (503: a query cut by the statement timeout). Usage: {@code java -cp
 * bench/target/benchmarks.jar dev.gatehouse.bench.ConsoleBenchmark [rows] [days] [runs]}.
 */
public final class ConsoleBenchmark {
    public static void main(String[] args) throws Exception {
        long rows = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000L;
        int days = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        Path dir = Files.createTempDirectory("console-bench");
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("synchronous_commit", "off")
                .setServerConfig("max_wal_size", "16GB").setServerConfig("shared_buffers", "1GB")
                .setServerConfig("maintenance_work_mem", "1GB").setServerConfig("checkpoint_timeout", "30min").start()) {
            String url = pg.getJdbcUrl("postgres", "postgres");
            Path conf = dir.resolve("gatehouse.conf");
            int console;
            try (ServerSocket s = new ServerSocket(0)) {
                console = s.getLocalPort();
            }
            Files.writeString(conf, "gatehouse {\n  listen { host = \"127.0.0.1\", port = 0 }\n"
                    + "  management { host = \"127.0.0.1\", port = 0 }\n"
                    + "  audit { spool-dir = \"" + dir.resolve("spool") + "\" }\n"
                    + "  database { url = \"" + url + "\", user = \"postgres\" }\n"
                    + "  console { enabled = true, port = " + console + " }\n"
                    + "  routes = [ { prefix = \"/\", upstream = \"demo\", org = \"Big\" } ]\n}\n");
            Config config = ConfigLoader.load(conf, Map.of());
            try (Gateway g = Gateway.start(config)) { // migrates
                System.out.println("schema ready");
            }
            String requestId = seed(url, rows, days);
            try (Gateway gateway = Gateway.start(config)) {
                HttpClient http = HttpClient.newHttpClient();
                String base = "http://127.0.0.1:" + console;
                List<String> pages = List.of("/", "/denials", "/denials?org=Big", "/denials?org=Small3",
                        "/denials?org=Big&ip=198.51.100.0/24", "/denials?org=Big&path=/api/v1/reports/",
                        "/denials?org=Big&since=7d&account=nobody",
                        "/why?request-id=" + requestId + "&org=Big", "/why?request-id=" + requestId,
                        "/why?org=Big&ip=198.51.100.7&path=/api/v1/x", "/orgs", "/orgs/Big", "/sign-ins");
                long first = System.nanoTime();
                int firstStatus = get(http, base + "/");
                System.out.printf("first overview (counts the day's completed hours): %d ms, status %d%n",
                        (System.nanoTime() - first) / 1_000_000, firstStatus);
                System.out.printf("%-52s %9s %9s %9s  %s%n", "page", "p50 ms", "p99 ms", "max ms", "statuses");
                for (String page : pages) {
                    for (int i = 0; i < Math.min(5, runs); i++) {
                        get(http, base + page);
                    }
                    List<Long> nanos = new ArrayList<>();
                    Map<Integer, Integer> statuses = new java.util.TreeMap<>();
                    for (int i = 0; i < runs; i++) {
                        long t0 = System.nanoTime();
                        int status = get(http, base + page);
                        nanos.add(System.nanoTime() - t0);
                        statuses.merge(status, 1, Integer::sum);
                    }
                    Collections.sort(nanos);
                    System.out.printf("%-52s %9.1f %9.1f %9.1f  %s%n", page.length() > 52 ? page.substring(0, 52) : page,
                            nanos.get(nanos.size() / 2) / 1e6, nanos.get((int) Math.ceil(nanos.size() * 0.99) - 1) / 1e6,
                            nanos.get(nanos.size() - 1) / 1e6, statuses);
                }
            }
        }
    }

    static int get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/html").build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The organisations, policies and events; returns the request id of a denial an hour old. */
    static String seed(String url, long rows, int days) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement st = c.createStatement()) {
            st.execute("SET TIME ZONE 'UTC'");
            st.execute("INSERT INTO organisations (name) VALUES ('Big')");
            for (int i = 0; i < 9; i++) {
                st.execute("INSERT INTO organisations (name) VALUES ('Small" + i + "')");
            }
            st.execute("INSERT INTO network_access_policies (org_id, name, is_global, created_by, updated_by)"
                    + " SELECT id, 'office', true, 'bench', 'bench' FROM organisations");
            st.execute("INSERT INTO network_policy_entries (policy_id, action, network) SELECT id, 'allow',"
                    + " '198.51.0.0/16' FROM network_access_policies");
            st.execute("INSERT INTO accounts (org_id, name, kind, role, email) SELECT id, 'alice', 'member', 'admin',"
                    + " 'alice@example.com' FROM organisations");
            st.execute("INSERT INTO sso_events (ts, org_id, event, email, client_ip) SELECT now() - g * interval '7 minutes',"
                    + " o.id, 'sign-in', 'alice@example.com', '198.51.100.9' FROM organisations o, generate_series(1, 500) g");
            st.execute("SELECT gatehouse_ensure_access_event_partitions(current_date - " + (days + 1) + ", " + (days + 3) + ")");
            long t0 = System.nanoTime();
            long perDay = rows / days;
            for (int d = 0; d < days; d++) {
                // the day's rows: 90 % to Big, the rest to the nine small ones; one in twenty denied (status 403)
                st.execute("INSERT INTO access_events (ts, event_id, org_id, client_ip, peer_ip, method, path, status,"
                        + " decision, policy_id, user_agent, request_id)"
                        + " SELECT now() - make_interval(days => " + d + ", secs => g * 86400.0 / " + perDay + "),"
                        + " gen_random_uuid(), CASE WHEN g % 10 = 0 THEN s.ids[1 + g / 10 % 9] ELSE b.id END,"
                        + " ('198.' || (51 + g % 3) || '.' || (g % 256) || '.' || (g / 256 % 256))::inet, '10.0.0.2', 'GET',"
                        + " '/api/v1/' || (ARRAY['reports', 'users', 'secrets', 'health'])[1 + g % 4] || '/' || (g % 1000),"
                        + " CASE WHEN g % 20 = 7 THEN 403 ELSE 200 END, CASE WHEN g % 20 = 7 THEN 'deny' ELSE 'allow' END,"
                        + " CASE WHEN g % 20 = 7 THEN b.policy END, 'bench/1.0', md5(" + d + " || '-' || g)"
                        + " FROM generate_series(1, " + perDay + ") g,"
                        + " (SELECT o.id, p.id AS policy FROM organisations o JOIN network_access_policies p ON p.org_id = o.id"
                        + "  WHERE o.name = 'Big') b,"
                        + " (SELECT array_agg(id ORDER BY name) AS ids FROM organisations WHERE name LIKE 'Small%') s");
                System.out.printf("day %d: %d rows, %.0f s so far%n", d, perDay, (System.nanoTime() - t0) / 1e9);
            }
            st.execute("VACUUM ANALYZE access_events");
            try (ResultSet r = st.executeQuery("SELECT count(*), pg_size_pretty(sum(pg_total_relation_size(c.oid)))"
                    + " FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'access_events'::regclass")) {
                r.next();
                System.out.printf("seeded in %.0f s; %s partitions, %s with indexes%n", (System.nanoTime() - t0) / 1e9,
                        r.getString(1), r.getString(2));
            }
            try (ResultSet r = st.executeQuery("SELECT count(*) FROM access_events")) {
                r.next();
                System.out.printf("%d rows%n", r.getLong(1));
            }
            try (ResultSet r = st.executeQuery("SELECT request_id FROM access_events e JOIN organisations o ON o.id = e.org_id"
                    + " WHERE o.name = 'Big' AND e.ts BETWEEN now() - interval '61 minutes' AND now() - interval '59 minutes'"
                    + " AND e.decision = 'deny' LIMIT 1")) {
                return r.next() ? r.getString(1) : "none";
            }
        }
    }
}
