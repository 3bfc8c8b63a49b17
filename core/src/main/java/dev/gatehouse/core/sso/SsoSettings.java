package dev.gatehouse.core.sso;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.gatehouse.core.config.ConfigError;
import java.net.URI;
import java.time.Duration;

/**
 * {@code gatehouse.sso}: where browsers reach Gatehouse (the redirect URI registered with each provider is built from
 * it, never from a request's Host) and how long a provider check waits.
 *
 * @param publicBaseUrl "" when not set; else an https origin (http for a loopback host), no path, no trailing slash
 */
public record SsoSettings(String publicBaseUrl, Duration checkTimeout, Duration sessionLifetime, Duration sessionIdleTimeout,
                          Duration clockSkew, Duration keyRotation, boolean assertionPerRequest) {
    /** Where a provider sends the browser back, under the public base URL. */
    public static final String CALLBACK_PATH = "/.gatehouse/callback";

    public static SsoSettings from(Config config) {
        try {
            Config s = config.getConfig("gatehouse.sso");
            String base = s.getString("public-base-url").trim();
            if (!base.isEmpty()) {
                try {
                    IssuerUrl.check(base); // the same rules: https, or http on loopback; no query, fragment or credentials
                } catch (IllegalArgumentException e) {
                    throw ConfigError.at("gatehouse.sso.public-base-url", s.getValue("public-base-url").origin(),
                            e.getMessage().replace("issuer", "public-base-url"));
                }
                String path = URI.create(base).getRawPath();
                if (path != null && !path.isEmpty() && !path.equals("/")) {
                    throw ConfigError.at("gatehouse.sso.public-base-url", s.getValue("public-base-url").origin(),
                            "must be an origin without a path (https://gatehouse.example.com), got '" + base + "'");
                }
                base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
            }
            Duration timeout = s.getDuration("check-timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw ConfigError.at("gatehouse.sso.check-timeout", s.getValue("check-timeout").origin(),
                        "must be greater than zero");
            }
            return new SsoSettings(base, timeout, positive(s, "session-lifetime"), positive(s, "session-idle-timeout"),
                    positive(s, "clock-skew"), positive(s, "key-rotation"), s.getBoolean("assertion-per-request"));
        } catch (ConfigException e) {
            throw ConfigError.from(e);
        }
    }

    private static Duration positive(Config s, String key) {
        Duration d = s.getDuration(key);
        if (d.isNegative() || d.isZero()) {
            throw ConfigError.at("gatehouse.sso." + key, s.getValue(key).origin(), "must be greater than zero");
        }
        return d;
    }

    /** The redirect URI to register with the providers; null when public-base-url is not set. */
    public String redirectUri() {
        return publicBaseUrl.isEmpty() ? null : publicBaseUrl + CALLBACK_PATH;
    }
}
