package dev.gatehouse.core.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigSyntax;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Loads the Gatehouse configuration: {@code reference.conf} (the schema and defaults), then the
 * user's file, then the environment overrides, and validates the result before anyone reads it.
 *
 * <p>Validation happens here, once: unknown keys under {@code gatehouse} (typos), values of the
 * wrong type and unreadable files all become one {@link ConfigError} line naming the key and its
 * file and line. Readers of the returned {@link Config} may then trust its shape.
 */
public final class ConfigLoader {
    /** Environment variable naming the config file when {@code --config} is not given. */
    public static final String CONFIG_ENV = "GATEHOUSE_CONFIG";
    public static final String DATABASE_URL_ENV = "DATABASE_URL";
    public static final String EXTERNAL_MIGRATION_ENV = "EXTERNAL_MIGRATION";
    /** The SSO key-encryption key itself (base64), as an alternative to gatehouse.sso.key-encryption-key-file. */
    public static final String SSO_KEY_ENCRYPTION_KEY_ENV = "GATEHOUSE_SSO_KEY_ENCRYPTION_KEY";
    /**
     * Where that variable's value is in the loaded configuration: outside {@code gatehouse} (like
     * {@code gatehouse-data-home}), as it is no setting of the file; read and checked by {@code SsoSettings}.
     */
    public static final String SSO_KEY_ENCRYPTION_KEY_PATH = "gatehouse-environment." + SSO_KEY_ENCRYPTION_KEY_ENV;
    static final String ROOT = "gatehouse";

    private ConfigLoader() {
    }

    /** Loads from the file given on the command line (may be null), else GATEHOUSE_CONFIG, plus the environment. */
    public static Config load(Path fileOption, Map<String, String> env) {
        Path file = fileOption;
        if (file == null && env.get(CONFIG_ENV) != null && !env.get(CONFIG_ENV).isBlank()) {
            file = Path.of(env.get(CONFIG_ENV).trim());
        }
        try {
            Config reference = ConfigFactory.parseResourcesAnySyntax(
                    ConfigLoader.class.getClassLoader(), "reference.conf");
            Config withHome = dataHome(env).withFallback(reference);
            Config resolvedReference = withHome.resolveWith(withHome.withFallback(ConfigFactory.systemProperties()),
                    ConfigResolveOptions.defaults());
            Config user = file == null ? ConfigFactory.empty() : parseFile(file);
            Config overrides = environmentOverrides(env);
            StrictKeys.check(overrides.withFallback(user), resolvedReference, ROOT);

            Config merged = overrides.withFallback(user).withFallback(withHome);
            Config resolved = merged.resolveWith(merged.withFallback(ConfigFactory.systemProperties()),
                    ConfigResolveOptions.defaults());
            resolved.checkValid(resolvedReference, ROOT);
            TypeCheck.check(resolved, resolvedReference, ROOT);
            return resolved;
        } catch (ConfigException e) {
            throw ConfigError.from(e);
        }
    }

    /**
     * Where Gatehouse keeps its data unless told otherwise ({@code ${gatehouse-data-home}} in reference.conf), as Unix
     * tools do: {@code $XDG_DATA_HOME/gatehouse}, else {@code $HOME/.local/share/gatehouse}. From the environment, not
     * from Java's {@code user.home} (the password database's home): {@code HOME=/tmp/x gatehouse} keeps its embedded
     * database under /tmp/x, so two runs with different homes never share one.
     */
    static Config dataHome(Map<String, String> env) {
        String xdg = env.get("XDG_DATA_HOME");
        String home = env.get("HOME");
        String dir;
        if (xdg != null && !xdg.isBlank() && Path.of(xdg.trim()).isAbsolute()) { // a relative one is to be ignored
            dir = Path.of(xdg.trim(), "gatehouse").toString();
        } else {
            String base = home != null && !home.isBlank() ? home.trim() : System.getProperty("user.home");
            dir = Path.of(base, ".local", "share", "gatehouse").toString();
        }
        return ConfigFactory.parseMap(Map.of("gatehouse-data-home", dir),
                "the data directory: $XDG_DATA_HOME/gatehouse, else $HOME/.local/share/gatehouse");
    }

    private static Config parseFile(Path file) {
        if (!Files.exists(file)) {
            throw new ConfigError("config file " + file + " does not exist");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new ConfigError("config file " + file + " is not a readable file");
        }
        ConfigParseOptions options = ConfigParseOptions.defaults().setAllowMissing(false);
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".json")) {
            options = options.setSyntax(ConfigSyntax.JSON);
        } else if (!name.endsWith(".properties")) {
            options = options.setSyntax(ConfigSyntax.CONF);
        }
        return ConfigFactory.parseFile(file.toFile(), options);
    }

    /**
     * DATABASE_URL, EXTERNAL_MIGRATION and GATEHOUSE_SSO_KEY_ENCRYPTION_KEY as config values whose origin names the
     * variable.
     */
    static Config environmentOverrides(Map<String, String> env) {
        Config overrides = ConfigFactory.empty();
        String url = env.get(DATABASE_URL_ENV);
        if (url != null && !url.isBlank()) {
            DatabaseUrl parsed = DatabaseUrl.parse(url, "environment variable " + DATABASE_URL_ENV);
            Map<String, Object> values = new HashMap<>();
            values.put(ROOT + ".database.url", parsed.jdbcUrl());
            if (!parsed.user().isEmpty()) {
                values.put(ROOT + ".database.user", parsed.user());
            }
            if (!parsed.password().isEmpty()) {
                values.put(ROOT + ".database.password", parsed.password());
            }
            overrides = ConfigFactory.parseMap(values, "environment variable " + DATABASE_URL_ENV).withFallback(overrides);
        }
        String external = env.get(EXTERNAL_MIGRATION_ENV);
        if (external != null && !external.isBlank()) {
            boolean value = switch (external.trim().toLowerCase(Locale.ROOT)) {
                case "true", "1", "yes", "on" -> true;
                case "false", "0", "no", "off" -> false;
                default -> throw new ConfigError("environment variable " + EXTERNAL_MIGRATION_ENV
                        + ": expected true or false, got '" + external.trim() + "'");
            };
            overrides = ConfigFactory.parseMap(Map.of(ROOT + ".database.external-migration", value),
                    "environment variable " + EXTERNAL_MIGRATION_ENV).withFallback(overrides);
        }
        String kek = env.get(SSO_KEY_ENCRYPTION_KEY_ENV);
        if (kek != null) { // even empty: a key meant and missing is refused (by SsoSettings), not ignored
            overrides = ConfigFactory.parseMap(Map.of(SSO_KEY_ENCRYPTION_KEY_PATH, kek),
                    "environment variable " + SSO_KEY_ENCRYPTION_KEY_ENV).withFallback(overrides);
        }
        return overrides;
    }
}
