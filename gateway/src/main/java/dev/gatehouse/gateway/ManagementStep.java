package dev.gatehouse.gateway;

import dev.gatehouse.gateway.config.ManagementSettings;
import dev.gatehouse.gateway.management.ManagementServer;
import dev.gatehouse.gateway.management.Readiness;
import dev.gatehouse.gateway.metrics.StandardMeters;
import dev.gatehouse.gateway.transport.Transport;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.BooleanSupplier;

/**
 * Start-up's management step: readiness, checked on its own thread, and — with {@code gatehouse.management.enabled}
 * — the listener for /healthz, /readyz and /metrics, started while the schema is checked so that a long migration
 * has a live /healthz. The later steps register what readiness watches ({@link Readiness#watch}).
 */
final class ManagementStep implements AutoCloseable {
    private final Readiness readiness;
    private final ManagementServer server;

    private ManagementStep(Readiness readiness, ManagementServer server) {
        this.readiness = readiness;
        this.server = server;
    }

    /**
     * @param policiesLoaded whether a policy snapshot is loaded (the policies step starts later)
     * @param meters         what /metrics shows; null when the management listener is off
     */
    static ManagementStep start(ManagementSettings settings, Transport transport, DatabaseStep database,
                                BooleanSupplier policiesLoaded, MeterRegistry registry, StandardMeters meters) {
        Readiness readiness = new Readiness(database.database(), database.schema()::ready, policiesLoaded,
                settings.checkInterval(), registry).start();
        try {
            ManagementServer server = meters == null ? null
                    : ManagementServer.start(transport, settings.host(), settings.port(), readiness, meters);
            return new ManagementStep(readiness, server);
        } catch (RuntimeException e) {
            readiness.close();
            throw e;
        }
    }

    Readiness readiness() {
        return readiness;
    }

    /** The management listener's port; -1 when it is off. */
    int port() {
        return server == null ? -1 : server.port();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        readiness.close();
    }
}
