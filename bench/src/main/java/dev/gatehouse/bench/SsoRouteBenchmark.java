package dev.gatehouse.bench;

import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.Config;
import dev.gatehouse.core.admin.Organisations;
import dev.gatehouse.core.admin.SsoProviders;
import dev.gatehouse.core.config.ConfigLoader;
import dev.gatehouse.core.db.Database;
import dev.gatehouse.core.policy.PolicySnapshot;
import dev.gatehouse.gateway.Gateway;
import dev.gatehouse.gateway.sso.session.Session;
import dev.gatehouse.gateway.sso.session.Sessions;
import dev.gatehouse.gateway.sso.session.SharedKeys;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * A signed-in route under load: one gateway (in this JVM, one event loop) with two routes to one upstream, the same
 * organisation's — {@code /sso/} requiring sign-in, {@code /plain/} not ({@code sso = off}) — and wrk sending a valid
 * session cookie to each in turn. Reports requests/s for each and the database's committed transactions during the
 * signed-in run (a signed-in request must cost none: sessions and keys are in memory).
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.gatehouse.bench.SsoRouteBenchmark [seconds]}; needs
 * wrk on the PATH. Seals the session with the gateway's own {@link Sessions}, as a sign-in would.
 */
public final class SsoRouteBenchmark {
    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        HttpServer upstream = OkUpstream.start(2);
        Path work = Files.createTempDirectory("gatehouse-sso-bench");
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            String url = pg.getJdbcUrl("postgres", "postgres");
            Path conf = work.resolve("gatehouse.conf");
            Files.writeString(conf, "gatehouse {\n"
                    + "  listen { host = \"127.0.0.1\", port = 0 }\n"
                    + "  server.event-loop-threads = 1\n"
                    + "  management.enabled = false\n"
                    + "  audit { enabled = false, spool-dir = \"" + work.resolve("spool") + "\" }\n"
                    + "  database { url = \"" + url + "\", user = \"postgres\", password = \"\" }\n"
                    + "  sso.public-base-url = \"http://127.0.0.1\"\n"
                    + "  routes = [ { prefix = \"/sso/\", upstream = \"http://127.0.0.1:" + upstream.getAddress().getPort()
                    + "\", org = \"Bench\" }, { prefix = \"/plain/\", upstream = \"http://127.0.0.1:"
                    + upstream.getAddress().getPort() + "\", org = \"Bench\", sso = off } ]\n"
                    + "}\n");
            Config config = ConfigLoader.load(conf, Map.of());
            try (Gateway gateway = Gateway.start(config)) {
                Database db = gateway.database();
                new Organisations(db.dataSource(), "bench").createOrg("Bench", false, null);
                UUID account = new Organisations(db.dataSource(), "bench").createAccount("Bench", "alice", "member",
                        "member", "alice@bench.test");
                SsoProviders providers = new SsoProviders(db.dataSource(), "bench");
                SsoProviders.Provider p = providers.add("Bench", new SsoProviders.NewProvider("idp", "https://idp.example",
                        "bench", "env:BENCH_SECRET", List.of(), null, false));
                providers.require("Bench", true);
                String cookie = session(db, account, p);
                Thread.sleep(1000); // the gateway's snapshot has the organisation's new state
                String base = "http://127.0.0.1:" + gateway.port();
                for (String route : new String[] {"/plain/x", "/sso/x", "/plain/x", "/sso/x"}) {
                    long before = transactions(url);
                    String rps = wrk(base + route, cookie, seconds);
                    long during = transactions(url) - before;
                    System.out.printf("%-9s %s requests/s, %d database transactions during the run%n", route, rps, during);
                }
            }
        } finally {
            upstream.stop(0);
        }
    }

    /** A session as a sign-in would seal it, with the keys the gateway shares through the database. */
    private static String session(Database db, UUID account, SsoProviders.Provider p) throws Exception {
        SharedKeys<SecretKey> keys = new SharedKeys<>(db, "session", Duration.ofDays(1), Duration.ofHours(8),
                SharedKeys::randomSecret, m -> new SecretKeySpec(Base64.getUrlDecoder().decode(m), "AES"), null);
        keys.refresh();
        Instant now = Instant.now();
        PolicySnapshot.SsoProvider sp = new PolicySnapshot.SsoProvider(p.id(), p.name(), p.issuer(), p.clientId(),
                p.clientSecretRef(), p.allowedDomains(), null, false, true, null);
        String sealed = new Sessions(keys, Duration.ofHours(1)).seal(new Session(UUID.randomUUID().toString(),
                UUID.fromString(orgId(db)), account, p.id(), Sessions.fingerprint(sp), "alice@bench.test", now, now,
                now.plus(Duration.ofHours(8))));
        keys.close();
        return sealed;
    }

    private static String orgId(Database db) throws Exception {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id FROM organisations WHERE name = 'Bench'")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static long transactions(String url) throws Exception {
        Thread.sleep(1200); // each server process reports its counts when idle, at most once a second
        try (Connection c = DriverManager.getConnection(url, "postgres", ""); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT sum(xact_commit) FROM pg_stat_database")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String wrk(String url, String cookie, int seconds) throws Exception {
        Process p = new ProcessBuilder("wrk", "-t1", "-c32", "-d" + seconds + "s", "-H", "Cookie: __Host-gatehouse=" + cookie,
                "-H", "Accept: application/json", url).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        for (String line : out.split("\n")) {
            if (line.startsWith("Requests/sec:")) {
                String non2xx = out.contains("Non-2xx") ? " (NON-2xx answers!)" : "";
                return line.substring(13).trim() + non2xx;
            }
        }
        return "? (" + out + ")";
    }
}
