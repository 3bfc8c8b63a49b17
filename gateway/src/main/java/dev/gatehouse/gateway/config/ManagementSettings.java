package dev.gatehouse.gateway.config;

import com.typesafe.config.Config;
import java.time.Duration;

/** {@code gatehouse.management}: the listener for /healthz, /readyz and /metrics, and how often readiness looks. */
public record ManagementSettings(boolean enabled, String host, int port, Duration checkInterval) {

    static ManagementSettings from(Config g) {
        return new ManagementSettings(g.getBoolean("management.enabled"), g.getString("management.host"),
                ConfigValues.port(g, "management.port"), ConfigValues.positive(g, "management.check-interval"));
    }
}
