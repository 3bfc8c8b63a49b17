package dev.gatehouse.gateway.config;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * {@code gatehouse.policies}: keeping the policy snapshot current.
 *
 * @param refreshInterval     a version check this often, whatever the notifications said (reads again only the
 *                            organisations whose policy version moved)
 * @param reconnectMaxBackoff the longest wait between attempts to get the LISTEN connection back
 */
public record PoliciesSettings(Duration refreshInterval, Duration reconnectMaxBackoff) {

    static PoliciesSettings from(Config g) {
        return new PoliciesSettings(ConfigValues.positive(g, "policies.refresh-interval"),
                ConfigValues.positive(g, "policies.reconnect-max-backoff"));
    }
}
