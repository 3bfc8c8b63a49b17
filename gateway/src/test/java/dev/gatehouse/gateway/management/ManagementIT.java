package dev.gatehouse.gateway.management;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.core.testing.TestDatabase;
import dev.gatehouse.gateway.Gateway;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.Json;
import dev.gatehouse.gateway.testing.LogCapture;
import dev.gatehouse.gateway.testing.MetricsScrape;
import dev.gatehouse.gateway.testing.RawHttp;
import dev.gatehouse.gateway.testing.TestUpstream;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** /healthz, /readyz and /metrics on the management listener, and the access log. */
class ManagementIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    Path dir;

    static final HttpClient http = HttpClient.newHttpClient();

    static HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthReadinessMetricsAndAccessLog() throws Exception {
        LogCapture lines = LogCapture.of("gatehouse.access");
        try (lines; TestUpstream upstream = new TestUpstream();
             Gateway gateway = Gateway.start(GatewayConfigs.load(dir, db.database(),
                     "gatehouse.access-log.enabled = true\n"
                             + "gatehouse.client-ip.trusted-proxies = [\"127.0.0.1\"]\n"
                             + "gatehouse.routes = [ { prefix = \"/app\", upstream = \"http://127.0.0.1:" + upstream.port() + "\" } ]\n"))) {
            int m = gateway.managementPort();
            assertThat(get(m, "/healthz").body()).isEqualTo("ok\n");
            HttpResponse<String> ready = get(m, "/readyz");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(Json.flat(ready.body())).isEqualTo(java.util.Map.of("status", "ready", "checks.listener", "up",
                    "checks.database", "up", "checks.schema", "current", "checks.policies", "loaded",
                    "checks.threads.audit writer", "running", "checks.threads.policy updates", "running"));

            try (RawHttp c = new RawHttp(gateway.port())) {
                c.send("GET /app/x?secret=1 HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: 198.51.100.8\r\n\r\n").read();
                c.send("GET /nowhere HTTP/1.1\r\nHost: t\r\n\r\n").read();
                for (int i = 0; i < 3; i++) { // one client connection, one event loop: the same pooled connection
                    assertThat(c.send("GET /app/again HTTP/1.1\r\nHost: t\r\n\r\n").read().status()).isEqualTo(200);
                }
            }
            // a request is counted when the exchange ends, which may be just after its response reached the client
            Map<String, Double> metrics = MetricsScrape.samples(m);
            for (long deadline = System.nanoTime() + 5_000_000_000L; System.nanoTime() < deadline
                    && !(metrics.getOrDefault("gatehouse_requests_total{route=\"\",status=\"4xx\"}", 0.0) == 1
                    && metrics.getOrDefault("gatehouse_requests_total{route=\"/app\",status=\"2xx\"}", 0.0) == 4); ) {
                Thread.sleep(20);
                metrics = MetricsScrape.samples(m);
            }
            assertThat(get(m, "/metrics").headers().firstValue("Content-Type"))
                    .hasValue("text/plain; version=0.0.4; charset=utf-8");
            String upstreamLabel = "{upstream=\"http://127.0.0.1:" + upstream.port() + "\"}";
            assertThat(metrics)
                    .containsEntry("gatehouse_requests_total{route=\"/app\",status=\"2xx\"}", 4.0)
                    .containsEntry("gatehouse_requests_total{route=\"\",status=\"4xx\"}", 1.0)
                    .containsEntry("gatehouse_rejections_total{reason=\"no_route\"}", 1.0)
                    .containsKey("gatehouse_thread_seconds_since_progress{thread=\"audit writer\"}")
                    .containsKey("gatehouse_thread_seconds_since_progress{thread=\"policy updates\"}")
                    .containsEntry("gatehouse_audit_partition_failures_total", 0.0)
                    .containsEntry("gatehouse_upstream_latency_seconds_count{route=\"/app\"}", 4.0)
                    .containsEntry("gatehouse_upstream_latency_seconds_bucket{route=\"/app\",le=\"+Inf\"}", 4.0)
                    // the first request opened a connection to the upstream, the next three took it from the pool
                    .containsEntry("gatehouse_upstream_connections_opened_total" + upstreamLabel, 1.0)
                    .containsEntry("gatehouse_upstream_connections_reused_total" + upstreamLabel, 3.0)
                    .containsEntry("gatehouse_database_up", 1.0)
                    .containsKey("gatehouse_open_connections")
                    .containsKey("gatehouse_audit_batches_total")
                    .containsKey("gatehouse_audit_copy_seconds_total")
                    // the standard binders: the JVM, the database pool, Netty's allocator
                    .containsEntry("hikaricp_connections_max{pool=\"gatehouse-gateway\"}", 10.0)
                    .containsKey("process_uptime_seconds");
            assertThat(metrics.keySet()).anyMatch(k -> k.startsWith("netty_allocator_memory_used{"))
                    .anyMatch(k -> k.startsWith("jvm_memory_used_bytes{area=\"heap\""))
                    .contains("jvm_gc_memory_allocated_bytes_total", "jvm_threads_live_threads");
            assertThat(metrics.get("gatehouse_thread_seconds_since_progress{thread=\"audit writer\"}")).isBetween(0.0, 30.0);
            assertThat(get(m, "/nope").statusCode()).isEqualTo(404);
        }
        assertThat(lines.events()).hasSize(5);
        String first = lines.events().get(0).getFormattedMessage();
        java.util.Map<String, String> line = Json.flat(first);
        assertThat(line.keySet()).containsExactlyInAnyOrder("time", "request_id", "client_ip", "peer", "method", "path",
                "status", "bytes", "upstream", "duration_ms");
        assertThat(java.time.Instant.parse(line.get("time"))).isBefore(java.time.Instant.now());
        assertThat(line.get("request_id")).matches("[0-9a-f]{16}");
        assertThat(line).containsEntry("client_ip", "198.51.100.8").containsEntry("peer", "127.0.0.1")
                .containsEntry("method", "GET").containsEntry("path", "/app/x").containsEntry("status", "200");
        assertThat(Long.parseLong(line.get("bytes"))).isPositive();
        assertThat(line.get("upstream")).startsWith("127.0.0.1:");
        assertThat(Double.parseDouble(line.get("duration_ms"))).isNotNegative();
        assertThat(Json.flat(lines.events().get(1).getFormattedMessage())).containsEntry("path", "/nowhere")
                .containsEntry("status", "404");
    }

    /** Fail-static: with the database gone the gateway stays ready (it enforces its last snapshot) but says degraded. */
    @Test
    void readinessFollowsTheDatabase() throws Exception {
        EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
        try {
            TestDatabase own = new TestDatabase("postgres", pg.getJdbcUrl("postgres", "postgres"), "postgres", "");
            try (Gateway gateway = Gateway.start(GatewayConfigs.load(dir, own,
                    "gatehouse.management.check-interval = 200ms\ngatehouse.database.pool.connection-timeout = 500ms\n"))) {
                int m = gateway.managementPort();
                assertThat(get(m, "/readyz").statusCode()).isEqualTo(200);
                pg.close();
                HttpResponse<String> r = null;
                for (int i = 0; i < 50; i++) {
                    r = get(m, "/readyz");
                    if (r.body().contains("degraded")) {
                        break;
                    }
                    Thread.sleep(100);
                }
                assertThat(r.statusCode()).isEqualTo(200);
                java.util.Map<String, String> degraded = Json.flat(r.body());
                assertThat(degraded).containsEntry("status", "degraded").containsEntry("checks.listener", "up")
                        .containsEntry("checks.policies", "last snapshot (database down)");
                assertThat(degraded.get("checks.database")).startsWith("down: ");
                assertThat(get(m, "/healthz").statusCode()).as("alive, just not ready").isEqualTo(200);
                assertThat(MetricsScrape.samples(m)).containsEntry("gatehouse_database_up", 0.0)
                        .containsEntry("gatehouse_policy_snapshot_loaded", 1.0)
                        .containsEntry("gatehouse_policy_updates_connected", 0.0);
            }
        } finally {
            pg.close();
        }
    }

    @Test
    void notReadyUntilThePublicListenerIsUp() throws Exception {
        var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        try (dev.gatehouse.core.db.Database database = dev.gatehouse.core.db.Database.open(
                dev.gatehouse.core.db.DatabaseSettings.from(GatewayConfigs.load(dir, db.database(), "")), "readiness-test");
             dev.gatehouse.gateway.management.Readiness r = new dev.gatehouse.gateway.management.Readiness(database,
                     () -> true, () -> true, java.time.Duration.ofSeconds(1), registry).start()) {
            assertThat(r.ready()).as("schema and policies are there, the listener is not").isFalse();
            assertThat(r.status()).isEqualTo("not ready");
            assertThat(r.checks()).containsEntry("listener", "starting");
            r.listening();
            assertThat(r.ready()).isTrue();
            assertThat(r.status()).isEqualTo("ready");

            // a watched thread that died, or stopped going round, makes the gateway not ready, and says which
            long[] last = {System.nanoTime()};
            r.watch("audit writer", () -> last[0], java.time.Duration.ofSeconds(30));
            assertThat(r.ready()).isTrue();
            last[0] = System.nanoTime() - java.time.Duration.ofSeconds(31).toNanos();
            assertThat(r.ready()).isFalse();
            assertThat(r.checks().get("threads")).asString().contains("audit writer=stalled for 31 s");
            last[0] = Long.MIN_VALUE;
            assertThat(r.threadProblems()).containsEntry("audit writer", "dead");
            assertThat(r.deadThreads()).as("for /healthz: a dead thread gets the process restarted").containsExactly("audit writer");
            assertThat(registry.get("gatehouse.thread.seconds.since.progress").tag("thread", "audit writer").gauge().value())
                    .as("the thread's gauge").isEqualTo(-1.0);
            last[0] = System.nanoTime();
            assertThat(r.ready()).as("going round again").isTrue();
        }
    }
}
