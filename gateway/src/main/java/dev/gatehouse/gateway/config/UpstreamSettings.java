package dev.gatehouse.gateway.config;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * {@code gatehouse.upstream}: connecting to upstreams, keeping their connections, and what they are sent.
 *
 * @param failTimeout    how long an upstream that failed is passed over (when a route has several)
 * @param maxIdlePerLoop kept-alive connections per upstream and event loop
 */
public record UpstreamSettings(Duration connectTimeout, Duration responseTimeout, Duration failTimeout, int maxIdlePerLoop,
                               Duration idleTimeout, UpstreamTls tls, UpstreamHeaders headers) {

    static UpstreamSettings from(Config g) {
        return new UpstreamSettings(
                ConfigValues.positive(g, "upstream.connect-timeout"),
                ConfigValues.positive(g, "upstream.response-timeout"),
                ConfigValues.positive(g, "upstream.fail-timeout"),
                ConfigValues.atLeast(g, "upstream.max-idle-per-loop", 0),
                ConfigValues.positive(g, "upstream.idle-timeout"),
                UpstreamTls.from(g),
                UpstreamHeaders.from(g));
    }
}
