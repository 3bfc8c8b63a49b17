package dev.gatehouse.core.clientip;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.gatehouse.core.config.ConfigError;
import dev.gatehouse.core.net.CidrSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code gatehouse.client-ip}: who is trusted to say who the client is.
 *
 * @param trusted       hops whose forwarding headers are believed
 * @param headers       header names in order of preference (lower case)
 * @param recursive     walk list headers past every trusted hop (else: take the rightmost entry)
 * @param headerSetters per single-address header (lower case): the hops that may set it
 * @param cloudflare    the Cloudflare ranges in force (for messages and the CLI)
 */
public record ClientIpSettings(CidrSet trusted, List<String> headers, boolean recursive,
                               Map<String, CidrSet> headerSetters, CloudflareRanges cloudflare) {
    public static final String X_FORWARDED_FOR = "x-forwarded-for";
    public static final String FORWARDED = "forwarded";
    public static final String CF_CONNECTING_IP = "cf-connecting-ip";

    private static final String BASE = "gatehouse.client-ip";

    /** The settings, with the Cloudflare ranges the configuration names (read now). */
    public static ClientIpSettings from(Config config) {
        return from(config, cloudflareRanges(config));
    }

    /** {@code cloudflare-ranges-file}, or null when the built-in snapshot is used. */
    public static Path cloudflareRangesFile(Config config) {
        try {
            String file = config.getString(BASE + ".cloudflare-ranges-file").trim();
            return file.isEmpty() ? null : Path.of(file);
        } catch (ConfigException e) {
            throw ConfigError.from(e);
        }
    }

    /** The ranges behind the {@code cloudflare} preset: the file's, or the built-in snapshot's. */
    public static CloudflareRanges cloudflareRanges(Config config) {
        Path file = cloudflareRangesFile(config);
        try {
            return CloudflareRanges.load(file);
        } catch (IllegalArgumentException e) {
            throw ConfigError.at(BASE + ".cloudflare-ranges-file", config.getValue(BASE + ".cloudflare-ranges-file").origin(),
                    e.getMessage());
        }
    }

    /**
     * The settings with {@code cloudflare} standing for these ranges — at start, and again each time the gateway
     * reloads a changed ranges file (the rest of the configuration is as it was read at start).
     */
    public static ClientIpSettings from(Config config, CloudflareRanges cloudflare) {
        String base = BASE;
        try {
            Config c = config.getConfig(base);
            CidrSet trusted;
            try {
                trusted = NetworkList.trustList(c.getStringList("trusted-proxies"), cloudflare);
            } catch (IllegalArgumentException e) {
                throw ConfigError.at(base + ".trusted-proxies", c.getValue("trusted-proxies").origin(), e.getMessage());
            }
            List<String> headers = new ArrayList<>();
            for (String h : c.getStringList("headers")) {
                String name = h.trim().toLowerCase(Locale.ROOT);
                if (!HeaderNames.isToken(name) || name.contains("_")) {
                    throw ConfigError.at(base + ".headers", c.getValue("headers").origin(),
                            "'" + h + "' is not a header name (letters, digits and '-'; no '_')");
                }
                if (headers.contains(name)) {
                    throw ConfigError.at(base + ".headers", c.getValue("headers").origin(), "'" + h + "' is listed twice");
                }
                headers.add(name);
            }
            Map<String, CidrSet> setters = new LinkedHashMap<>();
            try {
                // checked like any trust list: a ranges file covering every address would let anyone set it
                setters.put(CF_CONNECTING_IP, NetworkList.trustList(List.of("cloudflare"), cloudflare));
            } catch (IllegalArgumentException e) {
                throw ConfigError.at(base + ".cloudflare-ranges-file", c.getValue("cloudflare-ranges-file").origin(),
                        cloudflare.source() + ": " + e.getMessage());
            }
            ConfigObject so = c.getObject("header-setters");
            for (Map.Entry<String, ConfigValue> e : so.entrySet()) {
                String key = base + ".header-setters." + e.getKey();
                String name = e.getKey().toLowerCase(Locale.ROOT);
                if (name.equals(X_FORWARDED_FOR) || name.equals(FORWARDED)) {
                    throw ConfigError.at(key, e.getValue().origin(), "list headers are governed by trusted-proxies");
                }
                if (e.getValue().valueType() != ConfigValueType.LIST) {
                    throw ConfigError.at(key, e.getValue().origin(), "expected a list of networks or presets");
                }
                try {
                    setters.put(name, NetworkList.trustList(so.toConfig().getStringList("\"" + e.getKey() + "\""), cloudflare));
                } catch (IllegalArgumentException ex) {
                    throw ConfigError.at(key, e.getValue().origin(), ex.getMessage());
                }
            }
            return new ClientIpSettings(trusted, List.copyOf(headers), c.getBoolean("recursive"), Map.copyOf(setters),
                    cloudflare);
        } catch (ConfigException e) {
            throw ConfigError.from(e);
        }
    }

    /** The hops allowed to set a single-address header. */
    CidrSet settersOf(String header) {
        return headerSetters.getOrDefault(header, trusted);
    }
}
