package dev.gatehouse.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.gatehouse.core.config.ConfigError;
import dev.gatehouse.core.route.Route;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The configuration, one record per section; routes checked key by key like everything else. */
class GatewaySettingsTest {
    private static Config config(String user) {
        return ConfigFactory.parseString(user).withFallback(ConfigFactory.defaultReference()).resolve();
    }

    @Test
    void eachSectionIsItsOwnRecord() {
        GatewaySettings s = GatewaySettings.from(config("""
                gatehouse.listen.port = 8181
                gatehouse.server.max-body-size = 2m
                gatehouse.upstream.connect-timeout = 3s
                gatehouse.management.port = 9191
                gatehouse.policies.refresh-interval = 7m
                gatehouse.client-ip.cloudflare-ranges-check-interval = 0
                gatehouse.routes = [ { prefix = "/a", upstream = "http://127.0.0.1:1" },
                                     { prefix = "/b", upstream = "http://127.0.0.1:2", max-body-size = 1k } ]
                """));
        assertThat(s.listen().port()).isEqualTo(8181);
        assertThat(s.server().maxBodySize()).isEqualTo(2 * 1024 * 1024);
        assertThat(s.upstream().connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(s.management().port()).isEqualTo(9191);
        assertThat(s.policies().refreshInterval()).isEqualTo(Duration.ofMinutes(7));
        assertThat(s.clientIp().cloudflareRangesCheckInterval()).isZero();
        assertThat(s.routes()).extracting(Route::maxBodySize).as("a route's own limit, else the server's")
                .containsExactly(2L * 1024 * 1024, 1024L);
    }

    @Test
    void aRouteKeyTypoIsRefusedWithWhatItProbablyMeant() {
        assertThatThrownBy(() -> GatewaySettings.from(config(
                "gatehouse.routes = [ { prefix = \"/a\", upstream = \"http://127.0.0.1:1\", strip-prefx = true } ]")))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("gatehouse.routes[0].strip-prefx")
                .hasMessageContaining("unknown key (did you mean 'strip-prefix'?)");
        assertThatThrownBy(() -> GatewaySettings.from(config(
                "gatehouse.routes = [ { prefix = \"/a\", upstream = \"http://127.0.0.1:1\", colour = blue } ]")))
                .isInstanceOf(ConfigError.class)
                .hasMessageContaining("gatehouse.routes[0].colour")
                .hasMessageContaining("known here: app, assertion-audience, hosts, identify, max-body-size, org, prefix, sso, strip-prefix, upstream, upstreams");
    }

    @Test
    void aBadValueNamesItsSectionKey() {
        assertThatThrownBy(() -> GatewaySettings.from(config("gatehouse.management.port = 70000")))
                .isInstanceOf(ConfigError.class).hasMessageContaining("gatehouse.management.port")
                .hasMessageContaining("must be 0..65535, got 70000");
        assertThatThrownBy(() -> GatewaySettings.from(config("gatehouse.upstream.idle-timeout = 0s")))
                .isInstanceOf(ConfigError.class).hasMessageContaining("gatehouse.upstream.idle-timeout")
                .hasMessageContaining("must be greater than zero");
    }
}
