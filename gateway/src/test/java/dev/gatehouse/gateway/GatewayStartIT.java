package dev.gatehouse.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.TestDatabase;
import dev.gatehouse.core.testing.TestDatabases;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.Json;
import dev.gatehouse.gateway.testing.RawHttp;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Starting the gateway: the demo upstream, EXTERNAL_MIGRATION, and start-up failures as one line. */
class GatewayStartIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    Path dir;

    private record Run(int code, String err) {
    }

    private Run run(Map<String, String> env, String... args) {
        StringWriter err = new StringWriter();
        int code = GatehouseMain.run(new PrintWriter(err, true), env, args);
        return new Run(code, err.toString());
    }

    @Test
    void withNoRouteTheDemoUpstreamEchoesTheRequestWithRealIp() throws Exception {
        try (Gateway gateway = Gateway.start(GatewayConfigs.load(dir, db.database(), ""))) {
            try (RawHttp c = new RawHttp("127.0.0.5", gateway.port())) {
                RawHttp.Response r = c.send("GET /hello?x=1 HTTP/1.1\r\nHost: demo\r\nX-Real-IP: 6.6.6.6\r\n\r\n").read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body())
                        .satisfies(body -> assertThat(Json.flat(body)).containsEntry("service", "gatehouse demo upstream")
                                .containsEntry("method", "GET").containsEntry("uri", "/hello?x=1"))
                        .contains("\"x-real-ip\":\"127.0.0.5\"")
                        .doesNotContain("6.6.6.6");
            }
        }
    }

    @Test
    void aRouteNamesTheDemoUpstreamAsDemo() throws Exception {
        try (Gateway gateway = Gateway.start(GatewayConfigs.load(dir, db.database(),
                "gatehouse.routes = [ { prefix = \"/try/\", upstream = \"demo\", strip-prefix = true } ]\n"))) {
            try (RawHttp c = new RawHttp(gateway.port())) {
                RawHttp.Response r = c.send("GET /try/hello HTTP/1.1\r\nHost: demo\r\n\r\n").read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(Json.flat(r.body())).containsEntry("service", "gatehouse demo upstream").containsEntry("uri", "/hello");
                assertThat(c.send("GET /elsewhere HTTP/1.1\r\nHost: demo\r\n\r\n").read().status())
                        .as("only the routes configured").isEqualTo(404);
            }
        }
    }

    @Test
    void aSecondGatewayOnTheSameDirectorySaysWhichOneRunsThere() throws Exception {
        Path spool = dir.resolve("shared-spool");
        String extra = "gatehouse.audit.spool-dir = \"" + spool + "\"\n";
        Path config = GatewayConfigs.write(dir, db.database(), extra);
        try (Gateway first = Gateway.start(GatewayConfigs.load(dir, db.database(), extra))) {
            Run second = run(Map.of(), "--config", config.toString());
            assertThat(second.code()).isEqualTo(1);
            assertThat(second.err().strip()).as("one line").doesNotContain("\n")
                    .startsWith("gatehouse: another Gatehouse gateway (pid " + ProcessHandle.current().pid() + ", started ")
                    .contains("listening on http://127.0.0.1:" + first.port() + ") is running on the audit spool " + spool
                            + " (gatehouse.audit.spool-dir), which serves one gateway only: stop it, or give this one its own"
                            + " data directory (XDG_DATA_HOME or HOME) or gatehouse.audit.spool-dir");
            try (RawHttp c = new RawHttp(first.port())) {
                assertThat(c.send("GET / HTTP/1.1\r\nHost: demo\r\n\r\n").read().status())
                        .as("the first gateway is untouched").isEqualTo(200);
            }
        }
        try (Gateway again = Gateway.start(GatewayConfigs.load(dir, db.database(), extra))) {
            assertThat(again.port()).as("the directory is free once the first one stopped").isPositive();
        }
    }

    @Test
    void ssoKeysEncryptedUnderAnotherKeyStopTheStartWithOneLineNamingWhereTheKeyCameFrom() throws Exception {
        TestDatabase d = db.database();
        d.update("DELETE FROM sso_keys");
        try {
            Path kek = java.nio.file.Files.writeString(dir.resolve("sso.key"), randomKey() + "\n");
            try (Gateway first = Gateway.start(GatewayConfigs.load(dir, d, "gatehouse.sso.key-encryption-key-file = \""
                    + kek + "\"\n"))) {
                assertThat(first.port()).isPositive();
            }
            Run other = run(Map.of("GATEHOUSE_SSO_KEY_ENCRYPTION_KEY", randomKey()), "--config",
                    GatewayConfigs.write(dir, d, "").toString());
            assertThat(other.code()).isEqualTo(1);
            assertThat(other.err().strip()).as("one line").doesNotContain("\n").startsWith("gatehouse: SSO ")
                    .contains(" in sso_keys is encrypted under key-encryption key ")
                    .endsWith(" from environment variable GATEHOUSE_SSO_KEY_ENCRYPTION_KEY: every replica needs the same key");
            Run none = run(Map.of(), "--config", GatewayConfigs.write(dir, d, "").toString());
            assertThat(none.code()).isEqualTo(1);
            assertThat(none.err().strip()).as("one line").doesNotContain("\n")
                    .startsWith("gatehouse: SSO keys in sso_keys are encrypted (key-encryption key ")
                    .contains("this gateway needs gatehouse.sso.key-encryption-key-file");
        } finally {
            d.update("DELETE FROM sso_keys"); // the other tests start without a key
        }
    }

    private static String randomKey() {
        byte[] k = new byte[32];
        new java.security.SecureRandom().nextBytes(k);
        return java.util.Base64.getEncoder().encodeToString(k);
    }

    @Test
    void externalMigrationOnAnEmptyDatabaseRefusesToStartNamingTheCommand() throws Exception {
        TestDatabase empty = TestDatabases.createEmpty("external");
        try {
            Path config = GatewayConfigs.write(dir, empty, "");
            Run r = run(Map.of("EXTERNAL_MIGRATION", "true"), "--config", config.toString());
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err().strip()).isEqualTo("gatehouse: EXTERNAL_MIGRATION is set and the database schema is behind"
                    + " this Gatehouse (pending: V1, V2, V3, V4, V5, V6, V7, V8, V9, V10); run `gatehouse-admin migrate` first");
            assertThat(empty.queryValue("SELECT count(*) FROM pg_tables WHERE tablename = 'organisations'"))
                    .as("nothing was migrated").isEqualTo(0L);
        } finally {
            TestDatabases.drop(empty);
        }
    }

    @Test
    void portInUseIsOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            Path config = GatewayConfigs.write(dir, db.database(), "gatehouse.listen.port = " + taken.getLocalPort());
            Run r = run(Map.of(), "--config", config.toString());
            assertThat(r.code()).isEqualTo(1);
            assertThat(r.err()).startsWith("gatehouse: cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": ")
                    .contains("(is another process using the port?)");
            assertThat(r.err().strip().lines().count()).isEqualTo(1);
        }
    }

    @Test
    void badConfigIsOneLine() throws Exception {
        String bad = "gatehouse.routes = [ { prefix = \"api\", upstream = \"http://x\" } ]";
        Path config = GatewayConfigs.write(dir, db.database(), bad);
        int line = java.nio.file.Files.readAllLines(config).indexOf(bad) + 1;
        Run r = run(Map.of(), "--config", config.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("gatehouse: configuration: gatehouse.routes[0].prefix: must start with '/',"
                + " got 'api' (" + config + ":" + line + ")");
    }

    @Test
    void databaseThatRefusesThePasswordIsOneLine() throws Exception {
        TestDatabase d = db.database();
        TestDatabase wrong = new TestDatabase(d.name(), d.jdbcUrl(), "no_such_role", "wrong");
        Path config = GatewayConfigs.write(dir, wrong, "");
        Run r = run(Map.of(), "--config", config.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("gatehouse: cannot connect to the database at " + d.jdbcUrl() + ": ")
                .contains("no_such_role");
        assertThat(r.err().strip().lines().count()).isEqualTo(1);
    }

    @Test
    void unknownOptionIsAUsageError() {
        Run r = run(Map.of(), "--bogus");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Unknown option: '--bogus'");
    }
}
