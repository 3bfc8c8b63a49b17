package dev.gatehouse.core.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads every key the reference defines with the type its default has, so that {@code port = "eighty"}
 * or {@code connect-timeout = 5 parsecs} fails at load time, naming the key and where it was set.
 * (Typesafe's {@code checkValid} treats a string as compatible with everything.) A key named
 * {@code *-size} is a byte size ({@code 10m}); a default that is a duration ({@code 5s}) makes the key
 * a duration.
 */
final class TypeCheck {
    private static final Pattern DURATION = Pattern.compile("^\\d+\\s*(ns|us|ms|s|m|h|d|nanos?|micros?|millis?|seconds?|minutes?|hours?|days?)$");

    private TypeCheck() {
    }

    static void check(Config merged, Config reference, String root) {
        walk(merged, reference.getObject(root), List.of(root));
    }

    private static void walk(Config merged, ConfigObject reference, List<String> path) {
        for (Map.Entry<String, ConfigValue> entry : reference.entrySet()) {
            List<String> keyPath = new ArrayList<>(path);
            keyPath.add(entry.getKey());
            String key = ConfigUtil.joinPath(keyPath);
            ConfigValue def = entry.getValue();
            if (!merged.hasPathOrNull(key)) {
                continue;
            }
            if (merged.getIsNull(key)) {
                throw ConfigError.at(key, merged.getValue(key).origin(), "must not be null");
            }
            ConfigValue actual = merged.getValue(key);
            try {
                switch (def.valueType()) {
                    case OBJECT -> {
                        if (actual.valueType() != ConfigValueType.OBJECT) {
                            throw ConfigError.at(key, actual.origin(), "expected an object, got " + describe(actual));
                        }
                        walk(merged, (ConfigObject) def, keyPath);
                    }
                    case NUMBER -> merged.getNumber(key);
                    case BOOLEAN -> merged.getBoolean(key);
                    case LIST -> merged.getList(key);
                    case STRING -> {
                        if (entry.getKey().endsWith("-size")) {
                            merged.getBytes(key);
                        } else if (DURATION.matcher(String.valueOf(def.unwrapped()).trim()).matches()) {
                            merged.getDuration(key);
                        } else if (actual.valueType() == ConfigValueType.OBJECT || actual.valueType() == ConfigValueType.LIST) {
                            throw ConfigError.at(key, actual.origin(), "expected a string, got " + describe(actual));
                        }
                    }
                    default -> {
                    }
                }
            } catch (ConfigException.WrongType | ConfigException.BadValue e) {
                throw ConfigError.at(key, actual.origin(), entry.getKey().endsWith("-size")
                        ? "expected a size such as 512k, 10m or 1g, got " + describe(actual) : problem(def, actual));
            }
        }
    }

    private static String problem(ConfigValue def, ConfigValue actual) {
        String expected = switch (def.valueType()) {
            case NUMBER -> "a number";
            case BOOLEAN -> "true or false";
            case LIST -> "a list";
            case STRING -> "a duration such as 5s, 250ms or 2m";
            default -> def.valueType().name().toLowerCase();
        };
        return "expected " + expected + ", got " + describe(actual);
    }

    private static String describe(ConfigValue v) {
        return switch (v.valueType()) {
            case STRING -> "'" + v.unwrapped() + "'";
            case OBJECT -> "an object";
            case LIST -> "a list";
            default -> v.render();
        };
    }
}
