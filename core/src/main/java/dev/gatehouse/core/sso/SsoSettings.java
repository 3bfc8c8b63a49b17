package dev.gatehouse.core.sso;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigOrigin;
import dev.gatehouse.core.config.ConfigError;
import dev.gatehouse.core.config.ConfigLoader;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code gatehouse.sso}: where browsers reach Gatehouse (the redirect URI registered with each provider is built from
 * it, never from a request's Host), how long a provider check waits, and the key that encrypts the SSO keys at rest.
 *
 * @param publicBaseUrl    "" when not set; else an https origin (http for a loopback host), no path, no trailing slash
 * @param logoutAtProvider sign-out goes on to the provider's end-session endpoint, when it advertises one
 * @param keyEncryption    what seals the keys in sso_keys; null when neither the file nor the variable is set
 * @param signInBurst      sign-in page requests one client address may make at once
 * @param signInPerSecond  ...and per second after that
 */
public record SsoSettings(String publicBaseUrl, Duration checkTimeout, Duration sessionLifetime, Duration sessionIdleTimeout,
                          Duration clockSkew, Duration keyRotation, boolean assertionPerRequest, boolean logoutAtProvider,
                          KeyEncryption keyEncryption, int signInBurst, double signInPerSecond) {
    public static final String KEY_ENCRYPTION_KEY_FILE = "gatehouse.sso.key-encryption-key-file";
    /** A key file is a line of base64; anything much longer is some other file. */
    static final int KEY_FILE_MAX = 4096;

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
                    positive(s, "clock-skew"), positive(s, "key-rotation"), s.getBoolean("assertion-per-request"),
                    s.getBoolean("logout-at-provider"), keyEncryption(config, s), atLeastOne(s, "sign-in-rate.burst"),
                    positiveRate(s, "sign-in-rate.per-second"));
        } catch (ConfigException e) {
            throw ConfigError.from(e);
        }
    }

    private static int atLeastOne(Config s, String key) {
        int n = s.getInt(key);
        if (n < 1) {
            throw ConfigError.at("gatehouse.sso." + key, s.getValue(key).origin(), "must be at least 1");
        }
        return n;
    }

    private static double positiveRate(Config s, String key) {
        double r = s.getDouble(key);
        if (!(r > 0)) {
            throw ConfigError.at("gatehouse.sso." + key, s.getValue(key).origin(), "must be greater than zero");
        }
        return r;
    }

    private static Duration positive(Config s, String key) {
        Duration d = s.getDuration(key);
        if (d.isNegative() || d.isZero()) {
            throw ConfigError.at("gatehouse.sso." + key, s.getValue(key).origin(), "must be greater than zero");
        }
        return d;
    }

    /**
     * The key-encryption key from {@code key-encryption-key-file} or {@code GATEHOUSE_SSO_KEY_ENCRYPTION_KEY} (both
     * may be set if they agree); null when neither is. Never repeats the key's text in a message.
     */
    private static KeyEncryption keyEncryption(Config config, Config s) {
        String file = s.getString("key-encryption-key-file").trim();
        ConfigOrigin origin = s.getValue("key-encryption-key-file").origin();
        KeyEncryption fromFile = null;
        if (!file.isEmpty()) {
            String text;
            try {
                Path p = Path.of(file);
                long size = Files.size(p);
                if (size > KEY_FILE_MAX) {
                    throw ConfigError.at(KEY_ENCRYPTION_KEY_FILE, origin, file + " is not a key file (" + size
                            + " bytes): expected a 256-bit key as base64 (openssl rand -base64 32)");
                }
                text = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
            } catch (NoSuchFileException e) {
                throw ConfigError.at(KEY_ENCRYPTION_KEY_FILE, origin, "cannot read " + file + ": no such file");
            } catch (AccessDeniedException e) {
                throw ConfigError.at(KEY_ENCRYPTION_KEY_FILE, origin, "cannot read " + file + ": permission denied");
            } catch (IOException | InvalidPathException e) {
                throw ConfigError.at(KEY_ENCRYPTION_KEY_FILE, origin, "cannot read " + file + ": " + e.getMessage());
            }
            try {
                fromFile = KeyEncryption.parse(text, file + " (" + KEY_ENCRYPTION_KEY_FILE + ")");
            } catch (IllegalArgumentException e) {
                throw ConfigError.at(KEY_ENCRYPTION_KEY_FILE, origin, file + " " + e.getMessage());
            }
        }
        KeyEncryption fromEnv = null;
        if (config.hasPath(ConfigLoader.SSO_KEY_ENCRYPTION_KEY_PATH)) {
            try {
                fromEnv = KeyEncryption.parse(config.getString(ConfigLoader.SSO_KEY_ENCRYPTION_KEY_PATH),
                        "environment variable " + ConfigLoader.SSO_KEY_ENCRYPTION_KEY_ENV);
            } catch (IllegalArgumentException e) {
                throw new ConfigError("environment variable " + ConfigLoader.SSO_KEY_ENCRYPTION_KEY_ENV + " " + e.getMessage());
            }
        }
        if (fromFile != null && fromEnv != null && !fromFile.sameKey(fromEnv)) {
            throw ConfigError.at(KEY_ENCRYPTION_KEY_FILE, origin, file + " and environment variable "
                    + ConfigLoader.SSO_KEY_ENCRYPTION_KEY_ENV + " hold different keys (" + fromFile.id() + ", "
                    + fromEnv.id() + "): set one of them");
        }
        return fromFile != null ? fromFile : fromEnv;
    }

}
