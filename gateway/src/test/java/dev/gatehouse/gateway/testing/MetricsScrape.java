package dev.gatehouse.gateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.gateway.Gateway;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An unlabelled counter or gauge from a gateway's /metrics, read as Prometheus would (a real HTTP request). */
public final class MetricsScrape {
    private MetricsScrape() {
    }

    public static long value(Gateway g, String name) throws Exception {
        String body;
        try (RawHttp m = new RawHttp(g.managementPort())) {
            body = m.send("GET /metrics HTTP/1.1\r\nHost: m\r\n\r\n").read().body();
        }
        Matcher found = Pattern.compile("(?m)^" + name + " (\\d+)$").matcher(body);
        assertThat(found.find()).as(name + " in /metrics").isTrue();
        return Long.parseLong(found.group(1));
    }

    /** Waits (up to 10 s) until the value reaches {@code atLeast}: for what a background thread does. */
    public static void await(Gateway g, String name, long atLeast) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (value(g, name) < atLeast) {
            assertThat(System.nanoTime()).as(name + " to reach " + atLeast).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
