package dev.gatehouse.core.clientip;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.gatehouse.core.config.ConfigError;
import dev.gatehouse.core.net.CidrSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

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
     * The settings with {@code cloudflare} standing for these ranges (a gateway that reloads a changed ranges file
     * expands the same lists again: {@link #withCloudflare}).
     */
    public static ClientIpSettings from(Config config, CloudflareRanges cloudflare) {
        String base = BASE;
        try {
            Config c = config.getConfig(base);
            TrustLists lists = TrustLists.from(c);
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
            return lists.expand(List.copyOf(headers), c.getBoolean("recursive"), cloudflare, key -> {
                String path = key.substring(base.length() + 1);
                return path.startsWith("header-setters.")
                        ? c.getObject("header-setters").get(path.substring("header-setters.".length())).origin()
                        : c.getValue(path).origin();
            });
        } catch (ConfigException e) {
            throw ConfigError.from(e);
        }
    }

    /**
     * These settings with {@code cloudflare} standing for other ranges: the trust lists as written, expanded again —
     * when a gateway reloads a changed ranges file. Fails, naming the list, when one of them no longer holds (a
     * ranges file covering every address would let anyone set the client IP).
     */
    public ClientIpSettings withCloudflare(TrustLists lists, CloudflareRanges ranges) {
        return lists.expand(headers, recursive, ranges, key -> null);
    }

    /**
     * {@code gatehouse.client-ip}'s trust lists as written — networks and presets, {@code cloudflare} among them —
     * kept so that they can be expanded again for other Cloudflare ranges.
     *
     * @param trustedProxies {@code trusted-proxies}
     * @param headerSetters  {@code header-setters}: the entries by header name as written, in the file's order
     */
    public record TrustLists(List<String> trustedProxies, Map<String, List<String>> headerSetters) {
        public TrustLists {
            trustedProxies = List.copyOf(trustedProxies);
            headerSetters = Collections.unmodifiableMap(new LinkedHashMap<>(headerSetters));
        }

        /** The lists of {@code gatehouse.client-ip} ({@code c}), each header setter's shape checked. */
        public static TrustLists from(Config c) {
            Map<String, List<String>> setters = new LinkedHashMap<>();
            ConfigObject so = c.getObject("header-setters");
            for (Map.Entry<String, ConfigValue> e : so.entrySet()) {
                String key = BASE + ".header-setters." + e.getKey();
                String name = e.getKey().toLowerCase(Locale.ROOT);
                if (name.equals(X_FORWARDED_FOR) || name.equals(FORWARDED)) {
                    throw ConfigError.at(key, e.getValue().origin(), "list headers are governed by trusted-proxies");
                }
                if (e.getValue().valueType() != ConfigValueType.LIST) {
                    throw ConfigError.at(key, e.getValue().origin(), "expected a list of networks or presets");
                }
                setters.put(e.getKey(), so.toConfig().getStringList("\"" + e.getKey() + "\""));
            }
            return new TrustLists(c.getStringList("trusted-proxies"), setters);
        }

        /**
         * The settings with every list expanded for {@code cloudflare}.
         *
         * @param origin where a key (its full path) was set, for a message; null when that no longer matters
         */
        ClientIpSettings expand(List<String> headers, boolean recursive, CloudflareRanges cloudflare,
                                Function<String, ConfigOrigin> origin) {
            CidrSet trusted;
            try {
                trusted = NetworkList.trustList(trustedProxies, cloudflare);
            } catch (IllegalArgumentException e) {
                String key = BASE + ".trusted-proxies";
                throw ConfigError.at(key, origin.apply(key), e.getMessage());
            }
            Map<String, CidrSet> setters = new LinkedHashMap<>();
            try {
                // checked like any trust list: a ranges file covering every address would let anyone set it
                setters.put(CF_CONNECTING_IP, NetworkList.trustList(List.of("cloudflare"), cloudflare));
            } catch (IllegalArgumentException e) {
                String key = BASE + ".cloudflare-ranges-file";
                throw ConfigError.at(key, origin.apply(key), cloudflare.source() + ": " + e.getMessage());
            }
            for (Map.Entry<String, List<String>> e : headerSetters.entrySet()) {
                try {
                    setters.put(e.getKey().toLowerCase(Locale.ROOT), NetworkList.trustList(e.getValue(), cloudflare));
                } catch (IllegalArgumentException ex) {
                    String key = BASE + ".header-setters." + e.getKey();
                    throw ConfigError.at(key, origin.apply(key), ex.getMessage());
                }
            }
            return new ClientIpSettings(trusted, headers, recursive, Map.copyOf(setters), cloudflare);
        }
    }

    /** The hops allowed to set a single-address header. */
    CidrSet settersOf(String header) {
        return headerSetters.getOrDefault(header, trusted);
    }
}
