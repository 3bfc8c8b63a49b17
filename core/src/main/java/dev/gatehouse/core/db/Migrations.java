package dev.gatehouse.core.db;

import dev.gatehouse.core.GatehouseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Gatehouse's schema migrations (Flyway, {@code classpath:db/migration}), one-way.
 *
 * <p>Flyway serialises concurrent migrators with a PostgreSQL advisory lock, so several gateways
 * starting together on an empty database apply each version once. A database that carries a
 * version this binary does not know is refused: migrations are one-way, so the way back is a
 * backup, and the way forward is a newer Gatehouse.
 */
public final class Migrations {
    public static final String MIGRATE_COMMAND = "gatehouse-admin migrate";

    private final Flyway flyway;

    public Migrations(DataSource dataSource) {
        this.flyway = Flyway.configure(Migrations.class.getClassLoader())
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .cleanDisabled(true)
                .validateMigrationNaming(true)
                .load();
    }

    /** One migration as listed by {@code migrate info}. */
    public record Version(String version, String description, String state, String installedOn) {
    }

    /** Applies what is pending; returns the versions applied, in order. */
    public List<Version> migrate() {
        refuseNewerSchema(flyway.info());
        try {
            MigrateResult result = flyway.migrate();
            List<Version> applied = new ArrayList<>();
            result.migrations.forEach(m -> applied.add(new Version(m.version, m.description, "Success", "")));
            return applied;
        } catch (FlywayException e) {
            throw new GatehouseException("migration failed: " + oneLine(e.getMessage()), e);
        }
    }

    /** Every known or applied version with its state. */
    public List<Version> info() {
        return Arrays.stream(flyway.info().all())
                .map(m -> new Version(m.getVersion() == null ? "" : m.getVersion().getVersion(),
                        m.getDescription(), m.getState().getDisplayName(),
                        m.getInstalledOn() == null ? "" : m.getInstalledOn().toInstant().toString()))
                .toList();
    }

    /** The versions not yet applied. */
    public List<String> pending() {
        return Arrays.stream(flyway.info().pending()).map(m -> m.getVersion().getVersion()).toList();
    }

    /**
     * Checks the applied schema against this binary's migrations: checksums match, nothing failed,
     * nothing newer than this binary. Pending versions are allowed (see {@link #requireCurrent()}).
     */
    public void validate() {
        validate(flyway.info());
    }

    /** Each {@code flyway.info()} scans the class path and queries the history table: read it once. */
    private void validate(MigrationInfoService info) {
        refuseNewerSchema(info);
        for (MigrationInfo m : info.all()) {
            if (m.getState().isFailed()) {
                throw new GatehouseException("migration " + m.getVersion() + " (" + m.getDescription()
                        + ") failed earlier; fix the database by hand or restore a backup, then run " + MIGRATE_COMMAND);
            }
        }
        var result = flyway.validateWithResult();
        if (!result.validationSuccessful) {
            String detail = result.invalidMigrations.stream()
                    .filter(e -> e.errorDetails != null)
                    .map(e -> "V" + e.version + ": " + oneLine(e.errorDetails.errorMessage))
                    .filter(s -> !s.contains("Detected resolved migration not applied"))
                    .findFirst().orElse(null);
            if (detail != null) {
                throw new GatehouseException("schema validation failed: " + detail);
            }
        }
    }

    /** The schema must be exactly what this binary expects: valid, and nothing pending. */
    public void requireCurrent() {
        MigrationInfoService info = flyway.info();
        validate(info);
        List<String> pending = Arrays.stream(info.pending()).map(m -> m.getVersion().getVersion()).toList();
        if (!pending.isEmpty()) {
            throw new GatehouseException("the database schema is behind this Gatehouse (pending: V"
                    + String.join(", V", pending) + "); run `" + MIGRATE_COMMAND + "` first");
        }
    }

    private static void refuseNewerSchema(MigrationInfoService info) {
        for (MigrationInfo m : info.applied()) {
            if (m.getState() == MigrationState.FUTURE_SUCCESS || m.getState() == MigrationState.FUTURE_FAILED) {
                throw new GatehouseException("the database schema is at V" + m.getVersion()
                        + ", newer than this Gatehouse (which knows up to V" + latestKnown(info)
                        + "); migrations are one-way: upgrade Gatehouse, or restore a backup taken before the upgrade");
            }
        }
    }

    private static String latestKnown(MigrationInfoService info) {
        return Arrays.stream(info.all())
                .filter(m -> m.getState().isResolved() && m.getVersion() != null)
                .map(m -> m.getVersion().getVersion())
                .reduce((a, b) -> b).orElse("0");
    }

    private static String oneLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        return s.lines().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("---")).findFirst().orElse(s.trim());
    }
}
