package dev.gatehouse.gateway.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.gatehouse.core.config.ConfigError;
import dev.gatehouse.core.route.Route;
import dev.gatehouse.core.route.Routes;
import java.util.List;

/**
 * The gateway's part of the configuration, one record per section of {@code gatehouse.*}, read and checked once
 * at start. Bad values fail here with the key and position.
 */
public record GatewaySettings(
        ListenSettings listen,
        ServerSettings server,
        UpstreamSettings upstream,
        ClientIpSection clientIp,
        PoliciesSettings policies,
        ManagementSettings management,
        boolean accessLog,
        AuditSettings audit,
        List<Route> routes) {

    public static GatewaySettings from(Config config) {
        try {
            Config g = config.getConfig("gatehouse");
            ClientIpSection clientIp = ClientIpSection.from(config, g);
            ServerSettings server = ServerSettings.from(g);
            return new GatewaySettings(
                    ListenSettings.from(config, g, clientIp.trust().cloudflare()),
                    server,
                    UpstreamSettings.from(g),
                    clientIp,
                    PoliciesSettings.from(g),
                    ManagementSettings.from(g),
                    g.getBoolean("access-log.enabled"),
                    AuditSettings.from(g),
                    Routes.from(g, server.maxBodySize()));
        } catch (ConfigException e) {
            throw ConfigError.from(e);
        }
    }

    /** A copy with other routes (the demo upstream when none are configured). */
    public GatewaySettings withRoutes(List<Route> newRoutes) {
        return new GatewaySettings(listen, server, upstream, clientIp, policies, management, accessLog, audit,
                List.copyOf(newRoutes));
    }
}
