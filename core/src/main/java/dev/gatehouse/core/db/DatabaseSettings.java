package dev.gatehouse.core.db;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.gatehouse.core.config.ConfigError;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code gatehouse.database}: where the database is and how to reach it.
 *
 * @param jdbcUrl empty for the embedded server
 */
public record DatabaseSettings(
        String jdbcUrl,
        String user,
        String password,
        boolean externalMigration,
        int poolMaxSize,
        Duration connectionTimeout,
        Path embeddedDataDir,
        int embeddedPort,
        Duration embeddedStartupTimeout) {

    public static DatabaseSettings from(Config config) {
        try {
            Config db = config.getConfig("gatehouse.database");
            String url = db.getString("url").trim();
            if (!url.isEmpty() && !url.startsWith("jdbc:postgresql:")) {
                throw ConfigError.at("gatehouse.database.url", db.getValue("url").origin(),
                        "expected a jdbc:postgresql:// URL (or set DATABASE_URL=postgres://...)");
            }
            int maxSize = db.getInt("pool.max-size");
            if (maxSize < 1) {
                throw ConfigError.at("gatehouse.database.pool.max-size", db.getValue("pool.max-size").origin(),
                        "must be at least 1");
            }
            int port = db.getInt("embedded.port");
            if (port < 0 || port > 65535) {
                throw ConfigError.at("gatehouse.database.embedded.port", db.getValue("embedded.port").origin(),
                        "must be 0..65535");
            }
            return new DatabaseSettings(url, db.getString("user"), db.getString("password"),
                    db.getBoolean("external-migration"), maxSize, db.getDuration("pool.connection-timeout"),
                    Path.of(db.getString("embedded.data-dir")), port, db.getDuration("embedded.startup-timeout"));
        } catch (ConfigException e) {
            throw ConfigError.from(e);
        }
    }

    public boolean embedded() {
        return jdbcUrl.isEmpty();
    }

    public DatabaseSettings withJdbc(String url, String newUser, String newPassword) {
        return new DatabaseSettings(url, newUser, newPassword, externalMigration, poolMaxSize, connectionTimeout,
                embeddedDataDir, embeddedPort, embeddedStartupTimeout);
    }
}
