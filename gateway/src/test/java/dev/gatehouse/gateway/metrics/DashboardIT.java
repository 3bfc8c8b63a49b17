package dev.gatehouse.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.gateway.Gateway;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.MetricsScrape;
import dev.gatehouse.gateway.testing.RawHttp;
import dev.gatehouse.gateway.testing.TestUpstream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped Grafana dashboard asks only for what a real gateway exposes: every metric a panel's query names is in
 * /metrics, and every label it groups by is on that metric. A renamed meter or label fails here, not on a wall
 * display in the middle of an incident.
 */
class DashboardIT {
    private static final Path DASHBOARD = Path.of("..", "docker", "grafana", "gatehouse-dashboard.json");
    /** A metric selected with labels, {@code name{...}}, in PromQL. */
    private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{");
    private static final Pattern BY = Pattern.compile("by \\(([^)]*)\\)");
    /** Labels Prometheus adds at scrape time, and the histogram's buckets. */
    private static final Set<String> SCRAPE_LABELS = Set.of("instance", "job", "le");

    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    Path dir;

    @Test
    void everyPanelQueriesMetricsAndLabelsTheGatewayExposes() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(Files.readString(DASHBOARD));
        List<String> queries = new ArrayList<>();
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.path("targets")) {
                queries.add(target.get("expr").asText());
            }
        }
        assertThat(queries).hasSizeGreaterThan(20);

        Map<String, Double> samples;
        try (TestUpstream upstream = new TestUpstream();
             Gateway gateway = Gateway.start(GatewayConfigs.load(dir, db.database(),
                     "gatehouse.routes = [ { prefix = \"/app\", upstream = \"http://127.0.0.1:" + upstream.port() + "\" } ]\n"))) {
            try (RawHttp c = new RawHttp(gateway.port())) {
                assertThat(c.send("GET /app/x HTTP/1.1\r\nHost: t\r\n\r\n").read().status()).isEqualTo(200);
                assertThat(c.send("GET /elsewhere HTTP/1.1\r\nHost: t\r\n\r\n").read().status()).isEqualTo(404);
            }
            System.gc(); // the GC pause timer appears with the first collection
            samples = MetricsScrape.samples(gateway.managementPort());
        }
        Map<String, Set<String>> labelsByMetric = new java.util.HashMap<>();
        samples.keySet().forEach(series -> {
            int brace = series.indexOf('{');
            String name = brace < 0 ? series : series.substring(0, brace);
            Set<String> labels = labelsByMetric.computeIfAbsent(name, n -> new HashSet<>());
            if (brace >= 0) {
                for (Matcher m = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"").matcher(series.substring(brace)); m.find(); ) {
                    labels.add(m.group(1));
                }
            }
        });
        for (String query : queries) {
            Set<String> metrics = new HashSet<>();
            for (Matcher m = SELECTOR.matcher(query); m.find(); ) {
                metrics.add(m.group(1));
            }
            assertThat(metrics).as("metrics in %s", query).isNotEmpty();
            assertThat(labelsByMetric.keySet()).as("exposed, for %s", query).containsAll(metrics);
            Set<String> available = new HashSet<>(SCRAPE_LABELS);
            metrics.forEach(name -> available.addAll(labelsByMetric.get(name)));
            for (Matcher m = BY.matcher(query); m.find(); ) {
                for (String label : m.group(1).split(",")) {
                    assertThat(available).as("label %s grouped by in %s", label.trim(), query).contains(label.trim());
                }
            }
        }
    }
}
