package dev.gatehouse.gateway.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigOrigin;
import dev.gatehouse.core.clientip.CloudflareRanges;
import dev.gatehouse.core.clientip.NetworkList;
import dev.gatehouse.core.config.ConfigError;
import dev.gatehouse.core.net.CidrSet;
import java.util.List;

/**
 * {@code gatehouse.listen}: the public listener.
 *
 * @param proxyProtocol              connections start with a PROXY protocol header (v1 or v2)
 * @param proxyProtocolSenders       the peers whose PROXY header is believed ({@code cloudflare} expanded)
 * @param proxyProtocolSendersListed {@code proxy-protocol-senders} as written, expanded again for reloaded Cloudflare
 *                                   ranges ({@link #proxyProtocolSendersWith})
 */
public record ListenSettings(String host, int port, boolean proxyProtocol, CidrSet proxyProtocolSenders,
                             List<String> proxyProtocolSendersListed) {
    private static final String SENDERS = "listen.proxy-protocol-senders";

    public ListenSettings {
        proxyProtocolSendersListed = List.copyOf(proxyProtocolSendersListed);
    }

    static ListenSettings from(Config g, CloudflareRanges cloudflare) {
        boolean proxyProtocol = g.getBoolean("listen.proxy-protocol");
        List<String> listed = g.getStringList(SENDERS);
        return new ListenSettings(g.getString("listen.host"), ConfigValues.port(g, "listen.port"), proxyProtocol,
                senders(proxyProtocol, listed, cloudflare, g.getValue(SENDERS).origin()), listed);
    }

    /**
     * {@code listen.proxy-protocol-senders} with {@code cloudflare} standing for these ranges — when the gateway
     * reloads a changed Cloudflare ranges file.
     */
    public CidrSet proxyProtocolSendersWith(CloudflareRanges cloudflare) {
        return senders(proxyProtocol, proxyProtocolSendersListed, cloudflare, null);
    }

    private static CidrSet senders(boolean proxyProtocol, List<String> listed, CloudflareRanges cloudflare,
                                   ConfigOrigin origin) {
        CidrSet senders;
        try {
            senders = NetworkList.trustList(listed, cloudflare);
        } catch (IllegalArgumentException e) {
            throw ConfigError.at("gatehouse." + SENDERS, origin, e.getMessage());
        }
        if (proxyProtocol && senders.isEmpty()) {
            throw ConfigError.at("gatehouse." + SENDERS, origin,
                    "proxy-protocol is on but no sender is allowed: list the load balancers' networks");
        }
        return senders;
    }
}
