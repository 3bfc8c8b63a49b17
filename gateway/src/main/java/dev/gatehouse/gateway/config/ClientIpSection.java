package dev.gatehouse.gateway.config;

import com.typesafe.config.Config;
import dev.gatehouse.core.clientip.ClientIpSettings;
import dev.gatehouse.core.clientip.CloudflareRanges;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code gatehouse.client-ip}: whom the gateway believes about the client's address ({@link ClientIpSettings}, shared
 * with {@code gatehouse-admin client-ip explain}), and the Cloudflare ranges file read again under a running gateway.
 *
 * @param trustLists                    the trust lists as written, expanded again for reloaded ranges
 *                                      ({@link #trustWith})
 * @param cloudflareRangesFile          null: the built-in snapshot (nothing to reload)
 * @param cloudflareRangesCheckInterval 0: never (the ranges read at start stay)
 */
public record ClientIpSection(ClientIpSettings trust, ClientIpSettings.TrustLists trustLists, Path cloudflareRangesFile,
                              Duration cloudflareRangesCheckInterval) {

    static ClientIpSection from(Config config, Config g) {
        return new ClientIpSection(ClientIpSettings.from(config),
                ClientIpSettings.TrustLists.from(config.getConfig("gatehouse.client-ip")),
                ClientIpSettings.cloudflareRangesFile(config),
                ConfigValues.notNegative(g, "client-ip.cloudflare-ranges-check-interval"));
    }

    /** The trust with {@code cloudflare} standing for these ranges; fails naming a list that no longer holds. */
    public ClientIpSettings trustWith(CloudflareRanges ranges) {
        return trust.withCloudflare(trustLists, ranges);
    }
}
