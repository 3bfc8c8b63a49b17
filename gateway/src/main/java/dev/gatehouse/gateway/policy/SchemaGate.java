package dev.gatehouse.gateway.policy;

import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.db.Database;
import dev.gatehouse.core.db.Migrations;
import dev.gatehouse.core.db.SchemaHistory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure the schema is what this gateway expects before policies are read from it: migrates it,
 * or with EXTERNAL_MIGRATION only checks it. A schema already current is recognised from Flyway's
 * history table in one query ({@link SchemaHistory}); Flyway itself starts only when there is work or doubt. Done at start; when the database is unreachable then,
 * done by the policy thread once it answers (the gateway starts anyway, fail-static). A schema that
 * is behind (external migration) or newer than the binary stops the start, or, found later, keeps
 * the gateway not ready with the reason logged.
 */
public final class SchemaGate {
    private static final Logger log = LoggerFactory.getLogger(SchemaGate.class);

    private final Database database;
    private final boolean external;
    private volatile boolean ready;

    public SchemaGate(Database database, boolean external) {
        this.database = database;
        this.external = external;
    }

    /** At start: prepares the schema; false when the database is unreachable (try later). */
    public boolean tryNow() {
        try {
            prepare();
            return true;
        } catch (GatehouseException e) {
            if (Database.unreachable(e)) {
                return false;
            }
            throw e;
        }
    }

    /** Prepares the schema once; a no-op after success. Throws GatehouseException with the reason. */
    public synchronized void prepare() {
        if (ready) {
            return;
        }
        if (SchemaHistory.isCurrent(database.dataSource())) { // one query; Flyway (slow to start) only when not sure
            log.info("Database schema current");
            ready = true;
            return;
        }
        Migrations migrations = new Migrations(database.dataSource());
        try {
            if (external) {
                try {
                    migrations.requireCurrent();
                } catch (GatehouseException e) {
                    if (Database.unreachable(e)) {
                        throw e;
                    }
                    throw new GatehouseException("EXTERNAL_MIGRATION is set and " + e.getMessage(), e);
                }
                log.info("EXTERNAL_MIGRATION is set: schema checked, current");
            } else {
                for (Migrations.Version v : migrations.migrate()) {
                    log.info("Applied migration V{} ({})", v.version(), v.description());
                }
            }
        } catch (org.flywaydb.core.api.FlywayException e) {
            throw new GatehouseException("schema check failed: " + Database.sqlReason(e), e);
        }
        ready = true;
    }

    public boolean ready() {
        return ready;
    }
}
