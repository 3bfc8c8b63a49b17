package dev.gatehouse.gateway.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.gatehouse.core.clientip.ClientIpSettings;
import dev.gatehouse.core.clientip.CloudflareRanges;
import dev.gatehouse.core.clientip.NetworkList;
import dev.gatehouse.core.config.ConfigError;
import dev.gatehouse.core.net.CidrSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The gateway's part of the configuration ({@code gatehouse.listen}, {@code routes}, {@code upstream},
 * {@code server}), read and checked once at start. Bad values fail here with the key and position.
 */
public record GatewaySettings(
        String listenHost,
        int listenPort,
        List<Route> routes,
        Duration upstreamConnectTimeout,
        Duration upstreamResponseTimeout,
        Duration upstreamFailTimeout,
        int upstreamMaxIdlePerLoop,
        Duration upstreamIdleTimeout,
        UpstreamTls upstreamTls,
        int eventLoopThreads,
        int maxHeaderSize,
        int maxInitialLineLength,
        Duration clientIdleTimeout,
        Duration requestHeaderTimeout,
        long maxBodySize,
        Duration drainTimeout,
        ClientIpSettings clientIp,
        Duration cloudflareRangesCheckInterval,
        boolean proxyProtocol,
        CidrSet proxyProtocolSenders,
        UpstreamHeaders upstreamHeaders,
        boolean managementEnabled,
        String managementHost,
        int managementPort,
        Duration managementCheckInterval,
        boolean accessLog,
        Duration policiesRefreshInterval,
        Duration policiesMaxBackoff,
        AuditSettings audit) {

    private static final Set<String> ROUTE_KEYS = Set.of("prefix", "upstream", "upstreams", "strip-prefix", "max-body-size",
            "org", "app", "identify");

    public static GatewaySettings from(Config config) {
        try {
            Config g = config.getConfig("gatehouse");
            ClientIpSettings clientIp = ClientIpSettings.from(config);
            long maxBody = bytes(g, "server.max-body-size");
            return new GatewaySettings(
                    g.getString("listen.host"),
                    port(g, "listen.port"),
                    routes(g, maxBody),
                    positive(g, "upstream.connect-timeout"),
                    positive(g, "upstream.response-timeout"),
                    positive(g, "upstream.fail-timeout"),
                    atLeast(g, "upstream.max-idle-per-loop", 0),
                    positive(g, "upstream.idle-timeout"),
                    UpstreamTls.from(g),
                    atLeast(g, "server.event-loop-threads", 0),
                    atLeast(g, "server.max-header-size", 1024),
                    atLeast(g, "server.max-initial-line-length", 256),
                    positive(g, "server.client-idle-timeout"),
                    positive(g, "server.request-header-timeout"),
                    maxBody,
                    g.getDuration("server.drain-timeout"),
                    clientIp,
                    notNegative(g, "client-ip.cloudflare-ranges-check-interval"),
                    g.getBoolean("listen.proxy-protocol"),
                    proxyProtocolSenders(config, clientIp.cloudflare()),
                    UpstreamHeaders.from(g),
                    g.getBoolean("management.enabled"),
                    g.getString("management.host"),
                    port(g, "management.port"),
                    positive(g, "management.check-interval"),
                    g.getBoolean("access-log.enabled"),
                    positive(g, "policies.refresh-interval"),
                    positive(g, "policies.reconnect-max-backoff"),
                    AuditSettings.from(g));
        } catch (ConfigException e) {
            throw ConfigError.from(e);
        }
    }

    /** A copy with other routes (the demo upstream when none are configured). */
    public GatewaySettings withRoutes(List<Route> newRoutes) {
        return new GatewaySettings(listenHost, listenPort, List.copyOf(newRoutes), upstreamConnectTimeout,
                upstreamResponseTimeout, upstreamFailTimeout, upstreamMaxIdlePerLoop, upstreamIdleTimeout, upstreamTls,
                eventLoopThreads, maxHeaderSize, maxInitialLineLength, clientIdleTimeout, requestHeaderTimeout,
                maxBodySize, drainTimeout, clientIp, cloudflareRangesCheckInterval, proxyProtocol, proxyProtocolSenders, upstreamHeaders,
                managementEnabled, managementHost, managementPort, managementCheckInterval, accessLog,
                policiesRefreshInterval, policiesMaxBackoff, audit);
    }

    private static List<Route> routes(Config g, long defaultMaxBody) {
        List<Route> routes = new ArrayList<>();
        Set<String> prefixes = new HashSet<>();
        List<? extends ConfigValue> list = g.getList("routes");
        for (int i = 0; i < list.size(); i++) {
            ConfigValue v = list.get(i);
            String key = "gatehouse.routes[" + i + "]";
            if (v.valueType() != ConfigValueType.OBJECT) {
                throw ConfigError.at(key, v.origin(), "expected an object { prefix = ..., upstream = ... }");
            }
            ConfigObject o = (ConfigObject) v;
            for (String k : o.keySet()) {
                if (!ROUTE_KEYS.contains(k)) {
                    throw ConfigError.at(key + "." + k, o.get(k).origin(),
                            "unknown key (known: app, identify, max-body-size, org, prefix, strip-prefix, upstream, upstreams)");
                }
            }
            Config rc = o.toConfig();
            String prefix = requiredString(rc, o, key, "prefix");
            if (!prefix.startsWith("/")) {
                throw ConfigError.at(key + ".prefix", o.get("prefix").origin(), "must start with '/', got '" + prefix + "'");
            }
            if (!prefixes.add(prefix)) {
                throw ConfigError.at(key + ".prefix", o.get("prefix").origin(), "duplicate route prefix '" + prefix + "'");
            }
            List<Upstream> upstreams = upstreams(rc, o, key);
            boolean strip = false;
            if (o.containsKey("strip-prefix")) {
                try {
                    strip = rc.getBoolean("strip-prefix");
                } catch (ConfigException.WrongType e) {
                    throw ConfigError.at(key + ".strip-prefix", o.get("strip-prefix").origin(), "expected true or false");
                }
            }
            long maxBody = defaultMaxBody;
            if (o.containsKey("max-body-size")) {
                try {
                    maxBody = rc.getBytes("max-body-size");
                } catch (ConfigException.BadValue | ConfigException.WrongType e) {
                    throw ConfigError.at(key + ".max-body-size", o.get("max-body-size").origin(), "expected a size such as 10m or 512k");
                }
            }
            routes.add(new Route(prefix, upstreams, strip, maxBody, binding(rc, o, key)));
        }
        return List.copyOf(routes);
    }

    private static List<Upstream> upstreams(Config rc, ConfigObject o, String key) {
        boolean one = o.containsKey("upstream");
        boolean many = o.containsKey("upstreams");
        if (one == many) {
            throw ConfigError.at(key, o.origin(), one ? "give either 'upstream' or 'upstreams', not both"
                    : "missing 'upstream' (or 'upstreams')");
        }
        List<String> urls;
        String name = one ? "upstream" : "upstreams";
        try {
            urls = one ? List.of(rc.getString(name)) : rc.getStringList(name);
        } catch (ConfigException.WrongType e) {
            throw ConfigError.at(key + "." + name, o.get(name).origin(), one ? "expected a URL string" : "expected a list of URLs");
        }
        if (urls.isEmpty()) {
            throw ConfigError.at(key + "." + name, o.get(name).origin(), "needs at least one URL");
        }
        List<Upstream> out = new ArrayList<>();
        for (String url : urls) {
            try {
                out.add(Upstream.parse(url));
            } catch (IllegalArgumentException e) {
                throw ConfigError.at(key + "." + name, o.get(name).origin(), e.getMessage());
            }
        }
        return out;
    }

    private static RouteBinding binding(Config rc, ConfigObject o, String key) {
        String org = o.containsKey("org") ? requiredString(rc, o, key, "org").trim() : null;
        String app = null;
        if (o.containsKey("app")) {
            String v = requiredString(rc, o, key, "app").trim();
            int slash = v.indexOf('/');
            if (slash <= 0 || slash == v.length() - 1 || v.indexOf('/', slash + 1) >= 0) {
                throw ConfigError.at(key + ".app", o.get("app").origin(), "expected \"Org/App\", got '" + v + "'");
            }
            if (org != null && !org.equals(v.substring(0, slash))) {
                throw ConfigError.at(key + ".app", o.get("app").origin(), "names organisation '" + v.substring(0, slash)
                        + "' but org is '" + org + "'");
            }
            org = v.substring(0, slash);
            app = v.substring(slash + 1);
        }
        if (org != null && org.isEmpty()) {
            throw ConfigError.at(key + ".org", o.get("org").origin(), "must not be empty");
        }
        boolean token = false;
        if (o.containsKey("identify")) {
            String v = requiredString(rc, o, key, "identify").trim();
            switch (v) {
                case "token" -> token = true;
                case "none" -> token = false;
                default -> throw ConfigError.at(key + ".identify", o.get("identify").origin(),
                        "expected \"token\" or \"none\", got '" + v + "'");
            }
        }
        return new RouteBinding(org, app, token);
    }

    private static long bytes(Config g, String path) {
        long v = g.getBytes(path);
        if (v < 0) {
            throw ConfigError.at("gatehouse." + path, g.getValue(path).origin(), "must not be negative");
        }
        return v;
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

    private static String requiredString(Config rc, ConfigObject o, String key, String name) {
        if (!o.containsKey(name)) {
            throw ConfigError.at(key, o.origin(), "missing '" + name + "'");
        }
        if (o.get(name).valueType() != ConfigValueType.STRING) {
            throw ConfigError.at(key + "." + name, o.get(name).origin(), "expected a string");
        }
        return rc.getString(name);
    }

    private static int port(Config g, String path) {
        int p = g.getInt(path);
        if (p < 0 || p > 65535) {
            throw ConfigError.at("gatehouse." + path, g.getValue(path).origin(), "must be 0..65535, got " + p);
        }
        return p;
    }

    static int atLeast(Config g, String path, int min) {
        int v = g.getInt(path);
        if (v < min) {
            throw ConfigError.at("gatehouse." + path, g.getValue(path).origin(), "must be at least " + min + ", got " + v);
        }
        return v;
    }

    private static Duration notNegative(Config g, String path) {
        Duration d = g.getDuration(path);
        if (d.isNegative()) {
            throw ConfigError.at("gatehouse." + path, g.getValue(path).origin(), "must not be negative (0: never)");
        }
        return d;
    }

    static Duration positive(Config g, String path) {
        Duration d = g.getDuration(path);
        if (d.isNegative() || d.isZero()) {
            throw ConfigError.at("gatehouse." + path, g.getValue(path).origin(), "must be greater than zero");
        }
        return d;
    }
}
