package dev.gatehouse.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.config.ConfigError;
import dev.gatehouse.core.testing.DatabaseExtension;
import dev.gatehouse.gateway.Gateway;
import dev.gatehouse.gateway.testing.GatewayConfigs;
import dev.gatehouse.gateway.testing.LogCapture;
import dev.gatehouse.gateway.testing.RawHttp;
import dev.gatehouse.gateway.testing.TestUpstream;
import dev.gatehouse.gateway.transport.Transport;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Each transport this host can run proxies for real; one it cannot run fails the start, saying why. */
class TransportIT {
    @RegisterExtension
    static final DatabaseExtension db = new DatabaseExtension();
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Transport.class)
    void proxiesOnEachTransportThisHostRuns(Transport transport) throws Exception {
        assumeTrue(transport.available(), () -> transport.setting() + " " + transport.unavailability());
        try (TestUpstream upstream = new TestUpstream(); LogCapture log = LogCapture.of(Gateway.class);
             Gateway gateway = Gateway.start(GatewayConfigs.load(dir, db.database(),
                     "gatehouse.server.transport = " + transport.setting() + "\n"
                             + "gatehouse.routes = [ { prefix = \"/\", upstream = \"http://127.0.0.1:" + upstream.port() + "\" } ]\n"))) {
            try (RawHttp c = new RawHttp(gateway.port())) {
                for (int i = 0; i < 3; i++) { // one client connection, kept alive; one upstream connection, reused
                    assertThat(c.send("POST /r" + i + " HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello").read().status())
                            .isEqualTo(200);
                    assertThat(upstream.take().uri()).isEqualTo("/r" + i);
                }
            }
            assertThat(log.messages(Level.INFO)).as("the start log names the transport in use")
                    .anyMatch(m -> m.contains("transport: " + transport.setting() + (transport == Transport.NIO ? "," : " (native)")));
        }
    }

    @Test
    void autoTakesTheFirstTransportThisHostRuns() {
        Transport first = null;
        for (Transport t : Transport.values()) {
            if (t.available()) {
                first = t;
                break;
            }
        }
        String forced = System.getProperty("gatehouse.transport", "auto");
        assertThat(Transport.choose("auto")).isEqualTo(forced.equals("auto") ? first : Transport.choose(forced));
        assertThat(Transport.choose(" NIO ")).isEqualTo(Transport.NIO);
    }

    @Test
    void aTransportThatCannotRunHereFailsTheStart() throws Exception {
        // where every transport runs (io_uring-capable Linux x86_64) there is nothing to refuse: say so, not pass
        assumeTrue(Arrays.stream(Transport.values()).anyMatch(t -> !t.available()), "every transport runs on this host");
        for (Transport t : Transport.values()) {
            if (!t.available()) {
                assertThatThrownBy(() -> Transport.choose(t.setting())).isInstanceOf(GatehouseException.class)
                        .hasMessageStartingWith("gatehouse.server.transport = " + t.setting() + ", but " + t.setting()
                                + " is not available on ");
            }
        }
    }

    @Test
    void anUnknownTransportIsAConfigurationError() throws Exception {
        assertThatThrownBy(() -> Gateway.start(GatewayConfigs.load(dir, db.database(), "gatehouse.server.transport = kqueue\n")))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("gatehouse.server.transport: expected auto, io_uring, epoll or nio, got 'kqueue'");
    }
}
