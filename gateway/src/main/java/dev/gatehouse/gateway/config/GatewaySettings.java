package dev.gatehouse.gateway.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.gatehouse.core.config.ConfigError;
import dev.gatehouse.core.db.DatabaseSettings;
import dev.gatehouse.core.route.Route;
import dev.gatehouse.core.route.Routes;
import dev.gatehouse.core.sso.SsoSettings;
import java.util.List;

/**
 * The gateway's configuration, one record per section of {@code gatehouse.*}, read and checked once at start — the
 * only reading of the HOCON after {@code ConfigLoader}: nothing downstream sees a {@code Config}. Bad values fail here
 * with the key and position, the SSO key-encryption key's file included (read now, before anything starts).
 *
 * @param database the database section (core's, shared with {@code gatehouse-admin})
 * @param sso      the sign-in section (core's, shared with {@code gatehouse-admin sso check})
 * @param console  the operator console's listener (refused here when bound beyond loopback unguarded)
 */
public record GatewaySettings(
        DatabaseSettings database,
        ListenSettings listen,
        ServerSettings server,
        UpstreamSettings upstream,
        ClientIpSection clientIp,
        PoliciesSettings policies,
        ManagementSettings management,
        boolean accessLog,
        AuditSettings audit,
        SsoSettings sso,
        ConsoleSettings console,
        List<Route> routes) {

    public static GatewaySettings from(Config config) {
        try {
            Config g = config.getConfig("gatehouse");
            ClientIpSection clientIp = ClientIpSection.from(config, g);
            ServerSettings server = ServerSettings.from(g);
            ListenSettings listen = ListenSettings.from(g, clientIp.trust().cloudflare());
            UpstreamSettings upstream = UpstreamSettings.from(g);
            PoliciesSettings policies = PoliciesSettings.from(g);
            ManagementSettings management = ManagementSettings.from(g);
            boolean accessLog = g.getBoolean("access-log.enabled");
            AuditSettings audit = AuditSettings.from(g);
            List<Route> routes = Routes.from(g, server.maxBodySize());
            return new GatewaySettings(
                    DatabaseSettings.from(config),
                    listen,
                    server,
                    upstream,
                    clientIp,
                    policies,
                    management,
                    accessLog,
                    audit,
                    SsoSettings.from(config),
                    ConsoleSettings.from(config),
                    routes);
        } catch (ConfigException e) {
            throw ConfigError.from(e);
        }
    }

    /** A copy with other routes (the demo upstream when none are configured). */
    public GatewaySettings withRoutes(List<Route> newRoutes) {
        return new GatewaySettings(database, listen, server, upstream, clientIp, policies, management, accessLog, audit,
                sso, console, List.copyOf(newRoutes));
    }
}
