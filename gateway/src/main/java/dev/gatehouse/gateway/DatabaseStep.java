package dev.gatehouse.gateway;

import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import dev.gatehouse.core.db.Database;
import dev.gatehouse.core.db.DatabaseSettings;
import dev.gatehouse.gateway.policy.SchemaGate;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up's database and schema steps: the pool, opened whether or not the database answers (fail-static), and the
 * schema check ({@link SchemaGate}: migrated, or checked under EXTERNAL_MIGRATION), begun on a thread of its own so
 * that it runs beside the management listener's start — a cold JVM spends most of its start loading classes, and
 * there are two cores to do it on — and awaited by {@link #awaitSchema()}.
 */
final class DatabaseStep implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final Database database;
    private final SchemaGate schema;
    private final boolean externalMigration;
    private final FutureTask<Boolean> check;
    private final Thread checker;

    private DatabaseStep(Database database, SchemaGate schema, boolean externalMigration) {
        this.database = database;
        this.schema = schema;
        this.externalMigration = externalMigration;
        this.check = new FutureTask<>(schema::tryNow);
        this.checker = new Thread(check, "gatehouse-schema-check");
    }

    /** Opens the pool (its meters on {@code registry}) and begins the schema check. */
    static DatabaseStep open(DatabaseSettings settings, MeterRegistry registry) {
        Database database = Database.open(settings, "gatehouse-gateway", true, new MicrometerMetricsTrackerFactory(registry));
        DatabaseStep step = new DatabaseStep(database, new SchemaGate(database, settings.externalMigration()),
                settings.externalMigration());
        step.checker.start();
        return step;
    }

    Database database() {
        return database;
    }

    SchemaGate schema() {
        return schema;
    }

    /**
     * The schema step: the check's answer. A schema behind (external migration) or ahead of the binary fails the
     * start; a database that does not answer does not — the gateway starts without it, and the policy thread
     * prepares the schema once it answers ({@link SchemaGate} is locked meanwhile).
     *
     * @return whether the schema is ready now
     */
    boolean awaitSchema() throws InterruptedException {
        // unreachable at open: the check waits on the pool's timeout; nothing is gained by waiting for it here
        if (!database.reachableAtOpen() || !reachable()) {
            log.warn("The database at {} is unreachable: starting without it. Unbound routes are served;"
                    + " policy-bound routes answer 503 until it is reachable (the schema is then {}).",
                    database.description(), externalMigration ? "checked" : "migrated");
        }
        return schema.ready();
    }

    /** The check's answer; its failure (a schema that is behind or ahead, say) fails the start. */
    private boolean reachable() throws InterruptedException {
        try {
            return check.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Closes the pool — after the schema check, never leaving it running behind a failed start. */
    @Override
    public void close() {
        if (database.reachableAtOpen()) { // else it waits on the pool's timeout, which closing the pool ends
            try {
                checker.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        database.close();
    }
}
