package dev.gatehouse.gateway;

import dev.gatehouse.core.db.Database;
import dev.gatehouse.core.policy.PolicySnapshot;
import dev.gatehouse.gateway.config.PoliciesSettings;
import dev.gatehouse.gateway.management.Readiness;
import dev.gatehouse.gateway.policy.PolicyService;
import dev.gatehouse.gateway.policy.TokenUsage;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.UUID;

/**
 * Start-up's policies step: the policy snapshot, loaded and kept current from the database ({@link PolicyService}),
 * and the API tokens' last use, written in the background ({@link TokenUsage}). Prepared before the management step
 * (readiness asks whether a snapshot is loaded), started once the schema step has answered.
 */
final class PoliciesStep implements AutoCloseable {
    /** How often api_tokens.last_used_at is written: the granularity `gatehouse-admin token list` shows. */
    static final Duration TOKEN_USAGE_INTERVAL = Duration.ofMinutes(1);
    /** The policy thread's loop goes round every 250 ms; a reload on a hanging connection may take the socket timeout. */
    private static final Duration POLICY_STALL = Duration.ofSeconds(90);

    private final Database database;
    private final PolicyService service;
    private TokenUsage tokenUsage;

    private PoliciesStep(Database database, PolicyService service) {
        this.database = database;
        this.service = service;
    }

    static PoliciesStep prepare(DatabaseStep database, PoliciesSettings settings, MeterRegistry registry) {
        PolicyService service = new PolicyService(database.database(), database.schema(), settings.refreshInterval(),
                settings.reconnectMaxBackoff());
        service.bindTo(registry);
        return new PoliciesStep(database.database(), service);
    }

    /**
     * Loads the first snapshot (waiting a little for it when the schema is ready) and keeps it current from then on.
     */
    PoliciesStep start(boolean schemaReady, Readiness readiness) throws InterruptedException {
        service.start(Duration.ofSeconds(schemaReady ? 5 : 0));
        readiness.watch("policy updates", service::lastProgressNanos, POLICY_STALL);
        tokenUsage = new TokenUsage(database, TOKEN_USAGE_INTERVAL);
        return this;
    }

    boolean loaded() {
        return service.snapshot() != null;
    }

    PolicySnapshot snapshot() {
        return service.snapshot();
    }

    void tokenUsed(UUID tokenId) {
        tokenUsage.used(tokenId);
    }

    /** Writes the tokens' last uses (the listeners have stopped: there are no more), then stops the updates. */
    @Override
    public void close() {
        if (tokenUsage != null) {
            tokenUsage.close();
        }
        service.close();
    }
}
