package dev.gatehouse.gateway.config;

import com.typesafe.config.Config;
import dev.gatehouse.core.config.ConfigError;
import java.time.Duration;

/** Reading one checked value of {@code gatehouse.*}: a bad one fails with its key and position. */
final class ConfigValues {
    private ConfigValues() {
    }

    static int port(Config g, String path) {
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

    static long bytes(Config g, String path) {
        long v = g.getBytes(path);
        if (v < 0) {
            throw ConfigError.at("gatehouse." + path, g.getValue(path).origin(), "must not be negative");
        }
        return v;
    }

    static Duration notNegative(Config g, String path) {
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
