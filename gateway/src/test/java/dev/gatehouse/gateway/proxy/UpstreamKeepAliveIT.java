package dev.gatehouse.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.gateway.Gateway;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.RawHttp;
import dev.gatehouse.gateway.testing.RawUpstream;
import dev.gatehouse.gateway.testing.ScriptedUpstream;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstream keep-alive under concurrency: an event loop with 64 requests in flight keeps 64 upstream connections (the
 * default max-idle-per-loop holds them), so the next 64 requests open none; a smaller pool closes the extras after
 * use and opens new ones — the churn that doubled the kernel's CPU per request in the benchmarks.
 */
class UpstreamKeepAliveIT {
    private static final int IN_FLIGHT = 64;

    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    Path dir;

    /** Holds each response until the whole first burst is in flight, so the gateway needs 64 connections at once. */
    private static RawUpstream upstream(CountDownLatch firstBurst) throws Exception {
        return new RawUpstream((s, n) -> {
            InputStream in = s.getInputStream();
            while (!ScriptedUpstream.readHead(in).isEmpty()) {
                firstBurst.countDown();
                try {
                    firstBurst.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    return;
                }
                ScriptedUpstream.write(s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            }
        });
    }

    /** Two bursts of 64 concurrent requests; the upstream connections accepted after each. */
    private int[] twoBursts(String extra) throws Exception {
        CountDownLatch firstBurst = new CountDownLatch(IN_FLIGHT);
        try (RawUpstream up = upstream(firstBurst);
             Gateway gateway = Gateway.start(GatewayConfigs.load(dir, db.database(), "gatehouse.server.event-loop-threads = 1\n"
                     + extra + "gatehouse.routes = [ { prefix = \"/\", upstream = \"http://127.0.0.1:" + up.port() + "\" } ]\n"))) {
            List<RawHttp> clients = new ArrayList<>();
            try {
                for (int i = 0; i < IN_FLIGHT; i++) {
                    clients.add(new RawHttp(gateway.port()).timeout(15_000));
                }
                int[] opened = new int[2];
                for (int burst = 0; burst < 2; burst++) {
                    for (RawHttp c : clients) {
                        c.send("GET /b" + burst + " HTTP/1.1\r\nHost: t\r\n\r\n");
                    }
                    for (RawHttp c : clients) {
                        assertThat(c.read(false).status()).isEqualTo(200);
                    }
                    Thread.sleep(200); // the last connections back in the pool
                    opened[burst] = up.connections();
                }
                return opened;
            } finally {
                for (RawHttp c : clients) {
                    c.close();
                }
            }
        }
    }

    @Test
    void theDefaultPoolKeepsWhatOneEventLoopHasInFlight() throws Exception {
        int[] opened = twoBursts("");
        assertThat(opened[0]).as("the first burst needs a connection per request in flight").isEqualTo(IN_FLIGHT);
        assertThat(opened[1]).as("the second burst reuses them all").isEqualTo(IN_FLIGHT);
    }

    @Test
    void aSmallerPoolClosesTheExtrasAndReopensThem() throws Exception {
        int[] opened = twoBursts("gatehouse.upstream.max-idle-per-loop = 8\n");
        assertThat(opened[0]).isEqualTo(IN_FLIGHT);
        assertThat(opened[1] - opened[0]).as("only 8 were kept: most of the second burst connects anew")
                .isGreaterThan(IN_FLIGHT / 2);
    }
}
