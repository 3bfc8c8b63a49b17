package dev.gatehouse.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.testing.TestDatabase;
import dev.gatehouse.core.testing.TestDatabases;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.RawHttp;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several gateways on one database: migrations applied once; a schema from the future refused. */
class ConcurrentStartIT {
    @TempDir
    Path dir;

    @Test
    void threeGatewaysStartedTogetherOnAnEmptyDatabaseMigrateItOnceAndAllServe() throws Exception {
        TestDatabase empty = TestDatabases.createEmpty("concurrent");
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Gateway> gateways = new ArrayList<>();
        try {
            List<Future<Gateway>> starts = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Callable<Gateway> start = () -> Gateway.start(GatewayConfigs.load(dir, empty, ""));
                starts.add(pool.submit(start));
            }
            for (Future<Gateway> f : starts) {
                gateways.add(f.get());
            }
            assertThat(empty.queryValue("SELECT count(*) FROM flyway_schema_history WHERE version IN ('1', '2', '3', '4', '5', '6', '7', '8')"))
                    .as("V1 to V8 applied exactly once each").isEqualTo(8L);
            for (Gateway g : gateways) {
                try (RawHttp c = new RawHttp(g.port())) {
                    assertThat(c.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").read().status()).isEqualTo(200);
                }
            }
        } finally {
            gateways.forEach(Gateway::close);
            pool.shutdownNow();
            TestDatabases.drop(empty);
        }
    }

    @Test
    void aSchemaNewerThanTheBinaryIsRefusedAtStart() throws Exception {
        TestDatabase db = TestDatabases.create("downgrade");
        try {
            db.update("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum,"
                    + " installed_by, execution_time, success) VALUES (999, '999', 'test only', 'SQL', 'V999__test_only.sql',"
                    + " 0, 'test', 1, true)");
            for (Map<String, String> env : List.of(Map.<String, String>of(), Map.of("EXTERNAL_MIGRATION", "true"))) {
                StringWriter err = new StringWriter();
                int code = GatehouseMain.run(new PrintWriter(err, true), env, "--config",
                        GatewayConfigs.write(dir, db, "").toString());
                assertThat(code).isEqualTo(1);
                assertThat(err.toString()).contains("the database schema is at V999, newer than this Gatehouse (which knows up"
                        + " to V9); migrations are one-way");
            }
        } finally {
            TestDatabases.drop(db);
        }
    }
}
