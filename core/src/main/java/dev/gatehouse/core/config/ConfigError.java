package dev.gatehouse.core.config;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigOrigin;
import dev.gatehouse.core.GatehouseException;

/** A configuration problem, as one line naming the key and where its value came from. */
public final class ConfigError extends GatehouseException {
    private static final long serialVersionUID = 1L;

    public ConfigError(String message) {
        super("configuration: " + message);
    }

    /** {@code key} set at {@code origin}: {@code problem}. */
    public static ConfigError at(String key, ConfigOrigin origin, String problem) {
        return new ConfigError(key + ": " + problem + where(origin));
    }

    /** Turns any Typesafe Config exception into one line (its own messages already name the origin). */
    public static ConfigError from(ConfigException e) {
        if (e instanceof ConfigException.ValidationFailed failed) {
            ConfigException.ValidationProblem first = failed.problems().iterator().next();
            return at(first.path(), first.origin(), first.problem());
        }
        String message = e.getMessage();
        if (message == null || message.isBlank()) {
            message = e.getClass().getSimpleName();
        }
        return new ConfigError(message.replace('\n', ' '));
    }

    /** " (file.conf: 12)" or "" when the origin says nothing useful. */
    static String where(ConfigOrigin origin) {
        if (origin == null) {
            return "";
        }
        if (origin.filename() != null) {
            return " (" + origin.filename() + (origin.lineNumber() > 0 ? ":" + origin.lineNumber() : "") + ")";
        }
        return " (" + origin.description() + ")";
    }
}
