package dev.gatehouse.gateway.config;

import com.typesafe.config.Config;
import dev.gatehouse.core.clientip.ClientIpSettings;
import java.time.Duration;

/**
 * {@code gatehouse.client-ip}: whom the gateway believes about the client's address ({@link ClientIpSettings}, shared
 * with {@code gatehouse-admin client-ip explain}), and how often a Cloudflare ranges file is read again.
 *
 * @param cloudflareRangesCheckInterval 0: never (the ranges read at start stay)
 */
public record ClientIpSection(ClientIpSettings trust, Duration cloudflareRangesCheckInterval) {

    static ClientIpSection from(Config config, Config g) {
        return new ClientIpSection(ClientIpSettings.from(config),
                ConfigValues.notNegative(g, "client-ip.cloudflare-ranges-check-interval"));
    }
}
