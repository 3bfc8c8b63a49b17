package dev.gatehouse.core.testing;

import dev.gatehouse.core.db.DatabaseSettings;
import dev.gatehouse.core.db.Migrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The real PostgreSQL that tests run against: the embedded PostgreSQL 17 started once per test JVM,
 * or the server named by {@code GATEHOUSE_TEST_DATABASE_URL} (a jdbc:postgresql:// or postgres:// URL
 * of a role that may CREATE DATABASE).
 *
 * <p>The schema is migrated once into a template database; every test class then gets its own
 * {@code CREATE DATABASE ... TEMPLATE} copy (a file copy, milliseconds), so classes never see each
 * other's rows. Databases made here are dropped when the JVM exits.
 */
public final class TestDatabases {
    public static final String URL_ENV = "GATEHOUSE_TEST_DATABASE_URL";
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final String RUN_ID = Long.toString(ProcessHandle.current().pid(), 36);

    private static Server server;
    private static String template;
    private static final List<String> created = new ArrayList<>();

    private TestDatabases() {
    }

    /** Where the server is: host part of a JDBC URL, and the credentials to use. */
    record Server(String baseUrl, String query, String user, String password, EmbeddedPostgres embedded) {
        String url(String database) {
            return baseUrl + database + query;
        }
    }

    /** A fresh, migrated database for one test class. */
    public static synchronized TestDatabase create(String hint) {
        Server s = server();
        String tpl = template(s);
        String name = "gh_" + RUN_ID + "_" + COUNTER.incrementAndGet() + "_" + sanitize(hint);
        exec(s, "postgres", "CREATE DATABASE " + name + " TEMPLATE " + tpl);
        created.add(name);
        return new TestDatabase(name, s.url(name), s.user(), s.password());
    }

    /** An empty database (no schema at all), for migration tests. */
    public static synchronized TestDatabase createEmpty(String hint) {
        Server s = server();
        String name = "gh_" + RUN_ID + "_" + COUNTER.incrementAndGet() + "_" + sanitize(hint) + "_empty";
        exec(s, "postgres", "CREATE DATABASE " + name);
        created.add(name);
        return new TestDatabase(name, s.url(name), s.user(), s.password());
    }

    public static synchronized void drop(TestDatabase db) {
        Server s = server();
        exec(s, "postgres", "DROP DATABASE IF EXISTS " + db.name() + " WITH (FORCE)");
        created.remove(db.name());
    }

    private static String template(Server s) {
        if (template == null) {
            String name = "gh_" + RUN_ID + "_template";
            exec(s, "postgres", "DROP DATABASE IF EXISTS " + name);
            exec(s, "postgres", "CREATE DATABASE " + name);
            created.add(name);
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setURL(s.url(name));
            ds.setUser(s.user());
            ds.setPassword(s.password());
            new Migrations(ds).migrate();
            template = name;
        }
        return template;
    }

    private static Server server() {
        if (server != null) {
            return server;
        }
        String external = System.getenv(URL_ENV);
        if (external != null && !external.isBlank()) {
            var parsed = dev.gatehouse.core.config.DatabaseUrl.parse(external, URL_ENV);
            String url = parsed.jdbcUrl();
            String base = url.substring(0, url.lastIndexOf('/') + 1);
            String query = url.contains("?") ? url.substring(url.indexOf('?')) : "";
            base = base.contains("?") ? base.substring(0, base.indexOf('?')) : base;
            String user = parsed.user().isEmpty() ? System.getProperty("user.name") : parsed.user();
            server = new Server(base, query, user, parsed.password(), null);
        } else {
            try {
                EmbeddedPostgres pg = EmbeddedPostgres.builder()
                        .setPGStartupWait(Duration.ofSeconds(60))
                        .setServerConfig("fsync", "off")
                        .setServerConfig("full_page_writes", "off")
                        .start();
                server = new Server("jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/", "", "postgres", "", pg);
            } catch (IOException e) {
                throw new IllegalStateException("cannot start the embedded PostgreSQL for tests", e);
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(TestDatabases::cleanUp, "test-databases-cleanup"));
        return server;
    }

    private static synchronized void cleanUp() {
        if (server.embedded() != null) {
            try {
                server.embedded().close();
            } catch (IOException ignored) {
                // the JVM is exiting
            }
            return;
        }
        for (String name : List.copyOf(created)) {
            try {
                exec(server, "postgres", "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            } catch (RuntimeException ignored) {
                // best effort
            }
        }
    }

    static void exec(Server s, String database, String sql) {
        try (Connection c = DriverManager.getConnection(s.url(database), s.user(), s.password());
             Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    private static String sanitize(String hint) {
        String s = hint.toLowerCase().replaceAll("[^a-z0-9]", "");
        return s.length() > 30 ? s.substring(s.length() - 30) : s;
    }

    /** Settings pointing the product at a test database. */
    public static DatabaseSettings settings(TestDatabase db) {
        return new DatabaseSettings(db.jdbcUrl(), db.user(), db.password(), false, 4, Duration.ofSeconds(5),
                Path.of("/nonexistent-embedded-dir"), 0, Duration.ofSeconds(30));
    }
}
