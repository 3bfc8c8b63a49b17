package dev.gatehouse.core.route;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.gatehouse.core.config.ConfigError;
import dev.gatehouse.core.config.StrictKeys;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code gatehouse.routes}: a list of route objects, each checked like every other part of the configuration —
 * an unknown key (a typo) fails the start with its position and the key it probably meant. A host and prefix
 * may be given by one route only (a route without {@code hosts}: its prefix by one such route only).
 */
public final class Routes {
    /** What a route object may hold (the values are only there to name the keys). */
    public static final ConfigObject KEYS = ConfigFactory.parseString(
            "hosts = [], prefix = \"/\", upstream = \"\", upstreams = [], strip-prefix = false, max-body-size = 0, org = \"\","
                    + " app = \"\", identify = none, sso = auto, assertion-audience = \"\"").root();

    private Routes() {
    }

    public static List<Route> from(Config g, long defaultMaxBody) {
        List<Route> routes = new ArrayList<>();
        Set<String> taken = new HashSet<>(); // host + " " + prefix ("*" for any host)
        List<? extends ConfigValue> list = g.getList("routes");
        for (int i = 0; i < list.size(); i++) {
            ConfigValue v = list.get(i);
            String key = "gatehouse.routes[" + i + "]";
            if (v.valueType() != ConfigValueType.OBJECT) {
                throw ConfigError.at(key, v.origin(), "expected an object { prefix = ..., upstream = ... }");
            }
            ConfigObject o = (ConfigObject) v;
            StrictKeys.checkObject(o, KEYS, key);
            Config rc = o.toConfig();
            String prefix = requiredString(rc, o, key, "prefix");
            if (!prefix.startsWith("/")) {
                throw ConfigError.at(key + ".prefix", o.get("prefix").origin(), "must start with '/', got '" + prefix + "'");
            }
            List<HostPattern> hosts = hosts(rc, o, key);
            for (String h : hosts.isEmpty() ? List.of("*") : hosts.stream().map(HostPattern::text).toList()) {
                if (!taken.add(h + " " + prefix)) {
                    throw ConfigError.at(key + ".prefix", o.get("prefix").origin(), h.equals("*")
                            ? "duplicate route prefix '" + prefix + "'"
                            : "duplicate route: host '" + h + "' with prefix '" + prefix + "' is routed already");
                }
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
            routes.add(new Route(hosts, prefix, upstreams, strip, maxBody, binding(rc, o, key)));
        }
        return List.copyOf(routes);
    }

    private static List<HostPattern> hosts(Config rc, ConfigObject o, String key) {
        if (!o.containsKey("hosts")) {
            return List.of();
        }
        List<String> raw;
        try {
            raw = rc.getStringList("hosts");
        } catch (ConfigException.WrongType e) {
            throw ConfigError.at(key + ".hosts", o.get("hosts").origin(), "expected a list of host names, such as"
                    + " [\"acme.example.com\", \"*.example.com\"]");
        }
        if (raw.isEmpty()) {
            throw ConfigError.at(key + ".hosts", o.get("hosts").origin(), "an empty list matches no request: leave 'hosts'"
                    + " out to match any host");
        }
        List<HostPattern> out = new ArrayList<>();
        for (String h : raw) {
            HostPattern p;
            try {
                p = HostPattern.parse(h);
            } catch (IllegalArgumentException e) {
                throw ConfigError.at(key + ".hosts", o.get("hosts").origin(), e.getMessage());
            }
            if (out.contains(p)) {
                throw ConfigError.at(key + ".hosts", o.get("hosts").origin(), "'" + p + "' is listed twice");
            }
            out.add(p);
        }
        return out;
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
        RouteBinding.Sso sso = RouteBinding.Sso.AUTO;
        if (o.containsKey("sso")) {
            String v = requiredString(rc, o, key, "sso").trim();
            switch (v) {
                case "auto" -> sso = RouteBinding.Sso.AUTO;
                case "required" -> sso = RouteBinding.Sso.REQUIRED;
                case "off" -> sso = RouteBinding.Sso.OFF;
                default -> throw ConfigError.at(key + ".sso", o.get("sso").origin(),
                        "expected \"auto\", \"required\" or \"off\", got '" + v + "'");
            }
            if (sso == RouteBinding.Sso.REQUIRED && (org == null || token)) {
                throw ConfigError.at(key + ".sso", o.get("sso").origin(), token
                        ? "a route that takes API tokens (identify = token) does not sign browsers in"
                        : "sign-in needs the route's organisation (org = ... or app = ...)");
            }
        }
        String audience = null;
        if (o.containsKey("assertion-audience")) {
            audience = requiredString(rc, o, key, "assertion-audience").strip();
            if (audience.isEmpty() || !signInRoute(org, token, sso)) {
                throw ConfigError.at(key + ".assertion-audience", o.get("assertion-audience").origin(), audience.isEmpty()
                        ? "must not be empty (leave it out for the default: Org/App, or the organisation)"
                        : "only a route that signs browsers in (org = ... or app = ..., not identify = token or sso = off)"
                        + " sends identity assertions");
            }
        }
        return new RouteBinding(org, app, token, sso, audience);
    }

    private static boolean signInRoute(String org, boolean token, RouteBinding.Sso sso) {
        return org != null && !token && sso != RouteBinding.Sso.OFF;
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
}
