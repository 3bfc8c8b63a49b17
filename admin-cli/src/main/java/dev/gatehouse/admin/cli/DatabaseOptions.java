package dev.gatehouse.admin.cli;

import com.typesafe.config.Config;
import dev.gatehouse.core.config.ConfigError;
import dev.gatehouse.core.config.ConfigLoader;
import dev.gatehouse.core.config.DatabaseUrl;
import dev.gatehouse.core.db.Database;
import dev.gatehouse.core.db.DatabaseSettings;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Where the database is: --database-url, else DATABASE_URL, else the config file, else embedded. */
public final class DatabaseOptions {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Gatehouse config file (default: $GATEHOUSE_CONFIG, else built-in defaults).")
    Path config;

    @Option(names = "--database-url", paramLabel = "URL",
            description = "postgres://user:pass@host:port/db or jdbc:postgresql://...; overrides DATABASE_URL.")
    String databaseUrl;

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    /** The whole configuration (--config, else GATEHOUSE_CONFIG, else the defaults). Bad values are usage errors. */
    public Config config() {
        try {
            return ConfigLoader.load(config, GlobalOptions.of(spec).env());
        } catch (ConfigError e) {
            throw new UsageException(e.getMessage());
        }
    }

    /** The database settings these options and the environment name. Bad values are usage errors. */
    public DatabaseSettings settings() {
        DatabaseSettings settings = DatabaseSettings.from(config());
        if (databaseUrl != null) {
            DatabaseUrl url;
            try {
                url = DatabaseUrl.parse(databaseUrl, "--database-url");
            } catch (ConfigError e) {
                throw new UsageException(e.getMessage().replaceFirst("^configuration: ", ""));
            }
            settings = settings.withJdbc(url.jdbcUrl(), url.user(), url.password());
        }
        return settings;
    }

    /** Opens a small pool (the CLI runs one statement at a time). */
    public Database open() {
        DatabaseSettings s = settings();
        return Database.open(new DatabaseSettings(s.jdbcUrl(), s.user(), s.password(), s.externalMigration(), 2,
                s.connectionTimeout(), s.embeddedDataDir(), s.embeddedPort(), s.embeddedStartupTimeout()),
                "gatehouse-admin");
    }
}
