package dev.gatehouse.gateway.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.gatehouse.core.clientip.CloudflareRanges;
import dev.gatehouse.core.clientip.NetworkList;
import dev.gatehouse.core.config.ConfigError;
import dev.gatehouse.core.net.CidrSet;

/**
 * {@code gatehouse.listen}: the public listener.
 *
 * @param proxyProtocol         connections start with a PROXY protocol header (v1 or v2)
 * @param proxyProtocolSenders  the peers whose PROXY header is believed ({@code cloudflare} expanded)
 */
public record ListenSettings(String host, int port, boolean proxyProtocol, CidrSet proxyProtocolSenders) {

    static ListenSettings from(Config config, Config g, CloudflareRanges cloudflare) {
        return new ListenSettings(g.getString("listen.host"), ConfigValues.port(g, "listen.port"),
                g.getBoolean("listen.proxy-protocol"), proxyProtocolSenders(config, cloudflare));
    }

    /**
     * {@code listen.proxy-protocol-senders}, with {@code cloudflare} standing for these ranges — at start, and
     * again when the gateway reloads a changed Cloudflare ranges file.
     */
    public static CidrSet proxyProtocolSenders(Config config, CloudflareRanges cloudflare) {
        String key = "listen.proxy-protocol-senders";
        try {
            Config g = config.getConfig("gatehouse");
            CidrSet senders;
            try {
                senders = NetworkList.trustList(g.getStringList(key), cloudflare);
            } catch (IllegalArgumentException e) {
                throw ConfigError.at("gatehouse." + key, g.getValue(key).origin(), e.getMessage());
            }
            if (g.getBoolean("listen.proxy-protocol") && senders.isEmpty()) {
                throw ConfigError.at("gatehouse." + key, g.getValue(key).origin(),
                        "proxy-protocol is on but no sender is allowed: list the load balancers' networks");
            }
            return senders;
        } catch (ConfigException e) {
            throw ConfigError.from(e);
        }
    }
}
