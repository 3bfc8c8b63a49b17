package dev.gatehouse.gateway;

import dev.gatehouse.core.db.Database;
import dev.gatehouse.core.policy.PolicySnapshot;
import dev.gatehouse.gateway.audit.AuditWriter;
import dev.gatehouse.gateway.clientip.TrustedHops;
import dev.gatehouse.gateway.config.ConsoleSettings;
import dev.gatehouse.gateway.config.GatewaySettings;
import dev.gatehouse.gateway.console.ConsoleServer;
import dev.gatehouse.gateway.management.ReplicaHeartbeat;
import dev.gatehouse.gateway.sso.SingleSignOn;
import dev.gatehouse.gateway.transport.Transport;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last step: this gateway's heartbeat (the replica list every console shows) and its own operator console, when
 * configured — after the listeners, so the heartbeat names the listening address. Stops the console, then the
 * heartbeat.
 */
final class ConsoleStep implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final StopOrder started;
    private final ConsoleSettings settings;
    private final ConsoleServer server;

    private ConsoleStep(StopOrder started, ConsoleSettings settings, ConsoleServer server) {
        this.started = started;
        this.settings = settings;
        this.server = server;
    }

    static ConsoleStep start(GatewaySettings settings, Transport transport, Database database,
                             Supplier<PolicySnapshot> snapshots, AuditWriter audit, TrustedHops hops, SingleSignOn sso,
                             String url) {
        StopOrder started = new StopOrder();
        try {
            started.add(ReplicaHeartbeat.start(database, Gateway.version(), url));
            ConsoleServer server = settings.console().enabled() ? started.add(ConsoleServer.start(transport,
                    settings.console(), new ConsoleServer.Sources(database, snapshots, audit, hops, sso,
                    settings.routes()))) : null;
            return new ConsoleStep(started, settings.console(), server);
        } catch (RuntimeException e) {
            started.stop();
            throw e;
        }
    }

    /** The console's line of the start log. */
    void started() {
        if (server != null) {
            log.info("Console (read-only) on {} ({})", settings.url(server.port()), settings.loopback()
                    ? "loopback: no sign-in; from elsewhere, through an SSH tunnel or kubectl port-forward"
                    : "admins of " + settings.signInOrg() + " sign in, from gatehouse.console.allow");
        }
    }

    @Override
    public void close() {
        started.stop();
    }
}
