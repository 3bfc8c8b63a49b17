package dev.gatehouse.gateway;

import com.typesafe.config.Config;
import dev.gatehouse.core.GatehouseException;
import dev.gatehouse.core.db.Database;
import dev.gatehouse.core.route.Route;
import dev.gatehouse.gateway.audit.InstanceLock;
import dev.gatehouse.gateway.config.GatewaySettings;
import dev.gatehouse.gateway.metrics.StandardMeters;
import dev.gatehouse.gateway.sso.SingleSignOn;
import dev.gatehouse.gateway.transport.Transport;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running gateway. It starts in named steps, in this order, each owning what it starts and stops:
 *
 * <ol>
 * <li><b>spool</b> — the audit spool's lock ({@link AuditStep#claimSpool}): first, so that a second gateway on the same
 *     directory says so before it touches the database;
 * <li><b>meters</b> — the registry every component registers its meters on (none kept without a management listener);
 * <li><b>database</b> ({@link DatabaseStep}) — the pool, whether or not the database answers; the schema check begins;
 * <li><b>management</b> ({@link ManagementStep}) — readiness and /healthz, /readyz, /metrics, while the schema is checked;
 * <li><b>schema</b> ({@link DatabaseStep#awaitSchema}) — migrated or checked; behind or ahead fails the start;
 * <li><b>policies</b> ({@link PoliciesStep}) — the policy snapshot and its updates, API token use;
 * <li><b>audit</b> ({@link AuditStep}) — the writer and its spool, retention;
 * <li><b>SSO</b> ({@link SingleSignOn}) — the sign-in keys, sessions and providers;
 * <li><b>listeners</b> ({@link ListenersStep}) — the demo upstream, the public listener, the files re-read under it.
 * </ol>
 *
 * <p>A failed step stops those before it and the start fails, leaving nothing running. {@link #stop()} stops the steps
 * in reverse: the public listener first (draining), then sign-in, the audit log (every request recorded), the policies
 * (the tokens' last uses written), management, the database, and the spool's lock last.
 */
public final class Gateway implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final StopOrder steps;
    private final ListenersStep listeners;
    private final ManagementStep management;
    private final DatabaseStep database;

    private Gateway(StopOrder steps, ListenersStep listeners, ManagementStep management, DatabaseStep database) {
        this.steps = steps;
        this.listeners = listeners;
        this.management = management;
        this.database = database;
    }

    /** Reads the settings ({@link GatewaySettings#from}, the only reading of the HOCON) and starts. */
    public static Gateway start(Config config) throws InterruptedException {
        return start(GatewaySettings.from(config));
    }

    /** Starts everything, or fails with a {@link GatehouseException} and leaves nothing running. */
    public static Gateway start(GatewaySettings settings) throws InterruptedException {
        Transport transport = Transport.choose(settings.server().transport()); // before anything starts: it may refuse
        StopOrder steps = new StopOrder();
        try {
            InstanceLock spool = steps.add(AuditStep.claimSpool(settings.audit()));
            StandardMeters meters = steps.add(settings.management().enabled() ? StandardMeters.create() : null);
            MeterRegistry registry = meters != null ? meters.registry() : new CompositeMeterRegistry();
            DatabaseStep database = steps.add(DatabaseStep.open(settings.database(), registry));
            PoliciesStep policies = PoliciesStep.prepare(database, settings.policies(), registry);
            ManagementStep management = steps.add(ManagementStep.start(settings.management(), transport, database,
                    policies::loaded, registry, meters));
            boolean schemaReady = database.awaitSchema();
            steps.add(policies.start(schemaReady, management.readiness()));
            AuditStep audit = steps.add(AuditStep.start(settings.audit(), database.database(), registry,
                    management.readiness()));
            SingleSignOn sso = steps.add(signIn(settings, database, policies, registry));
            ListenersStep listeners = steps.add(ListenersStep.start(settings, transport, registry, policies,
                    audit.sink(), sso));

            management.readiness().listening();
            String url = url(settings.listen().host(), listeners.server().port());
            if (spool != null) {
                spool.listening(url);
            }
            ConsoleStep console = steps.add(ConsoleStep.start(listeners.settings(), transport, database.database(),
                    policies::snapshot, audit.writer(), listeners.hops(), sso, url));
            started(listeners.settings(), url, database.database(), transport, management.port());
            console.started();
            return new Gateway(steps, listeners, management, database);
        } catch (RuntimeException | InterruptedException e) {
            steps.stop();
            throw e;
        }
    }

    /**
     * Sign-in at the edge; it hands a session only to a host a route of that very organisation names and signs
     * browsers in on.
     */
    private static SingleSignOn signIn(GatewaySettings settings, DatabaseStep database, PoliciesStep policies,
                                       MeterRegistry registry) {
        List<Route> signInHosts = settings.routes().stream().filter(r -> !r.hosts().isEmpty()
                && r.binding().signInPossible()).toList();
        return new SingleSignOn(database.database(), settings.sso(), policies::snapshot,
                (host, org) -> signInHosts.stream().anyMatch(r -> r.binding().org().equals(org)
                        && r.hosts().stream().anyMatch(h -> h.matches(host))), registry).start();
    }

    /** This build's version, from the jar's manifest ("development" when run from classes). */
    static String version() {
        String v = Gateway.class.getPackage().getImplementationVersion();
        return v == null ? "development" : v;
    }

    private static String url(String host, int port) {
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    private static void started(GatewaySettings settings, String url, Database database, Transport transport,
                                int managementPort) {
        log.info("Gatehouse listening on {} (database: {}; transport: {})", url, database.description(),
                transport.describe(settings.server().transport()));
        if (managementPort >= 0) {
            log.info("Management (/healthz, /readyz, /metrics) on http://{}:{}", settings.management().host(), managementPort);
        }
        for (Route r : settings.routes()) {
            log.info("  route {}{} -> {}{} ({})", r.hosts().isEmpty() ? "" : "hosts " + r.hosts() + " ", r.prefix(),
                    r.upstreams(), r.stripPrefix() ? " (prefix stripped)" : "", r.binding().describe());
        }
    }

    public int port() {
        return listeners.server().port();
    }

    /** The management listener's port; -1 when it is disabled. */
    public int managementPort() {
        return management.port();
    }

    /** The settings in force: the demo upstream in the routes that use it. */
    public GatewaySettings settings() {
        return listeners.settings();
    }

    public Database database() {
        return database.database();
    }

    /**
     * Stops everything, the public listener first (draining); returns the connections the drain had to cut (0: every
     * request finished).
     */
    public int stop() {
        long t0 = System.nanoTime();
        steps.stop();
        int cut = listeners.server().cutAtStop();
        log.info("Gatehouse stopped in {} ms{}", (System.nanoTime() - t0) / 1_000_000,
                cut == 0 ? "" : " (" + cut + " connection" + (cut == 1 ? "" : "s") + " cut at the drain timeout)");
        return cut;
    }

    @Override
    public void close() {
        stop();
    }
}
