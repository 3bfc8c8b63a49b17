package dev.gatehouse.gateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.gateway.Gateway;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A gateway's /metrics read as Prometheus would (a real HTTP request), parsed into samples: each line
 * {@code name{labels} value} becomes an entry keyed by {@code name{labels}} as written (labels in the order the
 * exposition gives them), so a test asks for a series by its name and labels, whatever the number's formatting.
 */
public final class MetricsScrape {
    private MetricsScrape() {
    }

    /** Every sample of the management port's /metrics. */
    public static Map<String, Double> samples(int managementPort) throws Exception {
        String body;
        try (RawHttp m = new RawHttp(managementPort)) {
            body = m.send("GET /metrics HTTP/1.1\r\nHost: m\r\n\r\n").read().body();
        }
        return parse(body);
    }

    /** The text exposition format's samples; comments (# HELP, # TYPE) are skipped. */
    public static Map<String, Double> parse(String exposition) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String line : exposition.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            String value = line.substring(space + 1);
            out.put(line.substring(0, space), switch (value) {
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(value);
            });
        }
        return out;
    }

    /** One series (an unlabelled name, or {@code name{label="v",...}}), which must be there. */
    public static long value(Gateway g, String series) throws Exception {
        Double v = samples(g.managementPort()).get(series);
        assertThat(v).as(series + " in /metrics").isNotNull();
        return v.longValue();
    }

    /** One series, 0 when it is not there (a labelled counter before its first increment). */
    public static long valueOrZero(Gateway g, String series) throws Exception {
        return samples(g.managementPort()).getOrDefault(series, 0.0).longValue();
    }

    /** Waits (up to 10 s) until the value reaches {@code atLeast}: for what a background thread does. */
    public static void await(Gateway g, String series, long atLeast) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (value(g, series) < atLeast) {
            assertThat(System.nanoTime()).as(series + " to reach " + atLeast).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
