package dev.gatehouse.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.NginxRunner;
import dev.gatehouse.gateway.testing.RawHttp;
import dev.gatehouse.gateway.testing.TestUpstream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateways behind the real nginx with the shipped upstream-ha.conf; requests flow while the first
 * gateway is stopped (SIGTERM's path: drain) and started again, then the second: not one fails.
 */
class RollingRestartIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    Path dir;

    @Test
    void restartingEachGatewayInTurnFailsNoRequest() throws Exception {
        try (NginxRunner nginx = new NginxRunner(dir); TestUpstream upstream = new TestUpstream()) {
            int portA = NginxRunner.freePort();
            int portB = NginxRunner.freePort();
            String behind = Files.readString(NginxRunner.SHIPPED.resolve("gatehouse-behind-nginx.conf"));
            String common = "gatehouse.server.drain-timeout = 5s\n"
                    + "gatehouse.routes = [ { prefix = \"/\", upstream = \"http://127.0.0.1:" + upstream.port() + "\" } ]\n";
            Path confA = GatewayConfigs.write(dir, db.database(), behind.replace("port = 8080", "port = " + portA) + common);
            Path confB = GatewayConfigs.write(dir, db.database(), behind.replace("port = 8080", "port = " + portB) + common);
            Gateway[] gateways = {Gateway.start(load(confA)), Gateway.start(load(confB))};

            nginx.configure(NginxRunner.SHIPPED.resolve("realip-alb.conf"), NginxRunner.SHIPPED.resolve("upstream-ha.conf"),
                    Map.of(8081, portA, 8082, portB));
            nginx.start();

            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger ok = new AtomicInteger();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            Thread[] load = new Thread[3];
            for (int t = 0; t < load.length; t++) {
                load[t] = new Thread(() -> {
                    while (running.get()) {
                        try {
                            RawHttp.Response r = nginx.https("127.0.0.2", "GET /x HTTP/1.1\r\nHost: t\r\n\r\n");
                            if (r.status() == 200) {
                                ok.incrementAndGet();
                            } else {
                                failures.add("status " + r.status() + ": " + r.body());
                            }
                        } catch (Exception e) {
                            failures.add(e.toString());
                        }
                    }
                });
                load[t].start();
            }
            try {
                Thread.sleep(1_000);
                gateways[0].close();            // A drains and stops
                Thread.sleep(500);
                gateways[0] = Gateway.start(load(confA));
                Thread.sleep(2_500);            // past nginx's fail_timeout: A is back in rotation
                gateways[1].close();            // B drains and stops
                Thread.sleep(500);
                gateways[1] = Gateway.start(load(confB));
                Thread.sleep(1_000);
            } finally {
                running.set(false);
                for (Thread t : load) {
                    t.join();
                }
                for (Gateway g : gateways) {
                    g.close();
                }
            }
            System.out.printf("rolling restart: %d requests succeeded, %d failed%n", ok.get(), failures.size());
            assertThat(failures).isEmpty();
            assertThat(ok.get()).isGreaterThan(100);
        }
    }

    private static com.typesafe.config.Config load(Path conf) {
        return dev.gatehouse.core.config.ConfigLoader.load(conf, Map.of());
    }
}
